"""Loss functions, each beside its derivative, its δ rule and its targets.

For one sample with targets y and outputs ŷ (K of them), ``upstream(y, ŷ)``
returns e_k = −∂l/∂ŷ_k (the handout's sign) and ``sample_value(y, ŷ)`` the
sample's loss l.  ``reduction`` says how samples combine, as PyTorch's
``reduction=``: ``"sum"`` adds the samples' losses; ``"mean"`` averages — over
all N·K entries for the element-wise losses (``mse``, ``bce``, ``l1`` …: each
sample's l is already divided by K), over the N samples for the losses of a
whole row (``cross_entropy``, ``cross_entropy_with_logits``, ``nll``).

=============================  ==================================================  =========
name                           l of one sample (before the reduction)              default
=============================  ==================================================  =========
``sse``                        Σ (y − ŷ)²  (the handout's C)                        sum
``half_sse``                   ½·Σ (y − ŷ)²  (seed 001, Nielsen)                    sum
``mse``                        Σ (y − ŷ)²  (torch MSELoss)                          mean
``l1``                         Σ |y − ŷ|  (L1Loss)                                  mean
``huber``                      Σ ½d² if |d| < δ else δ·(|d| − ½δ)  (HuberLoss)      mean
``smooth_l1``                  Σ ½d²/β if |d| < β else |d| − ½β  (SmoothL1Loss)     mean
``bce``                        −Σ [y·log ŷ + (1−y)·log(1−ŷ)]  (BCELoss)             mean
``bce_with_logits``            −Σ [p·y·log σ(z) + (1−y)·log(1−σ(z))]                mean
``cross_entropy``              −Σ y_k·log ŷ_k  (probabilities on softmax outputs)   mean
``cross_entropy_with_logits``  −Σ q_k·log softmax(z)_k  (CrossEntropyLoss)         mean
``nll``                        −ŷ_c  (NLLLoss, on log_softmax outputs)              mean
=============================  ==================================================  =========

A spec is a name (``"mse"``) or a dict with parameters,
``{"name": "huber", "delta": 0.5, "reduction": "sum"}``.

>>> LOSSES["sse"].sample_value([1.0], [0.6])
0.16000000000000003
>>> LOSSES["sse"].upstream([1.0], [0.6])
[0.8]
>>> get_loss({"name": "mse", "reduction": "sum"}).value([[1.0, 0.0]], [[0.5, 0.5]])
0.5

To add a loss: its value and upstream here, then one ``Kind`` entry in
``KINDS`` with its δ rule and the output activation it expects.
"""

from operator import mul, sub

from . import validate
from .activations import (SATURATED, dominant, log_softmax, sigmoid, sigmoid_derivative,
                          sigmoid_residual, softmax, tanh_derivative, tanh_residual)
from .arith import FLOAT
from .errors import NodenetError
from .numfmt import group
from .validate import brief

EPS = 1e-12             # cross_entropy clips ŷ to [EPS, 1 − EPS] (seed 000)
LOG_FLOOR = -100.0      # bce clamps each log at −100, as torch.nn.BCELoss does
REDUCTIONS = ("mean", "sum")


def _clip(p):
    return min(max(p, EPS), 1.0 - EPS)


# -- per-sample values and upstream signals, side by side ---------------------
# Each takes the loss's parameters ``p`` (a dict) and the arithmetic ``m``.
# Element-wise losses give Σ_k over the outputs and e_k before any 1/K.

def _sse(y, yhat, p, m):
    # d·d, not d ** 2: float ** raises OverflowError where * gives inf
    d = list(map(sub, y, yhat))
    return sum(map(mul, d, d))


def _sse_upstream(y, yhat, p, m):
    return [2.0 * (t - a) for t, a in zip(y, yhat)]


def _sse_residual(r, p):
    return 2.0 * r


def _half_sse(y, yhat, p, m):
    return 0.5 * _sse(y, yhat, p, m)


def _half_sse_upstream(y, yhat, p, m):
    return [t - a for t, a in zip(y, yhat)]


def _half_sse_residual(r, p):
    return r


def _l1(y, yhat, p, m):
    return sum(abs(t - a) for t, a in zip(y, yhat))


def _sign(x):
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def _l1_residual(r, p):
    return _sign(r)                                     # 0 where ŷ = y, as PyTorch


def _l1_upstream(y, yhat, p, m):
    return [_sign(t - a) for t, a in zip(y, yhat)]


def _huber(y, yhat, p, m):
    c = p["delta"]
    total = 0.0
    for t, a in zip(y, yhat):
        d = abs(a - t)
        total += 0.5 * d * d if d < c else c * (d - 0.5 * c)
    return total


