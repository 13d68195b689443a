"""tables.optimizer_step_table: one optimizer step, weight by weight, to follow by hand."""

import math

import pytest

from nodenet import Network, NodenetError
from nodenet.optimizers import SGD, Adam, HandoutMomentum
from nodenet.tables import optimizer_step_table


def neuron():
    """a = w·x + b with w = 0.5, b = 0.25; sse: g = 2(a − y)·(x, 1)."""
    return Network.from_matrices([[[0.5]]], [[0.25]], activations="identity")


def after_one_step(opt):
    # x = 2, y = 0: a = 1.25, g = (5, 2.5); with lr 0.1 and a first momentum step
    # (buf = g, or v = −η·g) both forms land on w = 0, b = 0
    net = neuron()
    opt.step(net, *net.gradients([[2.0]], [[0.0]]))
    return net


def test_momentum_buffer_then_the_change():
    # second step with y = 1, η = 0.01: a = 0, g = (−4, −2);
    # buf = 0.9·(5, 2.5) + g = (0.5, 0.25), Δw = −0.01·buf
    opt = SGD(0.1, momentum=0.9)
    net = after_one_step(opt)
    assert optimizer_step_table(net, opt, [[2.0]], [[1.0]], lr=0.01, tablefmt="plain") == (
        "  layer  from → to      w    g    buf       Δw    new w\n"
        "      1  x1 → o         0   -4    0.5   -0.005   -0.005\n"
        "      1  b → o          0   -2   0.25  -0.0025  -0.0025")


def test_handout_velocity_keeps_the_old_eta():
    # v = 0.9·(−0.5, −0.25) − 0.01·(−4, −2) = (−0.41, −0.205): the velocity still
    # carries the first step's η = 0.1, where PyTorch's buffer form moves −0.005
    opt = HandoutMomentum(0.1, momentum=0.9)
    net = after_one_step(opt)
    assert optimizer_step_table(net, opt, [[2.0]], [[1.0]], lr=0.01, tablefmt="plain") == (
        "  layer  from → to      w    g       v      Δw    new w\n"
        "      1  x1 → o         0   -4   -0.41   -0.41    -0.41\n"
        "      1  b → o          0   -2  -0.205  -0.205   -0.205")


def cells(table):
    """The data rows of a plain table as lists of cells."""
    return [line.split() for line in table.splitlines()[1:]]


def test_adam_second_step_by_hand_and_nothing_changes():
    opt = Adam(lr=0.1, weight_decay=0.5, decay_biases=False)
    net = neuron()
    opt.step(net, *net.gradients([[2.0]], [[0.0]]))
    w, b = net.layers[0][0].weights[0], net.layers[0][0].bias
    before, state = net.snapshot(), opt.snapshot()
    table = optimizer_step_table(net, opt, [[1.0]], [[3.0]], tablefmt="plain")
    assert net.snapshot() == before and opt.snapshot()[:2] == state[:2] and opt.steps == 1
    header = table.splitlines()[0].split()
    assert header == ["layer", "from", "→", "to", "w", "g", "g", "+", "λw", "m", "v", "m_hat",
                      "v_hat", "Δw", "new", "w"]
    # by hand: step 1 had g = (5 + 0.5·0.5, 2.5); step 2 has a = w + b, g = 2(a − 3)·(1, 1)
    g2 = 2 * (w + b - 3.0)
    rows = []
    for g1, p, g, decay in ((5.25, w, g2, 0.5), (2.5, b, g2, 0.0)):
        g = g + decay * p
        m = 0.9 * (0.1 * g1) + 0.1 * g
        v = 0.999 * (0.001 * g1 * g1) + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
        dw = -0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
        rows.append([p, g2, g, m, v, m_hat, v_hat, dw, p + dw])
    for got, want in zip(cells(table), rows):
        assert got[:4] == ["1", ["x1", "b"][rows.index(want)], "→", "o"]
        assert [float(c) for c in got[4:]] == pytest.approx(want, rel=5e-7)
    # and the table's step is the step the optimizer takes
    opt.step(net, *net.gradients([[1.0]], [[3.0]]))
    assert [net.layers[0][0].weights[0], net.layers[0][0].bias] == pytest.approx(
        [rows[0][-1], rows[1][-1]], rel=1e-15)


def test_layers_and_errors():
    net = Network.from_matrices([[[0.5, -0.3], [0.1, 0.2]], [[1.0, -1.0]]],
                                [[0.0, 0.1], [0.2]], activations=["tanh", "identity"])
    table = optimizer_step_table(net, Adam(0.1), [[1.0, 2.0]], [[0.5]], layers=[2])
    assert [row[1].strip() for row in (line.split("|") for line in table.splitlines()[2:])] == \
        ["2", "2", "2"]
    with pytest.raises(NodenetError, match="optimizer must be a nodenet.optimizers optimizer"):
        optimizer_step_table(net, "adam", [[1.0, 2.0]], [[0.5]])
    with pytest.raises(NodenetError, match="lr must be ≥ 0"):
        optimizer_step_table(net, Adam(), [[1.0, 2.0]], [[0.5]], lr=-1.0)
    with pytest.raises(NodenetError, match="the step would fail: layer 2 node 0 weight 0: the "
                                           "optimizer's v would become inf"):
        optimizer_step_table(net, Adam(), [[1e200, 2.0]], [[1e200]])
    with pytest.raises(NodenetError, match="layers must be layer numbers from 1 to 2"):
        optimizer_step_table(net, Adam(), [[1.0, 2.0]], [[0.5]], layers=[3])
