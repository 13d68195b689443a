"""nodenet.exact: the node loops in arbitrary precision, checked independently.

The independent reference here is written in this file with mpmath alone (its
own forward pass and losses, differentiated by ``mpmath.diff`` at 80+
digits); it shares no code with nodenet.
"""

import random
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import pytest

from nodenet import Activation, Network, NodenetError, exact

mpmath = pytest.importorskip("mpmath", reason="nodenet.exact needs mpmath (pip install mpmath)")


# -- the table: one saturated sigmoid node into an identity output --------

@pytest.mark.parametrize("z, true", [
    (5.0, "0.013207124437112718"), (15.0, "6.1180407954661695e-07"),
    (30.0, "1.8715245937675095e-13"), (36.0, "4.6390456604871355e-16")])
def test_saturated_sigmoid_rows_are_right_in_float64_and_exact(z, true):
    net = Network.from_matrices([[[z]], [[1.0]]], activations=["sigmoid", "identity"], loss="sse")
    got = net.gradients([[1.0]], [[0.0]])[0][0][0][0]
    ref = exact.gradients(net, [[1.0]], [[0.0]], digits=30)
    assert mpmath.mpf(true) == pytest.approx(ref.dW[0][0][0], rel=1e-16)
    assert abs(got / float(ref.dW[0][0][0]) - 1.0) < 1e-13       # was 4.3e-2 at z = 36
    assert ref.agreed >= 30


# -- an independent reference: mpmath only, differentiated by mpmath.diff ----------

def _sig(z):
    return 1 / (1 + mpmath.exp(-z))


IND_ACT = {
    "identity": lambda z: z, "sigmoid": _sig, "tanh": mpmath.tanh,
    "relu": lambda z: z if z > 0 else 0 * z,
    "leaky_relu": lambda z: z if z > 0 else mpmath.mpf(0.01) * z,      # α is the float 0.01
    "gelu": lambda z: z * mpmath.ncdf(z),
    "gelu_tanh": lambda z: z / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi)
                                                     * (z + mpmath.mpf(0.044715) * z ** 3))),
    "silu": lambda z: z * _sig(z),
    "softplus": lambda z: mpmath.log(1 + mpmath.exp(z)),
    "elu": lambda z: z if z > 0 else mpmath.exp(z) - 1,
    "selu": lambda z: mpmath.mpf(1.0507009873554804934193349852946) * (
        z if z > 0 else mpmath.mpf(1.6732632423543772848170429916717) * (mpmath.exp(z) - 1)),
}


def _softmax(zs):
    total = sum(mpmath.exp(z) for z in zs)
    return [mpmath.exp(z) / total for z in zs]


IND_LAYER = {"softmax": _softmax,
             "log_softmax": lambda zs: [mpmath.log(p) for p in _softmax(zs)]}


def _ce(y, a):
    return -sum(t * mpmath.log(p) for t, p in zip(y, a))


IND_LOSS = {   # per-sample loss, and whether the batch mean divides by K too
    "sse": (lambda y, a: sum((t - p) ** 2 for t, p in zip(y, a)), "sum"),
    "half_sse": (lambda y, a: sum((t - p) ** 2 for t, p in zip(y, a)) / 2, "sum"),
    "mse": (lambda y, a: sum((t - p) ** 2 for t, p in zip(y, a)), "mean_nk"),
    "bce": (lambda y, a: -sum(t * mpmath.log(p) + (1 - t) * mpmath.log(1 - p)
                              for t, p in zip(y, a)), "mean_nk"),
    "cross_entropy": (_ce, "mean_n"),
    "bce_with_logits": (lambda y, z: -sum(t * mpmath.log(_sig(v)) + (1 - t) * mpmath.log(1 - _sig(v))
                                          for t, v in zip(y, z)), "mean_nk"),
    "cross_entropy_with_logits": (lambda y, z: _ce(y, _softmax(z)), "mean_n"),
    "nll": (lambda y, a: -sum(t * p for t, p in zip(y, a)), "mean_n"),
    "l1": (lambda y, a: sum(abs(t - p) for t, p in zip(y, a)), "mean_nk"),
    "huber": (lambda y, a: sum((t - p) ** 2 / 2 if abs(t - p) < 1 else abs(t - p) - mpmath.mpf(1) / 2
                               for t, p in zip(y, a)), "mean_nk"),
    "smooth_l1": (lambda y, a: sum((t - p) ** 2 / 2 if abs(t - p) < 1 else abs(t - p) - mpmath.mpf(1) / 2
                                   for t, p in zip(y, a)), "mean_nk"),
}


