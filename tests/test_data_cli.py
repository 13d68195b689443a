"""CSV reading, and the train / predict commands end to end."""

import csv
import io
import os
import random
import subprocess
import sys

import pytest

from nodenet import Network, NodenetError
from nodenet.cli import main
from nodenet.cli.progress import Progress
from nodenet.data import column_names, csv_text, parse_csv, read_csv, write_text


def parse(text):
    return parse_csv(io.StringIO(text), "d.csv")


# -- reading CSV -------------------------------------------------------------

def test_parse_numbers_blank_lines_and_spaces():
    table = parse("a, b ,c\n\n1, 2.5,-3e-2\n\n4,5,6\n\n")
    assert table.columns == ["a", "b", "c"]
    assert table.rows == [[1.0, 2.5, -0.03], [4.0, 5.0, 6.0]]
    assert repr(table) == "Table(d.csv: 2 rows × 3 columns a, b, c)"
    assert len(table) == 2


def test_read_csv_file_with_bom_and_crlf(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbfx,y\r\n1,0\r\n")
    table = read_csv(path)
    assert table.columns == ["x", "y"] and table.rows == [[1.0, 0.0]]
    assert table.source == str(path)


@pytest.mark.parametrize("text, message", [
    ("", "d.csv is empty; expected a header row of column names"),
    ("\n\n", "d.csv is empty"),
    ("x,y\n", r"d.csv has a header \(x, y\) but no data rows"),
    ("x,y\n1,2\n3\n", r"d.csv line 3: expected 2 cells, one per column \(x, y\), got 1"),
    ("x,y\n1,2,3\n", "d.csv line 2: expected 2 cells, one per column .* got 3"),
    ("x,y\n1,2\n\n1,abc\n", r"d.csv line 4, column 'y': expected a number \(plain decimal or "
                          r"scientific notation with ASCII digits, e.g. 7, -0.5, 2.5e-3\), got 'abc'"),
    ("x,y\n1,\n", r"d.csv line 2, column 'y': expected a number \(.*\), got an empty cell"),
    ("x,y\nnan,1\n", "d.csv line 2, column 'x': expected a finite number, got 'nan'"),
    ("x,y\n1,-inf\n", "column 'y': expected a finite number, got '-inf'"),
    ("x,,z\n1,2,3\n", "d.csv line 1: column 2 has no name in the header row"),
    ("x,y,x\n1,2,3\n", "column name 'x' appears twice in the header"),
    ("0,1\n1,1\n", r"line 1: the first row should name the columns, but it holds numbers \(0, 1\)"),
    ('x,y\n"1,2\n', "d.csv line 2: expected 2 cells"),
])
def test_parse_errors(text, message):
    with pytest.raises(NodenetError, match=message):
        parse(text)


@pytest.mark.parametrize("cell", ["1_0", "١٢", "１", "0x1f", "1e5_0", "1,5", "½", "1e", "e5",
                                  "--1", "1.2.3", "0b1", " 1", "1 2"])
def test_only_plain_decimal_or_scientific_ascii_numbers_are_numbers(cell):
    text = f"x,y\n1,\"{cell}\"\n"
    with pytest.raises(NodenetError, match=r"d.csv line 2, column 'y': expected a number "
                                           r"\(plain decimal or scientific notation with ASCII "
                                           r"digits, e.g. 7, -0.5, 2.5e-3\), got "):
        parse(text)


@pytest.mark.parametrize("cell, value", [("7", 7.0), ("-0.5", -0.5), ("007", 7.0), (".5", 0.5),
                                         ("5.", 5.0), ("+2.5e-3", 0.0025), ("1E+6", 1e6),
                                         (" 3 ", 3.0), ("\t-0\t", -0.0), ("1e-400", 0.0)])
def test_plain_numbers_are_read(cell, value):
    row = parse(f"x,y\n1,{cell}\n").rows[0]
    assert row[1] == value and str(row[1]) == str(value)


def test_read_csv_not_text(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"x,y\n\xff\xfe,1\n")
    with pytest.raises(NodenetError, match=r"d.csv line 2: not UTF-8 text \(expected CSV\)"):
        read_csv(path)


def test_inputs_and_targets_default_and_chosen():
    table = parse("x1,y,x2,z\n1,2,3,4\n5,6,7,8\n")
    assert table.inputs_and_targets(["y"], None, 3, 1) == (
        [[1.0, 3.0, 4.0], [5.0, 7.0, 8.0]], [[2.0], [6.0]], ["x1", "x2", "z"])
    assert table.inputs_and_targets(["z", "y"], ["x2", "x1"], 2, 2) == (
        [[3.0, 1.0], [7.0, 5.0]], [[4.0, 2.0], [8.0, 6.0]], ["x2", "x1"])
    assert table.inputs_and_targets([], None, 4)[0] == table.rows


@pytest.mark.parametrize("args, message", [
    ((["w"],), "d.csv has no target column named 'w'; its columns are: x1, y, x2"),
    ((["y"], ["x1", "q"]), "d.csv has no input column named 'q'"),
    ((["y", "y"],), "target column 'y' is named twice"),
    ((["y"], ["x1", "y"]), "column 'y' is both an input and a target column"),
    ((["y"], None, 3), r"the model takes 3 inputs, but d.csv has 2 input columns "
                       r"\(all columns except the target columns: x1, x2\)"),
    (([], None, 2), r"has 3 input columns \(all columns: x1, y, x2\)"),
    ((["y"], ["x1"], 2), r"2 inputs, but d.csv has 1 input columns \(chosen input columns: x1\)"),
    ((["y"], None, 2, 2), r"the model has 2 outputs, so it needs 2 target columns, got 1 \(y\)"),
])
def test_inputs_and_targets_errors(args, message):
    table = parse("x1,y,x2\n1,2,3\n")
    with pytest.raises(NodenetError, match=message):
        table.inputs_and_targets(*args)


def test_column_names_and_csv_text():
    assert column_names(["a,b", " c ", ","]) == ["a", "b", "c"]
    assert csv_text(["x", "a,b"], [[0.1, 2], [1e-20, -0.0]]) == 'x,"a,b"\n0.1,2\n1e-20,-0.0\n'
    # what csv_text writes, parse_csv reads back bit for bit
    rows = [[0.1 + 0.2, 1 / 3]]
    assert parse(csv_text(["p", "q"], rows)).rows == rows


def test_write_text_is_atomic_and_replaces(tmp_path):
    path = tmp_path / "out.csv"
    write_text(path, "a\n")
    write_text(path, "b\n")
    assert path.read_text() == "b\n"
    assert os.listdir(tmp_path) == ["out.csv"]        # no temporary left behind
    with pytest.raises(NodenetError, match=f"cannot write file {tmp_path}: it is a directory"):
        write_text(tmp_path, "c\n")
    with pytest.raises(NodenetError, match="cannot write file .*missing.out.csv: the folder "
                                           ".*missing does not exist"):
        write_text(tmp_path / "missing" / "out.csv", "c\n")


# -- progress ----------------------------------------------------------------

class Clock:
    def __init__(self, step):
        self.t, self.step = 0.0, step

    def __call__(self):
        self.t += self.step
        return self.t


def test_progress_plain_lines_when_not_a_tty():
    out = io.StringIO()
    p = Progress(5, out, tty=False, every=2, clock=Clock(0.5))
    history = []
    for epoch, loss in enumerate([0.5, 0.4, 0.3, 0.2, 0.1], start=1):
        history.append(loss)
        p(epoch, history)
    p.close()
    # the clock advances 0.5 s per reading: one at the start, one per epoch
    assert out.getvalue() == (
        "epoch 2/5  2.0 epochs/s  loss 0.4\n"
        "epoch 4/5  2.0 epochs/s  loss 0.2\n"
        "epoch 5/5  2.0 epochs/s  loss 0.1\n")


def test_progress_rewrites_one_line_on_a_tty():
    out = io.StringIO()
    p = Progress(100, out, tty=True, interval=1.0, clock=Clock(0.25), validation=[])
    history = []
    for epoch in range(1, 4):
        history.append(1.0 / epoch)
        p.validation.append(2.0 / epoch)
        p(epoch, history)
    p.close()          # stopped early at epoch 3: the last state is shown, then a newline
    text = out.getvalue()
    assert "\n" not in text[:-1] and text.endswith("\n")
    shown = text[:-1].split("\r")[1:]
    assert shown[0] == "epoch 1/100  4.0 epochs/s  loss 1  validation loss 2"
    assert shown[-1].rstrip() == "epoch 3/100  4.0 epochs/s  loss 0.333333  validation loss 0.666667"
    assert len(shown) == 2      # epochs 2 and 3 came within the interval; 3 shown by close
    assert repr(p) == "Progress(100 epochs, in place)"


# -- nodenet train / predict -------------------------------------------------

XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "xor.csv"
    data.write_text(XOR)
    model = tmp_path / "model.json"
    Network([2, 3, 1], loss="bce", seed=2).save(model)
    return tmp_path, model, data


def xor_data():
    return [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]


def test_train_end_to_end(files, capsys):
    tmp, model, data = files
    out = tmp / "trained.json"
    code = main(["train", str(model), "--data", str(data), "--target-columns", "y",
                 "--epochs", "300", "--eta", "0.5", "-o", str(out)])
    assert code == 0
    X, Y = xor_data()
    before, after = Network.load(model).loss(X, Y), Network.load(out).loss(X, Y)
    assert after < before / 2
    captured = capsys.readouterr()
    # progress went to stderr (not a terminal here: plain lines every 30 epochs)
    assert captured.err.count("\n") == 10
    assert captured.err.startswith("epoch 30/300  ") and "epochs/s  loss " in captured.err
    assert f"epoch 300/300  " in captured.err and f"loss {after:.6g}\n" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split()[:2] == ["epoch", "loss"]
    assert lines[-2] == (f"loss on 4 rows of {data} (bce): {before:.6g} before, "
                         f"{after:.6g} after")
    assert lines[-1] == f"wrote {out}: Network([2, 3, 1], sigmoid → sigmoid, loss=bce)"
    # the same run through the library gives the same weights
    net = Network.load(model)
    net.rng = random.Random(0)
    history = net.train(X, Y, 300, 0.5)
    assert Network.load(out).to_matrices() == net.to_matrices()
    assert f"{history[-1]:.4g}" in captured.out


def test_train_validation_curve_and_quiet(files, capsys):
    tmp, model, data = files
    data.write_text("a,b,t\n" + "".join(f"{i % 3},{i % 2},{(i % 3 + i % 2) % 2}\n"
                                          for i in range(20)))
    out = tmp / "trained.json"
    code = main(["train", str(model), "--data", str(data), "--target-columns", "t",
                 "--epochs", "20", "--eta", "0.3", "--validation", "0.25", "--batch-size", "2",
                 "--curve", "-q", "--every", "5", "-o", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "val" in captured.out.splitlines()[0]          # validation column in the table
    assert "* train  o validation  # both" in captured.out
    assert "loss on 15 rows of" in captured.out           # 5 of 20 rows held out
    assert Network.load(out).sizes == [2, 3, 1]


def test_train_plot_writes_png(files, capsys):
    pytest.importorskip("matplotlib")
    tmp, model, data = files
    png = tmp / "loss.png"
    assert main(["train", str(model), "--data", str(data), "--target-columns", "y",
                 "--epochs", "5", "--eta", "0.5", "-q", "--plot", str(png),
                 "-o", str(tmp / "t.json")]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in capsys.readouterr().out


def run_error(argv, capsys, status=1):
    try:
        code = main(argv)
    except SystemExit as exit_info:         # argparse refused an option value
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == status
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_train_errors_are_one_line(files, capsys):
    tmp, model, data = files
    base = ["train", str(model), "--data", str(data), "--epochs", "3", "--eta", "0.5",
            "-o", str(tmp / "t.json")]
    err = run_error(base + ["--target-columns", "z"], capsys)
    assert err == ("nodenet train: error: " + f"{data} has no target column named 'z'; "
                   "its columns are: x1, x2, y\n")
    err = run_error(base + ["--target-columns", "x2,y"], capsys)
    assert err.endswith("the model has 1 output, so it needs 1 target column, got 2 (x2, y)\n")
    err = run_error(base + ["--target-columns", "y", "--input-columns", "x2"], capsys)
    assert "the model takes 2 inputs, but " in err and "(chosen input columns: x2)" in err
    err = run_error(base + ["--target-columns", "y", "--patience", "2"], capsys, 2)
    assert err == ("nodenet train: error: --patience (early stopping) needs a validation "
                   "split: add --validation FRACTION, e.g. --validation 0.2\n")
    err = run_error(base + ["--target-columns", "y", "--validation", "1.5"], capsys, 2)
    assert err == ("nodenet train: error: argument --validation: expected a finite number > 0 "
                   "and < 1, got '1.5' (see --help)\n")
    data.write_text("x1,x2,y\n0,0,0\n0,oops,1\n")
    err = run_error(base + ["--target-columns", "y"], capsys)
    assert err == (f"nodenet train: error: {data} line 3, column 'x2': expected a number "
                   "(plain decimal or scientific notation with ASCII digits, e.g. 7, -0.5, "
                   "2.5e-3), got 'oops'\n")
    err = run_error(base[:3] + [str(tmp / "none.csv")] + base[4:] + ["--target-columns", "y"],
                    capsys)
    assert err == (f"nodenet train: error: cannot read data file {tmp / 'none.csv'}: "
                   "No such file or directory\n")
    assert not (tmp / "t.json").exists()


def test_predict_stdout_matches_net_predict(files, capsys):
    tmp, model, data = files
    net = Network.load(model)
    assert main(["predict", str(model), "--data", str(data), "--target-columns", "y",
                 "--classify"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == ["x1", "x2", "y", "predicted_y", "class"]
    X, Y = xor_data()
    for row, x, y in zip(rows[1:], X, Y):
        assert [float(v) for v in row[:3]] == x + y
        assert float(row[3]) == net.predict(x)[0]          # exact: repr round-trips
        assert row[4] == str(net.classify(x))
    assert len(rows) == 5
    assert captured.err == f"loss on 4 rows of {data} (bce): {net.loss(X, Y):.6g}\n"


def test_predict_to_file_without_targets(tmp_path, capsys):
    net = Network([2, 2], output_activation="softmax", loss="cross_entropy", seed=4)
    model = tmp_path / "m.json"
    net.save(model)
    data = tmp_path / "new.csv"
    data.write_text("id,u,v\n7,0.5,-1\n8,2,3\n")
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), "--data", str(data), "--input-columns", "u,v",
                 "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 2 rows, 2 prediction columns\n"
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["id", "u", "v", "output1", "output2"]
    assert [[float(v) for v in r[3:]] for r in rows[1:]] == [net.predict([0.5, -1]),
                                                              net.predict([2, 3])]
    # without --input-columns all three columns are inputs: one too many
    err = run_error(["predict", str(model), "--data", str(data)], capsys)
    assert ("the model takes 2 inputs, but " + str(data) + " has 3 input columns "
            "(all columns: id, u, v)") in err


def test_help_for_each_command(capsys):
    for command in ("train", "predict", "draw"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert f"usage: nodenet {command}" in capsys.readouterr().out


def test_train_as_subprocess(files):
    tmp, model, data = files
    out = tmp / "trained.json"
    result = subprocess.run(
        [sys.executable, "-m", "nodenet", "train", str(model), "--data", str(data),
         "--target-columns", "y", "--epochs", "50", "--eta", "0.5", "-o", str(out)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "epoch 50/50" in result.stderr
    X, Y = xor_data()
    assert Network.load(out).loss(X, Y) < Network.load(model).loss(X, Y)
    bad = subprocess.run(
        [sys.executable, "-m", "nodenet", "predict", str(out), "--data", str(tmp / "nope.csv")],
        capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_train_remedy_options_reach_train(files, capsys):
    tmp, model, data = files
    data.write_text("a,b,t\n" + "".join(f"{i % 3},{i % 2},{(i % 3 + i % 2) % 2}\n"
                                          for i in range(20)))
    out = tmp / "trained.json"
    argv = ["train", str(model), "--data", str(data), "--target-columns", "t", "--epochs", "30",
            "--eta", "0.5", "--validation", "0.2", "--patience", "3", "--l2", "0.01",
            "--clip-norm", "1", "--dropout", "0.1", "--lr-decay", "step", "--decay-rate", "0.5",
            "--decay-every", "5", "--seed", "3", "--diagnostics", "-q", "-o", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    # the same split and options through the library give the same weights
    from nodenet.remedies import split_validation
    net = Network.load(model)
    net.rng = random.Random(3)
    table = read_csv(data)
    X, Y, _ = table.inputs_and_targets(["t"])
    X, Y, Xv, Yv = split_validation(X, Y, 0.2, net.rng)
    history = net.train(X, Y, 30, 0.5, validation_data=(Xv, Yv), patience=3, l2=0.01,
                        clip_norm=1.0, dropout=0.1, lr_decay="step", decay_rate=0.5,
                        decay_every=5, diagnostics=True)
    assert Network.load(out).to_matrices() == net.to_matrices()
    assert history.summary() in printed
    assert history.health_table() in printed
    assert f"loss on 16 rows of {data}" in printed


@pytest.mark.skipif(not os.path.exists("/dev/null") or os.name != "posix", reason="needs /dev/null")
def test_writing_to_a_device_does_not_replace_it(files, capsys):
    import stat
    tmp, model, data = files
    assert main(["predict", str(model), "--data", str(data), "--target-columns", "y",
                 "-o", os.devnull]) == 0
    assert main(["draw", str(model), "-o", os.devnull]) == 0
    assert main(["train", str(model), "--data", str(data), "--target-columns", "y",
                 "--epochs", "1", "--eta", "0.1", "-q", "-o", os.devnull]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
