"""train(): the optimizer seam, the order of the samples, and the guarantees at the edges."""

import math
import random

import pytest

import nodenet
from nodenet import Network, NodenetError, TrainingError
from nodenet.optimizers import SGD, Adagrad, Adam, AdamW, HandoutMomentum, RMSprop
from nodenet.schedules import CosineAnnealingLR, StepLR

XOR_X, XOR_Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]


def data(n=7, seed=0):
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    return X, [[rng.uniform(0, 1), rng.uniform(0, 1)] for _ in range(n)]


def small(seed=1, **kw):
    options = dict(activation="tanh", output_activation="sigmoid", loss="mse", seed=seed)
    options.update(kw)
    return Network([3, 4, 2], **options)


# -- the optimizer seam ----------------------------------------------------------------

def test_train_with_an_optimizer_is_a_loop_of_its_steps():
    # batches of 3 from 7 samples (3, 3, 1), order given: each step is gradients + opt.step
    X, Y = data()
    order = [6, 2, 0, 5, 1, 3, 4]
    net, ref = small(), small()
    opt, ref_opt = Adam(lr=0.05), Adam(lr=0.05)
    history = net.train(X, Y, 2, optimizer=opt, batch_size=3, order=order)
    for _ in range(2):
        for i in range(0, 7, 3):
            batch = order[i:i + 3]
            ref_opt.step(ref, *ref.gradients([X[s] for s in batch], [Y[s] for s in batch]))
    assert net.snapshot() == ref.snapshot()                 # bit for bit
    assert opt.steps == ref_opt.steps == 6
    assert history.orders == [tuple(order)] * 2 and history.etas == [0.05, 0.05]


def test_the_optimizer_state_carries_over_to_the_next_call():
    X, Y = data()
    once, twice = small(), small()
    opt_once, opt_twice = RMSprop(lr=0.01, momentum=0.5), RMSprop(lr=0.01, momentum=0.5)
    once.train(X, Y, 4, optimizer=opt_once, batch_size=2, shuffle=False)
    twice.train(X, Y, 2, optimizer=opt_twice, batch_size=2, shuffle=False)
    twice.train(X, Y, 2, optimizer=opt_twice, batch_size=2, shuffle=False)
    assert once.snapshot() == twice.snapshot() and opt_twice.steps == 16


def test_eta_maps_onto_sgd_and_handout_momentum():
    X, Y = data()
    for options, optimizer in ((dict(), SGD(0.3)),
                               (dict(l2=0.1, l2_bias=True), SGD(0.3, weight_decay=0.1)),
                               (dict(momentum=0.9, l2=0.1),
                                HandoutMomentum(0.3, 0.9, weight_decay=0.1, decay_biases=False))):
        a, b = small(), small()
        a.train(X, Y, 3, 0.3, batch_size=2, **options)
        b.train(X, Y, 3, optimizer=optimizer, batch_size=2)
        assert a.snapshot() == b.snapshot()


def test_lr_decay_is_a_schedule():
    X, Y = data()
    a, b = small(), small()
    ha = a.train(X, Y, 5, 0.4, batch_size=3, lr_decay="step", decay_rate=0.5, decay_every=2)
    hb = b.train(X, Y, 5, optimizer=SGD(0.4), batch_size=3, schedule=StepLR(2, 0.5))
    assert ha.etas == hb.etas == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert a.snapshot() == b.snapshot()


@pytest.mark.parametrize("kwargs, message", [
    (dict(), r"train needs eta \(plain SGD\) or optimizer \(e.g. Adam\(lr=1e-3\)\), got neither"),
    (dict(eta=0.1, optimizer=SGD(0.1)), "give eta .plain SGD. or optimizer, not both"),
    (dict(optimizer=SGD(0.1), momentum=0.9), "momentum, l2 and l2_bias go with eta="),
    (dict(optimizer=Adam(), l2=0.1), "momentum, l2 and l2_bias go with eta="),
    (dict(optimizer="adam"), r"optimizer must be a nodenet.optimizers optimizer .*got str 'adam'"),
    (dict(eta=0.1, schedule=StepLR(2), lr_decay="step", decay_rate=0.5),
     "give schedule or lr_decay, not both"),
    (dict(eta=0.1, schedule=lambda e: 0.1), "schedule must be a nodenet.schedules schedule"),
    (dict(eta=0.1, l2_bias=1), "l2_bias must be True or False, got 1"),
])
def test_conflicting_options_are_refused_and_change_nothing(kwargs, message):
    X, Y = data()
    net = small()
    before, state = net.snapshot(), net.rng.getstate()
    with pytest.raises(NodenetError, match=message):
        net.train(X, Y, 2, validation=0.3, **kwargs)
    assert net.snapshot() == before and net.rng.getstate() == state


