"""Exact reports and messages of nodenet.oracle, on hand-checkable networks (no NumPy)."""

import math
import random

import pytest

from nodenet import Network, NodenetError
from nodenet.activations import Activation, tanh
from nodenet.oracle import (assert_forward_match, assert_gradients_match, compare_forward,
                            compare_gradients, gradcheck)


class Array:
    """Stands in for a NumPy array or tensor: only ``.tolist()``."""

    def __init__(self, data):
        self.data = data

    def tolist(self):
        return self.data


def identity_net(loss="sse"):
    # x = [1, 2], y = [0], sse: z1 = a1 = [1, 2], ŷ = 3, δ2 = 2(0 − 3) = −6,
    # dW2 = −δ2·a1 = [6, 12], db2 = 6, δ1 = [−6, −6], dW1 = −δ1·xᵀ, db1 = [6, 6]
    return Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
                                 activations="identity", loss=loss)


DW = [[[6.0, 12.0], [6.0, 12.0]], [[6.0, 12.0]]]
DB = [[6.0, 6.0], [6.0]]


def test_hand_computed_gradients_pass():
    net = identity_net()
    report = assert_gradients_match(net, [[1, 2]], [[0]], DW, DB)
    assert report.ok and report.max_abs_error == 0.0
    assert str(report) == (
        "gradients match nodenet's: all 9 entries (sse loss, 1 sample, out_in layout, "
        "rtol=1e-07, atol=1e-10); max abs error 0, max rel error 0\n"
        "layer 2: all 2 weights and 1 biases match\n"
        "layer 1: all 4 weights and 2 biases match")


def test_exact_mismatch_table():
    net = identity_net()
    dW = [[[6.0, 12.0], [6.0, 12.0]], [[6.0, 10.0]]]
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(net, Array([[1, 2]]), Array([[0]]), Array(dW), DB)
    assert str(info.value) == (
        "gradients differ from nodenet's in 1 of 9 entries (sse loss, 1 sample, out_in layout, "
        "rtol=1e-07, atol=1e-10)\n"
        "layer 2: 1 of 2 weights and 0 of 1 biases differ\n"
        "layer 1: all 4 weights and 2 biases match\n"
        "\n"
        "  layer    node  from      expected    got    abs error    rel error\n"
        "-------  ------  ------  ----------  -----  -----------  -----------\n"
        "      2       0  node 1          12     10            2        0.167\n"
        "\n"
        "layer 2: the biases match, so its deltas are right and the outer product δ·aᵀ is not: "
        "check the activations it uses (layer 1's outputs a, not its net inputs z)")


def test_table_orders_output_layer_first_then_worst_first():
    net = identity_net()
    dW = [[[5.0, 12.0], [6.0, 12.0]], [[6.0, 12.5]]]
    db = [[6.0, 9.0], [6.0]]
    report = compare_gradients(net, [[1, 2]], [[0]], dW, db)
    assert [(m.layer, m.node, m.source) for m in report.mismatches] == [
        (2, 0, 1), (1, 1, "bias"), (1, 0, 0)]
    text = str(report)
    assert "layer 2: 1 of 2 weights and 0 of 1 biases differ\n" \
           "layer 1: 1 of 4 weights and 1 of 2 biases differ\n" in text
    assert "      1       1  bias" in text and "      1       0  input 0" in text
    assert repr(report) == ("GradientReport(3 entries differ, worst at layer 1, node 1, bias: "
                            "abs error 3)")


def test_tolerances_are_applied_as_stated():
    net = identity_net()
    # |error| 1e-5 against atol + rtol·12
    near = [[[6.0, 12.0], [6.0, 12.0]], [[6.0, 12.0 + 1e-5]]]
    assert not compare_gradients(net, [[1, 2]], [[0]], near, DB).ok
    assert compare_gradients(net, [[1, 2]], [[0]], near, DB, rtol=1e-7, atol=2e-5).ok
    assert compare_gradients(net, [[1, 2]], [[0]], near, DB, rtol=1e-6, atol=0).ok
    assert not compare_gradients(net, [[1, 2]], [[0]], near, DB, rtol=8e-7, atol=0).ok


