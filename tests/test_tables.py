"""Tables, delta formulas and the number formatter, against hand-written strings.

The expected tables are written from the CogSci handout's numbers (seed 003):
h1 = sigmoid(0.5·1 + 1.2·3 − 0.3·5) = sigmoid(2.6) = 0.9308616, an output
node with weight 0.8 whose activation is the handout's assumed 0.6 (its bias
is set to logit(0.6) − 0.8·0.9308616 = −0.3392242), label 1, η = 0.01.
"""

import math
import re
import warnings

import pytest

from nodenet import Network, NodenetError
from nodenet.activations import sigmoid
from nodenet.examples import handout_network
from nodenet.formulas import delta_formulas, node_names
from nodenet.numfmt import factor, num, nums
from nodenet.tables import (delta_table, forward_table, step_report, weight_change_table,
                            weight_changes)

X, Y, ETA = [1, 3, 5], [1], 0.01
B2 = math.log(0.6 / 0.4) - 0.8 * sigmoid(2.6)       # makes the output exactly the handout's 0.6


def mini():
    """The handout's h1 and its weight 0.8 to the output, output activation 0.6."""
    return Network.from_matrices([[[0.5, 1.2, -0.3]], [[0.8]]], biases=[[0.0], [B2]])


FORWARD_GITHUB = """\
|   layer | node   | w·a            |          b |       net | f       |    output |
|---------|--------|----------------|------------|-----------|---------|-----------|
|       1 | h1     | 0.5, 3.6, -1.5 |          0 |       2.6 | sigmoid | 0.9308616 |
|       2 | o      | 0.7446893      | -0.3392242 | 0.4054651 | sigmoid |       0.6 |"""

DELTA_GITHUB = """\
|   layer | node   | δ rule              | δ with numbers                      |           δ |
|---------|--------|---------------------|-------------------------------------|-------------|
|       2 | o      | 2·(y − a)·a·(1 − a) | 2·(1 − 0.6)·0.6·(1 − 0.6)           |       0.192 |
|       1 | h1     | w·δ·a·(1 − a)       | 0.8·0.192·0.9308616·(1 − 0.9308616) | 0.009885435 |"""

# After a handout-order step: δ_h1 = 0.8017873·0.192·a(1 − a) = 0.009907519.
CHANGES_PLAIN_HANDOUT = """\
  layer  from → to             w            δ          a     η  Δw with numbers         Δw = η·δ·a         new w
      2  h1 → o              0.8        0.192  0.9308616  0.01  0.01·0.192·0.9308616   0.001787254     0.8017873
      2  b → o        -0.3392242        0.192          1  0.01  0.01·0.192·1               0.00192    -0.3373042
      1  x1 → h1             0.5  0.009907519          1  0.01  0.01·0.009907519·1    9.907519e-05     0.5000991
      1  x2 → h1             1.2  0.009907519          3  0.01  0.01·0.009907519·3    0.0002972256      1.200297
      1  x3 → h1            -0.3  0.009907519          5  0.01  0.01·0.009907519·5     0.000495376    -0.2995046
      1  b → h1                0  0.009907519          1  0.01  0.01·0.009907519·1    9.907519e-05  9.907519e-05"""


# -- the number formatter -----------------------------------------------------

@pytest.mark.parametrize("x, digits, text", [
    (0.19200000000000003, 7, "0.192"),
    (0.009907519, 7, "0.009907519"),
    (9.907519e-05, 7, "9.907519e-05"),
    (0.0002972256, 7, "0.0002972256"),     # R: fixed wins the tie in width
    (1.2002972, 7, "1.200297"),
    (1.2002972, 3, "1.2"),
    (-0.0, 7, "0"),
    (123456789.0, 7, "123456789"),
    (0.0001, 7, "1e-04"),
])
def test_num_writes_a_single_number_as_r_would(x, digits, text):
    assert num(x, digits) == text


def test_factor_and_nums():
    assert factor(-1.2) == "(-1.2)" and factor(0.8) == "0.8"
    assert nums([0.5, 3.6, -1.5]) == "0.5, 3.6, -1.5"