# -- the order of the samples -----------------------------------------------------------

def test_shuffle_draws_are_documented_and_recorded():
    # one list, shuffled in place with net.rng at the start of every epoch
    X, Y = data()
    net = small(seed=4)
    rng = random.Random()
    rng.setstate(net.rng.getstate())
    history = net.train(X, Y, 3, 0.2, batch_size=2)
    order, expected = list(range(7)), []
    for _ in range(3):
        rng.shuffle(order)
        expected.append(tuple(order))
    assert history.orders == expected
    assert net.rng.getstate() == rng.getstate()


def test_a_recorded_order_replays_the_run_bit_for_bit():
    X, Y = data()
    shuffled, replayed = small(seed=2), small(seed=2)
    history = shuffled.train(X, Y, 4, optimizer=AdamW(lr=0.01), batch_size=3)
    again = replayed.train(X, Y, 4, optimizer=AdamW(lr=0.01), batch_size=3,
                           order=history.orders)
    assert shuffled.snapshot() == replayed.snapshot() and list(history) == list(again)


def test_order_as_a_callable_and_its_checks():
    X, Y = data()
    calls = []

    def order(epoch, n):
        calls.append((epoch, n))
        return list(range(n))[::-1] if epoch % 2 else list(range(n))
    history = small().train(X, Y, 3, 0.2, order=order)
    assert calls == [(1, 7), (2, 7), (3, 7)]
    assert history.orders[0] == (6, 5, 4, 3, 2, 1, 0) and history.orders[1] == tuple(range(7))
    net = small()
    with pytest.raises(TrainingError, match=r"order\(2, 7\) must be a permutation of 0 … 6 "
                                            r"\(each sample once\), got list \[0, 0,"):
        net.train(X, Y, 3, 0.2, order=lambda e, n: list(range(n)) if e == 1 else [0] * n)


@pytest.mark.parametrize("order, message", [
    ([0, 1, 2], r"order must be a permutation of 0 … 6"),
    ([0, 1, 2, 3, 4, 5, 5], r"order must be a permutation of 0 … 6"),
    ([0, 1, 2, 3, 4, 5, True], r"order must be a permutation of 0 … 6"),
    ([list(range(7))] * 2, "order lists one permutation per epoch: expected 3, got 2"),
    ([list(range(7)), list(range(7)), [1] * 7], r"order\[2\] must be a permutation"),
    ("0123456", "order must be a permutation"),
    ([], "order must be a permutation"),
])
def test_bad_orders_are_refused_before_anything_changes(order, message):
    X, Y = data()
    net = small()
    before, state = net.snapshot(), net.rng.getstate()
    with pytest.raises(NodenetError, match=message):
        net.train(X, Y, 3, 0.2, order=order)
    assert net.snapshot() == before and net.rng.getstate() == state


# -- guarantees at the edges (issue 11, items 5 and 11) ------------------------------------

def test_an_overflowing_update_is_never_applied_though_the_sums_cancel():
    # weights ±1.7e308 sum to 0 and both changes are +5e307: a check on the sum
    # Σw + ΣΔw = 1e308 passes, while w0 + Δw0 overflows.  Every path must refuse it.
    for options in (dict(momentum=0.5), dict(clip_value=1e308), dict(diagnostics=True),
                    dict(batch_size=1), dict(optimizer=SGD(1.0, momentum=0.5))):
        net = Network.from_matrices([[[1.7e308, -1.7e308]]], activations="identity",
                                    loss="half_sse", bias=False)
        eta = None if "optimizer" in options else 1.0
        with pytest.raises(TrainingError) as info:
            net.train([[1.0, 1.0]], [[5e307]], 1, eta, **options)
        assert str(info.value).startswith(
            "training diverged in epoch 1, sample 0: layer 1 node 0 weight 0 would become inf; "
            "the network is left as it was before this update"), options
        assert net.layers[0][0].weights == [1.7e308, -1.7e308]


@pytest.mark.parametrize("make", [lambda: Adam(lr=1e-3), lambda: AdamW(lr=1e-3),
                                  lambda: RMSprop(lr=1e-3), lambda: Adagrad(lr=1e-3),
                                  lambda: SGD(1e-3, momentum=0.9),
                                  lambda: HandoutMomentum(1e-3, 0.9)])
