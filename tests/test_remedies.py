"""The remedies of train(): clipping, L2, dropout, early stopping, learning-rate decay.

Small cases are worked by hand (an identity neuron with half_sse, whose
gradient is −(y − a)·x); L2 and dropout are checked against central
finite differences; dropout and the validation split against fixed seeds.
"""

import math
import random

import pytest

from nodenet import Network, NodenetError
from nodenet.remedies import (clip_by_norm, clip_by_value, dropout_masks, dropout_rates,
                              l2_penalty, regularized_gradients, regularized_loss, set_masks,
                              split_validation)
from nodenet.schedules import from_decay


def neuron(w=(0.5, -1.0), b=0.0):
    """y = w·x + b with half_sse: for x = (2, 1), y = 3, a = b, g = −(3 − b)·(2, 1, 1)."""
    return Network.from_matrices([[list(w)]], [[b]], activations="identity", loss="half_sse")


X1, Y1 = [[2.0, 1.0]], [[3.0]]


def params(net):
    w, b = net.to_matrices()
    return [v for m in w for row in m for v in row] + [v for bs in b for v in bs]


def central(net, f, eps=1e-6):
    """∂f/∂θ for every weight, then every bias (layer by layer), by central differences."""
    grads_w, grads_b = [], []
    for layer in net.layers:
        for node in layer:
            for i in range(len(node.weights)):
                w = node.weights[i]
                node.weights[i] = w + eps
                up = f()
                node.weights[i] = w - eps
                down = f()
                node.weights[i] = w
                grads_w.append((up - down) / (2 * eps))
    for layer in net.layers:
        for node in layer:
            b = node.bias
            node.bias = b + eps
            up = f()
            node.bias = b - eps
            down = f()
            node.bias = b
            grads_b.append((up - down) / (2 * eps))
    return grads_w + grads_b


def flat(gw, gb):
    return [g for m in gw for row in m for g in row] + [g for bs in gb for g in bs]


def small_net(seed=1, **kw):
    options = dict(activation="sigmoid", output_activation="sigmoid", loss="mse", seed=seed)
    options.update(kw)
    return Network([3, 4, 2], **options)


def small_data(n=5, seed=0):
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    Y = [[rng.random() for _ in range(2)] for _ in range(n)]
    return X, Y


# -- clipping -----------------------------------------------------------------

def test_clip_by_value_by_hand():
    # g = −3·(2, 1) for the weights, −3 for the bias; clipped to [−4, 4] → (−4, −3), −3
    net = neuron()
    history = net.train(X1, Y1, 1, 0.1, clip_value=4.0, diagnostics=True)
    w, b = net.to_matrices()
    assert w[0][0] == pytest.approx([0.5 + 0.4, -1.0 + 0.3], abs=1e-15)
    assert b[0][0] == pytest.approx(0.3, abs=1e-15)
    assert history.diagnostics[0].clipped == 1
    assert history.diagnostics[0].grad_norm == pytest.approx(math.sqrt(54.0), rel=1e-15)


def test_clip_by_norm_by_hand():
    # ‖g‖ = √(36 + 9 + 9) = √54 > 1, so g becomes g/√54 and the step is η·3·(2, 1, 1)/√54
    net = neuron()
    net.train(X1, Y1, 1, 0.1, clip_norm=1.0)
    r = math.sqrt(54.0)
    assert params(net) == pytest.approx([0.5 + 0.6 / r, -1.0 + 0.3 / r, 0.3 / r], abs=1e-15)


def test_clipping_leaves_small_gradients_alone():
    plain, clipped = neuron(), neuron()
    plain.train(X1, Y1, 1, 0.1)
    history = clipped.train(X1, Y1, 1, 0.1, clip_value=10.0, clip_norm=10.0, diagnostics=True)
    assert params(clipped) == params(plain)
    assert history.diagnostics[0].clipped == 0


