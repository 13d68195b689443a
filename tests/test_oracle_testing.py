"""nodenet.testing: the hypothesis strategies draw valid cases, and say what is missing
when hypothesis is not installed."""

import struct
import sys

import pytest

from nodenet import NodenetError
from nodenet.oracle import assert_gradients_match

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings                                  # noqa: E402

from nodenet import testing                                             # noqa: E402

LOSSES = ["mse", "sse", {"name": "huber", "delta": 0.5}, "bce", "bce_with_logits",
          "cross_entropy", "cross_entropy_with_logits", "nll"]


def is_float32(x):
    return struct.unpack("f", struct.pack("f", x))[0] == x


@settings(max_examples=60, deadline=None)
@given(testing.cases(losses=LOSSES))
def test_every_case_is_valid_for_its_loss_and_float32_exact(case):
    net, X, Y = case.net, case.X, case.Y
    loss = net.loss_function.name
    net.check_batch(X, Y, "test")                     # targets valid for the loss
    out = net.layers[-1].activation.name
    assert out == testing.OUTPUT_OF.get(loss, out)
    if out in ("softmax", "log_softmax") or loss in testing.CLASS_INDEX:
        assert net.sizes[-1] >= 2
    weights, biases = case.matrices("out_in")
    numbers = [v for m in weights for row in m for v in row] + \
        [v for b in biases for v in b] + [v for row in X for v in row]
    assert all(is_float32(v) and abs(v) <= 2.0 for v in numbers)
    # nodenet agrees with itself through the oracle, whatever was drawn
    assert_gradients_match(net, X, Y, *net.gradients(X, Y))


@settings(max_examples=20, deadline=None)
@given(testing.cases(hidden=["relu"], outputs=["identity"], losses=["mse"], max_layers=2,
                     max_width=2, max_batch=1))
def test_the_arguments_bound_what_is_drawn(case):
    assert 2 <= len(case.sizes) <= 3 and max(case.sizes) <= 2 and len(case.X) == 1
    assert case.activations[:-1] == ["relu"] * (len(case.sizes) - 2)
    assert case.activations[-1] == "identity" and case.loss == "mse"


def test_without_hypothesis_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(NodenetError, match=r"^nodenet.testing needs hypothesis, which is not "
                                           r"installed; install it with: pip install hypothesis$"):
        testing.cases()
