"""Backpropagation against central finite differences, every sensible pairing."""

import itertools
import random
import zlib

import pytest

from nodenet import Network

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
PAIRS = [(out, loss) for out in ("sigmoid", "identity", "tanh", "softmax")
         for loss in ("sse", "half_sse", "mse")]
PAIRS += [("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "cross_entropy")]


def _data(loss, n_out, rng, n=3):
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    if loss == "cross_entropy":
        Y = []
        for _ in range(n):
            raw = [rng.random() for _ in range(n_out)]
            Y.append([v / sum(raw) for v in raw])       # probability targets
    else:
        Y = [[rng.random() for _ in range(n_out)] for _ in range(n)]
    return X, Y


def _finite_differences(net, X, Y, eps=1e-6):
    """∂L/∂w by (L(w + ε) − L(w − ε)) / 2ε, one weight at a time (out_in layout)."""
    gw = []
    gb = []
    for layer in net.layers:
        rows, bs = [], []
        for node in layer:
            row = []
            for i in range(len(node.weights)):
                w = node.weights[i]
                node.weights[i] = w + eps
                up = net.loss(X, Y)
                node.weights[i] = w - eps
                down = net.loss(X, Y)
                node.weights[i] = w
                row.append((up - down) / (2 * eps))
            rows.append(row)
            b = node.bias
            node.bias = b + eps
            up = net.loss(X, Y)
            node.bias = b - eps
            down = net.loss(X, Y)
            node.bias = b
            bs.append((up - down) / (2 * eps))
        gw.append(rows)
        gb.append(bs)
    return gw, gb


def _close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 1e-9


@pytest.mark.parametrize("hidden,pair", list(itertools.product(HIDDEN, PAIRS)))
def test_gradients_match_finite_differences(hidden, pair):
    out, loss = pair
    rng = random.Random(zlib.crc32(f"{hidden}-{out}-{loss}".encode()))
    net = Network([3, 4, 3, 2], activation=hidden, output_activation=out, loss=loss,
                  init="uniform", rng=rng)
    for layer in net.layers:                 # non-zero biases exercise the bias path
        for node in layer:
            node.bias = rng.uniform(-0.5, 0.5)
    X, Y = _data(loss, 2, rng)
    before = net.to_matrices()
    dW, db = net.gradients(X, Y)
    assert net.to_matrices() == before       # the weights are left unchanged
    fW, fb = _finite_differences(net, X, Y)
    for l in range(3):
        for j, row in enumerate(dW[l]):
            for i, g in enumerate(row):
                assert _close(g, fW[l][j][i]), (l + 1, j, i, g, fW[l][j][i])
            assert _close(db[l][j], fb[l][j]), (l + 1, j, "bias", db[l][j], fb[l][j])
    tW, tb = net.gradients(X, Y, layout="in_out")
    assert tb == db
    for l in range(3):
        assert tW[l] == [list(col) for col in zip(*dW[l])]