def test_biases_can_be_left_out():
    report = compare_gradients(identity_net(), [[1, 2]], [[0]], DW)
    assert report.ok
    assert str(report).endswith("layer 1: all 4 weights match (biases not compared)")


def test_max_rows_limits_the_table():
    net = identity_net()
    report = compare_gradients(net, [[1, 2]], [[0]], [[[0, 0], [0, 0]], [[0, 0]]], DB,
                               max_rows=1)
    assert "(… and 4 more; showing the worst 1 per layer)" in str(report)


def test_wrong_shape_names_the_layer_and_the_layout():
    net = Network([3, 4, 1], seed=1)
    X, Y = [[1, 2, 3]], [[1]]
    good, _ = net.gradients(X, Y)
    transposed = [[list(c) for c in zip(*m)] for m in good]
    with pytest.raises(NodenetError) as info:
        compare_gradients(net, X, Y, transposed)
    assert str(info.value) == ("layer 1 weights: expected 4×3 in out_in layout, got 3×4 — "
                               "did you mean layout='in_out'?")
    with pytest.raises(NodenetError) as info:
        assert_gradients_match(net, X, Y, good, layout="in_out")
    assert str(info.value) == ("layer 1 weights: expected 3×4 in in_out layout, got 4×3 — "
                               "did you mean layout='out_in'?")
    assert compare_gradients(net, X, Y, transposed, layout="in_out").ok
    with pytest.raises(NodenetError) as info:
        compare_gradients(net, X, Y, [good[0], [[1.0, 2.0]]])
    assert str(info.value) == ("layer 2 weights: expected 1×4 in out_in layout, got 1×2 "
                               "(1 node, 4 incoming each)")


def test_wrong_counts_and_bias_shapes():
    net = identity_net()
    with pytest.raises(NodenetError, match=r"^dW must list one weight matrix per layer: "
                                           r"expected 2, got 1$"):
        compare_gradients(net, [[1, 2]], [[0]], DW[:1])
    with pytest.raises(NodenetError, match=r"^layer 1 biases: expected 2 values \(a vector, "
                                           r"2×1 or 1×2\), got 3×2 — one per sample\? sum"):
        compare_gradients(net, [[1, 2], [0, 1], [2, 2]], [[0], [1], [0]], DW,
                          [[[6, 6], [1, 1], [2, 2]], [6]])
    with pytest.raises(NodenetError, match=r"^compare_gradients: inputs: expected N×2 "
                                           r"\(samples × inputs\), got 2×3 — did you mean "
                                           r"samples='columns'\?$"):
        compare_gradients(net, [[1, 2, 3], [4, 5, 6]], [[0, 1, 0]], DW, DB)
    with pytest.raises(NodenetError, match="rtol and atol must be ≥ 0"):
        compare_gradients(net, [[1, 2]], [[0]], DW, DB, rtol=-1)
    with pytest.raises(NodenetError, match="unknown layout 'row'"):
        compare_gradients(net, [[1, 2]], [[0]], DW, DB, layout="row")


def test_forward_match_and_exact_forward_report():
    net = identity_net()
    assert assert_forward_match(net, [[1, 2]], [[[1, 2]], [[3]]], [[[1, 2]], [[3]]]).ok
    report = compare_forward(net, [[1, 2], [0, 1]], [[[1, 2], [0, 1]], [[3], [2]]],
                             [[[1, 2], [0, 1]], [[3], [2]]])
    assert (report.first_layer, report.first_value) == (2, "z")
    assert str(report) == (
        "forward pass differs from nodenet's from layer 2 on: its net inputs z are the first "
        "values that differ (2 samples, rtol=1e-07, atol=1e-10)\n"
        "layer 2 net inputs z: 1 of 2 differ\n"
        "layer 2 activations a (identity): 1 of 2 differ\n"
        "\n"
        "  layer  value      sample    node    expected    got    abs error    rel error\n"
        "-------  -------  --------  ------  ----------  -----  -----------  -----------\n"
        "      2  z               1       0           1      2            1            1\n"
        "      2  a               1       0           1      2            1            1\n"
        "\n"
        "layer 1's activations agree but layer 2's net inputs do not: check its weights "
        "(layout?) and biases, z = W·a + b")
    with pytest.raises(AssertionError, match="from layer 2 on"):
        assert_forward_match(net, [[1, 2], [0, 1]], [[[1, 2], [0, 1]], [[3], [2]]])