# -- the three tables -----------------------------------------------------------

def test_forward_table_github():
    net = mini()
    net.forward(X)
    assert forward_table(net) == FORWARD_GITHUB


def test_delta_table_github_standard_backprop():
    net = mini()
    net.forward(X)
    net.backward(Y)
    assert delta_table(net, Y) == DELTA_GITHUB


def test_weight_change_table_after_handout_step_plain():
    net = mini()
    before = net.snapshot()
    net.step(X, Y, ETA, order="handout")
    assert weight_change_table(net, ETA, tablefmt="plain", before=before) == CHANGES_PLAIN_HANDOUT


def test_weight_change_table_before_update_predicts_the_update():
    net = mini()
    net.forward(X)
    net.backward(Y)
    rows = weight_changes(net, ETA)
    net.update(ETA)
    new = [r[7] for r in rows]
    # output layer first: w2, b2, then w1 (three inputs), b1
    after = ([net.layers[1][0].weights[0], net.layers[1][0].bias]
             + net.layers[0][0].weights + [net.layers[0][0].bias])
    assert new == after                               # exactly, not approximately
    assert [num(r[6]) for r in rows] == ["0.001787254", "0.00192", "9.885435e-05",
                                         "0.000296563", "0.0004942717", "9.885435e-05"]


def test_layers_filter_and_no_bias_rows():
    net = Network.from_matrices([[[0.5, 1.2, -0.3]], [[0.8]]], bias=False)
    net.forward(X)
    net.backward(Y)
    rows = weight_changes(net, ETA, layers=[2])
    assert [(r[1], r[2]) for r in rows] == [("h1", "o")]
    assert [(r[1], r[2]) for r in weight_changes(net, ETA)] == [
        ("h1", "o"), ("x1", "h1"), ("x2", "h1"), ("x3", "h1")]
    with pytest.raises(NodenetError, match="layer numbers from 1 to 2"):
        weight_changes(net, ETA, layers=[3])


def test_other_tabulate_formats():
    net = mini()
    net.forward(X)
    net.backward(Y)
    latex = delta_table(net, Y, tablefmt="latex")
    assert latex.startswith("\\begin{tabular}{rlllr}") and "0.009885435" in latex
    html = forward_table(net, tablefmt="html")
    assert html.startswith("<table>") and "<td>0.9308616</td>" in html.replace(
        ' style="text-align: right;"', "")
    assert "| x2 → h1" in weight_change_table(net, ETA, tablefmt="pipe")


def test_digits_setting_reaches_every_number():
    net = mini()
    net.forward(X)
    net.backward(Y)
    lines = [str(f) for f in delta_formulas(net, Y, digits=3)]
    assert lines == ["δ_o = 2·(1 − 0.6)·0.6·(1 − 0.6) = 0.192",
                     "δ_h1 = 0.8·0.192·0.931·(1 − 0.931) = 0.00989"]
    assert "| sigmoid |    0.931 |" in forward_table(net, digits=3)


# -- the handout's δ lines and the two orders ------------------------------------

def test_handout_delta_lines_in_both_orders():
    net = handout_network()
    before = net.snapshot()
    net.step(X, Y, ETA, order="handout")
    lines = [str(f) for f in delta_formulas(net, Y)]
    assert lines[0] == "δ_o = 2·(1 − 0.6)·0.6·(1 − 0.6) = 0.192"
    assert lines[1] == "δ_h1 = 0.8017873·0.192·0.9308616·(1 − 0.9308616) = 0.009907519"
    net = handout_network()
    net.step(X, Y, ETA, order="standard")
    lines = [str(f) for f in delta_formulas(net, Y, weights=before)]
    assert lines[1] == "δ_h1 = 0.8·0.192·0.9308616·(1 − 0.9308616) = 0.009885435"
    assert lines[2].startswith("δ_h2 = (-1.2)·0.192·")


