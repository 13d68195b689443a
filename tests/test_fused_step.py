"""The fast per-sample step computes exactly what the plain loops compute.

``net.step(x, y, eta)`` (order "standard") and ``train(batch_size=1)`` run
``Network.sgd_step``; these tests hold it to the bits of
``backward()`` + ``update()`` and of the loops nodenet had before it was
made fast (written out below as the reference).
"""

import importlib.util
import math
import random
import sys
import warnings
from pathlib import Path

import pytest

from nodenet import Network, NodenetError

CONFIGS = [  # sizes, hidden activation(s), output activation, loss, bias
    ([2, 4, 1], "tanh", "sigmoid", "sse", True),
    ([3, 5, 4, 2], ["relu", "tanh"], "sigmoid", "mse", True),
    ([3, 4, 3], "sigmoid", "softmax", "cross_entropy", True),
    ([4, 3, 3], "leaky_relu", "softmax", "sse", False),
    ([2, 3, 1], "sigmoid", "sigmoid", "bce", False),
    ([2, 2, 2], "identity", "tanh", "half_sse", True),
    ([3, 1, 2], "tanh", "identity", "mse", True),      # a one-node hidden layer
    ([5, 2], "sigmoid", "sigmoid", "sse", True),        # a single layer
]


def make(config, seed=0):
    sizes, hidden, out, loss, bias = config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Network(sizes, activation=hidden, output_activation=out, loss=loss,
                       seed=seed, bias=bias, init="uniform")


def samples(config, n=6, seed=1):
    sizes, _, out, loss, _ = config
    rng = random.Random(seed)
    X = [[rng.uniform(-2.0, 2.0) for _ in range(sizes[0])] for _ in range(n)]
    Y = []
    for _ in range(n):
        if out == "softmax":
            y = [0.0] * sizes[-1]
            y[rng.randrange(sizes[-1])] = 1.0
        else:
            y = [rng.choice([0.0, 1.0, rng.random()]) for _ in range(sizes[-1])]
        Y.append(y)
    return X, Y


def state(net):
    """Every weight, bias, net, output and delta, as exact hex strings."""
    def h(v):
        return None if v is None else float.hex(v)
    return [[([h(w) for w in node.weights], h(node.bias), h(node.net), h(node.output),
              h(node.delta)) for node in layer] for layer in net.layers]


# -- the loops nodenet had before the fast path, as the reference --------------

def reference_output_deltas(loss, act, y, nets, outputs):
    """δ of the output layer: the two fused pairs, else e·f'(z, a) term by term."""
    if loss.name == "bce" and act.name == "sigmoid":
        return [(t - a) / len(y) for t, a in zip(y, outputs)]
    if loss.name == "cross_entropy" and act.name == "softmax":
        mass = sum(y)
        return [t - a * mass for t, a in zip(y, outputs)]
    upstream = loss.upstream(y, outputs)
    if act.elementwise:
        return [e * act.derivative(z, a) for e, z, a in zip(upstream, nets, outputs)]
    return act.backward(upstream, nets, outputs)


