"""PNG figures (when matplotlib is there), the missing-matplotlib message, text curves."""

import struct
import sys

import pytest

from nodenet import Network, NodenetError
from nodenet.training import History
from nodenet.textplot import loss_curve

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes() if hasattr(path, "read_bytes") else path
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND"
    return struct.unpack(">II", data[16:24])


def assert_size(path, inches):
    """The PNG is the figure size at 100 dpi, give or take a pixel of rounding.

    matplotlib versions round a figure's edge differently (3.9 and 3.10 make
    a 10.2-inch figure 1019 pixels wide, later ones 1020), so what is checked
    is the layout, not the last pixel.
    """
    width, height = png_size(path)
    assert abs(width - 100 * inches[0]) <= 1 and abs(height - 100 * inches[1]) <= 1, \
        ((width, height), inches)


AND_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
AND_Y = [[0], [0], [0], [1]]


# -- PNGs --------------------------------------------------------------------

@pytest.fixture
def plot():
    pytest.importorskip("matplotlib")
    from nodenet import plot
    return plot


def test_loss_plot(plot, tmp_path):
    history = History([0.9, 0.5, 0.3, 0.2])
    history.val_loss = [1.0, 0.6, 0.5, 0.55]
    history.best_epoch = 3
    path = tmp_path / "loss.png"
    assert plot.loss_plot(history, path) == str(path)
    assert_size(path, (6.4, 4.0))
    assert path.stat().st_size > 5000
    plot.loss_plot([0.5, 0.1], tmp_path / "log.png", log=True)
    assert_size(tmp_path / "log.png", (6.4, 4.0))
    # path=None draws the same picture and returns its bytes, writing nothing
    assert plot.loss_plot(history, None) == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.png", "loss.png"]


def test_decision_boundary_plot_single_output(plot, tmp_path):
    # seed 000's AND neuron: x1 + x2 − 1.5, here with a sigmoid
    net = Network.from_matrices([[[1.0, 1.0]]], [[-1.5]], "sigmoid")
    path = tmp_path / "and.png"
    plot.decision_boundary_plot(net, AND_X, AND_Y, path, resolution=40)
    assert_size(path, (5.6, 4.8))
    assert path.stat().st_size > 10000


def test_decision_boundary_plot_softmax(plot, tmp_path):
    net = Network([2, 3], output_activation="softmax", loss="cross_entropy", seed=1)
    X = [[0, 0], [1, 0], [0, 1]]
    Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    path = tmp_path / "three.png"
    plot.decision_boundary_plot(net, X, Y, path, resolution=30)
    assert_size(path, (5.6, 4.8))