def test_step_report_performs_the_same_step_as_net_step():
    for order in ("standard", "handout"):
        a, b = handout_network(), handout_network()
        report = step_report(a, X, Y, ETA, order=order)
        loss = b.step(X, Y, ETA, order=order)
        assert a.snapshot() == b.snapshot()
        assert f"loss (sse) before the step: {num(loss)}" in report
        assert "loss (sse) before the step: 0.16" in report        # (1 − 0.6)² = 0.16
        assert f"order = {order}" in report
    assert "from the weights before the update" in step_report(handout_network(), X, Y, ETA)
    handout = step_report(handout_network(), X, Y, ETA, order="handout")
    assert "already updated weights above" in handout
    assert "| 0.8017873·0.192·0.9308616·(1 − 0.9308616)" in handout


def test_step_report_keeps_the_step_on_the_nodes():
    net = mini()
    step_report(net, X, Y, ETA)
    assert num(net.layers[1][0].output) == "0.6"          # the pass before the update
    assert num(net.layers[0][0].delta) == "0.009885435"


# -- every activation and loss gives a formula that evaluates to its δ ------------

def evaluate(text):
    """Evaluate a substituted formula: · is ×, − is minus, ² a square."""
    expr = text.replace("·", "*").replace("−", "-").replace("²", "**2")
    assert re.fullmatch(r"[0-9eE.+\-*/() ]+", expr), expr
    return eval(expr)      # noqa: S307 - digits and operators only (checked above)


HIDDEN = ["step", "identity", "sigmoid", "tanh", "relu", {"name": "leaky_relu", "alpha": 0.1},
          "softmax"]