def _huber_residual(r, p):
    c = p["delta"]
    return min(max(r, -c), c)                           # y − ŷ clipped to ±δ


def _huber_upstream(y, yhat, p, m):
    return [_huber_residual(t - a, p) for t, a in zip(y, yhat)]


def _smooth_l1(y, yhat, p, m):
    beta = p["beta"]
    total = 0.0
    for t, a in zip(y, yhat):
        d = abs(a - t)
        total += 0.5 * d * d / beta if d < beta else d - 0.5 * beta
    return total


def _smooth_l1_residual(r, p):
    beta = p["beta"]
    return _sign(r) if beta == 0.0 else min(max(r / beta, -1.0), 1.0)


def _smooth_l1_upstream(y, yhat, p, m):
    return [_smooth_l1_residual(t - a, p) for t, a in zip(y, yhat)]


def _bce_logs(a, m):
    """log ŷ and log(1 − ŷ), each clamped at −100, with ŷ first clamped to [0, 1]."""
    a = min(max(a, 0.0), 1.0)
    lp = max(m.log(a), LOG_FLOOR) if a > 0.0 else LOG_FLOOR
    lq = max(m.log1p(-a), LOG_FLOOR) if a < 1.0 else LOG_FLOOR
    return lp, lq


def _bce(y, yhat, p, m):
    total = 0.0
    for t, a in zip(y, yhat):
        lp, lq = _bce_logs(a, m)
        total -= t * lp + (1.0 - t) * lq
    return total


def _bce_upstream(y, yhat, p, m):
    # PyTorch's: (y − ŷ)/max(ŷ·(1 − ŷ), 1e-12), with ŷ clamped to [0, 1]
    out = []
    for t, a in zip(y, yhat):
        a = min(max(a, 0.0), 1.0)
        out.append((t - a) / max(a * (1.0 - a), EPS))
    return out


def _softplus(x, m):
    """log(1 + e^x) without overflow."""
    return x + m.log1p(m.exp(-x)) if x > 0.0 else m.log1p(m.exp(x))


def _pos_weights(p, k):
    w = p["pos_weight"]
    return [1.0] * k if w is None else w if isinstance(w, list) else [w] * k


def _bce_with_logits(y, z, p, m):
    # −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))] = w·y·softplus(−z) + (1 − y)·softplus(z)
    return sum(w * t * _softplus(-a, m) + (1.0 - t) * _softplus(a, m)
               for t, a, w in zip(y, z, _pos_weights(p, len(z))))


def _bce_with_logits_upstream(y, z, p, m):
    # w·y·σ(−z) − (1 − y)·σ(z): y − σ(z) when w = 1, without its cancellation
    return [w * t * sigmoid(-a, m) - (1.0 - t) * sigmoid(a, m)
            for t, a, w in zip(y, z, _pos_weights(p, len(z)))]


def _cross_entropy(y, yhat, p, m):
    return -sum(t * m.log(_clip(a)) for t, a in zip(y, yhat) if t != 0.0)


def _cross_entropy_upstream(y, yhat, p, m):
    return [t / _clip(a) for t, a in zip(y, yhat)]


def one_hot(c, k):
    """The distribution of class ``c`` (a float holding an integer) over ``k`` outputs."""
    out = [0.0] * k
    out[int(c)] = 1.0
    return out


def _target_distribution(y, k, p):
    """q: a class index as one-hot, smoothed by ε: (1 − ε)·y + ε/K (PyTorch's label_smoothing)."""
    q = one_hot(y[0], k) if len(y) == 1 and k > 1 else y
    eps = p.get("label_smoothing", 0.0)
    if eps:
        q = [(1.0 - eps) * t + eps / k for t in q]
    return q


def _ce_logits(y, z, p, m):
    q = _target_distribution(y, len(z), p)
    return -sum(t * s for t, s in zip(q, log_softmax(z, m)) if t != 0.0)


def _ce_logits_upstream(y, z, p, m):
    q = _target_distribution(y, len(z), p)
    mass = sum(q)
    s = softmax(z, m)
    e = [t - a * mass for t, a in zip(q, s)]            # q − softmax(z)·Σq
    j, rest = dominant(s)
    if j is not None:                                    # 1 − s_j = Σ_{k≠j} s_k
        e[j] = (q[j] - mass) + mass * rest
    return e


def _nll(y, yhat, p, m):
    return -yhat[int(y[0])]


def _nll_upstream(y, yhat, p, m):
    return one_hot(y[0], len(yhat))


# -- targets --------------------------------------------------------------------

