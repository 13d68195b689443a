"""Diagnostics: per-layer gradient health, dead ReLUs, gradient norms, History tables."""

import math
import random

import pytest

from nodenet import History, Network, NodenetError
from nodenet.diagnostics import EpochHealth, LayerHealth, dead_nodes, gradient_health
from nodenet.tables import dead_table, health_table, history_table


def sign_data(n=32, n_in=4, seed=0):
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n)]
    return X, [[1.0 if sum(x) > 0 else 0.0] for x in X]


def deep(act, init):
    return Network([4] + [8] * 8 + [1], activation=act, output_activation="sigmoid",
                   loss="bce", init=init, seed=1)


# -- vanishing gradients ---------------------------------------------------------

def test_vanishing_gradients_deep_sigmoid_vs_relu():
    X, Y = sign_data()
    sig = deep("sigmoid", "xavier").train(X, Y, 2, 0.1, diagnostics=True)
    relu = deep("relu", "he").train(X, Y, 2, 0.1, diagnostics=True)
    for epoch in range(2):
        s = sig.diagnostics[epoch].layers
        r = relu.diagnostics[epoch].layers
        assert [h.layer for h in s] == list(range(1, 10))
        # the first layer's mean |δ| is orders of magnitude below ReLU's ...
        assert s[0].mean_abs_delta < 1e-3 * r[0].mean_abs_delta
        # ... and below the sigmoid network's own last layer by more than 1e4
        assert s[0].mean_abs_delta < 1e-4 * s[-1].mean_abs_delta
        assert s[0].max_abs_change < 1e-3 * r[0].max_abs_change
        # with ReLU the first layer keeps more than a hundredth of the last layer's δ
        assert r[0].mean_abs_delta > 1e-2 * r[-1].mean_abs_delta
    # δ shrinks layer by layer going back through the sigmoid stack
    means = [h.mean_abs_delta for h in sig.diagnostics[0].layers]
    assert means == sorted(means)


def test_gradient_health_is_one_full_batch_step():
    # with one update per epoch, epoch 1's numbers are those of the starting network
    X, Y = sign_data(8)
    net = Network([4, 5, 3, 1], seed=3, loss="bce")
    before = gradient_health(net, X, Y, eta=0.3)
    gw, _ = net.gradients(X, Y)
    sums = [0.0, 0.0, 0.0]
    for x, y in zip(X, Y):
        net.forward(x)
        net.backward(y)
        for l, layer in enumerate(net.layers):
            sums[l] += sum(abs(node.delta) for node in layer)
    for l, h in enumerate(before):
        assert h.layer == l + 1
        assert h.mean_abs_delta == pytest.approx(sums[l] / (len(X) * len(net.layers[l])), rel=1e-14)
        assert h.max_abs_change == pytest.approx(0.3 * max(abs(g) for row in gw[l] for g in row),
                                                 rel=1e-14)
    history = net.train(X, Y, 1, 0.3, batch_size=len(X), diagnostics=True)
    during = history.diagnostics[0].layers
    for b, d in zip(before, during):
        assert d.mean_abs_delta == pytest.approx(b.mean_abs_delta, rel=1e-12)
        assert d.max_abs_change == pytest.approx(b.max_abs_change, rel=1e-12)


def test_max_change_includes_momentum():
    X, Y = sign_data(4)
    net = Network([4, 2, 1], seed=3)
    snaps = [net.snapshot()]
    history = net.train(X, Y, 3, 0.5, batch_size=4, momentum=0.9, diagnostics=True,
                        callback=lambda e, h: snaps.append(net.snapshot()))
    for epoch, health in enumerate(history.diagnostics):
        for l, h in enumerate(health.layers):
            moved = max(abs(w1 - w0)
                        for (r1, _), (r0, _) in zip(snaps[epoch + 1][l], snaps[epoch][l])
                        for w1, w0 in zip(r1, r0))
            assert h.max_abs_change == pytest.approx(moved, rel=1e-9)


# -- dead ReLUs -----------------------------------------------------------------------

