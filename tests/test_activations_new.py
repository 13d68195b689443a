"""The modern activations and losses: derivatives, overflow, targets, rules, files.

PyTorch comparisons are in test_activations_torch.py; these need nothing but
nodenet (and mpmath for the true values at saturation, skipped without it).
"""

import math
import re
import warnings

import pytest

from nodenet import ACTIVATIONS, Network, NodenetError, get_activation, get_loss
from nodenet.activations import SATURATED
from nodenet.formulas import delta_formulas, legend
from nodenet.modelfile import from_dict, to_dict

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise]
PARAMETERIZED = [{"name": "leaky_relu", "alpha": 0.2}, {"name": "softplus", "beta": 2.0},
                 {"name": "softplus", "beta": 0.5, "threshold": 3.0}, {"name": "elu", "alpha": 0.7}]
ZS = [-30.0, -8.0, -3.1, -1.0, -0.3, 0.2, 0.9, 2.5, 4.0, 9.0, 30.0]


@pytest.mark.parametrize("spec", ELEMENTWISE + PARAMETERIZED, ids=str)
def test_every_derivative_matches_central_differences(spec):
    act = get_activation(spec)
    if act.name == "step":
        return                  # flat: its derivative is 0 by definition
    for z in ZS:
        h = 1e-6 * max(1.0, abs(z))
        if act.name in ("relu", "leaky_relu", "elu", "selu", "softplus") and abs(z) < 2 * h:
            continue            # a kink
        numeric = (act.function(z + h) - act.function(z - h)) / (2 * h)
        assert act.derivative(z, act.function(z)) == pytest.approx(numeric, rel=1e-6, abs=1e-9), z


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_activation_is_overflow_safe_over_the_whole_float_range(name):
    act = ACTIVATIONS[name]
    for z in [-1e308, -1e200, -800.0, -40.0, -5e-324, 0.0, 5e-324, 40.0, 800.0, 1e200, 1e308]:
        a = act.function(z)
        d = act.derivative(z, a)
        assert not math.isnan(a) and not math.isnan(d), (z, a, d)
        assert math.isfinite(d), (z, d)


def test_the_values_of_the_new_activations_by_hand():
    gelu, gelu_tanh, silu = (ACTIVATIONS[n].function for n in ("gelu", "gelu_tanh", "silu"))
    assert gelu(0.0) == 0.0 and gelu(1.0) == pytest.approx(0.8413447460685429, rel=1e-15)
    # z·Φ(z) keeps its digits far out on the left, where 1 + erf(z/√2) would give 0
    assert gelu(-10.0) == pytest.approx(-7.619853024160527e-23, rel=1e-13)
    assert gelu_tanh(1.0) == pytest.approx(0.8411919906082768, rel=1e-15)
    assert silu(2.0) == pytest.approx(2.0 / (1.0 + math.exp(-2.0)), rel=1e-15)
    softplus = get_activation({"name": "softplus", "beta": 2.0, "threshold": 10.0})
    assert softplus.function(1.0) == pytest.approx(math.log1p(math.exp(2.0)) / 2.0, rel=1e-15)
    assert softplus.function(6.0) == 6.0                    # β·z = 12 > 10: the identity
    assert softplus.derivative(6.0, 6.0) == 1.0
    elu = get_activation({"name": "elu", "alpha": 0.5})
    assert elu.function(-1.0) == pytest.approx(0.5 * math.expm1(-1.0), rel=1e-15)
    assert ACTIVATIONS["selu"].function(1.0) == 1.0507009873554804934193349852946


def test_log_softmax_is_the_log_of_softmax_and_stable():
    log_softmax, softmax = ACTIVATIONS["log_softmax"], ACTIVATIONS["softmax"]
    zs = [1.0, -2.0, 0.5]
    assert log_softmax.forward(zs) == pytest.approx([math.log(p) for p in softmax.forward(zs)],
                                                    rel=1e-15)
    assert log_softmax.forward([1000.0, 0.0]) == pytest.approx([0.0, -1000.0])
    # its Jacobian: ∂a_k/∂z_j = [k = j] − softmax_j, checked by differences
    e = [0.3, -1.2, 0.7]
    out = log_softmax.forward(zs)
    deltas = log_softmax.backward(e, zs, out)
    for j in range(3):
        up = list(zs)
        down = list(zs)
        up[j] += 1e-6
        down[j] -= 1e-6
        numeric = sum(ek * (u - d) for ek, u, d in
                      zip(e, log_softmax.forward(up), log_softmax.forward(down))) / 2e-6
        assert deltas[j] == pytest.approx(numeric, rel=1e-7)