def test_forward_argument_errors():
    net = identity_net()
    with pytest.raises(NodenetError) as info:
        compare_forward(net, [[1, 2]], [[[1, 2]], [[1, 2]], [[3]]])
    assert str(info.value) == ("outputs_per_layer must list one array per layer: expected 2, "
                               "got 3 — leave out the inputs: the list starts at layer 1, the "
                               "first hidden layer")
    with pytest.raises(NodenetError) as info:
        compare_forward(net, [[1, 2], [3, 4], [5, 6]], [[[1, 2, 3], [1, 2, 3]], [[3, 3, 3]]])
    assert str(info.value) == ("layer 1 activations: expected 3×2 (samples × nodes), got 2×3 — "
                               "did you mean samples='columns'?")
    with pytest.raises(NodenetError, match="samples must be 'rows'"):
        compare_forward(net, [[1, 2]], [[[1, 2]], [[3]]], samples="cols")


def test_gradcheck_agrees_for_every_activation():
    X = [[0.5, -1.0, 0.3], [1.0, 2.0, -0.7], [-0.2, 0.1, 0.9]]
    for act in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
        for out, loss, Y in (("sigmoid", "bce", [[1, 0], [0, 1], [1, 1]]),
                             ("softmax", "cross_entropy", [[1, 0], [0, 1], [0.3, 0.7]]),
                             ("identity", "mse", [[1, -2], [0, 1], [3, 0]])):
            net = Network([3, 4, 2], activation=act, output_activation=out, loss=loss,
                          rng=random.Random(7))
            before = net.snapshot()
            report = gradcheck(net, X, Y)
            assert report.ok, f"{act} → {out}, {loss}:\n{report}"
            assert report.worst.abs_error < 1e-8
            assert len(report.entries) == net.n_params
            assert net.snapshot() == before              # restored exactly


def test_gradcheck_catches_a_wrong_derivative():
    wrong = Activation("tanh_wrong", tanh, lambda z, a: 1.0 - z * z)   # uses z, not a
    net = Network([2, 3, 1], activation=wrong, output_activation="identity", seed=2)
    report = gradcheck(net, [[0.8, -1.5], [1.2, 0.4]], [[1.0], [0.0]])
    assert not report.ok
    assert report.worst.layer == 1
    assert {m.layer for m in report.failures} == {1}
    assert str(report).startswith("gradcheck: nodenet's backprop DISAGREES in ")


def test_gradcheck_skips_the_biases_of_bias_free_layers():
    net = Network.from_matrices([[[0.2, -0.4]], ], activations="sigmoid", bias=False)
    report = gradcheck(net, [[1.0, 2.0]], [[1.0]])
    assert sorted(m.source for m in report.entries) == [0, 1]      # no "bias"
    with pytest.raises(NodenetError, match="eps must be > 0"):
        gradcheck(net, [[1.0, 2.0]], [[1.0]], eps=0)


@pytest.mark.parametrize("reference", ["float64", "exact"])
@pytest.mark.parametrize("client", [1.0, 1e308, math.inf])
def test_gradients_that_overflow_only_in_the_sum_over_samples_are_refused(client, reference):
    # each sample's gradient, 2·(1e154 + 1e154)·1e154, is finite; their sum is not.
    # compare_gradients finds the ±inf where a row does not agree at once, as
    # net.gradients does with its own pass over every entry.
    if reference == "exact":
        pytest.importorskip("mpmath")
    net = Network.from_matrices([[[1.0]]], [[0.0]], activations="identity", loss="sse")
    X, Y = [[1e154], [1e154]], [[-1e154], [-1e154]]
    with pytest.raises(NodenetError, match="a gradient overflowed"):
        net.gradients(X, Y)
    with pytest.raises(NodenetError, match="compare_gradients: nodenet's own gradients "
                                           r"overflowed to NaN or ±inf"):
        compare_gradients(net, X, Y, [[[client]]], [[1.0]], reference=reference)