def independent_loss(params, shape, acts, loss, X, Y):
    """The batch loss from a flat parameter list, with mpmath functions only."""
    it = iter(params)
    layers = [([[next(it) for _ in range(n_in)] for _ in range(n_out)],
               [next(it) for _ in range(n_out)]) for n_in, n_out in shape]
    f, how = IND_LOSS[loss]
    total = 0
    for x, y in zip(X, Y):
        a = [mpmath.mpf(v) for v in x]
        for (W, b), act in zip(layers, acts):
            z = [sum(w * v for w, v in zip(row, a)) + bj for row, bj in zip(W, b)]
            a = IND_LAYER[act](z) if act in IND_LAYER else [IND_ACT[act](v) for v in z]
        total += f([mpmath.mpf(t) for t in y], a)
    if how == "mean_n":
        return total / len(X)
    if how == "mean_nk":
        return total / (len(X) * len(Y[0]))
    return total


PAIRINGS = [   # hidden, output, loss, targets
    ("gelu", "identity", "cross_entropy_with_logits", "onehot"),
    ("tanh", "sigmoid", "bce", "unit"),
    ("silu", "identity", "bce_with_logits", "unit"),
    ("softplus", "log_softmax", "nll", "index"),
    ("elu", "softmax", "cross_entropy", "onehot"),
    ("selu", "tanh", "mse", "values"),
    ("gelu_tanh", "softmax", "sse", "values"),
    ("sigmoid", "gelu", "half_sse", "values"),
    ("relu", "silu", "huber", "values"),
    ("leaky_relu", "elu", "l1", "values"),
    ("identity", "softplus", "smooth_l1", "values"),
    ("tanh", "selu", "sse", "values"),
    ("sigmoid", "log_softmax", "mse", "values"),
]


@pytest.mark.parametrize("hidden, out, loss, kind", PAIRINGS)
def test_50_digits_agree_with_an_independent_80_digit_reference(hidden, out, loss, kind):
    rng = random.Random(f"{hidden} {out} {loss}")
    sizes = [2, 3, 2]
    weights = [[[rng.uniform(-1.5, 1.5) for _ in range(a)] for _ in range(b)]
               for a, b in zip(sizes, sizes[1:])]
    biases = [[rng.uniform(-0.5, 0.5) for _ in range(b)] for b in sizes[1:]]
    X = [[rng.uniform(-2, 2) for _ in range(2)] for _ in range(3)]
    if kind in ("onehot", "index"):
        Y = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    elif kind == "unit":
        Y = [[rng.random() for _ in range(2)] for _ in range(3)]
    else:
        Y = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = Network.from_matrices(weights, biases, [hidden, out], loss=loss)
    ours = exact.gradients(net, X, [y.index(1.0) for y in Y] if kind == "index" else Y, digits=50)
    assert ours.agreed >= 50
    flat = [w for m, bs in zip(weights, biases) for w in [v for row in m for v in row] + bs]
    shape = list(zip(sizes, sizes[1:]))
    with mpmath.workdps(100):
        params = [mpmath.mpf(v) for v in flat]
        want = [mpmath.diff(lambda v, i=i: independent_loss(params[:i] + [v] + params[i + 1:],
                                                           shape, [hidden, out], loss, X, Y),
                            params[i]) for i in range(len(params))]
        got = [v for m, b in zip(ours.dW, ours.db) for v in [x for row in m for x in row] + b]
        for g, w in zip(got, want):
            assert abs(mpmath.mpf(g) - w) <= abs(w) * mpmath.mpf(10) ** -45 + mpmath.mpf(10) ** -60, \
                (hidden, out, loss, g, w)
        loss_value = independent_loss(params, shape, [hidden, out], loss, X, Y)
        assert abs(mpmath.mpf(ours.loss) - loss_value) <= abs(loss_value) * mpmath.mpf(10) ** -45


def test_results_are_numbers_that_float_and_str_accept_in_either_layout():
    net = Network([3, 4, 2], activation="tanh", seed=2)
    X, Y = [[0.5, -1.0, 2.0]], [[0.2, 0.7]]
    out_in = exact.gradients(net, X, Y, digits=25)
    in_out = exact.gradients(net, X, Y, digits=25, layout="in_out")
    assert [len(m) for m in out_in.dW] == [4, 2] and [len(m) for m in in_out.dW] == [3, 4]
    assert in_out.dW[0][2][1] == out_in.dW[0][1][2]
    floats = net.gradients(X, Y)
    assert float(out_in.dW[1][1][3]) == pytest.approx(floats[0][1][1][3], rel=1e-14)
    digits = str(out_in.db[0][0]).split("e")[0].replace("-", "").replace(".", "").lstrip("0")
    assert 20 <= len(digits) <= 25
    assert "25 digits asked" in repr(out_in)