def test_clip_functions_in_place():
    gw, gb = [[[3.0, -0.5], [0.2, -7.0]]], [[-2.0, 0.0]]
    assert clip_by_value(gw, gb, 1.0) == 3
    assert gw == [[[1.0, -0.5], [0.2, -1.0]]] and gb == [[-1.0, 0.0]]
    gw, gb = [[[3.0]]], [[4.0]]
    assert clip_by_norm(gw, gb, 2.5) == 5.0
    assert gw == [[[1.5]]] and gb == [[2.0]]
    gw, gb = [[[0.3]]], [[0.4]]
    assert clip_by_norm(gw, gb, 2.5) == pytest.approx(0.5)
    assert gw == [[[0.3]]] and gb == [[0.4]]


def test_clip_norm_counts_only_used_biases():
    # no biases: ‖g‖ = 3·‖(2, 1)‖ = √45, the bias gradient is not part of it
    net = Network.from_matrices([[[0.5, -1.0]]], activations="identity", loss="half_sse",
                                bias=False)
    history = net.train(X1, Y1, 1, 0.1, clip_norm=1.0, diagnostics=True)
    r = math.sqrt(45.0)
    assert history.diagnostics[0].grad_norm == pytest.approx(r, rel=1e-15)
    assert params(net) == pytest.approx([0.5 + 0.6 / r, -1.0 + 0.3 / r, 0.0], abs=1e-15)


# -- L2 -------------------------------------------------------------------------

def test_l2_by_hand():
    # g = (−6, −3) + 0.5·(0.5, −1.0) = (−5.75, −3.5); the bias is not decayed
    net = neuron()
    net.train(X1, Y1, 1, 0.1, l2=0.5)
    assert params(net) == pytest.approx([0.5 + 0.575, -1.0 + 0.35, 0.3], abs=1e-15)


def test_l2_bias_by_hand():
    # b = 1: a = 1, δ = 2, g = (−4, −2, −2) + 0.5·(0.5, −1, 1) = (−3.75, −2.5, −1.5)
    net = neuron(b=1.0)
    net.train(X1, Y1, 1, 0.1, l2=0.5, l2_bias=True)
    assert params(net) == pytest.approx([0.875, -0.75, 1.15], abs=1e-15)


def test_l2_penalty_value():
    net = neuron(w=(3.0, -4.0), b=2.0)
    assert l2_penalty(net, 0.1) == pytest.approx(0.05 * 25)
    assert l2_penalty(net, 0.1, bias=True) == pytest.approx(0.05 * 29)
    X, Y = [[1.0, 1.0]], [[0.0]]      # a = 1, half_sse 0.5
    assert regularized_loss(net, X, Y, 0.1) == pytest.approx(0.5 + 1.25)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("loss", ["sse", "mse", "bce"])
def test_l2_gradients_match_finite_differences(loss, bias):
    net = small_net(loss=loss, seed=3)
    X, Y = small_data()
    lam = 0.3
    gw, gb = regularized_gradients(net, X, Y, lam, bias)
    numeric = central(net, lambda: regularized_loss(net, X, Y, lam, bias))
    assert flat(gw, gb) == pytest.approx(numeric, abs=1e-7)
    # and the penalty really entered: without it the weight gradients differ by λ·w
    plain_w, plain_b = net.gradients(X, Y)
    w, b = net.to_matrices()
    for l in range(len(w)):
        for j in range(len(w[l])):
            for i in range(len(w[l][j])):
                assert gw[l][j][i] - plain_w[l][j][i] == pytest.approx(lam * w[l][j][i], abs=1e-12)
            assert gb[l][j] - plain_b[l][j] == pytest.approx(lam * b[l][j] if bias else 0.0, abs=1e-12)


@pytest.mark.parametrize("bias", [False, True])
def test_l2_training_step_descends_the_regularized_loss(bias):
    # one full-batch update: θ ← θ − η·∇(L + λ/2·Σw²), exactly PyTorch's SGD weight_decay
    net = small_net(seed=5)
    X, Y = small_data(4)
    lam, eta = 0.2, 0.7
    gw, gb = regularized_gradients(net, X, Y, lam, bias)
    expected = [p - eta * g for p, g in zip(params(net), flat(gw, gb))]
    net.train(X, Y, 1, eta, batch_size=len(X), shuffle=False, l2=lam, l2_bias=bias)
    assert params(net) == pytest.approx(expected, abs=1e-13)


