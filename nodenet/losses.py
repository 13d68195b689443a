"""Loss functions, each beside its derivative, and the output-layer deltas.

For one sample with targets y and outputs ŷ, ``upstream(y, ŷ)`` returns
e_k = −∂l/∂ŷ_k (the handout's sign).  The batch loss is the sum of the
per-sample losses (``reduction == "sum"``) or their mean (``"mean"``):

====================  =========================================  ==========
name                  batch loss over N samples, K outputs       e_k
====================  =========================================  ==========
``sse``               Σ (y − ŷ)²  (the handout's C)               2(y − ŷ)
``half_sse``          ½·Σ (y − ŷ)²  (seed 001, Nielsen)          y − ŷ
``mse``               Σ (y − ŷ)² / (N·K)  (torch MSELoss)         2(y − ŷ)/K
``bce``               −Σ [y log ŷ + (1−y) log(1−ŷ)] / (N·K)      (y − ŷ)/(ŷ(1−ŷ)K)
``cross_entropy``     −Σ y_k log ŷ_k / N                          y/ŷ
====================  =========================================  ==========

``bce`` and ``cross_entropy`` clip ŷ to [1e-12, 1 − 1e-12] (seed 000).

>>> LOSSES["sse"].sample_value([1.0], [0.6])
0.16000000000000003
>>> LOSSES["sse"].upstream([1.0], [0.6])
[0.8]
"""

import math
from operator import mul, sub

from .errors import NodenetError
from .validate import brief

EPS = 1e-12


def _clip(p):
    return min(max(p, EPS), 1.0 - EPS)


class Loss:
    """A loss: per-sample value and upstream signal, and how samples combine."""

    def __init__(self, name, value, upstream, reduction, formula):
        self.name = name
        self._value = value
        self._upstream = upstream
        self.reduction = reduction
        self.formula = formula

    def sample_value(self, y, yhat):
        """The loss of one sample (already divided by K for mse and bce)."""
        return self._value(y, yhat)

    def upstream(self, y, yhat):
        """e_k = −∂l/∂ŷ_k for one sample: positive when ŷ should grow."""
        return self._upstream(y, yhat)

    def sample_scale(self, n_samples):
        """Weight of one sample's gradient in the batch gradient: 1 or 1/N."""
        return 1.0 if self.reduction == "sum" else 1.0 / n_samples

    def value(self, Y, Yhat):
        """Batch loss over matching lists of target and output vectors."""
        total = sum(self._value(y, yhat) for y, yhat in zip(Y, Yhat))
        return total if self.reduction == "sum" else total / len(Y)

    def __repr__(self):
        return f"Loss({self.name!r}: {self.formula})"


def _sse(y, yhat):
    # d·d, not d ** 2: float ** raises OverflowError where * gives inf
    d = list(map(sub, y, yhat))
    return sum(map(mul, d, d))


def _sse_upstream(y, yhat):
    return [2.0 * (t - p) for t, p in zip(y, yhat)]


def _half_sse(y, yhat):
    return 0.5 * _sse(y, yhat)


def _half_sse_upstream(y, yhat):
    return [t - p for t, p in zip(y, yhat)]


def _mse(y, yhat):
    return _sse(y, yhat) / len(y)


def _mse_upstream(y, yhat):
    k = len(y)
    return [2.0 * (t - p) / k for t, p in zip(y, yhat)]


def _bce(y, yhat):
    total = 0.0
    for t, p in zip(y, yhat):
        p = _clip(p)
        total -= t * math.log(p) + (1.0 - t) * math.log(1.0 - p)
    return total / len(y)


def _bce_upstream(y, yhat):
    k = len(y)
    out = []
    for t, p in zip(y, yhat):
        p = _clip(p)
        out.append((t - p) / (p * (1.0 - p)) / k)
    return out


def _cross_entropy(y, yhat):
    return -sum(t * math.log(_clip(p)) for t, p in zip(y, yhat) if t != 0.0)


def _cross_entropy_upstream(y, yhat):
    return [t / _clip(p) for t, p in zip(y, yhat)]


