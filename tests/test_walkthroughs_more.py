"""The and_gate, xor, multiclass and activations walkthroughs, run and checked.

Each script runs as a subprocess; its printed numbers are compared with
values computed here independently (plain Python formulas, or the seeds'
NumPy loops written out again with numpy).  Functions the walkthroughs
expose are tested directly too.
"""

import importlib.util
import itertools
import math
import pathlib
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

ROOT = pathlib.Path(__file__).resolve().parent.parent
WALKTHROUGHS = ROOT / "walkthroughs"
FLOAT = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def load(name):
    """Import walkthroughs/<name>.py as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"walkthrough_{name}", WALKTHROUGHS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name):
    result = subprocess.run([sys.executable, str(WALKTHROUGHS / f"{name}.py")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def rows_of(text, columns):
    """Table rows of ``text`` whose whitespace-separated cells match ``columns`` regexes."""
    pattern = re.compile(r"^\s*" + r"\s+".join(f"({c})" for c in columns) + r"\s*$")
    return [m.groups() for m in map(pattern.match, text.splitlines()) if m]


def section(text, start, end=None):
    """The part of ``text`` from the line containing ``start`` up to ``end``."""
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- and_gate ----------------------------------------------------------------

@pytest.fixture(scope="module")
def and_out():
    return run("and_gate")


@pytest.fixture(scope="module")
def and_gate():
    return load("and_gate")


def step(z):
    return 1 if z >= 0 else 0


def rosenblatt(X, targets, eta, epochs):
    """The perceptron rule written out again: [(epoch, mistakes, w1, w2, b)]."""
    w1 = w2 = b = 0.0
    log = []
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for (x1, x2), y in zip(X, targets):
            e = y - step(w1 * x1 + w2 * x2 + b)
            if e:
                mistakes += 1
                w1, w2, b = w1 + eta * e * x1, w2 + eta * e * x2, b + eta * e
        log.append((epoch, mistakes, w1, w2, b))
        if mistakes == 0:
            break
    return log


def test_and_truth_table(and_out):
    first = section(and_out, "Seed 000's neuron", "Decision boundary")
    rows = rows_of(first, [r"\d", r"\d", FLOAT, r"\d", "[AB]", r"\d"])
    expected = []
    for x1, x2 in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        z = x1 + x2 - 1.5
        expected.append((str(x1), str(x2), f"{z:g}", str(step(z)), "AB"[step(z)], str(x1 & x2)))
    assert rows == expected


def test_and_boundary_and_points(and_out):
    assert "i.e.  x1 + x2 = 1.5" in and_out
    assert "It crosses the axes at (1.5, 0) and (0, 1.5)" in and_out
    rows = rows_of(and_out, [r"\(\S+, \S+\)", r".*?[<≥] 1\.5", FLOAT, r"\d", "[AB]"])
    assert rows == [("(0.5, 0)", "0.5 + 0 = 0.5 < 1.5", "-1", "0", "A"),
                    ("(1, 0.6)", "1 + 0.6 = 1.6 ≥ 1.5", "0.1", "1", "B")]


def test_and_seed000_neuron_is_a_network(and_gate):
    net = and_gate.seed000_neuron()
    assert net.to_matrices() == ([[[1.0, 1.0]]], [[-1.5]])
    assert [net.forward(x)[0] for x in and_gate.CORNERS] == [0.0, 0.0, 0.0, 1.0]
    assert net.forward([0.5, 0])[0] == 0.0 and net.forward([1, 0.6])[0] == 1.0


def test_perceptron_learns_and_like_the_rule_written_out(and_gate, and_out):
    from nodenet import Network
    net = Network.from_matrices([[[0.0, 0.0]]], biases=[[0.0]], activations="step")
    log = and_gate.perceptron_train(net, and_gate.CORNERS, and_gate.AND, eta=1.0)
    expected = rosenblatt(and_gate.CORNERS, and_gate.AND, 1.0, 20)
    assert log == expected
    assert log[-1][1] == 0 and len(log) == 6
    w1, w2, b = log[-1][2:]
    assert [step(w1 * x1 + w2 * x2 + b) for x1, x2 in and_gate.CORNERS] == [0, 0, 0, 1]
    assert f"Learned w = ({w1:g}, {w2:g}), b = {b:g}: outputs [0, 0, 0, 1]" in and_out
    learning = section(and_out, "perceptron rule, from", "Learned w")
    printed = rows_of(learning, [r"\d+", r"\d+", FLOAT, FLOAT, FLOAT])
    assert printed == [tuple(f"{v:g}" for v in row) for row in expected]


def test_perceptron_cycles_on_xor(and_gate, and_out):
    from nodenet import Network
    net = Network.from_matrices([[[0.0, 0.0]]], biases=[[0.0]], activations="step")
    log = and_gate.perceptron_train(net, and_gate.CORNERS, and_gate.XOR, max_epochs=8)
    assert log == rosenblatt(and_gate.CORNERS, and_gate.XOR, 1.0, 8)
    assert len(log) == 8 and min(row[1] for row in log) > 0
    assert len({row[2:] for row in log[1:]}) == 1          # same weights after every epoch from 2 on
    cycling = section(and_out, "The perceptron rule on XOR", "One sigmoid neuron trained")
    printed = rows_of(cycling, [r"\d+", r"\d+", FLOAT, FLOAT, FLOAT])
    assert printed == [tuple(f"{v:g}" for v in row) for row in log]


def test_no_step_neuron_solves_xor(and_gate, and_out):
    grid = [v / 2 for v in range(-8, 9)]
    best = max(sum(step(w1 * x1 + w2 * x2 + b) == y
                   for (x1, x2), y in zip(and_gate.CORNERS, and_gate.XOR))
               for w1, w2, b in itertools.product(grid, repeat=3))
    assert best == 3
    assert and_gate.best_step_neuron(and_gate.XOR, grid) == 3
    assert and_gate.best_step_neuron(and_gate.AND, grid) == 4
    assert "(4913 neurons): the best gets 3 of 4 XOR corners right (AND: 4 of 4)" in and_out


def numpy_single_neuron(targets, epochs=2000, eta=2.0):
    """One sigmoid neuron, mean bce, full batch, from random.Random(0)'s U(−1, 1) draws."""
    import random
    rng = random.Random(0)
    w = np.array([rng.uniform(-1, 1), rng.uniform(-1, 1)])
    b = 0.0
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    y = np.array(targets, dtype=float)
    losses = []
    for _ in range(epochs):
        a = sigmoid(X @ w + b)
        delta = (y - a) / len(y)            # −∂(mean bce)/∂z
        w = w + eta * X.T @ delta
        b = b + eta * delta.sum()
        a = sigmoid(X @ w + b)
        losses.append(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))
    return w, b, losses