def _unit_interval(loss, y, where):
    for k, t in enumerate(y):
        if not 0.0 <= t <= 1.0:
            raise NodenetError(f"{where}: {loss.name} targets must lie in [0, 1], "
                               f"got {brief(t)} at output {k}")


def _distribution(loss, y, where):
    for k, t in enumerate(y):
        if t < 0.0:
            raise NodenetError(f"{where}: {loss.name} targets must be non-negative, "
                               f"got {brief(t)} at output {k}")
    total = sum(y)
    if abs(total - 1.0) > 1e-6:
        raise NodenetError(f"{where}: {loss.name} targets must sum to 1 (one-hot or "
                           f"probabilities), got a sum of {brief(total)}")


def _class_index(loss, c, k, where):
    if isinstance(c, bool) or not isinstance(c, (int, float)) or c != c or c % 1 != 0:
        raise NodenetError(f"{where}: {loss.name} takes a class index (a whole number from "
                           f"0 to {k - 1}), got {brief(c)}")
    if not 0 <= c < k:
        raise NodenetError(f"{where}: class index {brief(c)} is outside 0…{k - 1} "
                           f"({k} outputs)")


# -- the δ rules shown in the tables -----------------------------------------------
# rule(loss, k) → (rule, wraps): e = −∂l/∂a as a formula; numbers(loss, y, a, j, k, fmt)
# → the same for output j with its numbers; fused rules give δ itself.

def _per_k(loss, k, rule, text):
    if loss.divides_by_k:
        return f"{group(rule)}/K", f"{group(text)}/{k}", True
    return rule, text, False


def _squared_rule(c):
    def rule(loss, y, a, j, k, fmt):
        head = "2·" if c == 2 else ""
        return _per_k(loss, k, f"{head}(y − a)", f"{head}({fmt(y[j])} − {fmt(a[j])})")
    return rule


def _l1_rule(loss, y, a, j, k, fmt):
    return _per_k(loss, k, "sign(y − a)", f"sign({fmt(y[j])} − {fmt(a[j])})")


def _huber_rule(loss, y, a, j, k, fmt):
    return _per_k(loss, k, "clip(y − a, ±d)", f"clip({fmt(y[j])} − {fmt(a[j])}, ±{fmt(loss.params['delta'])})")


def _smooth_l1_rule(loss, y, a, j, k, fmt):
    beta = fmt(loss.params["beta"])
    return _per_k(loss, k, "clip((y − a)/β, ±1)", f"clip(({fmt(y[j])} − {fmt(a[j])})/{beta}, ±1)")


def _bce_rule(loss, y, a, j, k, fmt):
    p = min(max(a[j], 0.0), 1.0)
    t, q = fmt(y[j]), fmt(p)
    per_k = loss.divides_by_k and k > 1
    K, kk = ("·K", f"·{k}") if per_k else ("", "")
    if p * (1.0 - p) < EPS:             # the denominator is clamped, as PyTorch does
        return f"(y − a)/(ε{K})", f"({t} − {q})/({fmt(EPS)}{kk})", True
    return f"(y − a)/(a·(1 − a){K})", f"({t} − {q})/({q}·(1 − {q}){kk})", True


def _cross_entropy_rule(loss, y, a, j, k, fmt):
    return "y/a", f"{fmt(y[j])}/{fmt(_clip(a[j]))}", True


def _bce_logits_rule(loss, y, a, j, k, fmt):
    w = _pos_weights(loss.params, k)[j]
    s = fmt(sigmoid(a[j]))
    if w == 1.0:
        return _per_k(loss, k, "y − σ(z)", f"{fmt(y[j])} − {s}")
    return _per_k(loss, k, "w·y·(1 − σ(z)) − (1 − y)·σ(z)",
                  f"{fmt(w)}·{fmt(y[j])}·(1 − {s}) − (1 − {fmt(y[j])})·{s}")


def _ce_logits_rule(loss, y, a, j, k, fmt):
    q = _target_distribution(y, k, loss.params)
    s = softmax(a)
    if sum(q) == 1.0:
        return "q − softmax(z)", f"{fmt(q[j])} − {fmt(s[j])}", False
    return "q − softmax(z)·Σq", f"{fmt(q[j])} − {fmt(s[j])}·{fmt(sum(q))}", False


def _nll_rule(loss, y, a, j, k, fmt):
    return "[k = c]", "1" if j == int(y[0]) else "0", False


def _unknown_rule(loss, y, a, j, k, fmt):
    """A loss without a written rule: just the number e."""
    return "−∂l/∂a", fmt(loss.upstream(y, a)[j]), False