def test_sigmoid_and_tanh_derivatives_switch_to_z_only_where_the_output_form_loses_digits():
    sig, tanh = ACTIVATIONS["sigmoid"], ACTIVATIONS["tanh"]
    z = 2.0                             # unsaturated: exactly the handout's a·(1 − a)
    a = sig.function(z)
    assert a < SATURATED and sig.derivative(z, a) == a * (1.0 - a)
    a = tanh.function(1.0)
    assert tanh.derivative(1.0, a) == 1.0 - a * a
    # σ′(30) = σ(30)·σ(−30); a·(1 − a) from the rounded output is 1e-3 off
    a = sig.function(30.0)
    true = math.exp(-30.0) / (1.0 + math.exp(-30.0)) ** 2
    assert sig.derivative(30.0, a) == pytest.approx(true, rel=1e-15)
    assert abs(a * (1.0 - a) / true - 1.0) > 1e-4
    a = tanh.function(15.0)
    assert tanh.derivative(15.0, a) == pytest.approx(1.0 / math.cosh(15.0) ** 2, rel=1e-14)


# -- losses -------------------------------------------------------------------

def test_reduction_mean_and_sum_for_every_loss():
    y, yhat = [[1.0, 0.0], [0.0, 1.0]], [[0.8, 0.3], [0.4, 0.9]]
    for name in ("sse", "mse", "half_sse", "l1", "huber", "smooth_l1", "bce"):
        total = get_loss({"name": name, "reduction": "sum"}).value(y, yhat)
        mean = get_loss({"name": name, "reduction": "mean"}).value(y, yhat)
        assert mean == pytest.approx(total / 4, rel=1e-15), name        # N·K = 4 entries
    assert get_loss({"name": "mse", "reduction": "sum"}).value(y, yhat) == \
        pytest.approx(get_loss("sse").value(y, yhat), rel=1e-15)
    for name in ("cross_entropy", "cross_entropy_with_logits"):
        total = get_loss({"name": name, "reduction": "sum"}).value(y, yhat)
        assert get_loss(name).value(y, yhat) == pytest.approx(total / 2, rel=1e-15)   # N = 2


def test_huber_smooth_l1_and_l1_by_hand():
    huber = get_loss({"name": "huber", "delta": 1.0, "reduction": "sum"})
    assert huber.value([[0.0, 0.0]], [[0.5, 3.0]]) == pytest.approx(0.125 + 2.5)
    assert huber.upstream([0.0, 0.0], [0.5, 3.0]) == [-0.5, -1.0]
    smooth = get_loss({"name": "smooth_l1", "beta": 2.0, "reduction": "sum"})
    assert smooth.value([[0.0, 0.0]], [[1.0, 3.0]]) == pytest.approx(0.25 + 2.0)
    assert smooth.upstream([0.0, 0.0], [1.0, 3.0]) == [-0.5, -1.0]
    l1 = get_loss({"name": "l1", "reduction": "sum"})
    assert l1.value([[1.0, 0.0, 2.0]], [[0.0, 0.0, 5.0]]) == 4.0
    assert l1.upstream([1.0, 0.0, 2.0], [0.0, 0.0, 5.0]) == [1.0, 0.0, -1.0]


def test_logits_losses_are_stable_where_the_naive_formula_overflows():
    bce = get_loss("bce_with_logits")
    assert bce.value([[1.0]], [[-800.0]]) == pytest.approx(800.0)      # log(1 + e^800)
    assert bce.value([[0.0]], [[800.0]]) == pytest.approx(800.0)
    assert bce.value([[1.0]], [[800.0]]) == 0.0
    assert bce.upstream([1.0], [-800.0]) == [1.0]
    assert bce.upstream([1.0], [40.0]) == pytest.approx([math.exp(-40.0)], rel=1e-14)
    ce = get_loss("cross_entropy_with_logits")
    assert ce.value([[0.0]], [[1000.0, 0.0, -1000.0]]) == 0.0
    assert ce.value([[2.0]], [[1000.0, 0.0, -1000.0]]) == pytest.approx(2000.0)
    assert ce.upstream([2.0], [1000.0, 0.0, -1000.0]) == [-1.0, 0.0, 1.0]


