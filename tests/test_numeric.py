"""Numeric faults (issue 5): no OverflowError anywhere, and divergence is caught.

Every activation, derivative and loss is evaluated at net inputs from −1e308
to 1e308; training that blows up must stop with a NodenetError naming the
epoch, the sample and the node, with the network as it was before the failing
update (checked by replaying the same seed up to that point).
"""

import math
import re

import pytest

from nodenet import ACTIVATIONS, LOSSES, Network, NodenetError
from nodenet.activations import sigmoid, softmax
from nodenet.losses import EPS, LOG_FLOOR, output_deltas

INF = float("inf")
EXTREMES = [-1e308, -1e300, -745.0, -710.0, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 36.8,
            710.0, 745.0, 1e300, 1e308]
BOUNDED = {"step": (0.0, 1.0), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}


def no_nan(values):
    return not any(math.isnan(v) for v in values)


# -- activations -----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_and_derivative_at_extreme_net_inputs(name):
    act = ACTIVATIONS[name]
    for z in EXTREMES:
        nets = [z, 0.0] if name == "softmax" else [z]
        outputs = act.forward(nets)
        assert all(map(math.isfinite, outputs)), (name, z, outputs)
        if name in BOUNDED:
            lo, hi = BOUNDED[name]
            assert all(lo <= a <= hi for a in outputs), (name, z, outputs)
        deltas = act.backward([1.0] * len(nets), nets, outputs)
        assert all(map(math.isfinite, deltas)), (name, z, deltas)


def test_limits_at_the_ends_of_the_float_range():
    assert sigmoid(-1e308) == 0.0 and sigmoid(1e308) == 1.0
    assert sigmoid(-745.0) == 5e-324 and sigmoid(-746.0) == 0.0    # smallest subnormal, then 0
    assert ACTIVATIONS["tanh"].function(-1e308) == -1.0
    assert ACTIVATIONS["relu"].function(1e308) == 1e308
    assert ACTIVATIONS["relu"].function(-1e308) == 0.0
    assert ACTIVATIONS["leaky_relu"].function(-1e308) == -1e306
    assert ACTIVATIONS["step"].function(-1e308) == 0.0
    # net inputs that already overflowed to ±inf still have their limits
    assert sigmoid(INF) == 1.0 and sigmoid(-INF) == 0.0
    assert ACTIVATIONS["tanh"].function(INF) == 1.0


@pytest.mark.parametrize("nets, expected", [
    ([1e308, -1e308, 0.0], [1.0, 0.0, 0.0]),
    ([-1e308, 1e308], [0.0, 1.0]),
    ([1e308, 1e308], [0.5, 0.5]),
    ([-1e308, -1e308, -1e308, -1e308], [0.25] * 4),
    ([1e308, 1e308 - 1e292, -1e308], [1.0, 0.0, 0.0]),
])
def test_softmax_with_mixed_huge_net_inputs(nets, expected):
    assert softmax(nets) == expected
    deltas = ACTIVATIONS["softmax"].backward([1.0, -1.0] + [0.5] * (len(nets) - 2), nets, expected)
    assert all(map(math.isfinite, deltas))


@pytest.mark.parametrize("nets", [[INF, 3.0, INF], [-INF, -INF], [-INF, 0.0]])
def test_an_overflowed_net_input_makes_a_softmax_layer_nan_not_a_distribution(nets):
    # (issue 11: a ±inf net input must stop training; a share of 1 would hide it)
    net = Network.from_matrices([[[1.0]] * len(nets)], activations="softmax", loss="sse")
    for node, z in zip(net.layers[0], nets):
        node.bias = z
    outputs = net.feedforward([0.0])
    assert all(map(math.isnan, outputs))
    with pytest.raises(NodenetError, match=r"^forward: layer 1 node \d net became -?inf"):
        net.forward([0.0])


# -- losses ----------------------------------------------------------------

SATURATED = [0.0, 1.0, 5e-324, 1e-300, 1.0 - 1e-16, -1.0, 2.0, -1e308, 1e308]


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_and_its_derivative_with_saturated_outputs(name):
    loss = LOSSES[name]
    targets = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    for y in targets:
        for p in SATURATED:
            for q in (0.0, 1.0, 1e308):
                yhat = [p, q]
                value = loss.sample_value(y, yhat)          # must not raise
                e = loss.upstream(y, yhat)
                assert not math.isnan(value) and no_nan(e), (name, y, yhat, value, e)
                if name in ("bce", "cross_entropy"):        # clipped logs: always finite
                    assert math.isfinite(value) and all(map(math.isfinite, e))
                    assert value <= max(-2 * math.log(EPS), -2 * LOG_FLOOR) + 1e-9
                elif max(abs(p), abs(q)) <= 1e150:          # squares of finite numbers
                    assert math.isfinite(value)
        if name != "nll":                                   # nll of non-log-probabilities
            assert loss.value([y, y], [[1e308, -1e308], [0.5, 0.5]]) >= 0.0