def test_l2_online_decays_once_per_sample_update():
    # batch_size=1: two updates per epoch, each w ← w − η·(g_sample + λ·w)
    X, Y = [[2.0, 1.0], [1.0, -1.0]], [[3.0], [0.0]]
    net, lam, eta = neuron(), 0.5, 0.1
    w, b = [0.5, -1.0], 0.0
    for x, y in zip(X, Y):
        err = y[0] - (w[0] * x[0] + w[1] * x[1] + b)          # δ = y − a for half_sse
        w = [wi - eta * (-err * xi + lam * wi) for wi, xi in zip(w, x)]
        b = b + eta * err
    net.train(X, Y, 1, eta, shuffle=False, l2=lam)
    assert params(net) == pytest.approx(w + [b], abs=1e-15)


def test_l2_is_added_once_per_update_with_momentum():
    # two updates of one batch each, sum loss: v1 = −η·g1, v2 = μ·v1 − η·g2, g = ∂L + λw
    net, ref = small_net(loss="sse", seed=2), small_net(loss="sse", seed=2)
    X, Y = small_data(3)
    lam, eta, mu = 0.1, 0.2, 0.5
    velocity = None
    for _ in range(2):
        gw, gb = regularized_gradients(ref, X, Y, lam)
        g = flat(gw, gb)
        step = [-eta * gi for gi in g]
        velocity = step if velocity is None else [mu * v + s for v, s in zip(velocity, step)]
        new = [p + v for p, v in zip(params(ref), velocity)]
        k = 0
        for layer in ref.layers:
            for node in layer:
                node.weights[:] = new[k:k + len(node.weights)]
                k += len(node.weights)
        for layer in ref.layers:
            for node in layer:
                node.bias = new[k]
                k += 1
    net.train(X, Y, 2, eta, batch_size=3, shuffle=False, momentum=mu, l2=lam)
    assert params(net) == pytest.approx(params(ref), abs=1e-13)


# -- dropout --------------------------------------------------------------------

def test_dropout_masks_are_reproducible_and_scaled():
    a, b = Network([2, 50, 40, 1], seed=9), Network([2, 50, 40, 1], seed=9)
    masks_a = dropout_masks(a, [0.25, 0.5, 0.0])
    assert masks_a == dropout_masks(b, [0.25, 0.5, 0.0])
    assert masks_a[2] is None
    assert set(masks_a[0]) <= {0.0, 1 / 0.75} and set(masks_a[1]) <= {0.0, 2.0}
    assert masks_a != dropout_masks(a, [0.25, 0.5, 0.0])      # the generator moved on


def test_dropout_rate_and_expected_scale():
    net = Network([1, 1000, 1], seed=4)
    drawn = [m for _ in range(20) for m in dropout_masks(net, [0.3, 0.0])[0]]
    assert sum(m == 0.0 for m in drawn) / len(drawn) == pytest.approx(0.3, abs=0.01)
    assert sum(drawn) / len(drawn) == pytest.approx(1.0, abs=0.02)     # E[m] = 1


def test_dropout_masks_follow_net_rng_draw_by_draw():
    net = Network([2, 3, 1], seed=11)
    rng = random.Random()
    rng.setstate(net.rng.getstate())
    mask = dropout_masks(net, [0.5, 0.0])[0]
    assert mask == [0.0 if rng.random() < 0.5 else 2.0 for _ in range(3)]


@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "tanh"])
def test_masked_gradients_match_finite_differences(hidden):
    net = Network([3, 5, 4, 2], activation=hidden, output_activation="sigmoid", loss="mse",
                  seed=6)
    X, Y = small_data(4, seed=2)
    unmasked = net.loss(X, Y)
    set_masks(net, [[2.0, 0.0, 2.0, 2.0, 0.0], [0.0, 2.0, 2.0, 0.0], None])
    try:
        assert net.masked
        assert net.loss(X, Y) != unmasked
        gw, gb = net.gradients(X, Y)
        numeric = central(net, lambda: net.loss(X, Y))
    finally:
        set_masks(net, None)
    assert flat(gw, gb) == pytest.approx(numeric, abs=1e-7)
    # a dropped node learns nothing: its incoming weights and bias get zero gradient
    assert gw[0][1] == [0.0, 0.0, 0.0] and gb[0][1] == 0.0
    assert not net.masked