# Direct δ: a function (loss, y, outputs, nodes) → the output deltas in one
# pass, for the pairs where δ has a simpler exact form (the fused pairs) and
# for the squared losses on sigmoid and tanh outputs.  Where an output has
# saturated (SATURATED), each takes f′ and y − a from the node's z.

def _bce_sigmoid(loss, y, outputs, nodes):
    # y − a; saturated, y − σ(z) is (y − 1) + σ(−z)
    m = loss.m
    if loss.divides_by_k:
        k = len(y)
        return [(t - a) / k if a < SATURATED else sigmoid_residual(t, n.net, a, m) / k
                for t, a, n in zip(y, outputs, nodes)]
    return [t - a if a < SATURATED else sigmoid_residual(t, n.net, a, m)
            for t, a, n in zip(y, outputs, nodes)]


def _bce_sigmoid_rule(loss, y, a, j, k, fmt):
    if loss.divides_by_k and k > 1:
        return "(y − a)/K", f"({fmt(y[j])} − {fmt(a[j])})/{k}", True
    return "y − a", f"{fmt(y[j])} − {fmt(a[j])}", False


def _ce_softmax(loss, y, outputs, nodes):
    mass = sum(y)
    deltas = [t - a * mass for t, a in zip(y, outputs)]
    if max(outputs) > SATURATED:        # y_j − a_j·Σy = (y_j − Σy) + Σy·(1 − a_j)
        j, rest = dominant(outputs)
        deltas[j] = (y[j] - mass) + mass * rest
    return deltas


def _ce_softmax_rule(loss, y, a, j, k, fmt):
    mass = sum(y)
    if mass == 1.0:
        return "y − a", f"{fmt(y[j])} − {fmt(a[j])}", False
    return "y − a·Σy", f"{fmt(y[j])} − {fmt(a[j])}·{fmt(mass)}", False


def _bce_softmax(loss, y, outputs, nodes):
    """δ_j = Σ_k r_k·([k = j] − a_j) with r_k = e_k·a_k = (y_k − a_k)/((1 − a_k)·K).

    Written so that nothing divides by a rounded 1 − a_j: for the largest
    output j, 1 − a_j is the sum s of the others, r_j = (y_j − a_j)/(s·K),
    δ_j = (y_j − a_j)/K − a_j·Σ_{k≠j} r_k, and a_k·r_j = (a_k/s)·(y_j − a_j)/K,
    with a_k/s from the net inputs if the outputs underflowed.  (This is the
    true derivative; PyTorch's BCELoss after a softmax clamps a·(1 − a) at
    1e-12 where an output saturates.)
    """
    if len(outputs) == 1:
        return [0.0]                    # a softmax of one output is the constant 1
    k = len(y) if loss.divides_by_k else 1
    j, rest = dominant(outputs)
    if j is None:
        r = [(t - a) / ((1.0 - a) * k) for t, a in zip(y, outputs)]
        total = sum(r)
        return [rk - a * total for rk, a in zip(r, outputs)]
    top = ((y[j] - 1.0) + rest) / k                  # (y_j − a_j)/K
    r = [(t - a) / ((1.0 - a) * k) if i != j else 0.0 for i, (t, a) in enumerate(zip(y, outputs))]
    others = sum(r)
    if rest > 0.0:
        shares = [a / rest for a in outputs]
    else:                                           # a_k/s = softmax of the other nets
        nets = [n.net for n in nodes]
        low = max(z for i, z in enumerate(nets) if i != j) if len(nets) > 1 else 0.0
        w = [loss.m.exp(z - low) if i != j else 0.0 for i, z in enumerate(nets)]
        shares = [v / sum(w) for v in w] if len(nets) > 1 else [0.0]
    deltas = [rk - a * others - share * top for rk, a, share in zip(r, outputs, shares)]
    deltas[j] = top - outputs[j] * others
    return deltas


def _bce_softmax_rule(loss, y, a, j, k, fmt):
    # through softmax's Jacobian, with r = e·a = (y − a)/((1 − a)·K)
    if k == 1:
        return "0", "0", False          # a softmax of one output is constant
    div = k if loss.divides_by_k else 1
    r = [(t - p) / (sum(a[:i] + a[i + 1:]) * div) for i, (t, p) in enumerate(zip(y, a))]
    return "r − a·Σ r", f"{fmt(r[j])} − {fmt(a[j])}·{fmt(sum(r))}", False


def _as_is(loss, y, outputs, nodes):
    """δ = e: the loss is defined on the net inputs (an identity output)."""
    return loss.upstream(y, outputs)