def test_dead_relu_named_by_layer_and_index():
    # hidden node 2 of layer 1 has bias −100: z < 0 for every input in [−1, 1]²
    net = Network.from_matrices(
        [[[1.0, 0.5], [-0.5, 1.0], [0.3, 0.3]], [[0.6, -0.4, 0.9]]],
        [[0.1, 0.2, -100.0], [0.0]], activations=["relu", "identity"], loss="mse")
    X = [[0.5, -0.25], [-1.0, 1.0], [0.75, 0.5], [0.0, -1.0]]
    Y = [[0.2], [0.1], [0.8], [0.0]]
    assert dead_nodes(net, X) == [(1, 2)]
    history = net.train(X, Y, 5, 0.05, diagnostics=True)
    assert [e.dead for e in history.diagnostics] == [[(1, 2)]] * 5
    # a dead node learns nothing: its weights and bias never move
    assert net.layers[0][2].weights == [0.3, 0.3] and net.layers[0][2].bias == -100.0
    assert dead_table(history.diagnostics[-1].dead, net) == (
        "  layer    node  activation\n"
        "-------  ------  ------------\n"
        "      1       2  relu")


def test_too_large_eta_kills_relus_and_leaky_relu_survives():
    rng = random.Random(3)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(40)]
    Y = [[x[0] * x[0] + x[1]] for x in X]

    def run(act, eta):
        net = Network([2, 10, 1], activation=act, output_activation="identity", loss="mse",
                      init="he", seed=4)
        return net, net.train(X, Y, 100, eta, diagnostics=True)
    net, history = run("relu", 0.3)
    dead = history.diagnostics[-1].dead
    assert len(dead) >= 5
    assert dead == dead_nodes(net, X)
    for l, j in dead:                              # really dead: z ≤ 0 on every example
        for x in X:
            net.forward(x)
            assert net.layers[l - 1][j].net <= 0.0
    _, calm = run("relu", 0.01)
    assert calm.diagnostics[-1].dead == []
    _, leaky = run({"name": "leaky_relu", "alpha": 0.1}, 0.3)
    assert leaky.diagnostics[-1].dead == []
    assert leaky[-1] < 0.1 * history[-1]


# -- exploding gradients -------------------------------------------------------------

def exploding_data():
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(20)]
    return X, [[0.5 * x[0] - x[1] + 0.25 * x[2]] for x in X]


def exploding_net():
    return Network([3, 8, 8, 8, 8, 1], activation="identity", loss="mse", init="uniform",
                   init_bound=0.8, seed=1)


def test_gradient_norm_growth_then_the_node_is_named():
    X, Y = exploding_data()
    net = exploding_net()
    with pytest.raises(NodenetError) as info:
        net.train(X, Y, 60, 0.1, batch_size=20, diagnostics=True)
    err = info.value
    message = str(err)
    assert message.startswith("training diverged in epoch ")
    assert " layer " in message and " node " in message
    assert "largest gradient norm in the last epochs" in message
    health = err.history.diagnostics
    assert len(health) >= 2 and health[0].growth is None
    for prev, cur in zip(health, health[1:]):
        assert cur.growth == pytest.approx(cur.grad_norm / prev.grad_norm, rel=1e-15)
    assert health[-1].grad_norm > 1e6 * health[0].grad_norm
    for layer in net.layers:                       # no non-finite weight was written
        for node in layer:
            assert all(math.isfinite(w) for w in node.weights) and math.isfinite(node.bias)


def test_grad_norm_of_the_first_full_batch_update():
    X, Y = exploding_data()
    net = exploding_net()
    gw, gb = net.gradients(X, Y)
    norm = math.sqrt(sum(g * g for m in gw for row in m for g in row)
                     + sum(g * g for b in gb for g in b))
    history = net.train(X, Y, 1, 0.01, batch_size=20, diagnostics=True)
    assert history.diagnostics[0].grad_norm == pytest.approx(norm, rel=1e-12)


def test_clip_norm_tames_the_explosion():
    X, Y = exploding_data()
    history = exploding_net().train(X, Y, 60, 0.1, batch_size=20, diagnostics=True,
                                    clip_norm=1.0)
    assert history[-1] < 0.05 < history[0]
    assert sum(e.clipped for e in history.diagnostics) > 40


# -- History -----------------------------------------------------------------------

def test_history_stays_a_list_of_losses():
    X, Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]
    net = Network([2, 3, 1], seed=2)
    history = net.train(X, Y, 4, 0.5)
    assert isinstance(history, list) and len(history) == 4
    assert history.train_loss == list(history)
    assert history[-1] == net.loss(X, Y)
    assert history.etas == [0.5] * 4
    assert history.accuracy[-1] == sum(net.classify(x) == y[0] for x, y in zip(X, Y)) / 4
    assert history.best_epoch == 1 + history.index(min(history))
    assert history.val_loss == [] and history.diagnostics == []
    assert repr(history).startswith("History(4 epochs, loss ")
    assert "val_loss" not in repr(history)


