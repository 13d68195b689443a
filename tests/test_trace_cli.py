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
        ["2", "h1", "→", "o", "0.8", "0.192", "0.9308616", "0.01", "0.01·0.192·0.9308616",
         "0.001787254", "0.8017873"]]
    assert "loss (sse) before the step: 0.16" in out


def test_handout_order_and_digits(capsys):
    assert main(["trace", "--format", "plain", "--order", "handout"]) == 0
    out = capsys.readouterr().out
    assert find(out, "1", "h1")[1][-1] == "0.009907519"
    assert find(out, "1", "x1", "→", "h1") == [
        ["1", "x1", "→", "h1", "0.5", "0.009907519", "1", "0.01", "0.01·0.009907519·1",
         "9.907519e-05", "0.5000991"]]
    assert main(["trace", "--format", "plain", "--order", "handout", "--digits", "3"]) == 0
    out = capsys.readouterr().out
    assert find(out, "1", "h1")[1][-1] == "0.00991"


def test_other_inputs_targets_and_formats(capsys):
    assert main(["trace", "--input", "0", "0", "0", "--target", "0", "--eta", "0.5",
                 "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert "x = (0, 0, 0), y = (0), $\\eta$ = 0.5" in out          # pdfLaTeX-ready
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


def status_and_error(argv, capsys):
    """main(argv) → (exit status, stderr), whether argparse or the command refused."""
    try:
        status = main(argv)
    except SystemExit as exit_info:
        status = exit_info.code
    return status, capsys.readouterr().err


def test_errors_are_one_line(tmp_path, capsys):
    path = tmp_path / "model.json"
    Network([2, 1], loss="bce").save(path)
    # bad option values: exit status 2, the option named as typed
    for argv, said in [
            ([str(path)], "nodenet trace: error: tracing a model file needs --input and "
                          "--target, e.g. --input 1 3 5 --target 1\n"),
            ([str(path), "--input", "1", "--target", "1"],
             "nodenet trace: error: --input has 1 number, the model needs 2\n"),
            ([str(path), "--input", "1", "2", "--target", "3"],
             "nodenet trace: error: --target: bce targets must lie in [0, 1], got 3.0 at output 0\n"),
            (["--digits", "0"], "nodenet trace: error: argument --digits: expected a whole number "
                                "from 1 to 22, got '0' (see --help)\n"),
            (["--eta", "-1"], "nodenet trace: error: argument --eta: expected a finite number ≥ 0, "
                              "got '-1' (see --help)\n"),
            (["--input", "1", "nan", "3"], "nodenet trace: error: argument --input: expected a "
                                           "finite number, got 'nan' (see --help)\n")]:
        assert status_and_error(["trace", *argv], capsys) == (2, said)
    status, err = status_and_error(["trace", "--format", "nonsense"], capsys)
    assert status == 2 and err.count("\n") == 1
    # a file that cannot be read: exit status 1
    status, err = status_and_error(["trace", str(tmp_path / "missing.json"), "--input", "1",
                                    "--target", "1"], capsys)
    assert status == 1 and err.count("\n") == 1 and "missing.json" in err


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