def test_dropout_step_equals_a_step_with_the_drawn_mask():
    # one sample, one epoch, no shuffle: the only draws are the sample's masks
    net = Network([2, 4, 3, 1], loss="sse", seed=8)
    ref = net.copy()
    ref.rng.setstate(net.rng.getstate())
    X, Y = [[0.3, -0.8]], [[1.0]]
    set_masks(ref, dropout_masks(ref, [0.5, 0.25, 0.0]))
    gw, gb = ref.gradients(X, Y)
    set_masks(ref, None)
    expected = [p - 0.4 * g for p, g in zip(params(ref), flat(gw, gb))]
    net.train(X, Y, 1, 0.4, shuffle=False, dropout=[0.5, 0.25])
    assert params(net) == pytest.approx(expected, abs=1e-15)
    assert net.rng.getstate() == ref.rng.getstate()


def test_dropout_is_off_after_training_and_in_predict():
    X, Y = small_data(6)
    net = small_net(seed=2)
    net.train(X, Y, 3, 0.5, dropout=0.5)
    assert all(layer.mask is None for layer in net.layers) and not net.masked
    first = [net.predict(x) for x in X]
    assert [net.predict(x) for x in X] == first
    # predict is the plain forward pass of the stored weights
    w, b = net.to_matrices()
    sig = lambda z: 1 / (1 + math.exp(-z))
    for x, out in zip(X, first):
        h = [sig(sum(wi * xi for wi, xi in zip(row, x)) + bj) for row, bj in zip(w[0], b[0])]
        o = [sig(sum(wi * hi for wi, hi in zip(row, h)) + bj) for row, bj in zip(w[1], b[1])]
        assert out == pytest.approx(o, abs=1e-15)


def test_dropout_masks_cleared_when_training_fails():
    net = Network([1, 3, 1], activation="identity", loss="sse", init="uniform", init_bound=3,
                  seed=1)
    with pytest.raises(NodenetError):
        net.train([[10.0], [-10.0]], [[1.0], [0.0]], 50, 10.0, dropout=0.2)
    assert not net.masked


def test_dropout_seeded_training_reproducible():
    X, Y = small_data(6)
    a, b, c = small_net(seed=2), small_net(seed=2), small_net(seed=2)
    ha = a.train(X, Y, 5, 0.5, dropout=0.3)
    hb = b.train(X, Y, 5, 0.5, dropout=0.3)
    hc = c.train(X, Y, 5, 0.5)
    assert list(ha) == list(hb) and params(a) == params(b)
    assert params(a) != params(c) and list(ha) != list(hc)


# -- early stopping and validation ----------------------------------------------

def overfit_data():
    rng = random.Random(7)

    def sample(n):
        X = [[rng.uniform(-1, 1)] for _ in range(n)]
        return X, [[math.sin(math.pi * x[0]) + rng.gauss(0, 0.3)] for x in X]
    return sample(12), sample(20)


def overfit_net():
    return Network([1, 16, 1], activation="tanh", output_activation="identity", loss="mse",
                   init="uniform", init_bound=2, seed=3)


def test_early_stopping_restores_the_best_weights():
    (X, Y), (Xv, Yv) = overfit_data()
    net = overfit_net()
    seen = []
    history = net.train(X, Y, 800, 0.1, batch_size=4, validation_data=(Xv, Yv), patience=40,
                        callback=lambda epoch, h: seen.append(net.snapshot()))
    best = history.best_epoch
    assert history.stop_reason == "early_stopping"
    assert history.val_loss[best - 1] == min(history.val_loss)
    assert len(history) == best + 40 < 800
    assert all(v >= history.val_loss[best - 1] for v in history.val_loss[best:])
    assert history.restored
    assert net.snapshot() == seen[best - 1]
    assert net.loss(Xv, Yv) == history.val_loss[best - 1]
    assert len(history.val_loss) == len(history) == len(seen)