def test_forward_and_a_training_step_in_high_precision():
    net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
    assert str(exact.forward(net, [1, 3, 5], digits=20)[0]) == "0.93086157965665317715"
    before = net.snapshot()
    weights, biases = exact.step(net, [1, 3, 5], [1], 0.01, digits=30)
    assert net.snapshot() == before                       # the network is not changed
    copy = net.copy()
    copy.step([1, 3, 5], [1], 0.01)
    assert float(weights[0][0][1]) == pytest.approx(copy.layers[0][0].weights[1], rel=1e-15)


def test_rational_gradients_are_exact_fractions():
    net = Network.from_matrices([[[0.1, -0.3], [0.7, 0.2]], [[1.5, -0.25]]], [[0.05, -0.1], [0.3]],
                                activations=["relu", "identity"], loss="mse")
    X, Y = [[0.3, 0.9], [1.1, -0.4], [0.2, 0.2]], [[0.5], [-1.0], [0.25]]
    dW, db = exact.rational_gradients(net, X, Y)
    # by hand, in fractions: output = Σ w2·relu(w1·x + b1) + b2, L = mean (y − out)²
    F = Fraction
    W1 = [[F(0.1), F(-0.3)], [F(0.7), F(0.2)]]
    b1 = [F(0.05), F(-0.1)]
    w2, b2 = [F(1.5), F(-0.25)], F(0.3)
    g2, gb2 = [F(0), F(0)], F(0)
    for x, y in zip(X, Y):
        h = [max(sum(w * F(v) for w, v in zip(row, x)) + b, F(0)) for row, b in zip(W1, b1)]
        out = sum(w * v for w, v in zip(w2, h)) + b2
        d = 2 * (out - F(y[0])) / 3
        g2 = [g + d * v for g, v in zip(g2, h)]
        gb2 += d
    assert dW[1][0] == g2 and db[1][0] == gb2
    assert all(isinstance(v, Fraction) for v in dW[0][0] + db[0])
    high = exact.gradients(net, X, Y, digits=40)
    with mpmath.workdps(80):
        q = dW[0][1][0]
        assert abs(mpmath.mpf(q.numerator) / q.denominator - high.dW[0][1][0]) \
            <= abs(high.dW[0][1][0]) * mpmath.mpf(10) ** -39


def test_what_exact_arithmetic_refuses():
    net = Network([2, 2, 1], activation="sigmoid", seed=1)
    with pytest.raises(NodenetError, match=r"layer 1's activation sigmoid is not piecewise linear"):
        exact.rational_gradients(net, [[1.0, 2.0]], [[0.5]])
    with pytest.warns(Warning, match="expects an identity output layer"):
        net = Network([2, 1], activation="relu", loss="bce_with_logits", seed=1)
    with pytest.raises(NodenetError, match=r"the loss bce_with_logits is not a polynomial"):
        exact.rational_gradients(net, [[1.0, 2.0]], [[0.5]])
    custom = Activation("cube", lambda z: z ** 3, lambda z, a: 3 * z * z)
    net = Network.from_matrices([[[1.0]]], activations=custom)
    with pytest.raises(NodenetError, match=r"activation cube has no form for arbitrary precision"):
        exact.gradients(net, [[1.0]], [[0.0]])
    with pytest.raises(NodenetError, match=r"digits must be a whole number from 1 to 1000, got 0"):
        exact.gradients(Network([1, 1]), [[1.0]], [[0.0]], digits=0)


def test_without_mpmath_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpmath", None)
    with pytest.raises(NodenetError, match=r"needs mpmath.*pip install 'nodenet\[exact\]'"):
        exact.gradients(Network([1, 1]), [[1.0]], [[0.0]])


def test_the_global_mpmath_precision_is_left_alone():
    before = mpmath.mp.dps
    exact.gradients(Network([2, 1], seed=0), [[1.0, 2.0]], [[0.0]], digits=60)
    assert mpmath.mp.dps == before


def test_float64_gradients_are_close_to_the_truth_everywhere():
    # a quick version of benchmarks/accuracy.py: random and saturated networks
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import accuracy
    finally:
        sys.path.pop(0)
    table = accuracy.measure(seeds=2, scales=(1.0, 12.0))
    random_worst = max(w[1.0] for w in table.values())
    saturated_worst = max(w[12.0] for w in table.values() if 12.0 in w)
    assert random_worst < 5e-15
    assert saturated_worst < 5e-13
