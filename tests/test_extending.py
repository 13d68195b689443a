"""The README's "Extending nodenet" recipes, followed for real.

A toy activation, a toy loss, a toy optimizer and a toy table are each
written here in one place, as the recipes say, and then used everywhere
nodenet's own are: networks, training, gradcheck, the δ tables, model files,
the exact reference, the command line.
"""

import math
import random

import pytest

from nodenet import ACTIVATIONS, LOSSES, Activation, Network
from nodenet.activations import FACTORIES
from nodenet.arith import FLOAT
from nodenet.cli import main
from nodenet.display import TableText
from nodenet.formulas import delta_formulas
from nodenet.losses import KINDS, Kind, Loss
from nodenet.modelfile import from_dict, to_dict
from nodenet.numfmt import num
from nodenet.optimizers import Optimizer
from nodenet.oracle import gradcheck


# -- the recipe for an activation: f and f′ with m, one entry ---------------------

def softsign(z, m=FLOAT):
    return z / (1.0 + abs(z))


def softsign_derivative(z, a, m=FLOAT):
    return 1.0 / ((1.0 + abs(z)) * (1.0 + abs(z)))


SOFTSIGN = Activation("softsign", softsign, softsign_derivative, rule="1/(1 + |z|)²",
                      numbers=lambda z, a, fmt: f"1/(1 + {fmt(abs(z))})²", arith=True)


# -- the recipe for a loss: value and upstream with p and m, one Kind ----------------

def log_cosh(y, yhat, p, m):
    # log cosh d = |d| + log1p(e^(−2|d|)) − log 2, without overflow
    return sum(abs(a - t) + m.log1p(m.exp(-2.0 * abs(a - t))) - m.log(2.0)
               for t, a in zip(y, yhat))


def log_cosh_upstream(y, yhat, p, m):
    return [m.tanh(t - a) for t, a in zip(y, yhat)]          # −∂/∂a log cosh(a − y)


def log_cosh_rule(loss, y, a, j, k, fmt):
    rule, text = "tanh(y − a)", f"tanh({fmt(y[j])} − {fmt(a[j])})"
    return (f"{rule}/K", f"{text}/{k}", True) if loss.divides_by_k else (rule, text, False)


LOG_COSH = Kind(log_cosh, log_cosh_upstream, log_cosh_rule, formula="log cosh(ŷ − y)")


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "softsign", SOFTSIGN)
    monkeypatch.setitem(KINDS, "log_cosh", LOG_COSH)
    monkeypatch.setitem(LOSSES, "log_cosh", Loss("log_cosh", LOG_COSH))


def toy_network():
    return Network([2, 3, 2], activation="softsign", output_activation="identity",
                   loss="log_cosh", seed=5)


X = [[0.5, -1.0], [1.5, 0.25], [-0.7, 0.9]]
Y = [[0.2, -0.1], [1.0, 0.5], [-0.3, 0.0]]


def test_the_toy_activation_and_loss_work_everywhere(registered):
    net = toy_network()
    assert repr(net) == "Network([2, 3, 2], softsign → identity, loss=log_cosh)"
    assert gradcheck(net, X, Y).ok                          # backprop against differences
    history = net.train(X, Y, epochs=20, eta=0.1)
    assert history[-1] < history[0]
    again = from_dict(to_dict(net))                         # a model file round trip
    assert again.snapshot() == net.snapshot() and repr(again) == repr(net)
    summed = Network([2, 1], activation="softsign", loss={"name": "log_cosh",
                                                          "reduction": "sum"}, seed=1)
    assert summed.loss_function.to_spec() == {"name": "log_cosh", "reduction": "sum"}


def test_the_toy_rules_appear_in_the_tables_with_their_numbers(registered):
    net = toy_network()
    net.forward(X[0])
    net.backward(Y[0])
    rows = delta_formulas(net, Y[0], digits=15)
    assert rows[0].rule == "(tanh(y − a)/K)·1"
    assert rows[-1].rule == "(Σ w·δ)·1/(1 + |z|)²"
    for f in rows:
        value = eval(f.text.replace("·", "*").replace("−", "-").replace("²", "**2")
                     .replace("|", ""), {"tanh": math.tanh})               # noqa: S307
        assert value == pytest.approx(f.delta, rel=1e-12)


def test_the_toy_activation_and_loss_run_in_arbitrary_precision(registered):
    pytest.importorskip("mpmath", reason="the exact reference needs mpmath")
    from nodenet import exact
    net = toy_network()
    truth = exact.gradients(net, X, Y, digits=40)
    assert truth.agreed >= 40
    floats = net.gradients(X, Y)
    assert float(truth.dW[0][1][0]) == pytest.approx(floats[0][0][1][0], rel=1e-13)


