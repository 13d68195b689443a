"""Issue 11, items 12 and 17: the command line's contract for options, streams and messages.

A bad option value exits 2 whether argparse or the library would refuse
it, and the message names the option as typed; warnings are one line;
closed or full standard streams are handled; CSV errors name the file and
line; ``nodenet --version``; every message is bounded.
"""

import os
import random
import subprocess
import sys

import pytest

from nodenet import Network, NodenetError, __version__, training

from clitools import run

XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def child(argv, **kw):
    """``python -m nodenet ARGV`` in a fresh process (output captured unless redirected)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "nodenet", *argv], timeout=120, env=env, **kw)


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Network([2, 3, 1], loss="bce", seed=2).save("m.json")
    (tmp_path / "d.csv").write_text(XOR)
    return tmp_path


TRAIN = ["train", "m.json", "--data", "d.csv", "--target-columns", "y", "-q", "-o", "t.json"]


# -- bad option values: exit status 2, the option as typed -------------------------------

@pytest.mark.parametrize("argv, said", [
    (TRAIN + ["--epochs", "-1", "--eta", "0.1"], "argument --epochs: expected a whole number ≥ 0, got '-1'"),
    (TRAIN + ["--epochs", "1", "--eta", "0"], "argument --eta: expected a finite number > 0, got '0'"),
    (TRAIN + ["--epochs", "1", "--eta", "nan"], "argument --eta: expected a finite number > 0, got 'nan'"),
    (TRAIN + ["--epochs", "1", "--eta", "1e999"], "argument --eta: expected a finite number > 0, got '1e999'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--momentum", "1"],
     "argument --momentum: expected a finite number ≥ 0 and < 1, got '1'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--batch-size", "0"],
     "argument --batch-size: expected a whole number ≥ 1, got '0'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--batch-size", "5"],
     "--batch-size 5 is more than the 4 rows of d.csv"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--batch-size", "3", "--validation", "0.5"],
     "--batch-size 3 is more than the 2 training rows of d.csv"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--validation", "0.1"],
     "--validation 0.1 of 4 rows holds out 0; it must leave at least one row on each side"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--lr-decay", "exp"],
     "argument --lr-decay: invalid choice: 'exp'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--lr-decay", "step"], "--lr-decay step needs --decay-rate"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--decay-rate", "0.5"], "--decay-rate needs --lr-decay"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--lr-decay", "step", "--decay-rate", "2"],
     "--decay-rate for --lr-decay step multiplies η, so it must be in (0, 1], got 2"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--lr-decay", "1/t", "--decay-rate", "1",
              "--decay-every", "2"], "--decay-every belongs to --lr-decay step"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--dropout", "1"],
     "argument --dropout: expected a finite number ≥ 0 and < 1, got '1'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--clip-norm", "-1"],
     "argument --clip-norm: expected a finite number > 0, got '-1'"),
    (TRAIN + ["--epochs", "1", "--eta", "0.1", "--every", "0"],
     "argument --every: expected a whole number ≥ 1, got '0'"),
    (TRAIN + ["--epochs", "1_0", "--eta", "0.1"], "argument --epochs: expected a whole number ≥ 0, got '1_0'"),
    (TRAIN + ["--epochs", "1", "--eta", "０.1"],
     "argument --eta: expected a number (plain decimal or scientific notation with ASCII digits"),
    (["trace", "--digits", "0"], "argument --digits: expected a whole number from 1 to 22, got '0'"),
    (["draw", "m.json", "--digits", "99"], "argument --digits: expected a whole number from 1 to 22, got '99'"),
    (["init", "--sizes", "2", "-1", "-o", "n.json"], "argument --sizes: expected a whole number ≥ 1, got '-1'"),
])
def test_bad_option_values_exit_2_and_name_the_option(work, capsys, argv, said):
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, ""), err
    assert err.startswith(f"nodenet {argv[0]}: error: {said}") and err.count("\n") == 1, err
    for internal in ("batch_size", "lr_decay", "decay_rate", "step_report", "eta must"):
        assert internal not in err
    assert not os.path.exists("t.json") and not os.path.exists("n.json")


def test_dropout_on_a_model_without_hidden_layers(work, capsys):
    Network([2, 1], seed=1).save("flat.json")
    status, out, err = run(["train", "flat.json"] + TRAIN[2:] + ["--epochs", "1", "--eta", "0.1",
                                                                  "--dropout", "0.5"], capsys)
    assert status == 2
    assert err.startswith("nodenet train: error: --dropout acts on hidden layers, and this "
                          "model has none")


# every value the library refuses, the command line refuses with exit status 2 first
AGREEMENT = {
    "--epochs": ("epochs", ["-1", "0", "2"]),
    "--eta": ("eta", ["-0.5", "0", "1e-300", "0.5", "nan", "inf"]),
    "--batch-size": ("batch_size", ["0", "1", "4", "5", "-2"]),
    "--momentum": ("momentum", ["-0.1", "0", "0.9", "1", "1.5"]),
    "--target-loss": ("target_loss", ["-1", "0", "0.5"]),
    "--clip-value": ("clip_value", ["-1", "0", "0.5"]),
    "--clip-norm": ("clip_norm", ["-1", "0", "2"]),
    "--l2": ("l2", ["-0.1", "0", "0.01"]),
    "--dropout": ("dropout", ["-0.1", "0", "0.5", "1"]),
    "--validation": ("validation", ["0", "0.25", "0.5", "1", "1.5"]),
}


@pytest.mark.parametrize("option", sorted(AGREEMENT))
def test_the_command_line_refuses_every_value_the_library_refuses(work, capsys, option):
    name, values = AGREEMENT[option]
    X, Y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[0.0], [1.0], [1.0], [0.0]]
    for text in values:
        kwargs = {"epochs": 1, "eta": 0.1, name: float(text)}
        if name in ("epochs", "batch_size"):
            kwargs[name] = int(text)
        net = Network.load("m.json")
        net.rng = random.Random(0)
        try:
            training.train(net, X, Y, **kwargs)
            library_refuses = False
        except NodenetError:
            library_refuses = True
        argv = TRAIN + ["--epochs", "1", "--eta", "0.1"] + [option, text]
        status, out, err = run(argv, capsys)
        if library_refuses:
            assert status == 2 and option in err, (option, text, err)
        else:
            assert status == 0, (option, text, err)


# -- warnings, version, streams -------------------------------------------------------------

def test_a_warning_is_one_line_naming_the_command(work):
    done = child(["init", "--sizes", "2", "2", "1", "--loss", "bce", "--activation", "relu",
                  "-o", "r.json"], text=True)
    assert done.returncode == 0
    assert done.stderr.startswith("nodenet init: warning: ") and done.stderr.count("\n") == 1
    assert "bce" in done.stderr and "relu" in done.stderr and ".py" not in done.stderr


def test_version(capsys):
    status, out, err = run(["--version"], capsys)
    assert (status, out, err) == (0, f"nodenet {__version__}\n", "")


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX file descriptors")
def test_a_closed_stdout_is_refused_before_any_work(work):
    done = child(TRAIN + ["--epochs", "1", "--eta", "0.1"], text=True,
                 preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert done.stderr == ("nodenet: error: standard output is closed; nodenet prints its "
                           "results and reports there (redirect it to a file or /dev/null "
                           "instead)\n")
    assert not os.path.exists("t.json")


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX file descriptors")
def test_a_closed_stderr_never_sends_errors_to_stdout(work):
    done = child(["draw", "missing.json"], text=True, preexec_fn=lambda: os.close(2))
    assert (done.returncode, done.stdout) == (1, "")
    done = child(["draw", "m.json"], text=True, preexec_fn=lambda: os.close(2))
    assert done.returncode == 0 and done.stdout.startswith("graph LR")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_one_line_and_status_1(work):
    with open("/dev/full", "w") as full:
        done = child(["draw", "m.json"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1
    assert done.stderr == ("nodenet draw: error: cannot write to standard output: No space "
                           "left on device\n")


# -- CSV samples name the file and line ------------------------------------------------------

def test_a_target_the_loss_cannot_take_names_file_and_line(work, capsys):
    (work / "bad.csv").write_text("x1,x2,y\n0,0,0\n\n0,1,3\n")
    for argv in (["train", "m.json", "--data", "bad.csv", "--target-columns", "y", "--epochs",
                  "1", "--eta", "0.1", "-o", "t.json"],
                 ["predict", "m.json", "--data", "bad.csv", "--target-columns", "y"],
                 ["fixture", "m.json", "--data", "bad.csv", "--target-columns", "y"]):
        status, out, err = run(argv, capsys)
        assert status == 1 and out == ""
        assert err.startswith(f"nodenet {argv[0]}: error: bad.csv line 4: ") and "3" in err
        assert "sample" not in err and err.count("\n") == 1


def test_divergence_names_the_line_of_the_sample(work, capsys):
    Network([2, 3, 1], activation="identity", seed=1).save("id.json")
    status, out, err = run(["train", "id.json", "--data", "d.csv", "--target-columns", "y",
                            "--epochs", "5", "--eta", "1e200", "--no-shuffle", "-q",
                            "-o", "t.json"], capsys)
    assert status == 1 and not os.path.exists("t.json")
    s = int(err.split("training diverged in epoch 1, sample ")[1].split(":")[0])
    # rows in file order (--no-shuffle), the header on line 1: sample s is on line s + 2
    assert err.endswith(f"(sample {s} is line {s + 2} of d.csv); nothing was written\n")
    # the advice names this command's options, as typed, not the library's parameters
    assert "(try a smaller --eta, or --clip-norm or --clip-value)" in err
    assert "smaller eta" not in err


# -- item 12: bounded messages -----------------------------------------------------------

def test_messages_quote_huge_values_in_bounded_form(work, capsys):
    huge = "9" * 100_000
    cases = {
        "cell.csv": f"x1,x2,y\n0,{huge}x,1\n",
        "name.csv": f"x1,x2,{'y' * 100_000}\n0,1,1\n",
        "wide.csv": ",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" * 5000) + "\n",
    }
    for name, text in cases.items():
        (work / name).write_text(text)
        status, out, err = run(["predict", "m.json", "--data", name, "--target-columns", "y"],
                               capsys)
        assert status == 1 and err.count("\n") == 1 and len(err) < 1000, (name, len(err))
    (work / "v.json").write_text('{"format": "nodenet-model", "version": "' + "v" * 10**6 + '"}')
    status, out, err = run(["draw", "v.json"], capsys)
    assert status == 1 and len(err) < 500 and "unsupported format version" in err
    status, out, err = run(["train"] + TRAIN[1:] + ["--epochs", "1", "--eta", huge], capsys)
    assert status == 2 and len(err) < 500
    status, out, err = run(["train"] + TRAIN[1:] + ["--epochs", huge, "--eta", "0.1"], capsys)
    assert status == 2 and len(err) < 500
