"""Activations, losses and initializers: values worked out by hand or from the seeds."""

import math
import random

import pytest

from nodenet import ACTIVATIONS, LOSSES, NodenetError, get_activation, get_loss
from nodenet.activations import LeakyReLU, sigmoid, softmax
from nodenet.initializers import get_initializer, he, uniform, xavier, zeros


def test_activation_and_loss_names():
    assert list(ACTIVATIONS) == ["step", "identity", "sigmoid", "tanh", "relu", "leaky_relu",
                                 "gelu", "gelu_tanh", "silu", "softplus", "elu", "selu",
                                 "softmax", "log_softmax"]
    assert list(LOSSES) == ["sse", "half_sse", "mse", "bce", "cross_entropy",
                            "bce_with_logits", "cross_entropy_with_logits", "nll",
                            "l1", "huber", "smooth_l1"]


def test_handout_sigmoid_and_relu_of_2_6():
    assert round(sigmoid(2.6), 7) == 0.9308616
    assert ACTIVATIONS["relu"].function(2.6) == 2.6


def test_step_is_heaviside_as_seed_000():
    step = ACTIVATIONS["step"]
    assert [step.function(z) for z in (-1.5, -0.5, 0.0, 0.5)] == [0.0, 0.0, 1.0, 1.0]
    assert step.derivative(0.5, 1.0) == 0.0


def test_relu_derivative_is_zero_at_zero():
    relu = ACTIVATIONS["relu"]
    assert (relu.derivative(-1.0, 0.0), relu.derivative(0.0, 0.0), relu.derivative(2.0, 2.0)) == (0.0, 0.0, 1.0)


def test_leaky_relu_default_and_settable_alpha():
    leaky = ACTIVATIONS["leaky_relu"]
    assert leaky.function(-2.0) == -0.02 and leaky.derivative(-2.0, -0.02) == 0.01
    custom = get_activation({"name": "leaky_relu", "alpha": 0.2})
    assert custom.function(-2.0) == pytest.approx(-0.4) and custom.derivative(-1.0, -0.2) == 0.2
    assert custom.to_spec() == {"name": "leaky_relu", "alpha": 0.2}
    assert repr(LeakyReLU(0.3)) == "leaky_relu(alpha=0.3)"


@pytest.mark.parametrize("z", [-1e308, -1000.0, -745.2, 0.0, 710.0, 1000.0, 1e308])
def test_no_overflow_anywhere(z):
    for act in ACTIVATIONS.values():
        if act.elementwise:
            a = act.function(z)
            act.derivative(z, a)
    softmax([z, -z, 0.0])
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("z", [-2.3, -0.4, 0.7, 3.1])
def test_derivative_matches_central_difference(name, z):
    act = ACTIVATIONS[name]
    h = 1e-6
    numeric = (act.function(z + h) - act.function(z - h)) / (2 * h)
    assert act.derivative(z, act.function(z)) == pytest.approx(numeric, rel=1e-7, abs=1e-9)


def test_softmax_values_and_stability():
    out = softmax([1.0, 2.0, 3.0])
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert out == pytest.approx([v / sum(e) for v in e], rel=1e-15)
    assert softmax([1000.0, 1000.0]) == [0.5, 0.5]
    assert softmax([1e308, -1e308]) == [1.0, 0.0]


def test_softmax_backward_is_the_full_jacobian():
    sm = ACTIVATIONS["softmax"]
    z = [0.3, -1.2, 0.8]
    a = softmax(z)
    e = [0.7, -0.1, 0.25]            # any upstream signal, not only cross-entropy's
    # δ_j = Σ_k e_k ∂a_k/∂z_j, the Jacobian written out term by term
    expected = [sum(e[k] * a[k] * ((k == j) - a[j]) for k in range(3)) for j in range(3)]
    assert sm.backward(e, z, a) == pytest.approx(expected, rel=1e-14)


