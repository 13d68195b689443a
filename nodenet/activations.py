"""Activation functions, each written beside its derivative.

Every derivative takes both the node's net input ``z`` and its stored output
``a = f(z)``, and uses whichever is simpler: sigmoid reads the output,
``a·(1 − a)``, exactly as the handout's ``sigmoid_derivative(x) = x*(1-x)``.

>>> sigmoid(0.0), sigmoid_derivative(0.0, 0.5)
(0.5, 0.25)
>>> ACTIVATIONS["relu"].derivative(0.0, 0.0)      # 0 at z = 0, as seed 000
0.0

``softmax`` acts on a whole layer, so it has ``forward`` and ``backward`` over
lists instead of a scalar function and derivative.  None of these functions
raise OverflowError, whatever the net input.
"""

import math

from .errors import NodenetError
from .validate import brief, number


# -- scalar functions and their derivatives, side by side ------------------

def step(z):
    """Heaviside step (seed 000): 1 for z ≥ 0, else 0."""
    return 1.0 if z >= 0.0 else 0.0


def step_derivative(z, a):
    return 0.0          # flat everywhere it is defined; gradients vanish


def identity(z):
    return z


def identity_derivative(z, a):
    return 1.0


def sigmoid(z):
    """Logistic 1 / (1 + e^−z), computed so that exp never overflows."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)          # z < 0, so e is in (0, 1): no overflow
    return e / (1.0 + e)


def sigmoid_derivative(z, a):
    return a * (1.0 - a)


def tanh(z):
    return math.tanh(z)


def tanh_derivative(z, a):
    return 1.0 - a * a


def relu(z):
    return z if z > 0.0 else 0.0


def relu_derivative(z, a):
    return 1.0 if z > 0.0 else 0.0      # 0 at z = 0, as seed 000


def leaky_relu(z, alpha=0.01):
    return z if z > 0.0 else alpha * z


def leaky_relu_derivative(z, a, alpha=0.01):
    return 1.0 if z > 0.0 else alpha


def softmax(zs):
    """exp(z_k − max z) / Σ exp(z_j − max z): the shift keeps exp ≤ 1."""
    top = max(zs)
    if math.isinf(top):      # a net input overflowed: the limit shares 1 among the maxima
        count = zs.count(top)
        return [1.0 / count if z == top else 0.0 for z in zs]
    exps = [math.exp(z - top) for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


# -- activation objects -----------------------------------------------------

class Activation:
    """An element-wise activation: ``function(z)`` and ``derivative(z, a)``.

    ``backward(upstream, nets, outputs)`` turns the upstream signal
    e_j = −∂L/∂a_j into deltas δ_j = f'(z_j)·e_j.
    """

    elementwise = True
    uses_net = True     # False: backward reads only the outputs (nets may be None)
    # True: every output lies in [−1, 1] or is NaN, and a NaN output makes its
    # delta NaN (sigmoid, tanh); Network.sgd_step's overflow check uses it
    bounded = False

    def __init__(self, name, function, derivative, backward=None, bounded=False):
        self.name = name
        self.function = function
        self.derivative = derivative
        self.bounded = bounded
        if backward is not None:
            # a faster backward(upstream, nets, outputs) giving the same
            # numbers, with f' written in the output a (no call per node)
            self.backward = backward
            self.uses_net = False

    def forward(self, nets):
        f = self.function
        return [f(z) for z in nets]

    def backward(self, upstream, nets, outputs):
        df = self.derivative
        return [e * df(z, a) for e, z, a in zip(upstream, nets, outputs)]

    def to_spec(self):
        """The JSON-ready description: just the name."""
        return self.name

    def __eq__(self, other):
        return isinstance(other, Activation) and self.to_spec() == other.to_spec()

    def __hash__(self):
        return hash(str(self.to_spec()))

    def __repr__(self):
        return self.name


class LeakyReLU(Activation):
    """Leaky ReLU with slope ``alpha`` for z ≤ 0 (0.01 unless told)."""

    def __init__(self, alpha=0.01):
        alpha = number(alpha, "leaky_relu alpha")
        if not 0.0 <= alpha < 1.0:
            raise NodenetError(
                f"leaky_relu alpha must be a number in [0, 1), got {alpha!r}")
        self.alpha = alpha
        super().__init__(
            "leaky_relu",
            lambda z: z if z > 0.0 else alpha * z,
            lambda z, a: 1.0 if z > 0.0 else alpha)

    def to_spec(self):
        if self.alpha == 0.01:
            return self.name
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return "leaky_relu" if self.alpha == 0.01 else f"leaky_relu(alpha={self.alpha})"


class Softmax(Activation):
    """Softmax over a whole layer; backward uses its full Jacobian.

    With e_k = −∂L/∂a_k and ∂a_k/∂z_j = a_k·([k = j] − a_j):
    δ_j = Σ_k e_k·a_k·([k = j] − a_j) = a_j·(e_j − Σ_k e_k·a_k),
    which is right for every loss, not only cross-entropy.
    """

    elementwise = False
    uses_net = False

    def __init__(self):
        super().__init__("softmax", None, None)

    def forward(self, nets):
        return softmax(nets)

    def backward(self, upstream, nets, outputs):
        mean = sum(e * a for e, a in zip(upstream, outputs))
        return [a * (e - mean) for e, a in zip(upstream, outputs)]


def _sigmoid_backward(upstream, nets, outputs):
    return [e * (a * (1.0 - a)) for e, a in zip(upstream, outputs)]    # e·sigmoid_derivative


def _tanh_backward(upstream, nets, outputs):
    return [e * (1.0 - a * a) for e, a in zip(upstream, outputs)]      # e·tanh_derivative


ACTIVATIONS = {
    "step": Activation("step", step, step_derivative),
    "identity": Activation("identity", identity, identity_derivative),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, _sigmoid_backward,
                          bounded=True),
    # math.tanh itself rather than the tanh() wrapper above: one call fewer per node
    "tanh": Activation("tanh", math.tanh, tanh_derivative, _tanh_backward, bounded=True),
    "relu": Activation("relu", relu, relu_derivative),
    "leaky_relu": LeakyReLU(),
    "softmax": Softmax(),
}


def get_activation(spec):
    """Return the activation named by ``spec``.

    ``spec`` is a name (``"tanh"``), a dict such as
    ``{"name": "leaky_relu", "alpha": 0.1}``, or an Activation.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        params = dict(spec)
        name = params.pop("name", None)
        if name == "leaky_relu" and set(params) <= {"alpha"}:
            return LeakyReLU(**params)
        if isinstance(name, str) and name in ACTIVATIONS and not params:
            return ACTIVATIONS[name]
        raise NodenetError(
            f"activation spec must be a name or {{'name': 'leaky_relu', 'alpha': …}}, got {brief(spec)}")
    if isinstance(spec, str) and spec in ACTIVATIONS:
        return ACTIVATIONS[spec]
    raise NodenetError(
        f"unknown activation {brief(spec)}; expected one of: {', '.join(ACTIVATIONS)}")
