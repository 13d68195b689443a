"""``nodenet trace``, in-process (``main([...])``) and as a subprocess.

With no model it traces the handout's network (seed 003): output activation
0.6, δ_o = 0.192, Δw(h1 → o) = 0.001787254, new weight 0.8017873, and
δ_h1 = 0.009885435 (standard) or 0.009907519 (the handout's order).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodenet import Network
from nodenet.cli import main

ENV = dict(os.environ, PYTHONIOENCODING="utf-8")


def rows(text):
    """The plain-format table rows of a report, each split into cells."""
    return [line.split() for line in text.splitlines() if line[:8].strip().isdigit()]


def find(text, *start):
    return [r for r in rows(text) if r[:len(start)] == list(start)]


def test_default_traces_the_handout_network(capsys):
    assert main(["trace", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "x = (1, 3, 5), y = (1), η = 0.01, order = standard" in out
    assert find(out, "1", "h1") == [
        ["1", "h1", "0.5,", "3.6,", "-1.5", "0", "2.6", "sigmoid", "0.9308616"],
        ["1", "h1", "w·δ·a·(1", "−", "a)", "0.8·0.192·0.9308616·(1", "−", "0.9308616)",
         "0.009885435"]]
    assert find(out, "2", "o")[1] == ["2", "o", "2·(y", "−", "a)·a·(1", "−", "a)",
                                      "2·(1", "−", "0.6)·0.6·(1", "−", "0.6)", "0.192"]
    assert find(out, "2", "h1", "→", "o") == [
        ["2", "h1", "→", "o", "0.8", "0.192", "0.9308616", "0.01", "0.001787254", "0.8017873"]]
    assert "loss (sse) before the step: 0.16" in out


def test_handout_order_and_digits(capsys):
    assert main(["trace", "--format", "plain", "--order", "handout"]) == 0
    out = capsys.readouterr().out
    assert find(out, "1", "h1")[1][-1] == "0.009907519"
    assert find(out, "1", "x1", "→", "h1") == [
        ["1", "x1", "→", "h1", "0.5", "0.009907519", "1", "0.01", "9.907519e-05", "0.5000991"]]
    assert main(["trace", "--format", "plain", "--order", "handout", "--digits", "3"]) == 0
    out = capsys.readouterr().out
    assert find(out, "1", "h1")[1][-1] == "0.00991"


def test_other_inputs_targets_and_formats(capsys):
    assert main(["trace", "--input", "0", "0", "0", "--target", "0", "--eta", "0.5",
                 "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert "x = (0, 0, 0), y = (0), η = 0.5" in out
    assert "\\begin{tabular}" in out
    # all inputs 0: every hidden net input is 0, every hidden output 0.5
    assert out.count(" & 0.5 ") >= 4


def test_model_file(tmp_path, capsys):
    path = tmp_path / "model.json"
    Network.from_matrices([[[0.8]], [[-1.0]]], biases=[[0.2], [0.5]],
                          activations=["relu", "sigmoid"], loss="bce").save(path)
    assert main(["trace", str(path), "--input", "0.5", "--target", "1", "--eta", "0.1",
                 "--format", "plain"]) == 0
    out = capsys.readouterr().out
    # seed 000's iteration: δ_o = 1 − 0.4750208; w2 → −0.9685012, b1 → 0.1475021
    assert find(out, "2", "o")[1][-1] == "0.5249792"
    assert find(out, "2", "h1", "→", "o")[0][-1] == "-0.9685012"
    assert find(out, "1", "b", "→", "h1")[0][-1] == "0.1475021"
    # the file is only read
    assert Network.load(path).to_matrices() == ([[[0.8]], [[-1.0]]], [[0.2], [0.5]])


def test_errors_are_one_line(tmp_path, capsys):
    path = tmp_path / "model.json"
    Network([2, 1]).save(path)
    assert main(["trace", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == ("nodenet trace: error: tracing a model file needs --input and --target, "
                   "e.g. --input 1 3 5 --target 1\n")
    assert main(["trace", str(path), "--input", "1", "--target", "1"]) == 1
    assert "step_report expects 2 inputs, got 1" in capsys.readouterr().err
    assert main(["trace", "--digits", "0"]) == 1
    assert "digits must be a whole number from 1 to 15, got 0" in capsys.readouterr().err
    assert main(["trace", str(tmp_path / "missing.json"), "--input", "1", "--target", "1"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["trace", "--format", "nonsense"])
    assert exit_info.value.code == 2


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["trace", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: nodenet trace" in out and "--order {standard,handout}" in out


def run(args):
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", env=ENV,
                          timeout=120)


def test_python_dash_m():
    done = run([sys.executable, "-m", "nodenet", "trace", "--format", "plain",
                "--order", "handout"])
    assert done.returncode == 0, done.stderr
    assert find(done.stdout, "2", "h1", "→", "o")[0][-2:] == ["0.001787254", "0.8017873"]
    assert find(done.stdout, "1", "h1")[1][-1] == "0.009907519"


def test_console_script():
    script = Path(sys.executable).parent / ("nodenet.exe" if os.name == "nt" else "nodenet")
    if not script.exists():
        pytest.skip(f"no console script at {script} (package not installed in this env)")
    done = run([str(script), "trace", "--format", "plain"])
    assert done.returncode == 0, done.stderr
    assert find(done.stdout, "1", "h1")[1][-1] == "0.009885435"
    done = run([str(script), "trace", "--help"])
    assert done.returncode == 0 and "usage: nodenet trace" in done.stdout