def test_divergence_keeps_the_last_good_weights_and_state_with_every_optimizer(make):
    # the third sample's gradient squares to inf (Adam's v) or its step overflows
    X, Y = [[0.1], [0.2], [1e200]], [[0.0], [0.5], [0.0]]
    net = Network.from_matrices([[[1.0]]], [[0.0]], activations="identity", loss="sse")
    opt = make()
    seen = []
    with pytest.raises(TrainingError) as info:
        net.train(X, Y, 1, optimizer=opt, shuffle=False,
                  callback=lambda e, h: seen.append(e))
    assert "training diverged in epoch 1, sample 2: layer 1 node 0" in str(info.value)
    assert opt.steps == 2 and seen == []
    assert all(math.isfinite(v) for v in net.snapshot()[0][0][0] + [net.layers[0][0].bias])
    assert all(math.isfinite(v) for node in opt.state[0] for s in node for v in s)
    assert isinstance(info.value.history, nodenet.History)


def test_an_epoch_whose_loss_overflows_is_undone_with_the_optimizer_state():
    # w = 1e155: the loss (1e155)² overflows, while the tiny steps stay finite
    net = Network.from_matrices([[[1e155]]], [[0.0]], activations="identity", loss="sse")
    opt = SGD(lr=1e-170, momentum=0.9)
    with pytest.raises(TrainingError, match="the network is left as it was at the start of "
                                            "epoch 1") as info:
        net.train([[1.0]], [[0.0]], 2, optimizer=opt)
    assert net.layers[0][0].weights == [1e155] and net.layers[0][0].bias == 0.0
    assert opt.steps == 0 and opt.state is None and info.value.history == []


def test_a_learning_rate_that_underflows_to_zero_trains_on_with_zero():
    # η_2 = 1e-300/(1 + 1e300) = 0: once a ZeroDivisionError (issue 11, item 11)
    X, Y = data()
    for options in (dict(diagnostics=True), dict(clip_norm=1.0), dict(batch_size=2)):
        net = small()
        history = net.train(X, Y, 3, 1e-300, lr_decay="1/t", decay_rate=1e300, **options)
        assert history.etas == [1e-300, 0.0, 0.0] and history.stop_reason == "epochs"
    net = small()
    with pytest.raises(TrainingError, match=r"the learning rate of epoch 2 would be inf"):
        net.train(X, Y, 4, optimizer=SGD(1e300), schedule=StepLR(1, gamma=1e10))


def test_patience_with_a_validation_loss_that_is_never_finite():
    # validation inputs whose outputs overflow: the loss is inf from epoch 1 (once a TypeError)
    X, Y = [[0.5], [0.25]], [[0.1], [0.2]]
    net = Network.from_matrices([[[10.0]]], [[0.0]], activations="identity", loss="mse")
    history = net.train(X, Y, 10, 0.1, validation_data=([[1e308]], [[0.0]]), patience=3)
    assert history.val_loss == [math.inf] * 3
    assert history.stop_reason == "early_stopping" and history.best_epoch is None
    assert not history.restored and len(history) == 3


def test_training_error_is_exported_and_carries_the_history():
    net = Network([3, 8, 8, 1], activation="identity", loss="mse", init="uniform",
                  init_bound=3, seed=1)
    with pytest.raises(TrainingError) as info:
        net.train([[1.0, -1.0, 0.5]] * 4, [[1.0]] * 4, 50, 1.0, batch_size=4)
    err = info.value
    assert isinstance(err, NodenetError) and nodenet.TrainingError is TrainingError
    assert len(err.history) >= 1 and str(err).startswith("training diverged in epoch ")


def test_cosine_schedule_drives_the_epochs():
    X, Y = data()
    history = small().train(X, Y, 5, optimizer=Adam(lr=0.1), schedule=CosineAnnealingLR(4))
    assert history.etas == pytest.approx([0.1, 0.0853553390593, 0.05, 0.0146446609407, 0.0],
                                         abs=1e-13)


def test_accuracy_with_class_index_targets():
    # a loss that takes class indices: a target [2] of a 3-output network is class 2
    net = Network([2, 4, 3], activation="tanh", output_activation="identity",
                  loss="cross_entropy_with_logits", seed=1)
    X, Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 2, 1]
    history = net.train(X, Y, 200, optimizer=Adam(lr=0.05), batch_size=2)
    predicted = [net.classify(x) for x in X]
    assert history.accuracy[-1] == sum(p == y for p, y in zip(predicted, Y)) / 4
    assert predicted == Y and history.accuracy[-1] == 1.0
