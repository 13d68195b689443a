"""nodenet agrees with an independent float64 NumPy MLP, and the oracle passes
correct vectorized implementations in every layout and sample orientation."""

import itertools
import warnings

import pytest

np = pytest.importorskip("numpy")

from nodenet import Network                                           # noqa: E402
from nodenet.oracle import (assert_forward_match, assert_gradients_match,   # noqa: E402
                            compare_gradients)

from numpy_mlp import backward, forward, random_problem              # noqa: E402

ACTS = ["step", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
PAIRS = ([(out, loss) for out in ACTS for loss in ("sse", "half_sse", "mse")]
         + [("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "cross_entropy")])


def build(Ws, bs, acts, loss):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Network.from_matrices(Ws, bs, acts, loss=loss)


def relative_gap(got, ref):
    """max |got − ref| / max |ref| for one array (0 when both are all zero)."""
    got, ref = np.asarray(got, dtype=float), np.asarray(ref, dtype=float)
    scale = np.abs(ref).max()
    gap = np.abs(got - ref).max()
    return gap if scale == 0.0 else gap / scale


@pytest.mark.parametrize("hidden", ACTS)
def test_every_activation_and_loss_pairing_agrees_to_float64_rounding(hidden):
    rng = np.random.default_rng(ACTS.index(hidden))
    for (out, loss), sizes in itertools.product(PAIRS, ([3, 4, 3], [2, 5, 4, 3])):
        acts = [hidden] * (len(sizes) - 2) + [out]
        Ws, bs, X, Y = random_problem(rng, sizes, loss, n=5)
        net = build(Ws, bs, acts, loss)
        ref_loss, ref_dW, ref_db = backward(X, Y, Ws, bs, acts, loss)
        case = f"{hidden} → {out}, {loss}, {sizes}"
        assert net.loss(X, Y) == pytest.approx(ref_loss, rel=1e-12, abs=0.0), case
        dW, db = net.gradients(X, Y)
        for l in range(len(Ws)):
            assert relative_gap(dW[l], ref_dW[l]) <= 1e-12, f"{case}: layer {l + 1} weights"
            assert relative_gap(db[l], ref_db[l]) <= 1e-12, f"{case}: layer {l + 1} biases"
        # and the oracle accepts the reference as it stands
        assert compare_gradients(net, X, Y, ref_dW, ref_db).ok, case


def test_gradients_are_not_all_zero_in_the_pairings_that_matter():
    # guards the test above against comparing zeros with zeros everywhere
    rng = np.random.default_rng(11)
    Ws, bs, X, Y = random_problem(rng, [3, 4, 3], "cross_entropy")
    _, dW, db = backward(X, Y, Ws, bs, ["tanh", "softmax"], "cross_entropy")
    assert all(np.abs(m).min() > 0.0 for m in dW)


@pytest.mark.parametrize("loss, out", [("mse", "sigmoid"), ("cross_entropy", "softmax"),
                                       ("half_sse", "identity"), ("bce", "sigmoid")])
def test_oracle_passes_correct_code_in_both_layouts_and_orientations(loss, out):
    rng = np.random.default_rng(5)
    sizes = [4, 6, 5, 3]
    acts = ["tanh", "relu", out]
    Ws, bs, X, Y = random_problem(rng, sizes, loss, n=7)
    net = build(Ws, bs, acts, loss)
    _, dW, db = backward(X, Y, Ws, bs, acts, loss)
    Zs, As = forward(X, Ws, bs, acts)
    assert assert_gradients_match(net, X, Y, dW, db).ok
    assert assert_gradients_match(net, X, Y, [m.T for m in dW], db, layout="in_out").ok
    # W·X style: samples as columns, biases as n×1 columns (seed 002)
    cols = [b.reshape(-1, 1) for b in db]
    assert assert_gradients_match(net, X.T, Y.T, dW, cols, samples="columns").ok
    # X·W style biases as 1×n rows (seed 001's b1 = (1, 3))
    assert assert_gradients_match(net, X, Y, [m.T for m in dW], [b.reshape(1, -1) for b in db],
                                  layout="in_out").ok
    assert assert_forward_match(net, X, As, Zs).ok
    assert assert_forward_match(net, X.T, [a.T for a in As], [z.T for z in Zs],
                                samples="columns").ok


def test_seed_002_style_softmax_network_passes():
    # seed 002: X is (nx, m), W[l] is (n[l], n[l-1]), b[l] is (n[l], 1); softmax + CE
    rng = np.random.default_rng(2)
    nx, m, classes = 4, 6, 3
    X = rng.normal(size=(nx, m))
    labels = rng.integers(classes, size=m)
    Y = np.eye(classes)[:, labels]                       # one-hot columns
    W1, b1 = rng.normal(size=(5, nx)), rng.normal(size=(5, 1))
    W2, b2 = rng.normal(size=(classes, 5)), rng.normal(size=(classes, 1))
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = W2 @ A1 + b2
    E = np.exp(Z2 - Z2.max(axis=0))
    A2 = E / E.sum(axis=0)
    dZ2 = (A2 - Y) / m
    dW2, db2 = dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    dW1, db1 = dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True)
    net = Network.from_matrices([W1, W2], [b1.ravel(), b2.ravel()], ["relu", "softmax"],
                                loss="cross_entropy")
    assert_forward_match(net, X, [A1, A2], [Z1, Z2], samples="columns")
    report = assert_gradients_match(net, X, Y, [dW1, dW2], [db1, db2], samples="columns")
    assert report.max_rel_error < 1e-12


def test_one_sample_as_a_flat_vector():
    rng = np.random.default_rng(9)
    Ws, bs, X, Y = random_problem(rng, [3, 4, 2], "sse", n=1)
    net = build(Ws, bs, ["sigmoid", "identity"], "sse")
    _, dW, db = backward(X, Y, Ws, bs, ["sigmoid", "identity"], "sse")
    Zs, As = forward(X, Ws, bs, ["sigmoid", "identity"])
    assert assert_gradients_match(net, X[0], Y[0], dW, db).ok
    assert assert_forward_match(net, X[0], [a[0] for a in As]).ok