def reference_step(net, x, y, eta):
    """Forward, backward, update with the original loops and summation order."""
    a = [float(v) for v in x]
    net.inputs = a
    acts = [a]
    for layer in net.layers:
        for node in layer:
            node.net = sum(map(lambda w, v: w * v, node.weights, a), node.bias)
        if layer.activation.elementwise:
            for node in layer:
                node.output = layer.activation.function(node.net)
        else:
            for node, o in zip(layer, layer.activation.forward([n.net for n in layer])):
                node.output = o
        a = [node.output for node in layer]
        acts.append(a)
    top = net.layers[-1]
    for node, d in zip(top, reference_output_deltas(net.loss_function, top.activation, y,
                                                    [n.net for n in top], [n.output for n in top])):
        node.delta = d
    for l in range(len(net.layers) - 1, 0, -1):
        above, below = net.layers[l], net.layers[l - 1]
        upstream = [sum(node.weights[j] * node.delta for node in above) for j in range(len(below))]
        act = below.activation
        if act.elementwise:
            deltas = [e * act.derivative(n.net, n.output) for e, n in zip(upstream, below)]
        else:
            deltas = act.backward(upstream, [n.net for n in below], [n.output for n in below])
        for node, d in zip(below, deltas):
            node.delta = d
    for layer, a in zip(net.layers, acts):
        for node in layer:
            change = eta * node.delta
            for i, ai in enumerate(a):
                node.weights[i] += change * ai
            if layer.use_bias:
                node.bias += change


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c[0]}-{c[2]}-{c[3]}")
def test_step_is_backward_then_update_bit_for_bit(config):
    fused, plain, ref = make(config), make(config), make(config)
    X, Y = samples(config)
    for epoch in range(3):
        for x, y in zip(X, Y):
            fused.step(x, y, 0.3)
            plain.forward(x)
            plain.backward(y)
            plain.update(0.3)
            reference_step(ref, x, y, 0.3)
            assert state(fused) == state(plain) == state(ref)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c[0]}-{c[2]}-{c[3]}")
def test_online_train_is_a_loop_of_steps_bit_for_bit(config):
    trained, stepped = make(config, seed=5), make(config, seed=5)
    X, Y = samples(config, n=5, seed=2)
    history = trained.train(X, Y, 4, 0.2, batch_size=1, momentum=0.0, shuffle=False)
    losses = []
    for epoch in range(4):
        for x, y in zip(X, Y):
            stepped.step(x, y, 0.2)
        losses.append(stepped.loss(X, Y))
    assert [float.hex(v) for v in history] == [float.hex(v) for v in losses]
    assert state(trained) == state(stepped)


def test_a_one_node_layer_passes_back_sum_s_signed_zero():
    # e_j = sum(w_kj·δ_k) with one term is 0 + w·δ, which makes −0.0 into +0.0
    net = Network.from_matrices([[[0.5, -0.25], [0.0, 0.75]], [[0.0, 2.0]]],
                                activations=["tanh", "identity"], loss="half_sse")
    ref = net.copy()
    net.step([1.0, 0.5], [-3.0], 0.1)
    reference_step(ref, [1.0, 0.5], [-3.0], 0.1)
    assert state(net) == state(ref)
    assert net.layers[1][0].delta < 0.0
    assert math.copysign(1.0, net.layers[0][0].delta) == 1.0     # 0.0·δ = −0.0, summed: +0.0


def test_huge_but_finite_changes_take_the_careful_path_and_match():
    # η·δ above 2^960: the quick bound fails, the update is still exact and applied
    net = Network.from_matrices([[[1.0]]], activations="identity", loss="sse")
    plain = net.copy()
    net.step([1.0], [1e300], 1.0)
    plain.forward([1.0])
    plain.backward([1e300])
    plain.update(1.0)
    assert state(net) == state(plain)
    assert net.layers[0][0].weights[0] == pytest.approx(2e300)


def test_an_overflowing_online_update_is_not_applied_and_is_named():
    net = Network.from_matrices([[[1e300, 1.0]]], activations="identity", loss="sse")
    before = net.snapshot()
    with pytest.raises(NodenetError) as info:
        net.train([[1.0, 1.0]], [[-1e300]], 1, 1e10)
    assert str(info.value).startswith(
        "training diverged in epoch 1, sample 0: layer 1 node 0 weight 0 would become -inf")
    assert net.snapshot() == before


def test_a_dropout_mask_gives_the_general_path_s_numbers():
    config = CONFIGS[1]
    masked, general = make(config), make(config)
    X, Y = samples(config)
    mask = [0.0, 2.0, 2.0, 0.0, 2.0]
    masked.layers[0].mask = list(mask)
    general.layers[0].mask = list(mask)
    masked.step(X[0], Y[0], 0.5)
    general.feedforward([float(v) for v in X[0]])
    general.backprop([float(v) for v in Y[0]])
    for l in range(len(general.layers)):
        general.layers[l].update(general.layer_inputs(l), 0.5)
    assert state(masked) == state(general)
    # the mask did act: the first hidden node's outgoing weights feed nothing up
    assert [row[0] for row in masked.to_matrices()[0][1]] == \
           [row[0] for row in make(config).to_matrices()[0][1]]


def careful_calls(net, monkeypatch):
    """Count the steps that fall back from the quick overflow check to the careful update."""
    calls = []
    original = Network._careful_update

    def spy(self, *args):
        calls.append(1)
        return original(self, *args)
    monkeypatch.setattr(Network, "_careful_update", spy)
    return calls


def relu_net(hidden_weight):
    # x → relu hidden (weight given) → identity output (weight 1e-300), sse
    return Network.from_matrices([[[hidden_weight]], [[1e-300]]],
                                 activations=["relu", "identity"], loss="sse")


def test_an_unbounded_hidden_activation_counts_in_the_overflow_bound(monkeypatch):
    # hidden output 1e300 (relu: no bound), δ_out = 2(3 − 1) = 4: η·δ·a = 4e299 is above
    # 2^960 ≈ 9.7e288, so the quick check must hand over; the result is still exact
    net, plain = relu_net(1e300), relu_net(1e300)
    calls = careful_calls(net, monkeypatch)
    net.step([1.0], [3.0], 0.1)
    assert calls == [1]
    plain.forward([1.0])
    plain.backward([3.0])
    plain.update(0.1)
    assert state(net) == state(plain)
    assert net.layers[1][0].weights[0] == pytest.approx(0.1 * 4.0 * 1e300)


def test_small_activations_pass_the_quick_check(monkeypatch):
    net = relu_net(1.0)
    calls = careful_calls(net, monkeypatch)
    net.step([1.0], [3.0], 0.1)
    assert calls == []
    config = CONFIGS[0]                 # tanh hidden: its outputs count as 1 however large z
    big = make(config)
    for node in big.layers[0]:
        node.weights[:] = [1e200, -1e200]
    calls = careful_calls(big, monkeypatch)
    big.step([1.0, 0.5], [0.5], 0.1)
    assert calls == []


def test_a_nan_in_a_bounded_hidden_layer_stops_the_step(monkeypatch):
    # 10·1e308 − 10·1e308 = inf − inf = NaN, and tanh(NaN) = NaN: the step is refused whole
    net = Network.from_matrices([[[10.0, -10.0]], [[1.0]]], activations=["tanh", "sigmoid"])
    before = net.snapshot()
    calls = careful_calls(net, monkeypatch)
    with pytest.raises(NodenetError, match="layer 1 node 0 net became nan"):
        net.step([1e308, 1e308], [1.0], 0.1)
    assert calls == [1]
    assert net.snapshot() == before


# -- the benchmark script: its correctness checks (never its timings) ---------

def load_benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "step.py"
    spec = importlib.util.spec_from_file_location("nodenet_step_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_floor_is_right_and_agrees_with_nodenet():
    bench = load_benchmark()
    assert bench.check_floor() < 1e-6                 # gradients vs finite differences
    differ = bench.check_same_numbers(steps=3)
    if sys.version_info < (3, 12):
        assert differ == 0.0                          # nodenet and the floor, bit for bit
    else:                                             # sum() is compensated from 3.12 on
        assert 0.0 <= differ < 1e-12
    X, Y = bench.data([2, 4, 1])
    steps = bench.contenders([2, 4, 1])
    for name in ("floor", "nodenet", "nodenet-train"):
        steps[name](X[0], Y[0], bench.ETA)            # one short round runs
    assert bench.n_params([64, 64, 10]) == 4810
    assert bench.slope([(1, 3.0), (2, 5.0), (4, 9.0)]) == (2.0, 1.0)
