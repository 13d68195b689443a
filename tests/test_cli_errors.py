"""Command-line errors (issue 5): one line on stderr, non-zero status, never a traceback.

The sweep tests walk every command registered in ``nodenet.cli.COMMANDS`` at
test time (new commands are covered automatically) and feed each of its
arguments missing files, directories, unreadable JSON, binary junk, a model
with the wrong shape, bad numbers and unknown options.  Specific cases follow.
"""

import argparse
import functools
import json
import os
import subprocess
import sys

import pytest

from nodenet import Network
from nodenet.cli import COMMANDS, build_parser, main

from clitools import run


def assert_one_line_error(status, err, argv):
    assert status not in (0, None), (argv, err)
    assert "Traceback" not in err, (argv, err)
    lines = err.splitlines()
    # progress lines (train) may come first; the error is exactly one line, the last
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and lines[-1] == errors[0], (argv, err)
    assert errors[0].startswith("nodenet"), (argv, err)
    assert all(line.startswith("epoch ") for line in lines[:-1]), (argv, err)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A working folder with good and bad input files; returns name → path."""
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "model.json"
    Network([2, 3, 1], seed=1).save(model)
    wide = tmp_path / "wide.json"
    Network([5, 2], seed=1).save(wide)
    data = tmp_path / "data.csv"
    data.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    paths = {
        "model": model, "wide_model": wide, "data": data,
        "missing": tmp_path / "missing.json",
        "directory": tmp_path,
        "empty": tmp_path / "empty.json",
        "bad_json": tmp_path / "bad.json",
        "truncated": tmp_path / "truncated.json",
        "binary": tmp_path / "binary.json",
        "nan_model": tmp_path / "nan.json",
        "bad_csv": tmp_path / "bad.csv",
        "ragged_csv": tmp_path / "ragged.csv",
    }
    paths["empty"].write_text("", encoding="utf-8")
    paths["bad_json"].write_text("{not json", encoding="utf-8")
    paths["truncated"].write_text(model.read_text(encoding="utf-8")[:100], encoding="utf-8")
    paths["binary"].write_bytes(bytes(range(256)) * 3)
    data = json.loads(model.read_text(encoding="utf-8"))
    data["layers"][0]["biases"][0] = 12345.5
    paths["nan_model"].write_text(json.dumps(data).replace("12345.5", "NaN"), encoding="utf-8")
    paths["bad_csv"].write_text("x1,x2,y\n0,abc,1\n", encoding="utf-8")
    paths["ragged_csv"].write_text("x1,x2,y\n0,1\n1,1,0,5\n", encoding="utf-8")
    return paths


@functools.lru_cache(maxsize=None)
def subparser(name):
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


def value_actions(name):
    """The arguments of command ``name`` that take a value (positionals and options)."""
    return [a for a in subparser(name)._actions
            if not isinstance(a, (argparse._HelpAction, argparse._StoreTrueAction,
                                  argparse._StoreFalseAction, argparse._StoreConstAction))
            and a.nargs != 0]


def label(action):
    return f"{action.dest} {action.metavar or ''}".lower()


def good_value(action, files):
    """A plausible value for an argument, guessed from its name, type and choices."""
    text = label(action)
    if action.choices:
        return str(sorted(action.choices)[0])
    if "output" in text or action.dest in ("plot",):
        return "out.json" if "json" in text else "out.txt"
    if "model" in text:
        return str(files["model"])
    if "data" in text or "csv" in text:
        return str(files["data"])
    if "column" in text:
        return "y" if "target" in text else "x1"
    if "size" in text:
        return "2"
    if action.type is int:
        return "1"
    if action.type is float:
        return "0.5"
    return "1"


# options that are optional but usually given: sample values for the 2-3-1 model
USUAL = {"input": ["0.5", "0.25"], "target": ["1"], "target_columns": ["y"]}


def argv_for(name, files, override=None, junk=None):
    """Every required argument filled with a good value, ``override`` with ``junk``."""
    argv, positionals = [name], []
    for action in value_actions(name):
        usual = USUAL.get(action.dest)
        if (action is not override and not action.required and action.option_strings
                and usual is None):
            continue
        value = junk if action is override else good_value(action, files)
        n = 2 if action.nargs in ("+", "*") and "size" in label(action) else 1
        values = [value] * n if action is not override else [value]
        if usual is not None and action is not override:
            values = usual
        if action.option_strings:
            argv += [action.option_strings[-1], *values]
        else:
            positionals += values
    return argv[:1] + positionals + argv[1:]       # positionals first: nargs="+" options are greedy


JUNK_FILES = ["missing", "directory", "empty", "bad_json", "truncated", "binary", "nan_model",
              "wide_model", "bad_csv", "ragged_csv"]
JUNK_VALUES = ["nan", "inf", "-1", "0", "abc", "1e999", "", "--", "-" + "9" * 400]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_reports_bad_options_in_one_line(name, files, capsys):
    for argv in ([name, "--no-such-option"], [name, "--no-such-option", "1"],
                 [name + "x"], [name, "-x", "-y"]):
        status, out, err = run(argv, capsys)
        assert_one_line_error(status, err, argv)
        assert status == 2
    status, out, err = run([name, "--help"], capsys)
    assert status == 0 and out.startswith(f"usage: nodenet {name}") and err == ""


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_of_every_command_survives_junk(name, files, capsys):
    baseline = argv_for(name, files)
    status, out, err = run(baseline, capsys)
    assert status == 0 or len(err.splitlines()) == 1, (baseline, err)
    for action in value_actions(name):
        reads_a_file = any(word in label(action) for word in ("model", "data", "csv")) \
            and "output" not in label(action)
        candidates = [str(files[k]) for k in JUNK_FILES] + JUNK_VALUES
        for junk in candidates:
            argv = argv_for(name, files, override=action, junk=junk)
            status, out, err = run(argv, capsys)
            if status == 0:
                assert "Traceback" not in err, (argv, err)
                continue
            assert_one_line_error(status, err, argv)
        if reads_a_file:               # these can never be read as good input
            for key in ("missing", "directory", "empty", "bad_json", "truncated", "binary"):
                argv = argv_for(name, files, override=action, junk=str(files[key]))
                status, out, err = run(argv, capsys)
                assert_one_line_error(status, err, argv)


# -- specific cases ----------------------------------------------------------

@pytest.mark.parametrize("argv, said", [
    (["init", "--sizes", "3", "-o", "m.json"],
     "--sizes needs at least two sizes, the inputs and the outputs (e.g. --sizes 3 4 1), got 1"),
    (["init", "--sizes", "3", "0", "1", "-o", "m.json"],
     "argument --sizes: expected a whole number ≥ 1, got '0'"),
    (["init", "--sizes", "2", "1", "-o", "no/such/dir/m.json"],
     "cannot write -o file no/such/dir/m.json: the folder "),
    (["init", "--sizes", "2", "x", "-o", "m.json"],
     "argument --sizes: expected a whole number ≥ 1, got 'x'"),
    (["init", "--sizes", "2", "1", "--seed", "1.5", "-o", "m.json"],
     "argument --seed: expected a whole number, got '1.5'"),
    (["init", "--sizes", "2", "1", "--loss", "hinge", "-o", "m.json"], "invalid choice: 'hinge'"),
    (["init", "--sizes", "2", "1"], "the following arguments are required: -o/--output"),
])
def test_init_errors(files, capsys, argv, said):
    status, out, err = run(argv, capsys)
    assert_one_line_error(status, err, argv)
    assert status == 2                  # every one is a bad option value
    assert said in err
    assert not os.path.exists("m.json")


def test_model_file_problems_are_named(files, capsys):
    if "draw" not in COMMANDS:
        pytest.skip("needs the draw command")
    cases = {
        "missing": "No such file or directory",
        "bad_json": "not valid JSON",
        "truncated": "not valid JSON",
        "binary": "not a text file",
        "nan_model": "non-finite number NaN in model file",
        "directory": "Is a directory",
    }
    for key, said in cases.items():
        argv = ["draw", str(files[key])]
        status, out, err = run(argv, capsys)
        assert_one_line_error(status, err, argv)
        assert said in err and str(files[key]) in err, err


def test_wrong_shapes_and_bad_numbers_on_the_command_line(files, capsys):
    if not {"fixture", "train", "predict"} <= set(COMMANDS):
        pytest.skip("needs the fixture, train and predict commands")
    model, data = str(files["model"]), str(files["data"])
    train = ["train", model, "--data", data, "--target-columns", "y", "-o", "t.json"]
    options = [   # bad option values: exit status 2, the option named as typed
        (["fixture", model, "--input", "1", "--target", "0"],
         "sample 0: --input has 1 number, the model needs 2"),
        (["fixture", model, "--input", "1", "2", "--target", "nan"],
         "argument --target: expected a finite number, got 'nan'"),
        (["fixture", model, "--input", "1", "abc", "--target", "0"],
         "argument --input: expected a number (plain decimal or scientific notation"),
        (["fixture", str(files["wide_model"]), "--data", data],
         "the CSV file " + data + " needs --target-columns NAME…"),
        (train + ["--epochs", "-1", "--eta", "0.5"],
         "argument --epochs: expected a whole number ≥ 0, got '-1'"),
        (train + ["--epochs", "3", "--eta", "nan"],
         "argument --eta: expected a finite number > 0, got 'nan'"),
        (train + ["--epochs", "3", "--eta", "0"], "argument --eta: expected a finite number > 0, got '0'"),
        (train + ["--epochs", "3", "--eta", "0.5", "--batch-size", "9"],
         f"--batch-size 9 is more than the 4 rows of {data}"),
        (train + ["--epochs", "3", "--eta", "0.5", "--batch-size", "0"],
         "argument --batch-size: expected a whole number ≥ 1, got '0'"),
        (train + ["--epochs", "3", "--eta", "0.5", "--momentum", "1"],
         "argument --momentum: expected a finite number ≥ 0 and < 1, got '1'"),
        (train + ["--epochs", "3", "--eta", "0.5", "--lr-decay", "exp"],
         "argument --lr-decay: invalid choice: 'exp'"),
    ]
    inputs = [   # bad input files: exit status 1
        (["fixture", str(files["wide_model"]), "--data", data, "--target-columns", "y"],
         "the model has 2 outputs, so it needs 2 target columns, got 1 (y)"),
        (train[:5] + ["nope"] + train[6:] + ["--epochs", "3", "--eta", "0.5"], "nope"),
        (["train", model, "--data", str(files["bad_csv"]), "--target-columns", "y", "--epochs",
          "3", "--eta", "0.5", "-o", "t.json"], "abc"),
        (["predict", str(files["wide_model"]), "--data", data], "5"),
        (["predict", model, "--data", str(files["ragged_csv"])], "ragged.csv"),
    ]
    for cases, code in ((options, 2), (inputs, 1)):
        for argv, said in cases:
            status, out, err = run(argv, capsys)
            assert_one_line_error(status, err, argv)
            assert said in err and status == code, (argv, status, err)
            for internal in ("batch_size", "lr_decay", "step_report", "eta must", "epochs must"):
                assert internal not in err, (argv, err)      # never the library's names
    assert not os.path.exists("t.json")


def test_a_real_process_prints_one_line_and_no_traceback(files):
    """The same through ``python -m nodenet`` in a fresh process."""
    cases = [["init", "--sizes", "2", "0", "-o", "m.json"],
             ["init", "--bogus"]]
    cases += [[name, str(files["bad_json"])] for name in COMMANDS
              if any(not a.option_strings for a in value_actions(name))]
    for argv in cases:
        proc = subprocess.run([sys.executable, "-m", "nodenet", *argv], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode != 0, (argv, proc.stdout, proc.stderr)
        assert len(proc.stderr.splitlines()) == 1, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_unexpected_exceptions_in_a_command_are_still_one_line(files, capsys, monkeypatch):
    import nodenet.cli.init as init_command

    def broken(args):
        raise TypeError("something\nspanning lines")
    monkeypatch.setattr(init_command, "run", broken)
    argv = ["init", "--sizes", "2", "1", "-o", "m.json"]
    status, out, err = run(argv, capsys)
    assert status == 3
    assert err == ("nodenet init: error: internal error, please report (run again with --debug "
                   "for the traceback): TypeError: something spanning lines\n")

    def value_error(args):
        json.loads("{")
    monkeypatch.setattr(init_command, "run", value_error)
    status, out, err = run(argv, capsys)
    try:
        json.loads("{")
    except json.JSONDecodeError as exc:     # CPython and PyPy word it differently
        said = f"nodenet init: error: JSONDecodeError: {exc}\n"
    assert status == 1 and err == said


def test_a_reader_that_stops_early_gets_no_error_message(tmp_path):
    model = tmp_path / "m.json"
    Network([2, 2, 1], seed=1).save(model)
    read_end, write_end = os.pipe()
    os.close(read_end)                  # the reader is gone before the first write, as after `| head`
    try:
        done = subprocess.run([sys.executable, "-m", "nodenet", "draw", str(model)],
                              stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    assert done.stderr == b""


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch, capsys):
    import nodenet.cli.trace as trace

    def broken(args):
        raise KeyError("a bug")
    parser_run = trace.run
    monkeypatch.setattr(trace, "run", broken)
    try:
        assert main(["trace"]) == 3
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert "internal error, please report (run again with --debug" in err
        assert main(["--debug", "trace"]) == 3
        err = capsys.readouterr().err
        assert "Traceback (most recent call last)" in err and "KeyError: 'a bug'" in err
        monkeypatch.setenv("NODENET_DEBUG", "1")
        assert main(["trace"]) == 3
        assert "Traceback (most recent call last)" in capsys.readouterr().err
    finally:
        monkeypatch.setattr(trace, "run", parser_run)


def test_every_module_with_add_parser_is_a_command():
    import importlib
    import pkgutil
    import nodenet.cli as cli
    found = sorted(i.name for i in pkgutil.iter_modules(cli.__path__)
                   if hasattr(importlib.import_module(f"nodenet.cli.{i.name}"), "add_parser"))
    assert list(COMMANDS) == found == ["draw", "fixture", "init", "predict", "trace", "train"]
