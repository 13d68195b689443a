"""walkthroughs/pitfalls.py, run as a script, its printed numbers checked.

The vanishing-gradient and exploding-gradient numbers are recomputed here
with NumPy from the same seeded networks (an independent backpropagation);
the dead-ReLU count is checked against the trained network's net inputs;
the rest against the relations each section is there to show.
"""

import importlib.util
import math
import pathlib
import random
import re
import subprocess
import sys

import pytest

try:
    import numpy as np
except ImportError:             # e.g. PyPy: only the tests that recompute with NumPy skip
    np = None
needs_numpy = pytest.mark.skipif(np is None, reason="recomputes the numbers with NumPy, "
                                 "which is not installed")

from nodenet import Network

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "walkthroughs" / "pitfalls.py"
FLOAT = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


@pytest.fixture(scope="module")
def output():
    result = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


@pytest.fixture(scope="module")
def module():
    spec = importlib.util.spec_from_file_location("walkthrough_pitfalls", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def grab(text, pattern):
    match = re.search(pattern, text, re.MULTILINE)
    assert match, pattern
    return match.groups()


def numpy_mean_abs_deltas(net, X, Y, hidden):
    """Mean |δ| per layer by NumPy backprop (sigmoid output with bce: δ = y − a)."""
    W, b = net.to_matrices()
    W = [np.array(w) for w in W]
    b = [np.array(v) for v in b]
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}[hidden]
    df = {"sigmoid": lambda z, a: a * (1 - a), "relu": lambda z, a: (z > 0).astype(float)}[hidden]
    A = [np.array(X, dtype=float)]
    Z = []
    for l, (w, bias) in enumerate(zip(W, b)):
        z = A[-1] @ w.T + bias
        Z.append(z)
        A.append(1 / (1 + np.exp(-z)) if l == len(W) - 1 else f(z))
    delta = np.array(Y) - A[-1]
    means = [np.mean(np.abs(delta))]
    for l in range(len(W) - 2, -1, -1):
        delta = df(Z[l], A[l + 1]) * (delta @ W[l + 1])
        means.append(np.mean(np.abs(delta)))
    return means[::-1]


@needs_numpy
def test_vanishing_numbers(output):
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(32)]
    Y = [[1.0 if sum(x) > 0 else 0.0] for x in X]
    sig = numpy_mean_abs_deltas(Network([4] + [8] * 8 + [1], activation="sigmoid",
                                        output_activation="sigmoid", loss="bce",
                                        init="xavier", seed=1), X, Y, "sigmoid")
    relu = numpy_mean_abs_deltas(Network([4] + [8] * 8 + [1], activation="relu",
                                         output_activation="sigmoid", loss="bce",
                                         init="he", seed=1), X, Y, "relu")
    first_s, first_r, ratio = map(float, grab(
        output, rf"^first layer: sigmoid ({FLOAT}), relu ({FLOAT}), ratio ({FLOAT})$"))
    assert first_s == float(f"{sig[0]:.3g}") and first_r == float(f"{relu[0]:.3g}")
    assert ratio == float(f"{relu[0] / sig[0]:.3g}") and ratio > 1e4
    rows = re.findall(rf"^\s+(\d)\s+({FLOAT})\s+({FLOAT})$", output, re.MULTILINE)[:9]
    assert [int(r[0]) for r in rows] == list(range(1, 10))
    for (_, s, r), ns, nr in zip(rows, sig, relu):
        assert float(s) == float(f"{ns:.3g}") and float(r) == float(f"{nr:.3g}")


def section(output, title):
    """The printed section that starts with ``title``, up to the next numbered one."""
    start = output.index(title)
    end = re.search(r"^\d\. ", output[start + 3:], re.MULTILINE)
    return output[start:start + 3 + end.start()] if end else output[start:]


def test_each_result_is_printed_once(output):
    # (each result used to come once as a line and once more in a table)
    assert output.count("relu, eta 0.3 ") == 1 and output.count("\nearly stopping ") == 1
    assert output.count("dropout 0.2") == 1