def test_the_command_line_offers_a_registered_activation(registered, tmp_path, capsys):
    out = tmp_path / "m.json"
    assert main(["init", "--sizes", "2", "3", "1", "--activation", "softsign",
                 "--loss", "log_cosh", "-o", str(out)]) == 0
    assert "softsign" in out.read_text() and "log_cosh" in out.read_text()


def test_an_activation_with_a_parameter_is_a_factory(monkeypatch):
    def scaled_tanh(k=2.0):
        return Activation("scaled_tanh", lambda z, m=FLOAT: m.tanh(k * z),
                          lambda z, a, m=FLOAT: k * (1.0 - a * a), rule="k·(1 − a²)",
                          arith=True, params={"k": k}, defaults={"k": 2.0})
    monkeypatch.setitem(ACTIVATIONS, "scaled_tanh", scaled_tanh())
    monkeypatch.setitem(FACTORIES, "scaled_tanh", scaled_tanh)
    net = Network([1, 1], activation={"name": "scaled_tanh", "k": 3.0}, seed=0)
    assert repr(net.layers[0].activation) == "scaled_tanh(k=3.0)"
    assert to_dict(net)["layers"][0]["activation"] == {"name": "scaled_tanh", "k": 3.0}


# -- the recipe for an optimizer: slots and node_step -----------------------------------

class SignSGD(Optimizer):
    """w ← w − η·sign(g): each weight moves by η, whatever the size of its gradient."""

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        change = [-lr * ((gi > 0) - (gi < 0)) for gi in g]
        if columns is not None:
            columns["Δw"] = change
        return [pi + ci for pi, ci in zip(p, change)], state


def test_the_toy_optimizer_trains_and_explains_its_step():
    net = Network([2, 2, 1], activation="tanh", seed=2)
    before = net.snapshot()
    net.train(X, [[0.5], [1.0], [0.0]], epochs=1, optimizer=SignSGD(lr=0.01), batch_size=3,
              shuffle=False)
    moved = [abs(a - b) for (wa, _), (wb, _) in zip(before[0], net.snapshot()[0])
             for a, b in zip(wa, wb)]
    assert all(m == pytest.approx(0.01) for m in moved)


# -- the recipe for a table: rows as records, cells by num, one TableText -------------

def bias_table(net, tablefmt="github", digits=7):
    """Every node's bias: layer, node, b."""
    records = [{"layer": l, "node": j, "bias": node.bias}
               for l, layer in enumerate(net.layers, start=1) for j, node in enumerate(layer)]
    cells = [[str(r["layer"]), str(r["node"]), num(r["bias"], digits)] for r in records]
    return TableText(["layer", "node", "b"], cells, records, ("right", "right", "right"),
                     tablefmt)


def test_the_toy_table_has_every_form():
    net = Network.from_matrices([[[1.0], [2.0]], [[1.0, 1.0]]], [[0.5, -0.25], [1e-5]])
    table = bias_table(net, tablefmt="plain")
    assert table == ("  layer    node      b\n"
                     "      1       0    0.5\n"
                     "      1       1  -0.25\n"
                     "      2       0  1e-05")
    assert table.records[1] == {"layer": 1, "node": 1, "bias": -0.25}
    assert table.to_csv().splitlines() == ["layer,node,b", "1,0,0.5", "1,1,-0.25", "2,0,1e-05"]
    assert "<td style=\"text-align: right;\">-0.25</td>" in table._repr_html_()
    assert r"\begin{tabular}{rrr}" in table.to_latex()


def test_registered_names_are_restored_after_each_test():
    assert "softsign" not in ACTIVATIONS and "log_cosh" not in LOSSES
    random.Random(0)            # (nothing global was touched)


def test_no_module_reaches_into_another_modules_private_names():
    # the package's rule (issue 18): a name that starts with one underscore is
    # its module's own; other modules use the public names, or none
    import ast
    import pathlib
    import nodenet
    found = []
    for path in sorted(pathlib.Path(nodenet.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                found += [f"{path.name}: from {node.module} import {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
                if node.module and any(part.startswith("_") and not part.startswith("__")
                                       for part in node.module.split(".")):
                    found.append(f"{path.name}: from {node.module} import …")
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                  and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                  and node.value.id not in ("self", "cls", "net")):
                found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == []
