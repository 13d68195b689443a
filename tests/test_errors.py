"""Bad input: one clear NodenetError per mistake, named; nothing changed by a failed call.

Issue 5.  Each test checks the message names what was expected, what came and
the layer / node / sample involved.  The property-style tests at the end feed
many seeded random bad values to every entry point (own generator, no
hypothesis) and require a NodenetError, never another exception type.
"""

import copy
import math
import random
import re
import signal
import warnings

import pytest

from nodenet import Layer, Network, Node, NodenetError, NodenetWarning, get_activation, get_loss
from nodenet.activations import LeakyReLU
from nodenet.initializers import get_initializer


def small(loss="sse", act="sigmoid", out=None, seed=3):
    return Network([3, 4, 2], activation=act, output_activation=out, loss=loss, seed=seed)


def raises(match, fn, *args, **kwargs):
    """Call fn and return the NodenetError message, which must match ``match``."""
    with pytest.raises(NodenetError, match=match or None) as info:
        fn(*args, **kwargs)
    return str(info.value)


# -- the exception class --------------------------------------------------------

def test_nodeneterror_is_a_valueerror_and_exported():
    assert issubclass(NodenetError, ValueError)
    assert issubclass(NodenetWarning, UserWarning)


# -- wrong lengths, ragged and empty batches -----------------------------------

def test_wrong_lengths_are_named_for_every_single_sample_entry_point():
    net = small()
    assert raises("", net.forward, [1, 2]) == "forward expects 3 inputs, got 2"
    assert raises("", net.predict, [1, 2, 3, 4]) == "forward expects 3 inputs, got 4"
    raises(r"forward expects 3 inputs, got 0", net.classify, [])
    net.forward([1, 2, 3])
    assert raises("", net.backward, [1]) == "backward expects 2 targets, got 1"
    assert raises("", net.step, [1, 2], [0, 1], 0.1) == "step expects 3 inputs, got 2"
    assert raises("", net.step, [1, 2, 3], [0], 0.1) == "step expects 2 targets, got 1"


def test_step_takes_floats_fast_and_everything_else_through_the_full_checks():
    net, ref = small(), small()
    x, y = [1.0, 2.0, 3.0], [0.0, 1.0]
    net.step(x, y, 0.1)
    assert net.inputs == x and net.inputs is not x      # a copy: the caller keeps its list
    x.append(9.0)
    assert net.inputs == [1.0, 2.0, 3.0]
    assert y == [0.0, 1.0]                              # targets are only read
    ref.step((1, 2.0, 3), (False + 0.0, 1), 0.1)        # a tuple and ints: converted
    assert all(type(v) is float for v in ref.inputs)
    assert ref.to_matrices() == net.to_matrices()
    assert raises("", net.step, [1.0, True, 3.0], y, 0.1) == \
        "step: input 1 must be a number, got bool True"
    assert raises("", net.step, [1.0, 2.0, 3.0], [0.0, float("nan")], 0.1) == \
        "step: target 1 must be finite, got nan"
    assert raises("", net.step, [1.0, "2", 3.0], y, 0.1) == \
        "step: input 1 must be a number, got str '2'"
    # finite floats whose sum overflows are still accepted (the quick test only gives up)
    assert small().step([1e308, 1e308, 0.0], [0.0, 1.0], 0.0) >= 0.0


class Float64(float):
    """A float subclass, as numpy.float64 is: converted to a plain float on the way in."""


def test_float_subclasses_become_plain_floats():
    net = small()
    net.step([Float64(1.0), 2.0, 3.0], [Float64(0.0), 1.0], 0.1)
    assert [type(v) for v in net.inputs] == [float, float, float]
    net.forward([Float64(0.5)] * 3)
    assert [type(v) for v in net.inputs] == [float, float, float]


@pytest.mark.parametrize("method", ["loss", "gradients", "train"])
def test_batches_ragged_empty_and_mismatched(method):
    net = small()
    call = getattr(net, method)
    extra = (1, 0.1) if method == "train" else ()
    X = [[0, 0, 1], [0, 1, 1], [1, 0, 1]]
    Y = [[0, 1], [1, 0], [1, 0]]
    msg = raises(r"sample 1", call, [X[0], [0, 1], X[2]], Y, *extra)
    assert msg == f"sample 1: {method} expects 3 inputs, got 2"
    msg = raises(r"sample 2", call, X, [Y[0], Y[1], [1]], *extra)
    assert msg == f"sample 2: {method} expects 2 targets, got 1"
    assert raises("", call, [], [], *extra) == \
        f"{method} expects at least one sample, got an empty batch"
    assert raises("", call, X, Y[:2], *extra) == (
        f"{method} expects as many targets as inputs, got 3 inputs and 2 targets")
    raises(rf"{method} expects a list of samples, got str", call, "abc", Y, *extra)


def test_network_without_forward_pass_is_refused():
    net = small()
    raises(r"backward needs a forward pass first", net.backward, [0, 1])
    raises(r"update needs forward\(x\) and backward\(y\) first", net.update, 0.1)


# -- non-numeric values, bools, NaN and infinities ---------------------------

@pytest.mark.parametrize("bad, said", [
    ("1", "must be a number, got str '1'"),
    (True, "must be a number, got bool True"),
    (None, "must be a number, got NoneType None"),
    ([1.0], "must be a number, got list [1.0]"),
    (1 + 2j, "must be a number, got complex"),
    (float("nan"), "must be finite, got nan"),
    (float("inf"), "must be finite, got inf"),
    (-float("inf"), "must be finite, got -inf"),
    (10 ** 400, "must be a finite number, got int"),
])
def test_bad_numbers_in_inputs_targets_and_weights(bad, said):
    net = small()
    assert said in raises(r"forward: input 1 ", net.forward, [0, bad, 0])
    net.forward([0, 0, 0])
    assert said in raises(r"backward: target 0 ", net.backward, [bad, 0])
    assert said in raises(r"sample 1: loss: input 2 ", net.loss, [[0, 0, 0], [0, 0, bad]],
                          [[0, 1], [1, 0]])
    assert said in raises(r"sample 0: train: target 1 ", net.train, [[0, 0, 0]], [[0, bad]], 1, 0.1)
    assert said in raises(r"layer 2 weights\[1\]\[0\] ", Network.from_matrices,
                          [[[1, 2]], [[1], [bad]]])
    assert said in raises(r"layer 1 biases: bias 1 ", Network.from_matrices,
                          [[[1, 2], [3, 4]]], [[0, bad]])


# -- unknown names list the valid ones -----------------------------------------

def test_unknown_names_list_the_valid_ones():
    msg = raises(r"unknown activation 'swish'", Network, [2, 1], activation="swish")
    assert msg.endswith("expected one of: step, identity, sigmoid, tanh, relu, leaky_relu, "
                        "gelu, gelu_tanh, silu, softplus, elu, selu, softmax, log_softmax")
    msg = raises(r"unknown loss 'hinge'", Network, [2, 1], loss="hinge")
    assert msg.endswith("expected one of: sse, half_sse, mse, bce, cross_entropy, "
                        "bce_with_logits, cross_entropy_with_logits, nll, l1, huber, smooth_l1")
    msg = raises(r"unknown initializer 'glorot'", Network, [2, 1], init="glorot")
    assert "expected one of: uniform, xavier, he, zeros" in msg
    msg = raises(r"unknown layout 'row_major'", Network.from_matrices, [[[1]]], layout="row_major")
    assert msg.endswith("expected one of: out_in, in_out")
    net = small()
    raises(r"unknown layout 'T'; expected one of: out_in, in_out", net.to_matrices, "T")
    raises(r"unknown layout", net.gradients, [[0, 0, 0]], [[0, 1]], "T")
    raises(r"unknown order 'backprop'; expected 'standard' or 'handout'",
           net.step, [0, 0, 0], [0, 1], 0.1, "backprop")
    raises(r"unknown activation", get_activation, ["relu"])      # unhashable: still ours
    raises(r"activation spec must be a name or", get_activation, {"name": ["relu"]})
    raises(r"leaky_relu alpha must be a number, got str", get_activation,
           {"name": "leaky_relu", "alpha": "big"})
    raises(r"leaky_relu alpha must be a number in \[0, 1\), got 1.5", LeakyReLU, 1.5)
    raises(r"unknown loss", get_loss, None)
    raises(r"init_bound must be > 0, got 0.0", get_initializer, "uniform", 0)


def test_activation_lists_of_the_wrong_length():
    raises(r"activation lists one per hidden layer: expected 2, got 1",
           Network, [2, 3, 3, 1], activation=["relu"])
    raises(r"activations lists one per layer: expected 2, got 3",
           Network.from_matrices, [[[1, 2]], [[1]]], None, ["relu"] * 3)


# -- constructor: sizes, empty network, layer with no nodes, rng -----------------

def test_constructor_arguments():
    raises(r"sizes must list at least an input and an output size.*got \[\]", Network, [])
    raises(r"sizes must list at least an input and an output size.*got \[3\]", Network, [3])
    raises(r"sizes must list at least", Network, "34")
    assert raises("", Network, [3, 0, 1]) == "sizes[1] must be at least 1, got 0"
    assert raises("", Network, [3, 2.5, 1]) == "sizes[1] must be a whole number, got float 2.5"
    raises(r"sizes\[0\] must be a whole number, got bool True", Network, [True, 1])
    raises(r"seed must be a whole number, got str 'abc'", Network, [2, 1], seed="abc")
    raises(r"seed must be a whole number, got NoneType", Network, [2, 1], seed=None)
    raises(r"rng must be a random.Random, got int", Network, [2, 1], rng=5)
    rng = random.Random(1)
    state = rng.getstate()
    raises(r"layer 2 activation: unknown activation 'sigmoidd'", Network, [2, 3, 1], rng=rng,
           output_activation="sigmoidd")
    raises(r"unknown loss 'sse '", Network, [2, 3, 1], rng=rng, loss="sse ")
    raises(r"unknown initializer", Network, [2, 3, 1], rng=rng, init="Xavier")
    assert rng.getstate() == state          # nothing drawn before the mistake was found
    raises(r"bias must be True or False, got str 'no'", Network, [2, 1], bias="no")
    raises(r"init for layer 1 node 0 weight 0 must be finite, got nan",
           Network, [2, 1], init=lambda rng, n_in, n_out: float("nan"))
    raises(r"init_bound must be a number, got str", Network, [2, 1], init="uniform",
           init_bound="1")


def test_empty_network_and_layers_without_nodes():
    raises(r"weights must list one matrix per layer, got \[\]", Network.from_matrices, [])
    raises(r"layer 2 weights must be a non-empty matrix", Network.from_matrices, [[[1, 2]], []])
    raises(r"layer 1 weights must be a list of non-empty rows", Network.from_matrices, [[[]]])
    raises(r"layer 1 weights must be rectangular: row 0 has 2 entries, row 1 has 3",
           Network.from_matrices, [[[1, 2], [1, 2, 3]]])
    raises(r"layers must be a non-empty list of Layer", Network.from_layers, [])
    raises(r"Layer expects a non-empty list of Node, got list \[\]", Layer, [], "sigmoid")
    raises(r"layer 2 must be a Layer, got list", Network.from_layers,
           [Layer([Node([1.0], 0.0)]), [1]])
    raises(r"layer 2 expects 2 inputs, but layer 1 has 1 nodes", Network.from_layers,
           [Layer([Node([1.0], 0.0)]), Layer([Node([1.0, 2.0], 0.0)])])
    raises(r"bias must be True or False, got int 1", Network.from_matrices, [[[1.0]]], bias=1)
    raises(r"biases must list one vector per layer \(2\)", Network.from_matrices,
           [[[1, 2]], [[1]]], [[0]])


def test_from_matrices_names_the_layer_both_shapes_and_hints_the_layout():
    # seed 001's in_out matrices (2×3 then 3×1) given as out_in
    msg = raises(r"layer 2 weights", Network.from_matrices,
                 [[[1, 2, 3], [4, 5, 6]], [[1], [2], [3]]], layout="out_in")
    assert msg == ("layer 2 weights: expected 2 columns in out_in layout, one per output of "
                   "layer 1, got 3×1 — all the matrices chain in the other layout: "
                   "layout='in_out'?")
    # one square-able mix-up: the transpose of this very matrix would fit
    msg = raises(r"layer 2 weights", Network.from_matrices, [[[1, 2, 3]] * 2, [[1, 2, 3]] * 2])
    assert msg == ("layer 2 weights: expected 3×2 in out_in layout (layer 1 has 2 outputs), "
                   "got 2×3 — did you mean layout='in_out'?")
    # PyTorch-style out_in matrices given as in_out
    msg = raises(r"layer 2 weights", Network.from_matrices,
                 [[[1, 2], [3, 4], [5, 6]], [[1, 2, 3]]], layout="in_out")
    assert msg == ("layer 2 weights: expected 2 rows in in_out layout, one per output of "
                   "layer 1, got 1×3 — all the matrices chain in the other layout: "
                   "layout='out_in'?")
    # no transpose fits: no hint, but both shapes
    msg = raises(r"layer 2 weights", Network.from_matrices, [[[1, 2]] * 4, [[1] * 3]])
    assert msg == ("layer 2 weights: expected 4 columns in out_in layout, one per output "
                   "of layer 1, got 1×3")
    assert "did you mean" not in msg


# -- targets the loss cannot take; loss/activation pairs ----------------------

def test_bce_targets_must_lie_in_0_1():
    net = small(loss="bce")
    net.forward([0, 0, 0])
    assert raises("", net.backward, [0, 1.5]) == \
        "backward: bce targets must lie in [0, 1], got 1.5 at output 1"
    X = [[0, 0, 0]] * 8
    Y = [[0, 1]] * 7 + [[-0.25, 1]]
    assert raises("", net.train, X, Y, 1, 0.1) == \
        "train: sample 7: bce targets must lie in [0, 1], got -0.25 at output 0"


def test_cross_entropy_targets_must_be_a_distribution():
    net = small(loss="cross_entropy", out="softmax")
    net.forward([0, 0, 0])
    assert raises("", net.backward, [-0.5, 1.5]) == (
        "backward: cross_entropy targets must be non-negative, got -0.5 at output 0")
    assert raises("", net.loss, [[0, 0, 0], [1, 1, 1]], [[0, 1], [0.5, 0.4]]) == (
        "loss: sample 1: cross_entropy targets must sum to 1 (one-hot or probabilities), "
        "got a sum of 0.9")


@pytest.mark.parametrize("loss, out, warned", [
    ("cross_entropy", "sigmoid", "cross_entropy expects a softmax output layer, got sigmoid"),
    ("cross_entropy", "relu", "cross_entropy expects a softmax output layer, got relu"),
    ("bce", "identity", "bce expects outputs in (0, 1) (sigmoid), got identity"),
    ("bce", "tanh", "bce expects outputs in (0, 1) (sigmoid), got tanh"),
    ("bce", "relu", "can leave (0, 1)"),
])
def test_doubtful_loss_and_output_pairs_warn_with_a_reason(loss, out, warned):
    with pytest.warns(NodenetWarning, match=re.escape(warned)):
        small(loss=loss, out=out)
    with pytest.warns(NodenetWarning, match=re.escape(warned)):
        Network.from_matrices([[[1.0, 2.0]] * 2], activations=out, loss=loss)


@pytest.mark.parametrize("loss, out", [("cross_entropy", "softmax"), ("bce", "sigmoid"),
                                       ("sse", "identity"), ("mse", "relu")])
def test_sound_pairs_do_not_warn(loss, out):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small(loss=loss, out=out)


# -- training and update options ----------------------------------------------

def test_eta_epochs_batch_size_momentum():
    net = small()
    X, Y = [[0, 0, 1], [1, 1, 0]], [[0, 1], [1, 0]]
    assert raises("", net.train, X, Y, 1, 0) == "eta must be > 0 to train, got 0.0"
    assert raises("", net.train, X, Y, 1, -0.5) == "eta must be > 0 to train, got -0.5"
    assert raises("", net.train, X, Y, 1, float("inf")) == "eta must be finite, got inf"
    assert raises("", net.train, X, Y, 1, float("nan")) == "eta must be finite, got nan"
    assert raises("", net.train, X, Y, -1, 0.1) == "epochs must be a whole number ≥ 0, got -1"
    raises(r"epochs must be a whole number ≥ 0, got 2.0", net.train, X, Y, 2.0, 0.1)
    assert raises("", net.train, X, Y, 1, 0.1, batch_size=0) == "batch_size must be at least 1, got 0"
    assert raises("", net.train, X, Y, 1, 0.1, batch_size=3) == (
        "batch_size must be at most the number of samples (2), got 3")
    assert raises("", net.train, X, Y, 1, 0.1, momentum=1.0) == "momentum must be in [0, 1), got 1.0"
    assert raises("", net.train, X, Y, 1, 0.1, momentum=-0.1) == "momentum must be in [0, 1), got -0.1"
    raises(r"shuffle must be True or False, got 1", net.train, X, Y, 1, 0.1, shuffle=1)
    raises(r"target_loss must be ≥ 0", net.train, X, Y, 1, 0.1, target_loss=-1)
    raises(r"callback must be callable", net.train, X, Y, 1, 0.1, callback=5)
    # update and step take eta = 0 as a no-op but refuse a negative or non-finite one
    net.forward(X[0])
    net.backward(Y[0])
    raises(r"eta must be ≥ 0, got -1.0", net.update, -1)
    raises(r"eta must be finite, got inf", net.update, float("inf"))
    raises(r"eta must be a number, got str", net.step, X[0], Y[0], "0.1")
    before = net.snapshot()
    net.update(0)
    net.step(X[1], Y[1], 0.0)
    assert net.snapshot() == before


def test_restore_refuses_a_foreign_snapshot_and_changes_nothing():
    net, other = small(), Network([3, 5, 2], seed=1)
    before = net.snapshot()
    raises(r"layer 1 needs 4 \(weights, bias\) pairs", net.restore, other.snapshot())
    bad = copy.deepcopy(before)
    bad[1][1] = (bad[1][1][0], float("nan"))
    raises(r"restore: layer 2 node 1 bias must be finite, got nan", net.restore, bad)
    assert net.snapshot() == before


# -- no API call mutates the caller's lists ------------------------------------

def test_no_entry_point_mutates_the_callers_lists(tmp_path):
    sizes = [3, 4, 2]
    acts = ["tanh", "sigmoid"]
    weights = [[[0.1, 0.2, 0.3]] * 4, [[0.5, -0.5, 0.25, 0.1], [0.3, 0.2, 0.1, 0.0]]]
    biases = [[0.0, 0.1, 0.2, 0.3], [0.5, -0.5]]
    X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    Y = [[0, 1], [1, 0], [1, 0], [0, 1]]
    x, y = [1, 2, 3], [0, 1]
    frozen = copy.deepcopy((sizes, acts, weights, biases, X, Y, x, y))

    net = Network(sizes, activation=acts[:1], output_activation=acts[1], seed=2)
    net = Network.from_matrices(weights, biases, acts, layout="out_in")
    Network.from_matrices([list(map(list, zip(*m))) for m in weights], biases, acts, layout="in_out")
    net.forward(x)
    net.backward(y)
    net.update(0.1)
    net.step(x, y, 0.1)
    net.step(x, y, 0.1, order="handout")
    net.predict(x)
    net.classify(x)
    net.loss(X, Y)
    net.gradients(X, Y)
    net.gradients(X, Y, "in_out")
    net.train(X, Y, 3, 0.5, batch_size=2, momentum=0.5)
    snap = net.snapshot()
    snap_copy = copy.deepcopy(snap)
    net.step(x, y, 0.1)
    net.restore(snap)
    assert snap == snap_copy
    net.save(tmp_path / "m.json")
    assert (sizes, acts, weights, biases, X, Y, x, y) == frozen
    # and nothing the network hands out is its own state
    w, b = net.to_matrices()
    w[0][0][0] += 1.0
    b[0][0] += 1.0
    out = net.forward(x)
    out[0] = 99.0
    assert net.to_matrices() != (w, b) and net.layers[-1][0].output != 99.0


# -- a failed call leaves the network unchanged --------------------------------

def test_train_with_a_bad_target_in_sample_7_changes_nothing():
    net = small()
    X = [[i % 2, i % 3, 1] for i in range(10)]
    Y = [[0, 1]] * 10
    Y[7] = [0, float("nan")]
    before, rng_state = net.snapshot(), net.rng.getstate()
    assert raises("", net.train, X, Y, 5, 0.5) == "sample 7: train: target 1 must be finite, got nan"
    assert net.snapshot() == before
    assert net.rng.getstate() == rng_state          # not even a shuffle happened
    # the same for bad options given with good data
    for bad in ({"batch_size": 11}, {"momentum": 2}, {"epochs": -3}, {"eta": 0}):
        kwargs = {"epochs": 2, "eta": 0.5, **bad}
        with pytest.raises(NodenetError):
            net.train(X[:7], Y[:7], kwargs.pop("epochs"), kwargs.pop("eta"), **kwargs)
        assert net.snapshot() == before and net.rng.getstate() == rng_state


def test_step_with_a_bad_target_leaves_even_the_forward_state_alone():
    net = small()
    net.forward([1, 1, 1])
    state = [(n.net, n.output) for layer in net.layers for n in layer]
    weights = net.snapshot()
    raises(r"step: target 0 must be finite", net.step, [5, 5, 5], [float("inf"), 0], 0.1)
    assert [(n.net, n.output) for layer in net.layers for n in layer] == state
    assert net.inputs == [1.0, 1.0, 1.0] and net.snapshot() == weights


def test_update_and_step_that_would_overflow_restore_the_weights():
    net = Network.from_matrices([[[1e300, 1.0]], [[1e300]]], activations="identity")
    before = net.snapshot()
    msg = raises(r"^step: ", net.step, [1, 1], [0], 1e10)
    assert msg == ("step: layer 2 node 0 net became inf (overflow: weights, inputs or eta too "
                   "large); the weights are left as they were")
    assert net.snapshot() == before
    net = Network.from_matrices([[[1.0, 0.0]], [[1.0]]], activations="identity")
    before = net.snapshot()
    net.forward([1e200, 0])
    net.backward([0])
    msg = raises(r"^update: layer 1 node 0 weight 0 became -inf", net.update, 1e300)
    assert net.snapshot() == before
    # a backward pass whose deltas overflow says where
    net = Network.from_matrices([[[1e300, 1.0]], [[1e300]]], activations="identity")
    net.forward([1e-300, 0])
    raises(r"^backward: layer 1 node 0 delta became -inf", net.backward, [1e10])


# -- property-style: many random bad values, always a NodenetError -------------

JUNK_SCALARS = [float("nan"), float("inf"), -float("inf"), "1", "", None, True, False, b"1",
                1j, [], {}, object(), 10 ** 400, "nan", ["1.0"], (None,)]


def junk(rng, depth=0):
    """One random bad value: junk scalars, wrong-length lists, nested junk."""
    kind = rng.randrange(6 if depth < 3 else 3)
    if kind <= 1:
        return rng.choice(JUNK_SCALARS)
    if kind == 2:
        return rng.choice(["abc", 3.5, -1, 0, {"a": 1}, set(), range(3)])
    if kind == 3:                              # a list of random length, one entry bad
        values = [rng.uniform(-2, 2) for _ in range(rng.randrange(0, 7))]
        if values:
            values[rng.randrange(len(values))] = rng.choice(JUNK_SCALARS)
        return values
    if kind == 4:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {"name": junk(rng, depth + 1)}


def plain_number(value):
    """True for a finite int or float (junk() can return those: wrong only somewhere)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) < 1e300 if isinstance(value, int) else math.isfinite(value)


def spoil_vector(rng, n):
    """A length-n vector with one bad entry, or a vector of the wrong length, or junk."""
    choice = rng.randrange(3)
    v = [rng.uniform(-1, 1) for _ in range(n)]
    if choice == 0:
        v[rng.randrange(n)] = rng.choice(JUNK_SCALARS[:14])
        return v
    if choice == 1:
        return v + [0.5] * rng.randrange(1, 3) if rng.random() < 0.5 else v[:rng.randrange(n)]
    return junk(rng)


@pytest.fixture
def deadline():
    """Fail (rather than hang) if a fuzz test runs for more than 60 seconds."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def alarm(signum, frame):
        raise TimeoutError("fuzz test took more than 60 s: a hang?")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _only_nodeneterror(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NodenetWarning)
        try:
            fn(*args, **kwargs)
        except NodenetError as err:
            assert str(err) and "\n" not in str(err)
            return True
    return False


def test_random_bad_vectors_and_batches_give_nodeneterror(deadline):
    rng = random.Random(20261122)
    net = small()
    good_X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.5]]
    good_Y = [[0.0, 1.0], [1.0, 0.0]]
    before = net.snapshot()
    for trial in range(400):
        x, y = spoil_vector(rng, 3), spoil_vector(rng, 2)
        assert _only_nodeneterror(net.forward, x), (trial, x)
        assert _only_nodeneterror(net.predict, x), (trial, x)
        assert _only_nodeneterror(net.classify, x), (trial, x)
        assert _only_nodeneterror(net.step, x, good_Y[0], 0.1), (trial, x)
        assert _only_nodeneterror(net.step, good_X[0], y, 0.1), (trial, y)
        net.forward(good_X[0])
        assert _only_nodeneterror(net.backward, y), (trial, y)
        s = rng.randrange(2)
        X = [list(v) for v in good_X]
        Y = [list(v) for v in good_Y]
        if rng.random() < 0.5:
            X[s] = x
        else:
            Y[s] = y
        for method in (net.loss, net.gradients):
            assert _only_nodeneterror(method, X, Y), (trial, X, Y)
        assert _only_nodeneterror(net.train, X, Y, 2, 0.1), (trial, X, Y)
        assert _only_nodeneterror(net.train, junk(rng), good_Y, 1, 0.1)
    assert net.snapshot() == before


def test_random_bad_options_give_nodeneterror(deadline):
    rng = random.Random(5)
    net = small()
    X, Y = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.5]], [[0.0, 1.0], [1.0, 0.0]]
    before = net.snapshot()
    for trial in range(300):
        bad = junk(rng)
        if not plain_number(bad):
            option = rng.choice(["epochs", "eta", "batch_size", "momentum", "target_loss"])
        else:                                  # a plain finite number: pick where it is wrong
            option = "eta" if bad <= 0 else "momentum" if bad >= 1 else "batch_size"
            if option == "batch_size" and bad in (1, 2):
                option = "eta" if bad <= 0 else "momentum"
        if option == "target_loss" and bad is None:
            continue
        if option == "epochs" and isinstance(bad, int) and bad >= 0:
            continue                           # 10 ** 400 epochs is legal, just long
        kwargs = {"epochs": 1, "eta": 0.1, option: bad}
        epochs, eta = kwargs.pop("epochs"), kwargs.pop("eta")
        assert _only_nodeneterror(net.train, X, Y, epochs, eta, **kwargs), (option, bad)
        assert _only_nodeneterror(net.update, rng.choice([-1, "x", None, float("nan"), [0.1]]))
    assert net.snapshot() == before


def test_random_bad_constructor_arguments_give_nodeneterror(deadline):
    rng = random.Random(11)
    for trial in range(300):
        which = rng.randrange(7)
        bad = junk(rng)
        if which == 0:
            call = (Network, [3, bad, 1]) if rng.random() < 0.5 else (Network, bad)
        elif which == 1:
            call = (Network, [2, 2, 1], ) , {"activation": bad}
        elif which == 2:
            call = (Network, [2, 1]), {"loss": bad}
        elif which == 3:
            call = (Network, [2, 1]), {"init": bad if not callable(bad) else "nope"}
        elif which == 4:
            call = (Network.from_matrices, [[[1.0, 2.0]], bad]), {}
        elif which == 5:
            call = (Network.from_matrices, [[[1.0, bad]]]), {}
        else:
            call = (Network.from_matrices, [[[1.0, 2.0]]], [[bad]]), {}
        if isinstance(call[0], tuple):
            (fn, *args), kwargs = call
        else:
            fn, *args = call
            kwargs = {}
        if plain_number(bad):
            continue                               # may be valid here: not junk
        assert _only_nodeneterror(fn, *args, **kwargs), (which, bad)