@needs_numpy
def test_dead_relu_numbers(output, module):
    runs = module.dead_relu()
    printed = {name: (int(dead), float(loss)) for name, dead, loss in re.findall(
        rf"^(\S.*?)\s{{2,}}(\d+)\s+({FLOAT})$", section(output, "2. Dead"), re.MULTILINE)}
    assert set(printed) == set(runs)
    rng = random.Random(3)
    X = np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(40)])
    for name, (net, history) in runs.items():
        W, b = net.to_matrices()
        z = X @ np.array(W[0]).T + np.array(b[0])
        dead = int(np.sum(np.all(z <= 0, axis=0))) if name.startswith("relu") else 0
        assert printed[name] == (dead, float(f"{history[-1]:.4g}"))
    assert printed["relu, eta 0.01"][0] == 0
    assert printed["relu, eta 0.3"][0] == 10
    assert printed["leaky_relu(0.1), eta 0.3"][1] < 0.01 * printed["relu, eta 0.3"][1]
    table = re.findall(r"^\s+(\d+)\s+(\d+)\s+relu$", output, re.MULTILINE)
    assert table == [("1", str(j)) for j in range(10)]


@needs_numpy
def test_exploding_numbers(output):
    norms = [float(g) for g in grab(
        output, r"^gradient norm per epoch without clipping: (.+)$")[0].split(", ")]
    # the first one, by NumPy: full-batch mse gradient of the starting linear network
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(20)]
    Y = np.array([[0.5 * x[0] - x[1] + 0.25 * x[2]] for x in X])
    net = Network([3, 8, 8, 8, 8, 1], activation="identity", loss="mse", init="uniform",
                  init_bound=0.8, seed=1)
    W, b = net.to_matrices()
    W, b = [np.array(w) for w in W], [np.array(v) for v in b]
    A = [np.array(X)]
    for w, bias in zip(W, b):
        A.append(A[-1] @ w.T + bias)
    delta = 2 * (A[-1] - Y) / len(X)          # ∂L/∂z at the output for mse with K = 1
    squares = 0.0
    for l in range(len(W) - 1, -1, -1):
        squares += np.sum((delta.T @ A[l]) ** 2) + np.sum(delta.sum(axis=0) ** 2)
        delta = delta @ W[l]
    assert norms[0] == float(f"{math.sqrt(squares):.3g}")
    assert norms[-1] > 1e9 * norms[0]
    error = grab(output, r"^error: (.+)$")[0]
    assert re.match(r"training diverged in epoch \d+, sample \d+: .*layer \d+ node \d+", error)
    start, end, epochs, clipped = grab(
        output, rf"^with clip_norm=1: loss ({FLOAT}) -> ({FLOAT}) after (\d+) epochs, (\d+) updates clipped$")
    assert float(end) < 0.05 < float(start)
    assert int(epochs) == 60 and 40 < int(clipped) <= 60


def test_overfitting_numbers(output):
    rows = {name: (int(e), int(best), float(train), float(val)) for name, e, best, train, val in
            re.findall(rf"^(\S.*?)\s{{2,}}(\d+)\s+(\d+)\s+({FLOAT})\s+({FLOAT})$",
                       section(output, "4. Overfitting"), re.MULTILINE)}
    assert set(rows) == {"none", "early stopping", "L2 0.03", "dropout 0.2"}
    none = rows["none"]
    assert none[0] == 800 and none[2] < 0.5 * none[3]          # overfit: train ≪ validation
    epochs, best, _, val = rows["early stopping"]
    assert epochs == best + 100                                # patience 100
    for name in ("early stopping", "L2 0.03", "dropout 0.2"):
        assert rows[name][3] < 0.8 * none[3], name
        assert rows[name][2] > none[2], name                  # they fit the noise less


def test_symmetry_numbers(output):
    found = {init: (int(d), float(loss), float(acc)) for init, d, loss, acc in re.findall(
        rf"^(\w+): distinct hidden nodes (\d+), final loss ({FLOAT}), accuracy ({FLOAT})$",
        output, re.MULTILINE)}
    # zeros: every output is sigmoid(0) = 0.5 for ever, so sse = 4·0.25 = 1
    assert found["zeros"] == (1, 1.0, 0.5)
    assert found["xavier"][0] == 3 and found["xavier"][1] < 0.01 and found["xavier"][2] == 1.0


def test_symmetry_function_keeps_zero_rows_identical(module):
    net, history, distinct = module.symmetry()["zeros"]
    rows = {tuple(node.weights) for node in net.layers[0]}
    assert distinct == 1 and len(rows) == 1
    assert history[-1] == 1.0