def _nll_log_softmax(loss, y, outputs, nodes):
    # [k = c] − e^(a_k); for k = c that is −(e^(a_c) − 1), with expm1
    m = loss.m
    c = int(y[0])
    return [-m.expm1(a) if j == c else -m.exp(a) for j, a in enumerate(outputs)]


def _nll_log_softmax_rule(loss, y, a, j, k, fmt):
    hit = "1" if j == int(y[0]) else "0"
    return "[k = c] − exp(a)", f"{hit} − exp({fmt(a[j])})", False


# The squared-error losses with a sigmoid or tanh output, in one pass: e·f′(a)
# with e = −∂l/∂a written out.  Below SATURATED the same operations, in the same
# order, as activation.fast(loss.upstream(y, a), a, nodes), so the same bits;
# just no list of e in between (the output layer of most regression examples).
# Past it, y − a and f′ come from z (the residual and the derivative's z form).

def _sse_sigmoid(loss, y, outputs, nodes):
    return [2.0 * (t - a) * (a * (1.0 - a)) if a < SATURATED
            else 2.0 * sigmoid_residual(t, n.net, a) * sigmoid_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


def _sse_tanh(loss, y, outputs, nodes):
    return [2.0 * (t - a) * (1.0 - a * a) if -SATURATED < a < SATURATED
            else 2.0 * tanh_residual(t, n.net, a) * tanh_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


def _half_sse_sigmoid(loss, y, outputs, nodes):
    return [(t - a) * (a * (1.0 - a)) if a < SATURATED
            else sigmoid_residual(t, n.net, a) * sigmoid_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


def _half_sse_tanh(loss, y, outputs, nodes):
    return [(t - a) * (1.0 - a * a) if -SATURATED < a < SATURATED
            else tanh_residual(t, n.net, a) * tanh_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


def _mse_sigmoid(loss, y, outputs, nodes):
    k = len(y)
    return [2.0 * (t - a) / k * (a * (1.0 - a)) if a < SATURATED
            else 2.0 * sigmoid_residual(t, n.net, a) / k * sigmoid_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


def _mse_tanh(loss, y, outputs, nodes):
    k = len(y)
    return [2.0 * (t - a) / k * (1.0 - a * a) if -SATURATED < a < SATURATED
            else 2.0 * tanh_residual(t, n.net, a) / k * tanh_derivative(n.net, a)
            for t, a, n in zip(y, outputs, nodes)]


_SQUARED_ONE_PASS = {   # (factor, divides by K) → {activation: one pass}
    (2.0, False): {"sigmoid": _sse_sigmoid, "tanh": _sse_tanh},
    (1.0, False): {"sigmoid": _half_sse_sigmoid, "tanh": _half_sse_tanh},
    (2.0, True): {"sigmoid": _mse_sigmoid, "tanh": _mse_tanh},
}


# -- the Loss object --------------------------------------------------------------

class Kind:
    """What a loss is, apart from its parameters: the functions, rules and checks."""

    def __init__(self, value, upstream, rule=None, *, elementwise=True, reduction="mean",
                 formula, params=None, expects=(), warning="", check=None, targets="values",
                 fused=None, squared=None, polynomial=False, residual=None):
        self.value, self.upstream, self.rule = value, upstream, rule or _unknown_rule
        self.elementwise, self.reduction, self.formula = elementwise, reduction, formula
        self.params = dict(params or {})       # name → (default, checker)
        self.expects, self.warning, self.check = expects, warning, check
        self.targets = targets                 # "values", "classes" or "either"
        self.fused = dict(fused or {})         # activation name → (delta, rule)
        self.squared = squared                 # c of c·(y − a) for the one-pass outputs
        self.polynomial = polynomial           # exact in rational arithmetic
        self.residual = residual               # e as a function of r = y − a alone


class Loss:
    """A loss: per-sample value and upstream signal, how samples combine, its δ rules.

    ``name``, ``reduction`` (``"mean"``/``"sum"``), ``params`` (e.g.
    ``{"delta": 1.0}``); ``divides_by_k``: each sample's loss and upstream
    are divided by its number of outputs K (element-wise losses under "mean").
    """

    def __init__(self, name, kind, reduction=None, params=None, m=FLOAT):
        self.name = name
        self.kind = kind
        self.reduction = kind.reduction if reduction is None else reduction
        self.params = {k: d for k, (d, _) in kind.params.items()}
        self.params.update(params or {})
        self.m = m
        self.divides_by_k = kind.elementwise and self.reduction == "mean"
        # True if a target may be a class index (one whole number per sample)
        self.class_index = kind.targets != "values"
        self._value = kind.value
        # activation name → δ in one pass (the fused pairs, the squared one-pass forms)
        self.direct = {name: fused[0] for name, fused in kind.fused.items()}
        if kind.squared is not None and m is FLOAT:
            self.direct.update(_SQUARED_ONE_PASS.get((kind.squared, self.divides_by_k), {}))
        # check_target(y, k, where): None when any K finite numbers will do
        self.check_target = None if kind.check is None and kind.targets == "values" \
            else self._check_target

    # -- values ----------------------------------------------------------------

    def sample_value(self, y, yhat):
        """The loss of one sample (already divided by K when ``divides_by_k``)."""
        v = self._value(y, yhat, self.params, self.m)
        return v / len(yhat) if self.divides_by_k else v

    def upstream(self, y, yhat):
        """e_k = −∂l/∂ŷ_k for one sample: positive when ŷ should grow."""
        e = self.kind.upstream(y, yhat, self.params, self.m)
        if self.divides_by_k:
            k = len(yhat)
            return [v / k for v in e]
        return e

    def sample_scale(self, n_samples):
        """Weight of one sample's gradient in the batch gradient: 1 or 1/N."""
        if self.reduction == "sum":
            return 1.0
        return 1.0 / n_samples if self.m is FLOAT else self.m.num(1) / n_samples

    def value(self, Y, Yhat):
        """Batch loss over matching lists of target and output vectors."""
        total = sum(self.sample_value(y, yhat) for y, yhat in zip(Y, Yhat))
        return total if self.reduction == "sum" else total / len(Y)

    @property
    def formula(self):
        """The batch loss in words, e.g. ``"Σ (y − ŷ)²"`` or ``"mean over N·K of …"``."""
        f = self.kind.formula
        if self.reduction == "sum":
            return f"Σ over samples of {f}" if not self.kind.elementwise else f
        return f"mean over N·K of {f}" if self.kind.elementwise else f"mean over samples of {f}"

    # -- output deltas ---------------------------------------------------------

    def output_deltas(self, layer, y, outputs):
        """δ_k = −∂l/∂z_k of the output ``layer`` for one sample (``outputs``: its outputs)."""
        direct = self.direct.get(layer.activation.name)
        if direct is not None:                  # e.g. sigmoid + bce: δ = (y − a)/K
            return direct(self, y, outputs, layer.nodes)
        return layer.deltas(self.upstream_at(layer, y, outputs), outputs)

    def upstream_at(self, layer, y, outputs):
        """e = −∂l/∂a of the output layer; where an output has saturated and the loss
        depends on y − a alone (squared, absolute, Huber), y − a without its cancellation."""
        residual = self.kind.residual
        act = layer.activation
        if residual is None or not act.saturates(outputs):
            return self.upstream(y, outputs)
        nets = [n.net for n in layer.nodes]
        e = [residual(r, self.params) for r in act.residuals(y, nets, outputs)]
        if self.divides_by_k:
            k = len(outputs)
            return [v / k for v in e]
        return e

    def fused_with(self, activation):
        """True if the output δ is computed directly (e.g. sigmoid + bce: y − a)."""
        return activation.name in self.kind.fused

    def rule(self, activation, y, outputs, j, fmt):
        """``(rule, text, wraps)`` of output j: e (or δ, if fused) as a formula and with numbers."""
        fused = self.kind.fused.get(activation.name)
        how = fused[1] if fused is not None else self.kind.rule
        return how(self, y, outputs, j, len(outputs), fmt)

    # -- targets ----------------------------------------------------------------

    def _is_index(self, y, k):
        return self.kind.targets == "classes" or (self.kind.targets == "either"
                                                   and len(y) == 1 and k > 1)

    def read_target(self, y, k, where):
        """One sample's target as a fresh, checked list of floats: K values, or [class index]."""
        y = self._parse_target(y, k, where)
        if self.check_target is not None:
            self.check_target(y, k, where)
        return y

    def read_targets(self, Y, k, what):
        """A batch of targets (rows, or one class index per sample), each checked."""
        Y = validate.as_sequence(Y)
        if isinstance(Y, (str, bytes)) or not isinstance(Y, (list, tuple)):
            raise NodenetError(f"{what} expects a list of targets, got {validate.describe(Y)}")
        if not Y:
            raise NodenetError(f"{what} expects at least one sample, got an empty batch")
        out = []
        for s, y in enumerate(Y):
            try:
                y = self._parse_target(y, k, what)
            except NodenetError as err:
                raise NodenetError(f"sample {s}: {err}") from None
            if self.check_target is not None:
                self.check_target(y, k, f"{what}: sample {s}")
            out.append(y)
        return out

    def _parse_target(self, y, k, where):
        """Numbers only: K finite floats, or [class index] for a loss that takes one."""
        if self.class_index:
            y = validate.as_sequence(y)
            if not isinstance(y, (list, tuple)):
                y = [y]                         # one bare class index
            if self._is_index(y, k):
                if len(y) != 1:
                    raise NodenetError(f"{where}: {self.name} takes one class index per "
                                       f"sample, got {len(y)} values")
                _class_index(self, y[0], k, where)
                return [float(y[0])]
        return validate.vector(y, k, where, "targets")

    def _check_target(self, y, k, where):
        """Check a target already read as floats (K values, or [class index])."""
        if self._is_index(y, k):
            if len(y) != 1:
                raise NodenetError(f"{where}: {self.name} takes one class index per sample, "
                                   f"got {len(y)} values")
            _class_index(self, y[0], k, where)
        elif self.kind.check is not None:
            self.kind.check(self, y, where)

    def expand_target(self, y, k):
        """The target as K values: a class index becomes its one-hot row."""
        return one_hot(y[0], k) if len(y) == 1 and k > 1 and self.class_index else list(y)

    def check_output(self, activation):
        """A warning text if this loss expects another output activation, else ''."""
        if self.kind.expects and activation.name not in self.kind.expects:
            return self.kind.warning.format(name=self.name, out=activation.name)
        return ""

    # -- model files, exact arithmetic -----------------------------------------

    def to_spec(self):
        """The name, or a dict with the reduction and parameters that differ from defaults."""
        changed = {k: v for k, v in self.params.items() if v != self.kind.params[k][0]}
        if self.reduction != self.kind.reduction:
            changed["reduction"] = self.reduction
        return {"name": self.name, **changed} if changed else self.name

    def using(self, m):
        """This loss computed in the arithmetic ``m`` (for nodenet.exact)."""
        return Loss(self.name, self.kind, self.reduction, self.params, m)

    def __eq__(self, other):
        return isinstance(other, Loss) and self.to_spec() == other.to_spec()

    def __hash__(self):
        return hash(str(self.to_spec()))

    @property
    def label(self):
        """Short name with non-default settings, e.g. ``huber(delta=0.5)``."""
        spec = self.to_spec()
        if isinstance(spec, str):
            return spec
        return f"{self.name}({', '.join(f'{k}={v}' for k, v in spec.items() if k != 'name')})"

    def __repr__(self):
        return f"Loss({self.name!r}: {self.formula})"


# -- parameter checks ---------------------------------------------------------------

def _non_negative(name):
    def check(value):
        value = validate.number(value, name)
        if value < 0.0:
            raise NodenetError(f"{name} must be ≥ 0, got {brief(value)}")
        return value
    return check


def _positive(name):
    def check(value):
        value = validate.number(value, name)
        if value <= 0.0:
            raise NodenetError(f"{name} must be > 0, got {brief(value)}")
        return value
    return check


def _pos_weight(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        values = validate.as_sequence(value)
        if not values:
            raise NodenetError("bce_with_logits pos_weight must be a number or a non-empty list")
        return [_non_negative("bce_with_logits pos_weight")(v) for v in values]
    return _non_negative("bce_with_logits pos_weight")(value)


def _smoothing(value):
    value = validate.number(value, "label_smoothing")
    if not 0.0 <= value <= 1.0:
        raise NodenetError(f"label_smoothing must be in [0, 1], got {brief(value)}")
    return value


_PROBABILITIES = "{name} expects outputs in (0, 1) (sigmoid), got {out}, whose outputs " \
                 "can leave (0, 1) and are clamped to [0, 1]"
_LOGITS = "{name} works on logits (it applies the {what} itself): it expects an identity " \
          "output layer, got {out}"

KINDS = {
    "sse": Kind(_sse, _sse_upstream, _squared_rule(2), reduction="sum", formula="Σ (y − ŷ)²",
                squared=2.0, polynomial=True, residual=_sse_residual),
    "half_sse": Kind(_half_sse, _half_sse_upstream, _squared_rule(1), reduction="sum",
                     formula="½·Σ (y − ŷ)²", squared=1.0, polynomial=True,
                     residual=_half_sse_residual),
    "mse": Kind(_sse, _sse_upstream, _squared_rule(2), formula="(y − ŷ)²", squared=2.0,
                polynomial=True, residual=_sse_residual),
    "bce": Kind(_bce, _bce_upstream, _bce_rule,
                formula="−[y·log ŷ + (1−y)·log(1−ŷ)]", expects=("sigmoid", "softmax"),
                warning=_PROBABILITIES, check=_unit_interval,
                fused={"sigmoid": (_bce_sigmoid, _bce_sigmoid_rule),
                       "softmax": (_bce_softmax, _bce_softmax_rule)}),
    "cross_entropy": Kind(
        _cross_entropy, _cross_entropy_upstream, _cross_entropy_rule, elementwise=False,
        formula="−Σ y·log ŷ", expects=("softmax",),
        warning="{name} expects a softmax output layer, got {out}; outputs may not be "
                "probabilities", check=_distribution,
        fused={"softmax": (_ce_softmax, _ce_softmax_rule)}),
    "bce_with_logits": Kind(
        _bce_with_logits, _bce_with_logits_upstream, _bce_logits_rule,
        formula="−[w·y·log σ(z) + (1−y)·log(1−σ(z))]", expects=("identity",),
        warning=_LOGITS.replace("{what}", "sigmoid"), check=_unit_interval,
        params={"pos_weight": (None, _pos_weight)},
        fused={"identity": (_as_is, _bce_logits_rule)}),
    "cross_entropy_with_logits": Kind(
        _ce_logits, _ce_logits_upstream, _ce_logits_rule, elementwise=False,
        formula="−Σ q·log softmax(z)", expects=("identity",),
        warning=_LOGITS.replace("{what}", "softmax"), check=_distribution, targets="either",
        params={"label_smoothing": (0.0, _smoothing)},
        fused={"identity": (_as_is, _ce_logits_rule)}),
    "nll": Kind(_nll, _nll_upstream, _nll_rule, elementwise=False, formula="−ŷ_c",
                expects=("log_softmax",), targets="classes",
                warning="{name} expects log-probabilities (a log_softmax output layer), "
                        "got {out}",
                fused={"log_softmax": (_nll_log_softmax, _nll_log_softmax_rule)}),
    "l1": Kind(_l1, _l1_upstream, _l1_rule, formula="|y − ŷ|", polynomial=True,
               residual=_l1_residual),
    "huber": Kind(_huber, _huber_upstream, _huber_rule, polynomial=True, residual=_huber_residual,
                  formula="½d² if |d| < δ else δ·(|d| − ½δ), d = ŷ − y",
                  params={"delta": (1.0, _positive("huber delta"))}),
    "smooth_l1": Kind(_smooth_l1, _smooth_l1_upstream, _smooth_l1_rule, polynomial=True,
                      residual=_smooth_l1_residual,
                      formula="½d²/β if |d| < β else |d| − ½β, d = ŷ − y",
                      params={"beta": (1.0, _non_negative("smooth_l1 beta"))}),
}

LOSSES = {name: Loss(name, kind) for name, kind in KINDS.items()}


def get_loss(spec):
    """Return the loss named by ``spec``: a name, a dict with parameters, or a Loss.

    >>> get_loss({"name": "huber", "delta": 0.5})
    Loss('huber': mean over N·K of ½d² if |d| < δ else δ·(|d| − ½δ), d = ŷ − y)
    """
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str) and spec in LOSSES:
        return LOSSES[spec]
    if isinstance(spec, dict):
        params = dict(spec)
        name = params.pop("name", None)
        if isinstance(name, str) and name in KINDS:
            kind = KINDS[name]
            reduction = params.pop("reduction", kind.reduction)
            if reduction not in REDUCTIONS:
                raise NodenetError(f"{name} reduction must be 'mean' or 'sum', got {brief(reduction)}")
            unknown = sorted(set(params) - set(kind.params))
            if unknown:
                takes = ", ".join(["reduction"] + sorted(kind.params))
                raise NodenetError(f"loss {name} takes {takes}; got {brief(unknown)}")
            checked = {k: kind.params[k][1](v) for k, v in params.items()}
            return Loss(name, kind, reduction, checked)
        raise NodenetError(f"loss spec must be a name or a dict such as {{'name': 'mse', "
                           f"'reduction': 'sum'}}, got {brief(spec)}")
    raise NodenetError(f"unknown loss {brief(spec)}; expected one of: {', '.join(LOSSES)}")


def output_deltas(loss, activation, y, nets, outputs):
    """δ_k = −∂l/∂z_k for an output layer of one sample, from lists of nets and outputs."""
    from .node import Layer, Node           # a throwaway layer holding these values
    layer = Layer([Node([0.0]) for _ in nets], activation)
    for node, z, a in zip(layer, nets, outputs):
        node.net, node.output = z, a
    return loss.output_deltas(layer, y, outputs)