@needs_numpy
def test_sigmoid_neuron_learns_and_but_not_xor(and_out):
    and_part = section(and_out, "one sigmoid neuron, bce", "Why one neuron")
    xor_part = section(and_out, "One sigmoid neuron trained on XOR")
    for part, targets in ((and_part, [0, 0, 0, 1]), (xor_part, [0, 1, 1, 0])):
        w, b, losses = numpy_single_neuron(targets)
        printed = rows_of(part, [r"\d+", r"\d\.\d{6}"])
        assert printed == [(str(e), f"{losses[e - 1]:.6f}") for e in (1, 10, 100, 500, 1000, 2000)]
    w, b, losses = numpy_single_neuron([0, 0, 0, 1])
    assert f"Learned w = ({w[0]:.4f}, {w[1]:.4f}), b = {b:.4f}" in and_part
    assert f"x1 + x2 = {-b / w[0]:.4f}" in and_part
    classes = rows_of(and_part, [r"\d", r"\d", r"\d\.\d{4}", r"\d", r"\d"])
    assert [row[3] for row in classes] == ["0", "0", "0", "1"]
    assert f"{math.log(2):.6f}" == "0.693147"
    assert "2000    0.693147" in xor_part
    assert "[0.5, 0.5, 0.5, 0.5]" in xor_part


# -- xor -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def xor():
    return load("xor")


@pytest.fixture(scope="module")
def xor_out():
    return run("xor")