def test_random_junk_to_the_oracle_tables_and_csv_reader_never_escapes_as_another_type(deadline):
    """Junk may be refused (NodenetError) or compared as a mismatch, never crash."""
    from nodenet import oracle, tables
    from nodenet.data import parse_csv
    rng = random.Random(77)
    net = Network([2, 3, 1], seed=1)
    X, Y = [[0.0, 0.5], [1.0, 0.0]], [[0.0], [1.0]]
    dW, db = net.gradients(X, Y)
    good = [X, Y, dW, db]
    calls = [
        lambda b, k: oracle.compare_gradients(net, *good[:k], b, *good[k + 1:]),
        lambda b, k: oracle.compare_forward(net, X, b) if k % 2 else
        oracle.compare_forward(net, b, [[[0.0] * 3] * 2, [[0.0]] * 2]),
        lambda b, k: oracle.gradcheck(net, *([b, Y] if k % 2 else [X, b])),
        lambda b, k: oracle.gradcheck(net, X, Y, eps=b),
        lambda b, k: oracle.fixture(net, *([b, Y] if k % 2 else [X, b])),
        lambda b, k: tables.forward_table(net, digits=b) if k % 2 else
        tables.forward_table(net, tablefmt=b),
        lambda b, k: tables.delta_table(net, b),
        lambda b, k: tables.step_report(net, *([b, [1], 0.5], [[0, 1], b, 0.5],
                                               [[0, 1], [1], b], [[0, 1], [1], 0.5])[k],
                                        order=b if k == 3 else "standard"),
        lambda b, k: tables.weight_change_table(net, b),
        lambda b, k: parse_csv(b),
    ]
    net.forward([0, 1])
    net.backward([1])
    for trial in range(1500):
        call = calls[trial % len(calls)]
        bad, k = junk(rng), rng.randrange(4)
        try:
            call(bad, k)
        except NodenetError as err:
            assert str(err) and "\n" not in str(err), (trial, bad, str(err))
        net.forward([0, 1])
        net.backward([1])


# -- issue 11: the doors that were open ---------------------------------------------

@pytest.mark.parametrize("weights, said", [
    ([float("nan")], "Node: weight 0 must be finite, got nan"),
    ([True], "Node: weight 0 must be a number, got bool True"),
    (["1.5"], "Node: weight 0 must be a number, got str '1.5'"),
    ([], "Node expects a non-empty list of weights, got list []"),
    ("12", "Node expects a non-empty list of weights, got str '12'"),
])
def test_node_checks_its_weights(weights, said):
    assert raises("", Node, weights) == said


def test_node_and_layer_keep_fresh_float_lists():
    row = (1, 2)                        # a tuple of ints: step() used to fail half-way
    node = Node(row, 3)
    assert node.weights == [1.0, 2.0] and type(node.weights) is list
    assert all(type(w) is float for w in node.weights) and type(node.bias) is float
    assert raises("", Node, [1.0], float("inf")) == "Node bias must be finite, got inf"
    assert raises("", Layer, [node, "x"]) == "Layer expects Node objects, got str 'x' as node 1"
    net = Network.from_layers([Layer([node])], loss="sse")
    net.step([1.0, 1.0], [0.0], 0.1)                         # the whole update goes through
    a = 1.0 / (1.0 + math.exp(-6.0))                        # z = 1 + 2 + 3
    delta = 2.0 * (0.0 - a) * a * (1.0 - a)
    assert node.weights == pytest.approx([1.0 + 0.1 * delta, 2.0 + 0.1 * delta], rel=1e-15)


def test_a_layer_without_biases_refuses_non_zero_biases():
    # from_matrices(..., bias=False) with biases 5 used to give 8.0 where
    # PyTorch's Linear(bias=False) gives 3.0
    msg = raises("", Network.from_matrices, [[[1, 1]]], [[5.0]], "identity", bias=False)
    assert msg == ("bias=False makes a layer without biases, but node 0 has bias 5.0; "
                   "give zero biases or bias=True")
    net = Network.from_matrices([[[1, 1]]], None, "identity", bias=False)
    assert net.forward([1, 2]) == [3.0]
    with pytest.warns(DeprecationWarning, match="use_bias= is now called bias="):
        old = Network.from_matrices([[[1, 1]]], None, "identity", use_bias=False)
    assert old.layers[0].use_bias is False


def test_a_system_random_is_refused_up_front():
    import random
    msg = raises("", Network, [2, 1], rng=random.SystemRandom())
    assert msg == ("rng must be a seedable random.Random (its state is saved and restored "
                   "so that a refused call draws nothing); SystemRandom cannot be")
