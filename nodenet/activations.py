"""Activation functions, each written beside its derivative and its δ rule.

Every derivative takes both the node's net input ``z`` and its stored output
``a = f(z)``, and uses whichever is exact enough: sigmoid reads the output,
``a·(1 − a)``, exactly as the handout's ``sigmoid_derivative(x) = x*(1-x)``,
until the output is so close to 1 that ``1 − a`` has lost its digits; then
it switches to the same number written in z, σ(z)·σ(−z), which keeps them.

>>> sigmoid(0.0), sigmoid_derivative(0.0, 0.5)
(0.5, 0.25)
>>> ACTIVATIONS["relu"].derivative(0.0, 0.0)      # 0 at z = 0, as seed 000
0.0

Each function takes an optional ``m``, the arithmetic it runs in
(``nodenet.arith``): floats by default, arbitrary precision when
``nodenet.exact`` passes its own.  None of them raises OverflowError,
whatever the net input in ±1e308.

``softmax`` and ``log_softmax`` act on a whole layer, so they have
``forward`` and ``backward`` over lists instead of a scalar function and
derivative.

To add an activation: write ``f(z, m=FLOAT)`` and ``f_derivative(z, a,
m=FLOAT)`` here, then one ``Activation(...)`` entry in ``ACTIVATIONS`` (or
a factory in ``FACTORIES`` when it has parameters) with its δ rule.
"""

import math

from .arith import FLOAT
from .errors import NodenetError
from .validate import brief, number

# f′ from the output loses digits once 1 − |a| < 1/16: below that line the
# output form is within a few ulps (≤ 2e-15 relative); above it the
# derivative is computed from z instead (sigmoid and tanh).
SATURATED = 0.9375


# -- scalar functions and their derivatives, side by side ------------------

# An overflowed net input must not vanish into a finite output: where a
# function flattens out (relu below 0, step, elu, softplus), z = ±inf gives
# NaN (0·inf, or inf − inf) instead of a constant, which every later check
# catches.  Sigmoid and tanh saturate at ±1 for finite z
# too; the callers that must tell an overflow apart check their net inputs.

def step(z, m=FLOAT):
    """Heaviside step (seed 000): 1 for z ≥ 0, else 0."""
    return (1.0 if z >= 0.0 else 0.0) + 0.0 * z


def step_derivative(z, a, m=FLOAT):
    return 0.0          # flat everywhere it is defined; gradients vanish


def identity(z, m=FLOAT):
    return z


def identity_derivative(z, a, m=FLOAT):
    return 1.0


def sigmoid(z, m=FLOAT):
    """Logistic 1 / (1 + e^−z), computed so that exp never overflows."""
    if z >= 0.0:
        return 1.0 / (1.0 + m.exp(-z))
    e = m.exp(z)             # z < 0, so e is in (0, 1): no overflow
    return e / (1.0 + e)


def sigmoid_derivative(z, a, m=FLOAT):
    """a·(1 − a); σ(z)·σ(−z) once a is so close to 1 that 1 − a has lost digits
    (and NaN there if z itself overflowed: σ(inf) is a plain 1)."""
    if a < SATURATED:
        return a * (1.0 - a)
    return a * sigmoid(-z, m) + 0.0 * z


def tanh(z, m=FLOAT):
    return m.tanh(z)


def tanh_derivative(z, a, m=FLOAT):
    """1 − a²; 1/cosh²(z) = 4t/(1 + t)² with t = e^(−2|z|) once |a| is near 1."""
    if -SATURATED < a < SATURATED:
        return 1.0 - a * a
    t = m.exp(-2.0 * abs(z))          # ≤ 1: no overflow; underflows to 0 far out
    return 4.0 * t / ((1.0 + t) * (1.0 + t)) + 0.0 * z     # NaN if z overflowed


def relu(z, m=FLOAT):
    # z ≥ −max float: a finite z (or −0.0) gives 0.0; −inf and NaN give NaN
    return z if z > 0.0 else 0.0 if z >= -1.7976931348623157e308 else z - z


def relu_derivative(z, a, m=FLOAT):
    return 1.0 if z > 0.0 else 0.0      # 0 at z = 0, as seed 000