def test_label_smoothing_and_pos_weight_by_hand():
    ce = get_loss({"name": "cross_entropy_with_logits", "label_smoothing": 0.3})
    z = [0.0, 0.0, 0.0]                    # uniform softmax: q − s = q − 1/3
    assert ce.upstream([0.0], z) == pytest.approx([0.8 - 1 / 3, 0.1 - 1 / 3, 0.1 - 1 / 3])
    assert ce.value([[0.0]], [z]) == pytest.approx(math.log(3.0))
    bce = get_loss({"name": "bce_with_logits", "pos_weight": 3.0})
    assert bce.value([[1.0]], [[0.0]]) == pytest.approx(3.0 * math.log(2.0))
    assert bce.upstream([1.0], [0.0]) == pytest.approx([1.5])


def test_class_index_targets_are_read_and_checked_naming_the_sample():
    net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]], activations="identity",
                                loss="cross_entropy_with_logits")
    X = [[1.0, 2.0], [0.0, 1.0]]
    by_index = net.loss(X, [2, 0])
    assert by_index == net.loss(X, [[2], [0]]) == net.loss(X, [[0, 0, 1], [1, 0, 0]])
    for Y, message in [
        ([2, 3], r"^sample 1: loss: class index 3 is outside 0…2 \(3 outputs\)"),
        ([2, 1.5], r"^sample 1: loss: cross_entropy_with_logits takes a class index "
                   r"\(a whole number from 0 to 2\), got 1\.5"),
        ([2, True], r"^sample 1: loss: .*got True"),
        ([[2], [0, 1]], r"^sample 1: loss expects 3 targets, got 2"),
        ([[2], [0.5, 0.4, 0.0]], r"^loss: sample 1: cross_entropy_with_logits targets must sum to 1"),
    ]:
        with pytest.raises(NodenetError, match=message):
            net.loss(X, Y)
    nll = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]]], activations="log_softmax", loss="nll")
    with pytest.raises(NodenetError, match=r"nll takes one class index per sample, got 2 values"):
        nll.loss([[1.0, 2.0]], [[0.0, 1.0]])
    before = -nll.forward([1.0, 2.0])[1]            # −log softmax(z)_1
    assert before == pytest.approx(math.log1p(math.exp(-1.0)), rel=1e-15)
    assert nll.step([1.0, 2.0], 1, 0.1) == before