def test_loss_normalizations():
    Y, P = [[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.25], [0.0, 0.5]]
    sq = 0.25 + 0.0625 + 0.0 + 0.25
    assert get_loss("sse").value(Y, P) == pytest.approx(sq)
    assert get_loss("half_sse").value(Y, P) == pytest.approx(sq / 2)
    assert get_loss("mse").value(Y, P) == pytest.approx(sq / 4)
    bce = -(math.log(0.5) + math.log(0.75) + math.log(1 - 1e-12) + math.log(0.5)) / 4
    assert get_loss("bce").value(Y, P) == pytest.approx(bce, rel=1e-12)
    ce = -(math.log(0.5) + math.log(0.5)) / 2
    assert get_loss("cross_entropy").value(Y, P) == pytest.approx(ce)


def test_bce_clamps_each_log_at_minus_100_as_torch_bce_loss():
    # torch.nn.BCELoss: max(log ŷ, −100); seed 000's 1e-12 clip would give 27.6 here
    assert get_loss("bce").value([[1.0]], [[0.0]]) == 100.0
    assert get_loss("bce").value([[0.0]], [[1.0]]) == 100.0
    assert get_loss("bce").value([[1.0]], [[1e-50]]) == 100.0
    assert get_loss("bce").value([[1.0]], [[1e-40]]) == pytest.approx(-math.log(1e-40))
    # and its gradient's denominator at 1e-12: (y − ŷ)/max(ŷ(1 − ŷ), 1e-12)
    assert get_loss("bce").upstream([1.0], [1e-300]) == [1e12]


def test_handout_output_delta_and_seed_000_loss_derivative():
    # handout: δ = 2(y − ŷ)·a(1 − a) with y = 1, a = 0.6
    e = get_loss("sse").upstream([1.0], [0.6])[0]
    assert e * ACTIVATIONS["sigmoid"].derivative(None, 0.6) == pytest.approx(0.192)
    # seed 000: ∂L/∂y1 = −1/y1 ≈ −2.105 at y1 ≈ 0.475
    y1 = sigmoid(-0.1)
    assert -get_loss("bce").upstream([1.0], [y1])[0] == pytest.approx(-1 / y1)
    assert round(-1 / y1, 3) == -2.105


@pytest.mark.parametrize("name", list(LOSSES))
def test_upstream_is_minus_the_derivative(name):
    loss = get_loss(name)
    y, p = [0.2, 0.8], [0.35, 0.6]
    h = 1e-6
    for k in range(2):
        up, down = list(p), list(p)
        up[k] += h
        down[k] -= h
        numeric = (loss.sample_value(y, up) - loss.sample_value(y, down)) / (2 * h)
        assert loss.upstream(y, p)[k] == pytest.approx(-numeric, rel=1e-7)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(NodenetError, match="unknown activation 'sigmoyd'.*sigmoid, tanh"):
        get_activation("sigmoyd")
    with pytest.raises(NodenetError, match="unknown loss 'l2'.*sse, half_sse, mse, bce, cross_entropy"):
        get_loss("l2")
    with pytest.raises(NodenetError, match="unknown initializer 'glorot'.*uniform, xavier, he, zeros"):
        get_initializer("glorot")


def test_initializers_draw_from_the_given_generator():
    rng = random.Random(7)
    limit = math.sqrt(6 / (30 + 20))
    xs = [xavier(rng, 30, 20) for _ in range(2000)]
    assert max(map(abs, xs)) <= limit and max(map(abs, xs)) > 0.95 * limit
    hs = [he(random.Random(3), 50, 10)] + [he(rng, 50, 10) for _ in range(4000)]
    std = math.sqrt(sum(v * v for v in hs) / len(hs))
    assert std == pytest.approx(math.sqrt(2 / 50), rel=0.05)
    us = [uniform(rng, 3, 4, bound=0.25) for _ in range(500)]
    assert max(map(abs, us)) <= 0.25
    assert zeros(rng, 3, 4) == 0.0
    assert xavier(random.Random(1), 3, 4) == xavier(random.Random(1), 3, 4)
