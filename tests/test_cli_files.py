"""Issue 11, items 1–4 and 18: the command line never destroys a file and says what it wrote.

Outputs are checked before any work (same file as an input or another
output, folder missing, a folder given as a file): exit status 2, one line,
every file untouched.  predict passes cells through as they were written;
fixture reads CSV by column names; a run that ends worse than it started
says so.
"""

import csv
import io
import json
import os

import pytest

from nodenet import Network
from nodenet.oracle.fixture import fixture

from clitools import run

XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def contents(folder):
    """Every file in ``folder`` (links as links) with its bytes: to prove nothing changed."""
    seen = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.islink(path):
            seen[name] = ("link", os.readlink(path))
        elif os.path.isfile(path):
            with open(path, "rb") as f:
                seen[name] = ("file", f.read(), os.stat(path).st_ino)
        else:
            seen[name] = ("dir",)
    return seen


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder with m.json, d.csv, a symlink and a hard link to each; cwd is the folder."""
    monkeypatch.chdir(tmp_path)
    Network([2, 3, 1], loss="bce", seed=2).save("m.json")
    (tmp_path / "d.csv").write_text(XOR)
    os.symlink("d.csv", "link-d.csv")
    os.link("d.csv", "hard-d.csv")
    os.symlink("m.json", "link-m.json")
    os.link("m.json", "hard-m.json")
    (tmp_path / "sub").mkdir()
    return tmp_path


TRAIN = ["train", "m.json", "--data", "d.csv", "--target-columns", "y", "--epochs", "2",
         "--eta", "0.05"]

# (argv, the output named first, the file it collides with)
COLLISIONS = [
    (TRAIN + ["-o", "d.csv"], "-o d.csv", "--data d.csv"),
    (TRAIN + ["-o", "./d.csv"], "-o ./d.csv", "--data d.csv"),
    (TRAIN + ["--output", "sub/../d.csv"], "--output sub/../d.csv", "--data d.csv"),
    (TRAIN + ["-o", "link-d.csv"], "-o link-d.csv", "--data d.csv"),
    (TRAIN + ["-o", "hard-d.csv"], "-o hard-d.csv", "--data d.csv"),
    (TRAIN + ["-o", "m.json"], "-o m.json", "the model file m.json"),
    (TRAIN + ["-o", "hard-m.json"], "-o hard-m.json", "the model file m.json"),
    (TRAIN + ["-o", "t.json", "--plot", "m.json"], "--plot m.json", "the model file m.json"),
    (TRAIN + ["-o", "t.json", "--plot", "link-d.csv"], "--plot link-d.csv", "--data d.csv"),
    (TRAIN + ["-o", "t.json", "--plot", "./t.json"], "--plot ./t.json", "-o t.json"),
    (["predict", "m.json", "--data", "d.csv", "-o", "hard-d.csv"], "-o hard-d.csv",
     "--data d.csv"),
    (["predict", "m.json", "--data", "d.csv", "-o", "link-m.json"], "-o link-m.json",
     "the model file m.json"),
    (["draw", "link-m.json", "-o", "hard-m.json"], "-o hard-m.json",
     "the model file link-m.json"),
    (["fixture", "m.json", "--data", "d.csv", "--target-columns", "y", "-o", "d.csv"],
     "-o d.csv", "--data d.csv"),
    (["fixture", "m.json", "--input", "0", "1", "--target", "1", "-o", "./m.json"],
     "-o ./m.json", "the model file m.json"),
]


@pytest.mark.parametrize("argv, output, other", COLLISIONS,
                         ids=[" ".join(c[0][:1] + c[0][-4:]) for c in COLLISIONS])
def test_an_output_that_is_an_input_or_another_output_is_refused_before_any_work(
        work, capsys, argv, output, other):
    if "--plot" in argv:
        pytest.importorskip("matplotlib")
    before = contents(work)
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, "")
    command = argv[0]
    assert err == (f"nodenet {command}: error: {output} is the same file as {other}; nothing "
                   f"was written: give {output.split()[0]} another file name\n")
    assert contents(work) == before                 # every file untouched, no new file


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_two_outputs_to_a_device_are_not_a_collision(work, capsys):
    pytest.importorskip("matplotlib")
    status, out, err = run(TRAIN + ["-q", "-o", "/dev/null", "--plot", "/dev/null"], capsys)
    assert status == 0, err
    assert out.splitlines()[-1] == "wrote /dev/null"
    assert out.splitlines()[-2].startswith("wrote /dev/null: Network([2, 3, 1]")


def test_init_has_no_input_but_checks_its_output(work, capsys):
    status, out, err = run(["init", "--sizes", "2", "1", "-o", "sub"], capsys)
    assert (status, out) == (2, "")
    assert err == "nodenet init: error: cannot write -o file sub: it is a directory; give a file name\n"


# -- item 2: destinations checked before training ------------------------------------

@pytest.mark.parametrize("extra, said", [
    (["-o", "nodir/o.json"], "cannot write -o file nodir/o.json: the folder {work}/nodir does not exist"),
    (["-o", "sub"], "cannot write -o file sub: it is a directory; give a file name"),
    (["-o", "sub/"], "cannot write -o file sub/: it names a folder; give a file name"),
    (["-o", "t.json", "--plot", "nodir/loss.png"],
     "cannot write --plot file nodir/loss.png: the folder {work}/nodir does not exist"),
    (["-o", "t.json", "--plot", "sub"], "cannot write --plot file sub: it is a directory; give a file name"),
])
def test_output_destinations_are_checked_before_training(work, capsys, extra, said):
    if "--plot" in extra:
        pytest.importorskip("matplotlib")
    before = contents(work)
    status, out, err = run(TRAIN + ["--epochs", "50"] + extra, capsys)
    # no progress line, no history table: refused before training
    assert (status, out) == (2, "")
    assert err == f"nodenet train: error: {said.format(work=work)}\n"
    assert contents(work) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user (root may write anywhere)")
def test_an_unwritable_folder_or_read_only_file_is_refused_before_training(work, capsys):
    (work / "locked").mkdir()
    os.chmod(work / "locked", 0o555)
    (work / "ro.json").write_text("keep")
    os.chmod(work / "ro.json", 0o444)
    try:
        status, out, err = run(TRAIN + ["-o", "locked/t.json"], capsys)
        assert status == 2 and "the folder" in err and "is not writable" in err
        status, out, err = run(TRAIN + ["-o", "ro.json"], capsys)
        assert status == 2 and "(the file is read-only)" in err
        assert (work / "ro.json").read_text() == "keep"
    finally:
        os.chmod(work / "locked", 0o755)


def test_a_plot_that_fails_after_the_model_was_saved_says_so(work, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import nodenet.cli.train as train_command
    from nodenet import NodenetError

    def full_disk(path, data, what="file"):
        raise NodenetError(f"cannot write {what} {path}: No space left on device")
    monkeypatch.setattr(train_command, "write_atomic", full_disk)
    status, out, err = run(TRAIN + ["-q", "-o", "t.json", "--plot", "loss.png"], capsys)
    assert status == 1
    assert err == ("nodenet train: error: wrote t.json, but not the plot: cannot write plot "
                   "loss.png: No space left on device\n")
    assert Network.load("t.json").sizes == [2, 3, 1] and not os.path.exists("loss.png")


def test_the_plot_is_drawn_before_anything_is_written(work, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import nodenet.plot
    from nodenet import NodenetError

    def broken(history, path, **kw):
        raise NodenetError("matplotlib could not draw")
    monkeypatch.setattr(nodenet.plot, "loss_plot", broken)
    status, out, err = run(TRAIN + ["-q", "-o", "t.json", "--plot", "loss.png"], capsys)
    assert status == 1 and err == "nodenet train: error: matplotlib could not draw\n"
    assert not os.path.exists("t.json")


# -- item 3: predict passes cells through as they were ------------------------------

def test_predict_writes_every_original_cell_as_it_was(work, capsys):
    net = Network.load("m.json")
    (work / "ids.csv").write_text(
        "id,x1,x2,y\n"
        "12345678901234567890,0,0,0\n"
        "007,0, 1.50 ,1\n"
        "0,1e0,-0.0,1\n"
        "+5,.5,2.,0\n")
    status, out, err = run(["predict", "m.json", "--data", "ids.csv", "--input-columns",
                            "x1,x2", "--target-columns", "y"], capsys)
    assert status == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "x1", "x2", "y", "predicted_y"]
    assert [r[:4] for r in rows[1:]] == [["12345678901234567890", "0", "0", "0"],
                                         ["007", "0", " 1.50 ", "1"],
                                         ["0", "1e0", "-0.0", "1"],
                                         ["+5", ".5", "2.", "0"]]
    inputs = [[0.0, 0.0], [0.0, 1.5], [1.0, -0.0], [0.5, 2.0]]
    assert [float(r[4]) for r in rows[1:]] == [net.predict(x)[0] for x in inputs]


# -- item 4: fixture reads CSV by column names --------------------------------------

def test_fixture_reads_csv_by_column_names_like_train(work, capsys):
    net = Network.load("m.json")
    (work / "yfirst.csv").write_text("y,x1,x2,id\n1,0.5,0.25,7\n0,1,0,8\n")
    status, out, err = run(["fixture", "m.json", "--data", "yfirst.csv", "--target-columns",
                            "y", "--input-columns", "x1", "x2"], capsys)
    assert status == 0, err
    expected = fixture(net, [[0.5, 0.25], [1.0, 0.0]], [[1.0], [0.0]])
    assert json.loads(out) == json.loads(json.dumps(expected))
    # without --input-columns every other column is an input: id makes three, one too many
    status, out, err = run(["fixture", "m.json", "--data", "yfirst.csv", "--target-columns",
                            "y"], capsys)
    assert status == 1 and "the model takes 2 inputs, but yfirst.csv has 3 input columns" in err
    # a CSV file without --target-columns is refused, not read by position
    status, out, err = run(["fixture", "m.json", "--data", "yfirst.csv"], capsys)
    assert (status, out) == (2, "")
    assert err.startswith("nodenet fixture: error: the CSV file yfirst.csv needs "
                          "--target-columns NAME…")


# -- item 18: a run that ends worse than it started says so --------------------------

def test_a_run_that_ends_above_its_starting_loss_warns_in_one_line(work, capsys):
    status, out, err = run(TRAIN[:-1] + ["1e300", "-q", "-o", "t.json"], capsys)
    assert status == 0                      # the documented behaviour: the final weights saved
    last = out.splitlines()[-2]
    before, after = (float(v) for v in last.split(": ")[1].replace(" before", "")
                     .replace(" after", "").split(", "))
    assert after > before
    assert err == (f"nodenet train: warning: the loss ended above where it started "
                   f"({after:.6g} after, {before:.6g} before): the saved weights fit the data "
                   "worse than the starting ones; try a smaller --eta\n")
    assert os.path.exists("t.json")
    status, out, err = run(TRAIN + ["-q", "-o", "t2.json"], capsys)
    assert status == 0 and err == ""        # a run that improves: no warning