def test_activation_plot(plot, tmp_path):
    from nodenet import ACTIVATIONS
    path = tmp_path / "act.png"
    plot.activation_plot(path)          # every elementwise activation: 3 panels a row
    n = sum(1 for a in ACTIVATIONS.values() if a.elementwise)
    assert_size(path, (3.4 * 3, 2.8 * -(-n // 3)))
    plot.activation_plot(tmp_path / "one.png", ["tanh"], points=50)
    assert_size(tmp_path / "one.png", (3.4, 2.8))
    plot.activation_plot(tmp_path / "four.png", ["tanh", "relu", "sigmoid", "identity"])
    assert_size(tmp_path / "four.png", (3.4 * 3, 2.8 * 2))


def test_plot_argument_errors(plot, tmp_path):
    with pytest.raises(NodenetError, match="needs a network with 2 inputs, this one has 3"):
        plot.decision_boundary_plot(Network([3, 1]), [[0, 0, 0]], [[0]], tmp_path / "x.png")
    with pytest.raises(NodenetError, match="softmax is not one"):
        plot.activation_plot(tmp_path / "x.png", ["sigmoid", "softmax"])
    with pytest.raises(NodenetError, match="unknown activation 'swish'"):
        plot.activation_plot(tmp_path / "x.png", ["swish"])
    with pytest.raises(NodenetError, match="the history has no epochs"):
        plot.loss_plot(History(), tmp_path / "x.png")
    with pytest.raises(NodenetError, match="low must be below high"):
        plot.activation_plot(tmp_path / "x.png", low=1, high=1)
    with pytest.raises(NodenetError, match="expects a list of activation names, got str 'tanh'"):
        plot.activation_plot(tmp_path / "x.png", "tanh")
    with pytest.raises(NodenetError, match="a plot path must be a str or os.PathLike, got int"):
        plot.loss_plot([1.0], 3)
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_message(monkeypatch, tmp_path):
    from nodenet import plot
    monkeypatch.setitem(sys.modules, "matplotlib", None)      # import matplotlib → ImportError
    message = r"plotting needs matplotlib, which is not installed; " \
              r"install it with: pip install 'nodenet\[plot\]'"
    with pytest.raises(NodenetError, match=message):
        plot.loss_plot([1.0, 0.5], tmp_path / "loss.png")
    net = Network.from_matrices([[[1.0, 1.0]]], [[-1.5]])
    with pytest.raises(NodenetError, match=message):
        plot.decision_boundary_plot(net, AND_X, AND_Y, tmp_path / "b.png")
    with pytest.raises(NodenetError, match=message):
        plot.activation_plot(tmp_path / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_in_cli_fails_before_training(monkeypatch, tmp_path, capsys):
    from nodenet.cli import main
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    model, data = tmp_path / "m.json", tmp_path / "d.csv"
    Network([2, 1]).save(model)
    data.write_text("a,b,y\n0,1,1\n")
    code = main(["train", str(model), "--data", str(data), "--target-columns", "y",
                 "--epochs", "1", "--eta", "0.1", "--plot", str(tmp_path / "l.png"),
                 "-o", str(tmp_path / "t.json")])
    assert code == 1
    assert capsys.readouterr().err == (
        "nodenet train: error: plotting needs matplotlib, which is not installed; "
        "install it with: pip install 'nodenet[plot]'\n")
    assert not (tmp_path / "t.json").exists()


# -- text curves -------------------------------------------------------------

def test_text_curve_exact():
    # row (4 − v)/(4 − 0.25)·3 = 0, 1.6, 2.4, 2.8, 3 → rounded 0, 2, 2, 3, 3
    assert loss_curve([4, 2, 1, 0.5, 0.25], height=4) == """\
loss
   4 |*
     |
     | **
0.25 |   **
     +-----
      1   5  epoch
* train"""


def test_text_curve_with_validation_from_history():
    history = History([1.0, 0.5, 0.0])
    history.val_loss = [1.0, 0.75, 0.5]
    # rows (1 − v)·2: train 0, 1, 2; validation 0, 0.5 → 1, 1 (halves round up)
    assert loss_curve(history, height=3) == """\
loss
1 |#
  | #o
0 |  *
  +---
   1 3  epoch
* train  o validation  # both"""


def test_text_curve_samples_long_histories_and_log_scale():
    losses = [10.0 ** -(e / 10) for e in range(101)]        # 1 → 1e-10 over 101 epochs
    text = loss_curve(losses, width=11, height=11, log=True)
    lines = text.splitlines()
    assert lines[0] == "loss (log scale)"
    # every 10th epoch is a column and one decade lower: a straight diagonal
    assert lines[1] == "    1 |*"
    assert lines[11] == "1e-10 |          *"
    for r in range(11):
        assert lines[1 + r].index("*") == 7 + r
    assert lines[13] == "       1       101  epoch"      # under the first and last column


def test_text_curve_errors():
    with pytest.raises(NodenetError, match="no epochs to plot"):
        loss_curve([])
    with pytest.raises(NodenetError, match="epoch 2 has a non-finite loss nan"):
        loss_curve([1.0, float("nan")])
    with pytest.raises(NodenetError, match="needs every loss > 0"):
        loss_curve([1.0, 0.0], log=True)
    with pytest.raises(NodenetError, match="validation has 1 epochs, the training loss 2"):
        loss_curve([1.0, 0.5], [1.0])
    with pytest.raises(NodenetError, match="width must be a whole number ≥ 2"):
        loss_curve([1.0], width=1)