def test_squared_losses_overflow_to_inf_not_overflowerror():
    # (1e200)² is out of float range: the loss is inf, it does not raise
    assert LOSSES["sse"].sample_value([0.0], [1e200]) == INF
    assert LOSSES["mse"].sample_value([0.0, 0.0], [1e200, 0.0]) == INF
    assert LOSSES["half_sse"].upstream([0.0], [1e308]) == [-1e308]


def test_saturated_bce_and_cross_entropy_values_are_the_clipped_logs():
    assert LOSSES["bce"].sample_value([1.0], [0.0]) == -LOG_FLOOR        # torch's −100 floor
    assert LOSSES["bce"].sample_value([0.0], [1.0]) == -LOG_FLOOR
    assert LOSSES["cross_entropy"].sample_value([0.0, 1.0], [1.0, 0.0]) == pytest.approx(-math.log(EPS))


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("act_name", sorted(ACTIVATIONS))
def test_output_deltas_for_every_pair_at_extreme_nets(loss_name, act_name):
    loss, act = LOSSES[loss_name], ACTIVATIONS[act_name]
    for z in EXTREMES:
        nets = [z, -z]
        outputs = act.forward(nets)
        if not all(map(math.isfinite, outputs)):
            continue            # log_softmax of ±1e308: −inf, which forward refuses
        for y in ([1.0, 0.0], [0.0, 1.0]):
            deltas = output_deltas(loss, act, y, nets, outputs)
            assert no_nan(deltas), (loss_name, act_name, z, deltas)
            if act_name in BOUNDED:
                assert all(map(math.isfinite, deltas)), (loss_name, act_name, z, deltas)


def test_fused_pairs_stay_exact_where_outputs_saturate():
    sig, soft = ACTIVATIONS["sigmoid"], ACTIVATIONS["softmax"]
    # sigmoid + bce: δ = (y − a)/K even where a(1 − a) underflows to 0
    assert output_deltas(LOSSES["bce"], sig, [1.0], [-1e308], [0.0]) == [1.0]
    nets = [1e308, -1e308, 0.0]
    assert output_deltas(LOSSES["cross_entropy"], soft, [0.0, 1.0, 0.0], nets,
                         softmax(nets)) == [-1.0, 1.0, 0.0]


# -- whole networks: Σ w·x overflowing inside forward ---------------------------

def test_sum_overflowing_inside_forward_saturates_or_raises_a_named_error():
    big = [[[1e308, 1e308]], [[1e308]]]
    # sigmoid layers: the net input is inf; its output, the limit 1, would hide it
    # (issue 11: an overflowed net input stops every path)
    net = Network.from_matrices(big, activations="sigmoid")
    with pytest.raises(NodenetError, match=r"^forward: layer 1 node 0 net became inf"):
        net.forward([1e308, 1e308])
    assert net.layers[0][0].net == INF
    # softmax output whose net inputs overflow
    net = Network.from_matrices([[[1e308, 1e308], [1e308, 1e308]], [[1e308, 1e308], [1.0, -1.0]]],
                                activations=["tanh", "softmax"])
    with pytest.raises(NodenetError, match=r"^forward: layer 1 node 0 net became inf"):
        net.forward([1e308, 1.0])
    # identity layers: the output would be inf, and forward says where it began
    net = Network.from_matrices(big, activations="identity")
    with pytest.raises(NodenetError) as info:
        net.predict([1e308, 1e308])
    assert str(info.value) == ("forward: layer 1 node 0 net became inf (overflow: weights, "
                               "inputs or eta too large)")
    with pytest.raises(NodenetError, match=r"^loss: sample 1: layer 1 node 0 net became inf"):
        net.loss([[0.0, 0.0], [1e308, 1e308]], [[0.0], [0.0]])
    with pytest.raises(NodenetError, match=r"^gradients: sample 0: layer 1 node 0 net became inf"):
        net.gradients([[1e308, 1e308]], [[0.0]])
    # inf − inf is NaN; relu would hide it as 0, so forward refuses it
    with pytest.raises(NodenetError, match=r"^forward: layer 1 node 0 net became nan"):
        Network.from_matrices([[[1e308, -1e308]]], activations="relu").classify([1e308, 1e308])


# -- divergence ------------------------------------------------------------

X = [[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5], [3.0, 1.0]]
Y = [[1.0], [0.0], [2.0], [-1.0]]


def relu_net():
    return Network([2, 3, 1], activation="relu", output_activation="identity", seed=4,
                   init="uniform")


def diverge(net, **options):
    before = net.snapshot()
    with pytest.raises(NodenetError) as info:
        net.train(X, Y, 100, options.pop("eta"), shuffle=False, **options)
    message = str(info.value)
    match = re.match(r"training diverged in epoch (\d+), sample (\d+): ", message)
    assert match, message
    assert net.snapshot() != before
    assert all(math.isfinite(w) for layer in net.snapshot() for ws, b in layer for w in ws + [b])
    return int(match[1]), int(match[2]), message