def seed001_loop(W1, W2, epochs, B1=None, B2=None):
    """Seed 001's training loop, as the seed writes it (biases optional), in numpy."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([[0], [1], [1], [0]])
    W1, W2 = np.array(W1, dtype=float), np.array(W2, dtype=float)
    B1 = None if B1 is None else np.array(B1, dtype=float)
    B2 = None if B2 is None else np.array(B2, dtype=float)

    def sigmoid_derivative(x):
        return x * (1 - x)

    for _ in range(epochs):
        hidden_output = sigmoid(X.dot(W1) + (0 if B1 is None else B1))
        output = sigmoid(hidden_output.dot(W2) + (0 if B2 is None else B2))
        error = y - output
        d_output = error * sigmoid_derivative(output)
        error_hidden = d_output.dot(W2.T)
        d_hidden = error_hidden * sigmoid_derivative(hidden_output)
        W2 += hidden_output.T.dot(d_output) * 0.1
        W1 += X.T.dot(d_hidden) * 0.1
        if B1 is not None:
            B2 += d_output.sum(axis=0) * 0.1
            B1 += d_hidden.sum(axis=0) * 0.1
    hidden_output = sigmoid(X.dot(W1) + (0 if B1 is None else B1))
    output = sigmoid(hidden_output.dot(W2) + (0 if B2 is None else B2))
    loss = 0.5 * float(((y - output) ** 2).sum())
    return W1, W2, B1, B2, output[:, 0], loss


@needs_numpy
def test_seed001_literals_are_numpys_draws(xor):
    np.random.seed(42)
    W1 = np.random.uniform(size=(2, 2))
    W2 = np.random.uniform(size=(2, 1))
    assert np.allclose(W1, xor.SEED001_W1, atol=5e-9, rtol=0)
    assert np.allclose(W2, xor.SEED001_W2, atol=5e-9, rtol=0)


@needs_numpy
def test_nodenet_full_batch_equals_seed001_loop(xor):
    net = xor.seed001_network()
    xor.train_full_batch(net, epochs=300)
    W1, W2, _, _, _, _ = seed001_loop(xor.SEED001_W1, xor.SEED001_W2, 300)
    weights, biases = net.to_matrices("in_out")
    assert np.allclose(weights[0], W1, atol=1e-12, rtol=0)
    assert np.allclose(weights[1], W2, atol=1e-12, rtol=0)
    assert biases == [[0.0, 0.0], [0.0]]
    assert not np.allclose(W1, xor.SEED001_W1, atol=1e-3)       # the weights did move


@needs_numpy
def test_xor_no_bias_run_reaches_what_seed001_reaches(xor_out):
    W1, W2, _, _, output, loss = seed001_loop(
        [[0.37454012, 0.95071431], [0.73199394, 0.59865848]], [[0.15601864], [0.15599452]], 10000)
    first = section(xor_out, "Seed 001", "The same shape WITH biases")
    assert f"10000                   {loss:.8f}" in first
    assert f"the loss is {loss:.8f}" in first
    table = rows_of(first, [r"\d", r"\d", FLOAT, FLOAT, FLOAT, r"\d", r"\d"])
    assert [float(row[4]) for row in table] == pytest.approx(list(output), abs=2e-8)
    assert [row[5] for row in table] == ["0", "1", "1", "0"]
    assert 0.14 < loss < 0.16 and 0.2 < output[0] < 0.21           # what it honestly reaches
    learned = section(first, "learned weights")
    numbers = [float(v) for v in re.findall(FLOAT, learned.split("After")[0])]
    assert numbers == pytest.approx(list(W1.ravel()) + list(W2.ravel()), abs=2e-8)
    v = W2.ravel()
    assert f"σ(0.5·({v[0]:.4f} + {v[1]:.4f})) = {sigmoid(0.5 * v.sum()):.4f}" in first
    assert sigmoid(0.5 * v.sum()) == pytest.approx(output[0], abs=1e-12)


@needs_numpy
def test_xor_with_biases_solves_it(xor, xor_out):
    start, start_b = xor.biased_network().to_matrices("in_out")
    W1, W2, B1, B2, output, loss = seed001_loop(start[0], start[1], 10000,
                                                start_b[0], start_b[1])
    second = section(xor_out, "The same shape WITH biases")
    assert f"10000                   {loss:.8f}" in second
    assert loss < 0.01
    table = rows_of(second, [r"\d", r"\d", FLOAT, FLOAT, FLOAT, r"\d", r"\d"])
    assert [float(row[4]) for row in table] == pytest.approx(list(output), abs=2e-8)
    assert [row[5] for row in table] == ["0", "1", "1", "0"]
    assert "output                          : [0, 1, 1, 0] = XOR" in second
    learned = section(second, "learned weights", "What the hidden")
    numbers = [float(v) for v in re.findall(FLOAT, learned)]
    assert numbers == pytest.approx(
        list(W1.ravel()) + list(W2.ravel()) + list(B1) + list(B2), abs=2e-8)


def test_xor_gate_names(xor):
    assert xor._name([0, 1, 1, 1]) == "OR"
    assert xor._name([0, 1, 1, 0]) == "XOR"
    assert xor._name([0, 1, 0, 0]) == "another function"


# -- multiclass ----------------------------------------------------------------

@pytest.fixture(scope="module")
def multi():
    return load("multiclass")


@pytest.fixture(scope="module")
def multi_out():
    return run("multiclass")


def test_multiclass_accuracy_and_confusion_tables(multi_out):
    accuracies = [float(a) for a in re.findall(r"(?:training|test) accuracy: (\d\.\d{4})", multi_out)]
    assert len(accuracies) == 2
    assert accuracies[0] >= 0.9 and accuracies[1] >= 0.85
    for part, acc in zip(multi_out.split(" accuracy: ")[1:], accuracies):
        rows = rows_of(part.split("\n\n")[0], [r"true \d", r"\d+", r"\d+", r"\d+", r"\d+"])
        counts = [[int(c) for c in row[1:4]] for row in rows]
        assert [int(row[4]) for row in rows] == [40, 40, 40]
        assert [sum(r) for r in counts] == [40, 40, 40]
        assert sum(counts[k][k] for k in range(3)) / 120 == pytest.approx(acc, abs=5e-5)
    others = rows_of(multi_out, [r"\S+ → \S+", FLOAT, FLOAT, FLOAT])
    assert [row[0] for row in others] == ["leaky_relu → leaky_relu", "tanh → tanh"]
    assert all(float(row[2]) >= 0.9 for row in others)


def test_multiclass_loss_falls(multi_out):
    rows = rows_of(multi_out, [r"\d+", r"\d\.\d{6}"])
    losses = [float(r[1]) for r in rows]
    assert [r[0] for r in rows] == ["1", "10", "50", "100", "150", "200"]
    assert losses[0] > 0.9 and losses[-1] < 0.2 and losses[-1] < losses[0]


def test_spirals_deterministic_and_in_the_unit_disc(multi):
    X, labels = multi.spirals(40, seed=1)
    assert (X, labels) == multi.spirals(40, seed=1)
    assert X != multi.spirals(40, seed=2)[0]
    assert labels == [0] * 40 + [1] * 40 + [2] * 40
    assert all(math.hypot(*x) < 1.0 for x in X)
    # point i of arm k has radius i/40
    assert math.hypot(*X[40 + 10]) == pytest.approx(10 / 40, abs=1e-12)


def test_one_hot_and_confusion_table(multi):
    assert multi.one_hot([0, 2, 1]) == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    table = multi.confusion_table([[3, 1, 0], [0, 4, 0], [2, 0, 2]], tablefmt="github")
    assert table == (
        "|        |   pred 0 |   pred 1 |   pred 2 |   total |\n"
        "|--------|----------|----------|----------|---------|\n"
        "| true 0 |        3 |        1 |        0 |       4 |\n"
        "| true 1 |        0 |        4 |        0 |       4 |\n"
        "| true 2 |        2 |        0 |        2 |       4 |")
    assert multi.accuracy([[3, 1, 0], [0, 4, 0], [2, 0, 2]]) == 0.75


@needs_numpy
def test_multiclass_network_matches_numpy_forward_and_loss(multi):
    net = multi.build()
    X, labels = multi.spirals(10, seed=3)
    Y = multi.one_hot(labels)
    weights, biases = net.to_matrices("out_in")
    assert [len(m) for m in weights] == [8, 8, 3]
    A = np.array(X)
    A = np.maximum(0, A @ np.array(weights[0]).T + biases[0])
    A = np.tanh(A @ np.array(weights[1]).T + biases[1])
    Z = A @ np.array(weights[2]).T + biases[2]
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    expected = -np.mean(np.sum(np.array(Y) * np.log(P), axis=1))
    assert net.loss(X, Y) == pytest.approx(expected, abs=1e-12)
    counts = multi.confusion(net, X, labels)
    for k in range(3):
        for j in range(3):
            assert counts[k][j] == sum(1 for p, c in zip(P.argmax(axis=1), labels)
                                       if c == k and p == j)


# -- activations ---------------------------------------------------------------

@pytest.fixture(scope="module")
def acts():
    return load("activations")


@pytest.fixture(scope="module")
def acts_out():
    return run("activations")


FORMULAS = {
    "step": (lambda z: 1.0 if z >= 0 else 0.0, lambda z: 0.0),
    "identity": (lambda z: z, lambda z: 1.0),
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)),
                lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    "tanh": (math.tanh, lambda z: 1 / math.cosh(z) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else 0.01 * z, lambda z: 1.0 if z > 0 else 0.01),
}


def test_activation_tables_match_formulas(acts, acts_out):
    for kind, which in (("function", 0), ("derivative", 1)):
        rows = acts.activation_table(kind)
        assert [r[0] for r in rows] == list(range(-5, 6))
        for row in rows:
            for name, value in zip(acts.ELEMENTWISE, row[1:]):
                assert value == pytest.approx(FORMULAS[name][which](row[0]), abs=1e-12)
    printed = rows_of(acts_out, [r"-?\d"] + [FLOAT] * 6)
    assert len(printed) == 22
    expected = [(str(z),) + tuple(f"{FORMULAS[n][which](z):.6f}" for n in acts.ELEMENTWISE)
                for which in (0, 1) for z in range(-5, 6)]
    assert printed == expected


def test_figure5_delta_table(acts, acts_out):
    rows = acts.delta_table()
    assert len(rows) == 11
    for i, (a, loss_slope, sig_slope, delta) in enumerate(rows):
        assert a == i / 10
        assert delta == pytest.approx(2 * (1 - a) * a * (1 - a), abs=1e-15)
    printed = rows_of(section(acts_out, "Figure 5"), [r"\d\.\d", FLOAT, FLOAT, FLOAT])
    assert printed == [(f"{i / 10:.1f}", f"{2 * (1 - i / 10):.6f}",
                        f"{i / 10 * (1 - i / 10):.6f}",
                        f"{2 * (1 - i / 10) ** 2 * (i / 10):.6f}") for i in range(11)]
    assert "8/27 = 0.296296" in acts_out and "largest is 0.294000 at a = 0.3" in acts_out


def test_zero_and_constant_init_keep_hidden_nodes_identical(acts):
    for init in ("zeros", acts.constant(0.5)):
        net, history = acts.symmetry_run(init)
        rows = [row[1:] for row in acts.hidden_rows(net)]
        assert rows[0] == rows[1] == rows[2]          # exactly equal, not just close
        assert history[-1] > 0.3                      # and XOR stays unsolved
    net, _ = acts.symmetry_run(acts.constant(0.5))
    assert net.layers[0][0].weights[0] > 1.0          # the weights did move
    net, history = acts.symmetry_run("uniform")
    rows = [row[1:] for row in acts.hidden_rows(net)]
    assert rows[0] != rows[1] != rows[2] and history[-1] < 0.05
    assert [net.classify(x) for x in acts.XOR_X] == [0, 1, 1, 0]


def test_symmetry_tables_printed(acts_out):
    part = section(acts_out, "The symmetry problem")
    rows = rows_of(part, [r"h\d", FLOAT, FLOAT, FLOAT, FLOAT])
    assert len(rows) == 9
    zeros, constant, rand = rows[0:3], rows[3:6], rows[6:9]
    assert all(r[1:] == ("0.000000",) * 4 for r in zeros)
    assert constant[0][1:] == constant[1][1:] == constant[2][1:]
    assert constant[0][1] != "0.500000"
    assert len({r[1:] for r in rand}) == 3