LOSSES = {
    "sse": Loss("sse", _sse, _sse_upstream, "sum", "Σ (y − ŷ)²"),
    "half_sse": Loss("half_sse", _half_sse, _half_sse_upstream, "sum", "½·Σ (y − ŷ)²"),
    "mse": Loss("mse", _mse, _mse_upstream, "mean", "mean (y − ŷ)²"),
    "bce": Loss("bce", _bce, _bce_upstream, "mean",
                "mean −[y·log ŷ + (1−y)·log(1−ŷ)]"),
    "cross_entropy": Loss("cross_entropy", _cross_entropy, _cross_entropy_upstream,
                          "mean", "mean over samples of −Σ y·log ŷ"),
}


def get_loss(spec):
    """Return the loss named ``spec`` (or ``spec`` itself if it is a Loss)."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str) and spec in LOSSES:
        return LOSSES[spec]
    raise NodenetError(f"unknown loss {brief(spec)}; expected one of: {', '.join(LOSSES)}")


def is_fused(loss, activation):
    """True for the pairs whose output delta simplifies to y − ŷ (scaled).

    sigmoid + bce gives δ = (y − a)/K and softmax + cross_entropy gives
    δ_k = y_k − a_k·Σ y.  These equal the general chain rule exactly in real
    arithmetic, but stay right where ŷ saturates at 0 or 1 (the general form
    would multiply a huge 1/ŷ by a vanishing derivative).
    """
    return ((loss.name == "bce" and activation.name == "sigmoid")
            or (loss.name == "cross_entropy" and activation.name == "softmax"))


# The squared-error losses with a sigmoid or tanh output, in one pass: e·f'(a)
# with e = −∂l/∂a written out.  The same operations, in the same order, as
# activation.backward(loss.upstream(y, a), nets, a), so the same bits; just no
# list of e in between (the output layer of most regression examples).
def _sse_sigmoid(y, outputs):
    return [2.0 * (t - a) * (a * (1.0 - a)) for t, a in zip(y, outputs)]


def _sse_tanh(y, outputs):
    return [2.0 * (t - a) * (1.0 - a * a) for t, a in zip(y, outputs)]


def _half_sse_sigmoid(y, outputs):
    return [(t - a) * (a * (1.0 - a)) for t, a in zip(y, outputs)]


def _half_sse_tanh(y, outputs):
    return [(t - a) * (1.0 - a * a) for t, a in zip(y, outputs)]


def _mse_sigmoid(y, outputs):
    k = len(y)
    return [2.0 * (t - a) / k * (a * (1.0 - a)) for t, a in zip(y, outputs)]


def _mse_tanh(y, outputs):
    k = len(y)
    return [2.0 * (t - a) / k * (1.0 - a * a) for t, a in zip(y, outputs)]


_ONE_PASS = {
    ("sse", "sigmoid"): _sse_sigmoid, ("sse", "tanh"): _sse_tanh,
    ("half_sse", "sigmoid"): _half_sse_sigmoid, ("half_sse", "tanh"): _half_sse_tanh,
    ("mse", "sigmoid"): _mse_sigmoid, ("mse", "tanh"): _mse_tanh,
}


def output_deltas(loss, activation, y, nets, outputs):
    """δ_k = −∂l/∂z_k for the output layer of one sample."""
    one_pass = _ONE_PASS.get((loss.name, activation.name))
    if one_pass is not None:
        return one_pass(y, outputs)
    if loss.name == "bce" and activation.name == "sigmoid":
        k = len(y)
        return [(t - a) / k for t, a in zip(y, outputs)]
    if loss.name == "cross_entropy" and activation.name == "softmax":
        mass = sum(y)
        return [t - a * mass for t, a in zip(y, outputs)]
    return activation.backward(loss.upstream(y, outputs), nets, outputs)


def check_target(loss, y, where):
    """Refuse targets the loss cannot take: bce needs [0, 1], cross_entropy a distribution."""
    if loss.name == "bce":
        for k, t in enumerate(y):
            if not 0.0 <= t <= 1.0:
                raise NodenetError(
                    f"{where}: bce targets must lie in [0, 1], got {t!r} at output {k}")
    elif loss.name == "cross_entropy":
        for k, t in enumerate(y):
            if t < 0.0:
                raise NodenetError(
                    f"{where}: cross_entropy targets must be non-negative, got {t!r} at output {k}")
        total = sum(y)
        if abs(total - 1.0) > 1e-6:
            raise NodenetError(
                f"{where}: cross_entropy targets must sum to 1 (one-hot or probabilities), "
                f"got a sum of {total!r}")