def test_online_divergence_names_epoch_sample_node_and_keeps_the_last_good_weights():
    net = relu_net()
    epoch, sample, message = diverge(net, eta=0.5)
    assert (epoch, sample) == (4, 3)
    assert message == ("training diverged in epoch 4, sample 3: layer 1 node 0 delta became "
                       "-inf; the network is left as it was before this update (try a smaller "
                       "eta, or gradient clipping)")
    # replay the same seed up to the failing update: identical weights
    replay = relu_net()
    replay.train(X, Y, epoch - 1, 0.5, shuffle=False)
    for s in range(sample):
        replay.step(X[s], Y[s], 0.5)
    assert net.snapshot() == replay.snapshot()


@pytest.mark.parametrize("batch_size, momentum", [(4, 0.0), (4, 0.9), (2, 0.5), (1, 0.0)])
def test_an_update_that_would_overflow_a_weight_is_never_applied(batch_size, momentum):
    net = Network([2, 3, 1], activation="identity", output_activation="identity", seed=4)
    net.train(X, Y, 3, 0.01, batch_size=batch_size, momentum=momentum, shuffle=False)
    before = net.snapshot()
    with pytest.raises(NodenetError) as info:
        net.train(X, [[1e200]] * 4, 5, 1e200, batch_size=batch_size, momentum=momentum,
                  shuffle=False)
    assert re.fullmatch(rf"training diverged in epoch 1, sample {batch_size - 1}: layer \d node \d "
                        r"(weight \d|bias) would become -?(inf|nan); the network is left as it "
                        r"was before this update \(try a smaller eta, or gradient clipping\)",
                        str(info.value)), str(info.value)
    assert net.snapshot() == before


def test_mini_batch_divergence_keeps_the_weights_before_the_failing_batch():
    net = relu_net()
    epoch, sample, message = diverge(net, eta=1.0, batch_size=2)
    assert message.startswith("training diverged in epoch 4, sample 2: layer 1 node 0 delta "
                              "became nan; the network is left as it was before this update")
    replay = relu_net()                 # 3 epochs, then epoch 4's first batch (samples 0, 1)
    replay.train(X, Y, 3, 1.0, batch_size=2, shuffle=False)
    replay.train(X[:2], Y[:2], 1, 1.0, batch_size=2, shuffle=False)
    assert net.snapshot() == replay.snapshot()


def test_the_loss_sum_overflowing_names_the_largest_sample():
    net = Network([2, 3, 1], activation="tanh", output_activation="identity", seed=4,
                  init="uniform")
    with pytest.raises(NodenetError) as info:
        net.train(X, Y, 300, 1e50, batch_size=4, shuffle=False)
    assert re.fullmatch(r"training diverged in epoch 3: the sum of the samples' losses overflowed "
                        r"to inf \(largest: sample \d\); the network is left as it was at the "
                        r"start of epoch 3, when its loss was still finite \(try a smaller eta, "
                        r"or gradient clipping\)", str(info.value)), str(info.value)
    # the whole epoch is undone: the weights are those after epoch 2, bit for bit
    replay = Network([2, 3, 1], activation="tanh", output_activation="identity", seed=4,
                     init="uniform")
    replay.train(X, Y, 2, 1e50, batch_size=4, shuffle=False)
    assert net.snapshot() == replay.snapshot()


def test_divergence_found_while_evaluating_the_epoch_loss_names_the_sample():
    net = relu_net()
    epoch, sample, message = diverge(net, eta=1.0)
    assert (epoch, sample) == (2, 2)
    assert message.startswith("training diverged in epoch 2, sample 2: after the epoch's "
                              "updates, layer 2 node 0 output ")
    assert message.endswith("is so far from its target 2.0 that the loss overflowed; the network "
                            "is left as it was at the start of epoch 2, when its loss was still "
                            "finite (try a smaller eta, or gradient clipping)")
    replay = relu_net()                 # the whole epoch 2 is undone
    replay.train(X, Y, 1, 1.0, shuffle=False)
    assert net.snapshot() == replay.snapshot()


def test_sigmoid_network_with_a_huge_eta_never_overflows():
    net = Network([2, 4, 1], seed=1)
    history = net.train([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], 20, 1e300)
    assert len(history) == 20 and all(map(math.isfinite, history))


def test_a_net_input_that_overflows_only_at_the_epoch_end_undoes_the_epoch():
    # sample 0 is fine when it is trained on; sample 1's update makes w1 huge, and
    # then sample 0's net input is −inf, hidden behind a sigmoid output of 0 (issue 11)
    net = Network.from_matrices([[[1e-300]], [[1.0]]], activations=["sigmoid", "identity"],
                                loss="sse")
    before = net.snapshot()
    with pytest.raises(NodenetError, match=r"^training diverged in epoch 1, sample 0: after the "
                                           r"epoch's updates, layer 1 node 0 net became -inf"):
        net.train([[1e200], [1.0]], [[0.0], [1e300]], epochs=1, eta=1.0, shuffle=False)
    assert net.snapshot() == before