def test_a_class_index_target_steps_and_trains_like_its_one_hot_row():
    def net():
        return Network([3, 4, 3], activation="gelu", output_activation="identity",
                       loss="cross_entropy_with_logits", seed=3)
    a, b = net(), net()
    X = [[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [-1.5, 0.3, 0.1]]
    for x, c in zip(X, [2, 0, 1]):
        one_hot = [0.0] * 3
        one_hot[c] = 1.0
        assert a.step(x, c, 0.1) == b.step(x, one_hot, 0.1)
    assert a.snapshot() == b.snapshot()


def test_loss_parameters_are_checked():
    for spec, message in [
        ({"name": "huber", "delta": 0.0}, r"huber delta must be > 0, got 0\.0"),
        ({"name": "huber", "beta": 1.0}, r"loss huber takes reduction, delta; got \['beta'\]"),
        ({"name": "mse", "reduction": "avg"}, r"mse reduction must be 'mean' or 'sum', got 'avg'"),
        ({"name": "cross_entropy_with_logits", "label_smoothing": 1.5},
         r"label_smoothing must be in \[0, 1\], got 1\.5"),
        ({"name": "bce_with_logits", "pos_weight": -1.0}, r"pos_weight must be ≥ 0, got -1\.0"),
    ]:
        with pytest.raises(NodenetError, match=message):
            get_loss(spec)


def test_the_expected_output_activation_is_a_warning_naming_both():
    with pytest.warns(Warning, match="bce_with_logits works on logits .* got sigmoid"):
        Network([2, 1], activation="sigmoid", loss="bce_with_logits")
    with pytest.warns(Warning, match="nll expects log-probabilities .* got softmax"):
        Network([2, 2], activation="softmax", loss="nll")


def test_losses_and_activations_round_trip_through_model_files():
    specs = [({"name": "softplus", "beta": 2.0, "threshold": 5.0},
              {"name": "huber", "delta": 0.25, "reduction": "sum"}),
             ("gelu_tanh", {"name": "bce_with_logits", "pos_weight": [2.0]}),
             ("selu", {"name": "cross_entropy_with_logits", "label_smoothing": 0.1})]
    for hidden, loss in specs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = Network([2, 3, 1], activation=hidden, output_activation="identity", loss=loss,
                          seed=1)
        data = to_dict(net)
        assert data["loss"] == loss
        again = from_dict(data)
        assert again.loss_function == net.loss_function
        assert again.layers[0].activation == net.layers[0].activation
        assert to_dict(again) == data


# -- the δ rules: every pairing's formula evaluates to its δ ----------------------

def evaluate(text):
    """Evaluate a formula with its numbers: ·, −, ², sign, clip(x, ±c), exp."""
    expr = (text.replace("·", "*").replace("−", "-").replace("²", "**2")
            .replace("±", ""))
    assert re.fullmatch(r"[0-9eE.+\-*/(), a-z]+", expr), expr
    names = {"sign": lambda x: (x > 0) - (x < 0), "exp": math.exp,
             "clip": lambda x, c: min(max(x, -c), c)}
    return eval(expr, {"__builtins__": {}}, names)      # noqa: S307 - checked above


OUTPUT_FOR = {
    "sse": ["identity", "gelu", "silu", "softplus", "elu", "selu", "gelu_tanh", "tanh"],
    "mse": ["identity", "gelu", "log_softmax", "softmax"],
    "huber": ["identity", "gelu", "elu"],
    "smooth_l1": ["identity", "silu"],
    "l1": ["identity", "selu"],
    "bce": ["sigmoid", "softmax"],
    "bce_with_logits": ["identity"],
    "cross_entropy_with_logits": ["identity"],
    "nll": ["log_softmax"],
}
HIDDEN = ["gelu", "gelu_tanh", "silu", "softplus", "elu", "selu", "log_softmax", "sigmoid"]


@pytest.mark.parametrize("loss", list(OUTPUT_FOR))
@pytest.mark.parametrize("k", [1, 3])
def test_every_new_rule_evaluates_to_its_delta(loss, k):
    for n, out in enumerate(OUTPUT_FOR[loss]):
        hidden = HIDDEN[n % len(HIDDEN)]
        if loss == "nll" and k == 1:
            continue
        weights = [[[0.3, -0.7], [0.9, 0.4], [-0.5, 0.6]],
                   [[0.8, -1.1, 0.6], [-0.4, 0.7, 0.9], [0.2, 0.3, -0.8]][:k]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = Network.from_matrices(weights, [[0.1, -0.2, 0.05], [0.2, -0.1, 0.3][:k]],
                                        activations=[hidden, out],
                                        loss={"name": loss, "reduction": "mean"})
        y = [2] if loss in ("nll", "cross_entropy_with_logits") and k > 1 else [1.0, 0.0, 1.0][:k]
        net.forward([0.4, -1.3])
        net.backward(y)
        for f in delta_formulas(net, y, digits=15):
            assert math.isclose(evaluate(f.text), f.delta, rel_tol=1e-9, abs_tol=1e-12), \
                (loss, out, hidden, str(f))


def test_a_gelu_network_has_a_legend_for_its_rule():
    net = Network.from_matrices([[[0.5, -0.4]], [[1.2]]], activations=["gelu", "gelu_tanh"],
                                loss="mse")
    net.forward([1.0, 2.0])
    net.backward([0.5])
    rows = delta_formulas(net, [0.5])
    assert rows[0].rule == "(2·(y − a)/K)·(s + 2·z·s·(1 − s)·u′)"
    assert rows[1].rule == "w·δ·(Φ(z) + z·φ(z))"
    assert legend(net) == ["gelu: Φ = normal CDF, φ = normal density",
                           "gelu_tanh: s = σ(2u), u = √(2/π)·(z + 0.044715·z³), "
                           "u′ = √(2/π)·(1 + 3·0.044715·z²)"]