def normal_cdf(z, m=FLOAT):
    """Φ(z) = ½·erfc(−z/√2): no cancellation for negative z (1 + erf would have it)."""
    return 0.5 * m.erfc(-z / m.sqrt2)


def normal_pdf(z, m=FLOAT):
    """φ(z) = e^(−z²/2)/√(2π); z² may overflow to inf, and then φ is 0."""
    return m.exp(-0.5 * (z * z)) * m.inv_sqrt_2pi


def gelu(z, m=FLOAT):
    """z·Φ(z) (PyTorch's ``GELU()``, written as 0.5·z·(1 + erf(z/√2)))."""
    return z * normal_cdf(z, m)


def gelu_derivative(z, a, m=FLOAT):
    phi = normal_pdf(z, m)
    return normal_cdf(z, m) + (z * phi if phi else 0.0)


GELU_C = 0.044715       # PyTorch's constant (a float64) in GELU(approximate="tanh")


def _gelu_u(z, m):
    """u = √(2/π)·(z + c·z³), and du/dz, for the tanh form of GELU."""
    z2 = z * z
    return m.sqrt_2_over_pi * (z + GELU_C * z2 * z), m.sqrt_2_over_pi * (1.0 + 3.0 * (GELU_C * z2))


def gelu_tanh(z, m=FLOAT):
    """½·z·(1 + tanh(u)) = z·σ(2u): the σ form keeps its digits for negative z."""
    return z * sigmoid(2.0 * _gelu_u(z, m)[0], m)


def gelu_tanh_derivative(z, a, m=FLOAT):
    u, du = _gelu_u(z, m)
    s, r = sigmoid(2.0 * u, m), sigmoid(-2.0 * u, m)     # σ(2u) and 1 − σ(2u)
    slope = 2.0 * s * r
    return s + (z * slope * du if slope else 0.0)       # far out: s (du may be inf)


def silu(z, m=FLOAT):
    """z·σ(z), also called swish."""
    return z * sigmoid(z, m)


def silu_derivative(z, a, m=FLOAT):
    """σ(z)·(1 + z·σ(−z)), with σ(−z) rather than 1 − σ(z)."""
    return sigmoid(z, m) * (1.0 + z * sigmoid(-z, m))


def softplus_parts(beta, threshold):
    """softplus and its derivative for PyTorch's ``Softplus(beta, threshold)``:
    log(1 + e^(βz))/β, and just z where β·z > threshold."""
    def softplus(z, m=FLOAT):
        x = beta * z
        if x > threshold:
            return z
        # log(1 + e^x) = x + log(1 + e^−x) for x > 0, so exp never overflows
        if x > 0.0:
            return (x + m.log1p(m.exp(-x))) / beta
        return m.log1p(m.exp(x)) / beta + 0.0 * z

    def softplus_derivative(z, a, m=FLOAT):
        x = beta * z
        return 1.0 if x > threshold else sigmoid(x, m)

    return softplus, softplus_derivative


def elu_parts(alpha, scale=1.0):
    """ELU (``scale`` 1) and SELU: scale·z for z > 0, else scale·α·(e^z − 1)."""
    def elu(z, m=FLOAT):
        return scale * z if z > 0.0 else scale * (alpha * m.expm1(z)) + 0.0 * z

    def elu_derivative(z, a, m=FLOAT):
        return scale if z > 0.0 else scale * (alpha * m.exp(z))

    return elu, elu_derivative