def test_validation_loss_recorded_without_early_stopping():
    (X, Y), (Xv, Yv) = overfit_data()
    net = overfit_net()
    history = net.train(X, Y, 30, 0.1, batch_size=4, validation_data=(Xv, Yv))
    assert history.stop_reason == "epochs" and not history.restored
    assert history.val_loss[-1] == net.loss(Xv, Yv)
    assert history[-1] == net.loss(X, Y)
    assert history.best_epoch == 1 + history.val_loss.index(min(history.val_loss))


def test_validation_fraction_uses_net_rng():
    X = [[float(i)] for i in range(10)]
    Y = [[float(i % 2)] for i in range(10)]
    net, ref = Network([1, 2, 1], seed=5), Network([1, 2, 1], seed=5)
    rng = random.Random()
    rng.setstate(net.rng.getstate())
    parts = split_validation(X, Y, 0.3, rng)
    order = list(range(10))
    ref.rng.shuffle(order)                  # the draw train(validation=0.3) makes first
    held = sorted(order[:3])
    assert parts[2] == [X[s] for s in held] and parts[3] == [Y[s] for s in held]
    assert parts[0] == [X[s] for s in range(10) if s not in held]
    assert ref.rng.getstate() == rng.getstate()
    history = net.train(X, Y, 2, 0.5, validation=0.3, shuffle=False)
    ref_history = ref.train(parts[0], parts[1], 2, 0.5, validation_data=(parts[2], parts[3]),
                            shuffle=False)
    assert list(history) == list(ref_history) and history.val_loss == ref_history.val_loss


def test_validation_split_must_leave_both_sides():
    with pytest.raises(NodenetError, match="at least one sample on each side"):
        split_validation([[0.0], [1.0]], [[0.0], [1.0]], 0.1, random.Random(0))


@pytest.mark.parametrize("options, message", [
    (dict(validation=0.2, validation_data=([[0.0, 0.0]], [[0.0]])), "not both"),
    (dict(patience=3), "patience .*needs validation"),
    (dict(validation=1.5), r"validation is the fraction held out, in \(0, 1\)"),
    (dict(validation_data=[[0.0, 0.0]]), r"validation_data must be a pair"),
    (dict(clip_value=0), "clip_value must be > 0, got 0.0"),
    (dict(clip_norm=-1.0), "clip_norm must be > 0"),
    (dict(l2=-0.1), "l2 must be ≥ 0"),
    (dict(l2="big"), "l2 must be a number"),
    (dict(dropout=1.0), r"dropout rates must be in \[0, 1\)"),
    (dict(dropout=[0.1, 0.2]), "one rate per hidden layer: expected 1, got 2"),
    (dict(lr_decay="exp", decay_rate=0.5), "lr_decay must be None, 'step' or '1/t'"),
    (dict(lr_decay="step"), "needs a decay_rate"),
    (dict(lr_decay="step", decay_rate=2.0), r"must be in \(0, 1\]"),
    (dict(decay_rate=0.5), "without lr_decay"),
    (dict(patience=0, validation=0.5), "patience must be at least 1"),
    (dict(accuracy=True, validation=0.5, patience=2, l2=0.1), None),
    (dict(diagnostics="yes"), "diagnostics must be True or False"),
])
def test_bad_options_are_refused(options, message):
    net = Network([2, 2, 1], seed=0)
    X, Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]
    if message is None:                    # a valid combination, for contrast
        history = net.train(X, Y, 2, 0.5, **options)
        assert len(history) == 2 and len(history.accuracy) == 2
        return
    with pytest.raises(NodenetError, match=message):
        net.train(X, Y, 2, 0.5, **options)


def test_accuracy_true_needs_class_targets():
    net = Network([2, 2, 1], seed=0)
    with pytest.raises(NodenetError, match="accuracy=True needs class targets"):
        net.train([[0, 0], [1, 1]], [[0.2], [0.7]], 1, 0.5, accuracy=True)