def test_no_accuracy_for_regression_targets():
    net = Network([1, 2, 1], seed=0)
    history = net.train([[0.1], [0.5]], [[0.3], [0.9]], 2, 0.5)
    assert history.accuracy == []


def test_accuracy_for_one_hot_targets():
    X = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    Y = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    net = Network([2, 4, 3], output_activation="softmax", loss="cross_entropy", seed=1)
    history = net.train(X, Y, 3, 0.1, validation_data=(X[:2], Y[:2]))
    assert history.accuracy[-1] == sum(net.classify(x) == y.index(1.0) for x, y in zip(X, Y)) / 3
    assert history.val_accuracy[-1] == sum(
        net.classify(x) == y.index(1.0) for x, y in zip(X[:2], Y[:2])) / 2


def test_history_table_exact():
    h = History([0.5, 0.25, 0.125])
    h.val_loss = [0.6, 0.3, 0.4]
    h.accuracy = [0.5, 0.75, 1.0]
    h.etas = [0.1, 0.1, 0.05]
    h.best_epoch, h.stop_reason, h.restored = 2, "early_stopping", True
    assert h.table() == (
        "  epoch    loss    val_loss    accuracy    eta\n"
        "-------  ------  ----------  ----------  -----\n"
        "      1   0.5           0.6        0.5    0.1\n"
        "      2   0.25          0.3        0.75   0.1\n"
        "      3   0.125         0.4        1      0.05\n"
        "3 epochs, stopped by early_stopping; best validation loss in epoch 2 (weights restored)")
    assert h.table(every=2).splitlines()[2:4] == [
        "      1   0.5           0.6         0.5   0.1",
        "      3   0.125         0.4         1     0.05"]


def test_history_table_with_diagnostics_exact():
    h = History([1.0, 0.5])
    h.etas = [0.1, 0.1]
    h.diagnostics = [
        EpochHealth(1, [LayerHealth(1, 0.01, 0.002), LayerHealth(2, 0.2, 0.03)], 2.0, None, [], 0),
        EpochHealth(2, [LayerHealth(1, 0.005, 0.001), LayerHealth(2, 0.1, 0.02)], 8.0, 4.0,
                    [(1, 0)], 1)]
    h.best_epoch, h.stop_reason = 2, "epochs"
    assert history_table(h) == (
        "  epoch    loss    |g|    growth    dead\n"
        "-------  ------  -----  --------  ------\n"
        "      1     1        2                 0\n"
        "      2     0.5      8         4       1\n"
        "2 epochs, stopped by epochs; best training loss in epoch 2")
    assert h.health_table() == (
        "  epoch    layer    mean |δ|    max |Δw|\n"
        "-------  -------  ----------  ----------\n"
        "      1        1       0.01        0.002\n"
        "      1        2       0.2         0.03\n"
        "      2        1       0.005       0.001\n"
        "      2        2       0.1         0.02")


def test_health_table_of_one_step():
    assert health_table([LayerHealth(1, 1.13e-06, 7.09e-08), LayerHealth(2, 0.473, 0.011)]) == (
        "  layer    mean |δ|    max |Δw|\n"
        "-------  ----------  ----------\n"
        "      1    1.13e-06    7.09e-08\n"
        "      2    0.473       0.011")


# -- the helpers check their arguments (issue 11, item 10) -------------------------

@pytest.mark.parametrize("X, message", [
    ([[1.0]], "sample 0: dead_nodes expects 2 inputs, got 1"),
    ([[1.0, 2.0, 3.0]], "sample 0: dead_nodes expects 2 inputs, got 3"),
    ([["1.5", 0.0]], "sample 0: dead_nodes: input 0 must be a number, got str '1.5'"),
    ([[True, 0.0]], "sample 0: dead_nodes: input 0 must be a number, got bool True"),
    ([[float("nan"), 0.0]], "sample 0: dead_nodes: input 0 must be finite, got nan"),
    ([[10 ** 400, 0.0]], "sample 0: dead_nodes: input 0 must be a finite number"),
])
def test_dead_nodes_checks_its_inputs(X, message):
    net = Network([2, 3, 1], activation="relu", seed=0)
    with pytest.raises(NodenetError, match=message):
        dead_nodes(net, X)


def test_gradient_health_checks_eta():
    net = Network([2, 3, 1], seed=0)
    for eta, message in (("1", "eta must be a number"), (-1.0, "eta must be ≥ 0"),
                         (float("inf"), "eta must be finite")):
        with pytest.raises(NodenetError, match=message):
            gradient_health(net, [[0.0, 1.0]], [[1.0]], eta)