# SELU's constants as PyTorch has them (float64)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def softmax(zs, m=FLOAT):
    """exp(z_k − max z) / Σ exp(z_j − max z): the shift keeps exp ≤ 1.

    An overflowed net input (±inf) makes the outputs NaN: the layer's
    outputs would otherwise hide it (see Layer.feedforward).
    """
    top = max(zs)
    exps = [m.exp(z - top) for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def log_softmax(zs, m=FLOAT):
    """z_k − max z − log Σ exp(z_j − max z), as PyTorch's ``LogSoftmax``."""
    top = max(zs)
    shift = top + m.log(sum(m.exp(z - top) for z in zs))
    return [z - shift for z in zs]


# -- activation objects -----------------------------------------------------

class Activation:
    """An element-wise activation: ``function(z)`` and ``derivative(z, a)``.

    ``backward(upstream, nets, outputs)`` turns the upstream signal
    e_j = −∂L/∂a_j into deltas δ_j = f′(z_j)·e_j.

    For the tables: ``rule`` is f′ as a formula (``"a·(1 − a)"``) and
    ``numbers(z, a, fmt)`` the same with the node's numbers, written by
    ``fmt``; ``legend`` defines any symbol the rule uses.  ``arith=True``
    says that ``function`` and ``derivative`` take the ``m`` of
    nodenet.arith, so nodenet.exact can run them in arbitrary precision.
    ``params`` (name → value) are written to model files with the name.
    """

    elementwise = True
    uses_net = True     # False: backward reads only the outputs (nets may be None)
    # True: every output lies in [−1, 1] or is NaN, and a NaN output makes its
    # delta NaN (sigmoid, tanh); Network.sgd_step's overflow check uses it
    bounded = False

    def __init__(self, name, function, derivative, backward=None, bounded=False, *,
                 rule="f′(z)", numbers=None, legend="", arith=False, params=None,
                 defaults=None, generic=None, rational=False, residual=None):
        self.name = name
        self.rational = rational        # piecewise linear: exact in rational arithmetic
        self.function = function
        self.generic = generic or function      # f(z, m), for using(m)
        self._residual = residual               # accurate y − f(z) near saturation
        self.m = FLOAT
        self.derivative = derivative
        self.bounded = bounded
        self.rule = rule
        self.legend = legend
        self.arith = arith
        self.params = dict(params or {})
        self.defaults = dict(defaults or {})
        self._numbers = numbers
        # ``fast(upstream, outputs, nodes)``: the same deltas in one comprehension
        # (sigmoid, tanh: f′ from the output unless it has saturated)
        self.fast = backward

    def forward(self, nets):
        f = self.function
        return [f(z) for z in nets]

    def backward(self, upstream, nets, outputs):
        df = self.derivative
        return [e * df(z, a) for e, z, a in zip(upstream, nets, outputs)]

    def saturates(self, outputs):
        """True if an output has reached SATURATED, where f′ and y − a need z (sigmoid, tanh)."""
        return bool(self.bounded) and max(map(abs, outputs)) >= SATURATED

    def residuals(self, y, nets, outputs):
        """y_k − a_k for targets y, without the cancellation of a rounded output near ±1.

        Used where an output has saturated; ``1 − σ(z)`` is then σ(−z), not
        1 minus a number that has already lost those digits.
        """
        if self._residual is None:
            return [t - a for t, a in zip(y, outputs)]
        r, m = self._residual, self.m
        return [r(t, z, a, m) for t, z, a in zip(y, nets, outputs)]

    def numbers(self, z, a, fmt):
        """f′ with this node's numbers (``fmt`` writes one number)."""
        if self._numbers is None:
            return fmt(self.derivative(z, a))
        return self._numbers(z, a, fmt)

    def using(self, m):
        """This activation computed in the arithmetic ``m`` (for nodenet.exact)."""
        if not self.arith:
            raise NodenetError(f"activation {self!r} has no form for arbitrary precision: give "
                               f"function(z, m=FLOAT) and derivative(z, a, m=FLOAT) and arith=True")
        f, df = self.generic, self.derivative
        bound = Activation(self.name, lambda z: f(z, m), lambda z, a: df(z, a, m),
                           bounded=self.bounded, rule=self.rule, numbers=self._numbers,
                           legend=self.legend, params=self.params, defaults=self.defaults,
                           residual=self._residual)
        bound.arith, bound.m = False, m
        return bound

    def to_spec(self):
        """The JSON-ready description: the name, with the parameters that differ from defaults."""
        changed = {k: v for k, v in self.params.items() if self.defaults.get(k) != v}
        return {"name": self.name, **changed} if changed else self.name

    def __eq__(self, other):
        return isinstance(other, Activation) and self.to_spec() == other.to_spec()

    def __hash__(self):
        return hash(str(self.to_spec()))

    def __repr__(self):
        spec = self.to_spec()
        if isinstance(spec, str):
            return spec
        return f"{self.name}({', '.join(f'{k}={v}' for k, v in spec.items() if k != 'name')})"


class LayerActivation(Activation):
    """An activation over a whole layer (softmax, log_softmax): ``forward(nets)``
    and ``backward(upstream, nets, outputs)`` on lists; ``rule`` is the δ rule."""

    elementwise = False
    uses_net = False

    def __init__(self, name, forward, backward, *, rule, legend=""):
        super().__init__(name, None, None, rule=rule, legend=legend, arith=True)
        self._forward = forward
        self._backward = backward
        self.m = FLOAT

    def forward(self, nets):
        return self._forward(nets, self.m)

    def backward(self, upstream, nets, outputs):
        return self._backward(upstream, outputs, self.m)

    def saturates(self, outputs):
        """True if softmax's largest output is past SATURATED (so 1 − a_j needs the others)."""
        return self.name == "softmax" and max(outputs) > SATURATED

    def residuals(self, y, nets, outputs):
        """y_k − a_k; for softmax's largest output, 1 − a_j is the sum of the others."""
        r = [t - a for t, a in zip(y, outputs)]
        if self.name == "softmax":
            j, rest = dominant(outputs)
            if j is not None:
                r[j] = (y[j] - 1.0) + rest
        return r

    def using(self, m):
        bound = LayerActivation(self.name, self._forward, self._backward, rule=self.rule,
                                legend=self.legend)
        bound.m, bound.arith = m, False
        return bound


def dominant(outputs):
    """``(j, Σ_{k≠j} a_k)`` for the probability above ½ (at most one is), else (None, None).

    For that output, 1 − a_j computed from a rounded a_j ≈ 1 has lost its
    digits; the sum of the other outputs has not.
    """
    top = max(outputs)
    if not top > 0.5:
        return None, None
    j = outputs.index(top)
    return j, sum(a for k, a in enumerate(outputs) if k != j)


def _softmax_backward(upstream, outputs, m):
    """δ_j = Σ_k e_k·a_k·([k = j] − a_j) = a_j·(e_j − Σ_k e_k·a_k): the full
    Jacobian, right for every loss, not only cross-entropy.

    For an output a_j near 1, e_j − Σ_k e_k·a_k cancels; it is computed as
    e_j·(1 − a_j) − Σ_{k≠j} e_k·a_k with 1 − a_j the sum of the other outputs.
    """
    mean = sum(e * a for e, a in zip(upstream, outputs))
    deltas = [a * (e - mean) for e, a in zip(upstream, outputs)]
    j, rest = dominant(outputs)
    if j is not None:
        others = sum(e * a for k, (e, a) in enumerate(zip(upstream, outputs)) if k != j)
        deltas[j] = outputs[j] * (upstream[j] * rest - others)
    return deltas


LOG_HALF = -0.6931471805599453      # log ½: a log-probability above it is the largest


def _log_softmax_backward(upstream, outputs, m):
    """∂a_k/∂z_j = [k = j] − s_j with s_j = e^(a_j): δ_j = e_j − s_j·Σ_k e_k.

    For s_j > ½ that cancels; it is −Σ_{k≠j} e_k − (e^(a_j) − 1)·Σ_k e_k, with expm1.
    """
    total = sum(upstream)
    deltas = [e - m.exp(a) * total for e, a in zip(upstream, outputs)]
    top = max(outputs)
    if top > LOG_HALF:
        j = outputs.index(top)
        deltas[j] = -sum(e for k, e in enumerate(upstream) if k != j) - m.expm1(top) * total
    return deltas


def sigmoid_residual(t, z, a, m=FLOAT):
    """t − σ(z), as (t − 1) + σ(−z) once σ(z) > ½ (NaN if z overflowed)."""
    return (t - 1.0) + sigmoid(-z, m) + 0.0 * z if a > 0.5 else t - a


def tanh_residual(t, z, a, m=FLOAT):
    """t − tanh(z), with 1 ∓ tanh(z) = 2σ(∓2z) once |tanh(z)| > ½ (NaN if z overflowed)."""
    if a > 0.5:
        return (t - 1.0) + 2.0 * sigmoid(-2.0 * z, m) + 0.0 * z
    if a < -0.5:
        return (t + 1.0) - 2.0 * sigmoid(2.0 * z, m) + 0.0 * z
    return t - a


# ``fast(upstream, outputs, nodes)``: e·f′ in one comprehension, from the output
# while it is below SATURATED, from the node's z (nodes[j].net) past it

def _sigmoid_fast(upstream, outputs, nodes):
    return [e * (a * (1.0 - a)) if a < SATURATED else e * sigmoid_derivative(n.net, a)
            for e, a, n in zip(upstream, outputs, nodes)]


def _tanh_fast(upstream, outputs, nodes):
    return [e * (1.0 - a * a) if -SATURATED < a < SATURATED else e * tanh_derivative(n.net, a)
            for e, a, n in zip(upstream, outputs, nodes)]


def _check(value, what, low=None, high=None, low_open=False, high_open=False):
    """A number within bounds, for an activation parameter."""
    value = number(value, what)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        span = f"{lo}{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}{hi}"
        raise NodenetError(f"{what} must be a number in {span}, got {brief(value)}")
    return value


def LeakyReLU(alpha=0.01):
    """Leaky ReLU with slope ``alpha`` for z ≤ 0 (PyTorch's negative_slope; 0.01 unless told)."""
    alpha = _check(alpha, "leaky_relu alpha", 0.0, 1.0, high_open=True)
    return Activation(
        "leaky_relu", lambda z, m=FLOAT: z if z > 0.0 else alpha * z,
        lambda z, a, m=FLOAT: 1.0 if z > 0.0 else alpha,
        rule="(1 if z > 0 else α)", numbers=lambda z, a, fmt: "1" if z > 0.0 else fmt(alpha),
        legend=f"α = {alpha!r}", arith=True, params={"alpha": alpha}, defaults={"alpha": 0.01},
        rational=True)


def Softplus(beta=1.0, threshold=20.0):
    """log(1 + e^(β·z))/β, and z itself where β·z > threshold (PyTorch's ``Softplus``)."""
    beta = _check(beta, "softplus beta", 0.0, low_open=True)
    threshold = number(threshold, "softplus threshold")
    f, df = softplus_parts(beta, threshold)
    return Activation(
        "softplus", f, df, rule="σ(β·z) (1 where β·z > threshold)",
        numbers=lambda z, a, fmt: "1" if beta * z > threshold else fmt(sigmoid(beta * z)),
        legend=f"β = {beta!r}, threshold = {threshold!r}", arith=True,
        params={"beta": beta, "threshold": threshold},
        defaults={"beta": 1.0, "threshold": 20.0})


def ELU(alpha=1.0):
    """z for z > 0, else α·(e^z − 1) (PyTorch's ``ELU``)."""
    alpha = _check(alpha, "elu alpha", 0.0)
    f, df = elu_parts(alpha)
    return Activation(
        "elu", f, df, rule="(1 if z > 0 else α·e^z)",
        numbers=lambda z, a, fmt: "1" if z > 0.0 else fmt(df(z, a)),
        legend=f"α = {alpha!r}", arith=True, params={"alpha": alpha}, defaults={"alpha": 1.0})


_selu, _selu_derivative = elu_parts(SELU_ALPHA, SELU_SCALE)


def _entry(name, f, df, rule, numbers, legend="", fast=None, bounded=False, plain=None,
           rational=False, residual=None):
    """A built-in activation; ``plain``: a quicker f(z) for floats (math.tanh itself)."""
    return Activation(name, plain or f, df, fast, bounded, rule=rule, numbers=numbers,
                      legend=legend, arith=True, generic=f, rational=rational,
                      residual=residual)


ACTIVATIONS = {
    "step": _entry("step", step, step_derivative, "0", lambda z, a, fmt: "0", rational=True),
    "identity": _entry("identity", identity, identity_derivative, "1", lambda z, a, fmt: "1",
                       rational=True),
    "sigmoid": _entry("sigmoid", sigmoid, sigmoid_derivative, "a·(1 − a)",
                      lambda z, a, fmt: f"{fmt(a)}·(1 − {fmt(a)})", fast=_sigmoid_fast,
                      bounded=True, residual=sigmoid_residual),
    "tanh": _entry("tanh", tanh, tanh_derivative, "(1 − a²)",
                   lambda z, a, fmt: f"(1 − {fmt(a)}²)", fast=_tanh_fast, bounded=True,
                   plain=math.tanh, residual=tanh_residual),
    "relu": _entry("relu", relu, relu_derivative, "[z > 0]",
                   lambda z, a, fmt: "1" if z > 0.0 else "0", rational=True),
    "leaky_relu": LeakyReLU(),
    "gelu": _entry("gelu", gelu, gelu_derivative, "Φ(z) + z·φ(z)",
                   lambda z, a, fmt: f"{fmt(normal_cdf(z))} + {fmt(z)}·{fmt(normal_pdf(z))}",
                   "Φ = normal CDF, φ = normal density"),
    "gelu_tanh": _entry(
        "gelu_tanh", gelu_tanh, gelu_tanh_derivative, "s + 2·z·s·(1 − s)·u′",
        lambda z, a, fmt: "{0} + 2·{1}·{0}·(1 − {0})·{2}".format(
            fmt(sigmoid(2.0 * _gelu_u(z, FLOAT)[0])), fmt(z), fmt(_gelu_u(z, FLOAT)[1])),
        "s = σ(2u), u = √(2/π)·(z + 0.044715·z³), u′ = √(2/π)·(1 + 3·0.044715·z²)"),
    "silu": _entry("silu", silu, silu_derivative, "σ(z)·(1 + z·(1 − σ(z)))",
                   lambda z, a, fmt: "{0}·(1 + {1}·(1 − {0}))".format(fmt(sigmoid(z)), fmt(z))),
    "softplus": Softplus(),
    "elu": ELU(),
    "selu": _entry("selu", _selu, _selu_derivative, "λ·(1 if z > 0 else α·e^z)",
                   lambda z, a, fmt: fmt(_selu_derivative(z, a)),
                   f"λ = {SELU_SCALE!r}, α = {SELU_ALPHA!r}"),
    "softmax": LayerActivation("softmax", softmax, _softmax_backward,
                               rule="a·(e − Σ e·a)", legend="e = −∂L/∂a of each output"),
    "log_softmax": LayerActivation("log_softmax", log_softmax, _log_softmax_backward,
                                   rule="e − exp(a)·Σ e", legend="e = −∂L/∂a of each output"),
}

# the activations with parameters: name → factory(**params)
FACTORIES = {"leaky_relu": LeakyReLU, "softplus": Softplus, "elu": ELU}


def get_activation(spec):
    """Return the activation named by ``spec``.

    ``spec`` is a name (``"tanh"``), a dict such as
    ``{"name": "leaky_relu", "alpha": 0.1}``, or an Activation.

    >>> get_activation({"name": "softplus", "beta": 2.0})
    softplus(beta=2.0)
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        params = dict(spec)
        name = params.pop("name", None)
        factory = FACTORIES.get(name) if isinstance(name, str) else None
        if factory is not None:
            allowed = set(ACTIVATIONS[name].params)
            if set(params) <= allowed:
                return factory(**params)
            raise NodenetError(f"activation {name} takes {', '.join(sorted(allowed))}, "
                               f"got {brief(sorted(set(params) - allowed))}")
        if isinstance(name, str) and name in ACTIVATIONS and not params:
            return ACTIVATIONS[name]
        raise NodenetError(
            "activation spec must be a name or a dict such as {'name': 'leaky_relu', "
            f"'alpha': 0.1}}, got {brief(spec)}")
    if isinstance(spec, str) and spec in ACTIVATIONS:
        return ACTIVATIONS[spec]
    raise NodenetError(
        f"unknown activation {brief(spec)}; expected one of: {', '.join(ACTIVATIONS)}")