def test_dropout_needs_a_hidden_layer():
    net = Network([2, 1], seed=0)
    with pytest.raises(NodenetError, match="dropout acts on hidden layers"):
        net.train([[0, 0]], [[0]], 1, 0.5, dropout=0.5)


# -- learning-rate decay ---------------------------------------------------------

def test_learning_rate_schedules_by_hand():
    assert from_decay("step", 0.5, 2).rates(0.4, 6) == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    # 1/(1 + 0.5·(t − 1)) for t = 1, 2, 3, 5
    rates = from_decay("1/t", 0.5).rates(1.0, 5)
    assert [rates[t - 1] for t in (1, 2, 3, 5)] == [1.0, 2 / 3, 0.5, 1 / 3]
    assert from_decay(None) is None


@pytest.mark.parametrize("decay, rate, every, etas", [
    ("step", 0.5, 2, [0.8, 0.8, 0.4, 0.4, 0.2]),
    ("1/t", 1.0, 1, [0.8, 0.4, 0.8 / 3, 0.2, 0.16]),
])
def test_decay_changes_each_epochs_step(decay, rate, every, etas):
    X, Y = [[0.5, -0.2], [0.1, 0.9]], [[1.0], [0.0]]
    net, ref = Network([2, 3, 1], seed=4), Network([2, 3, 1], seed=4)
    history = net.train(X, Y, 5, 0.8, shuffle=False, lr_decay=decay, decay_rate=rate,
                        decay_every=every)
    assert history.etas == pytest.approx(etas, rel=1e-15)
    for eta in history.etas:
        for x, y in zip(X, Y):
            ref.step(x, y, eta)
    assert params(net) == params(ref)                 # bit for bit, as online training


# -- the general loop equals the plain one ----------------------------------------

@pytest.mark.parametrize("batch_size, momentum", [(1, 0.0), (2, 0.5), (4, 0.9)])
def test_general_loop_matches_plain_loop_bit_for_bit(batch_size, momentum):
    X, Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]
    a, b = Network([2, 3, 1], seed=2), Network([2, 3, 1], seed=2)
    ha = a.train(X, Y, 30, 0.5, batch_size=batch_size, momentum=momentum)
    hb = b.train(X, Y, 30, 0.5, batch_size=batch_size, momentum=momentum, diagnostics=True)
    assert list(ha) == list(hb) and a.snapshot() == b.snapshot()
    assert ha.accuracy == hb.accuracy and ha.best_epoch == hb.best_epoch
    assert a.rng.getstate() == b.rng.getstate()


def test_dropout_rates_are_normalized_one_per_layer():
    net = Network([2, 3, 3, 1], seed=0)
    assert dropout_rates(net, 0.2) == [0.2, 0.2, 0.0]
    assert dropout_rates(net, [0.0, 0.5]) == [0.0, 0.5, 0.0]


# -- the helpers check their arguments (issue 11, item 10) -------------------------

@pytest.mark.parametrize("l2, message", [
    ("1.5", "l2 must be a number, got str '1.5'"),
    (True, "l2 must be a number, got bool True"),
    (float("nan"), "l2 must be finite, got nan"),
    (10 ** 400, "l2 must be a finite number, got int"),
    (-0.5, "l2 must be ≥ 0, got -0.5"),
])
def test_regularized_helpers_refuse_a_bad_l2(l2, message):
    net = small_net()
    X, Y = small_data(3)
    for helper in (lambda: regularized_gradients(net, X, Y, l2),
                   lambda: regularized_loss(net, X, Y, l2), lambda: l2_penalty(net, l2)):
        with pytest.raises(NodenetError, match=message):
            helper()
    with pytest.raises(NodenetError, match="bias must be True or False, got 1"):
        regularized_gradients(net, X, Y, 0.1, bias=1)


def test_regularized_gradients_refuse_a_short_input():
    net = small_net()
    with pytest.raises(NodenetError, match="sample 0: .*expects 3 inputs, got 2"):
        regularized_gradients(net, [[0.1, 0.2]], [[0.5, 0.5]], 0.1)