OUTPUTS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "step"]
LOSSES = ["sse", "half_sse", "mse", "bce", "cross_entropy"]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("out", OUTPUTS)
@pytest.mark.parametrize("k", [1, 2])
def test_every_formula_evaluates_to_its_delta(loss, out, k):
    hidden = HIDDEN[(OUTPUTS.index(out) + LOSSES.index(loss) + k) % len(HIDDEN)]
    weights = [[[0.3, -0.7], [0.9, 0.4], [-0.5, 0.6]],
               [[0.8, -1.1, 0.6], [-0.4, 0.7, 0.9]][:k]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = Network.from_matrices(weights, biases=[[0.1, -0.2, 0.05], [0.2, -0.1][:k]],
                                    activations=[hidden, out], loss=loss)
    y = [1.0, 0.0][:k]
    net.forward([0.4, -1.3])
    net.backward(y)
    formulas = delta_formulas(net, y, digits=12)
    assert len(formulas) == k + 3
    for f in formulas:
        assert math.isclose(evaluate(f.text), f.delta, rel_tol=1e-8, abs_tol=1e-11), str(f)
        assert f.delta == net.layers[f.layer - 1][f.node].delta


@pytest.mark.parametrize("out, loss, k, rule", [
    ("sigmoid", "sse", 1, "2·(y − a)·a·(1 − a)"),
    ("sigmoid", "half_sse", 1, "(y − a)·a·(1 − a)"),
    ("tanh", "mse", 2, "(2·(y − a)/K)·(1 − a²)"),
    ("sigmoid", "bce", 1, "y − a"),
    ("sigmoid", "bce", 2, "(y − a)/K"),
    ("tanh", "bce", 1, "((y − a)/(a·(1 − a)))·(1 − a²)"),
    ("softmax", "cross_entropy", 2, "y − a"),
    ("softmax", "sse", 2, "a·(2·(y − a) − Σ e·a)"),
    ("sigmoid", "cross_entropy", 1, "(y/a)·a·(1 − a)"),
    ("relu", "sse", 1, "2·(y − a)·[z > 0]"),
    ("identity", "sse", 1, "2·(y − a)·1"),
    ("step", "sse", 1, "2·(y − a)·0"),
])
def test_output_rules(out, loss, k, rule):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = Network.from_matrices([[[0.5, -0.2]], [[0.8], [-0.6]][:k]],
                                    activations=["tanh", out], loss=loss)
    y = [1.0, 0.0][:k]
    net.forward([1.0, 2.0])
    net.backward(y)
    assert delta_formulas(net, y)[0].rule == rule


def test_hidden_rules_follow_the_activation():
    net = Network.from_matrices([[[0.5, -0.2], [0.1, 0.3]], [[0.8, 0.2], [-0.6, 0.4]]],
                                activations=["tanh", "sigmoid"])
    net.forward([1.0, 2.0])
    net.backward([1.0, 0.0])
    assert [f.rule for f in delta_formulas(net, [1.0, 0.0])][2:] == [
        "(Σ w·δ)·(1 − a²)", "(Σ w·δ)·(1 − a²)"]


# -- names and errors -------------------------------------------------------------

def test_node_names():
    assert node_names(handout_network()) == [["h1", "h2", "h3", "h4"], ["o"]]
    assert node_names(Network([2, 2, 1, 2])) == [["h1.1", "h1.2"], ["h2.1"], ["o1", "o2"]]


def test_errors_say_what_is_missing():
    net = mini()
    with pytest.raises(NodenetError, match="forward pass first"):
        forward_table(net)
    net.forward(X)
    with pytest.raises(NodenetError, match=r"forward\(x\) and backward\(y\)"):
        delta_table(net, Y)
    with pytest.raises(NodenetError, match=r"forward\(x\) and backward\(y\)"):
        weight_change_table(net, ETA)
    net.backward(Y)
    with pytest.raises(NodenetError, match=r"digits must be a whole number from 1 to 22 \(R's print range\), got int 0"):
        delta_table(net, Y, digits=0)
    with pytest.raises(NodenetError, match="expects 1 targets, got 2"):
        delta_table(net, [1, 0])
    with pytest.raises(NodenetError, match=r"delta_formulas weights= expects a snapshot from net.snapshot\(\): layer 1 needs 1 \(weights, bias\) pairs"):
        delta_table(net, Y, weights=handout_network().snapshot())
    with pytest.raises(NodenetError, match="unknown order 'backwards'"):
        step_report(net, X, Y, ETA, order="backwards")


# -- issue 11, item 8: a report that fails changes nothing --------------------------

def _everything(net):
    return ([[(list(n.weights), n.bias, n.net, n.output, n.delta) for n in layer]
             for layer in net.layers], net.inputs, net.rng.getstate())


def test_a_step_whose_loss_after_overflows_still_reports_and_says_why():
    net = Network.from_matrices([[[1.0]]], activations="identity")
    report = step_report(net, [1e150], [0], 1e-10)          # used to raise after stepping
    assert report.splitlines()[-1] == (
        "loss (sse) after the step, same example: none: loss: sample 0: layer 1 node 0 net "
        "became -inf (overflow: weights, inputs or eta too large)")
    assert net.layers[0][0].weights == [1.0 + 1e-10 * 2 * (0 - 1e150) * 1e150]


def test_a_report_that_fails_half_way_leaves_the_network_as_it_was(monkeypatch):
    import nodenet.tables as tables
    net = mini()
    net.forward(X)
    before = _everything(net)

    def broken(*args, **kwargs):
        raise NodenetError("the table could not be drawn")
    monkeypatch.setattr(tables, "weight_change_table", broken)
    with pytest.raises(NodenetError, match="could not be drawn"):
        tables.step_report(net, X, Y, ETA)
    assert _everything(net) == before
    with pytest.raises(NodenetError, match="step expects 1 targets, got 2"):
        tables.step_report(net, X, [1.0, 0.0], ETA)             # a bad target: nothing moves
    assert _everything(net) == before


def test_a_table_with_no_rows_is_its_header_in_every_format():
    # train(epochs=0) has an empty history; tabulate 0.9 (setup.cfg's lowest)
    # raised IndexError on an alignment for columns it never saw, and dropped
    # the header of HTML and wiki tables (test_teaching compiles the LaTeX)
    from nodenet import training
    from nodenet.display import FORMATS
    history = training.train(Network([2, 3, 1], seed=2), [[0.0, 0.0]], [[0.0]], epochs=0,
                             eta=0.1)
    for fmt in FORMATS:
        text = history.table(tablefmt=fmt)
        assert text.records == [] and "epoch" in text and "loss" in text, fmt
    assert history.table(tablefmt="plain").splitlines() == ["  epoch    loss",
                                                            "0 epochs, stopped by epochs"]
