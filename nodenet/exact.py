"""The same node loops in arbitrary precision: the reference that knows the true value.

float64 rounds every operation, and where an output saturates a derivative
can lose most of its digits (PyTorch and nodenet alike).  Here nodenet's own
loops — ``Layer.feedforward``, ``Network.backprop``, the gradient sums —
run unchanged on ``mpmath`` numbers at a precision you choose, with every
activation and loss evaluated in that precision (``Activation.using`` and
``Loss.using``), from the network's float64 weights and your float64 data.
Each result is computed twice, at rising working precision, until the two
runs agree to the digits you asked for; ``result.agreed`` says how many
digits they share, so a precision is never trusted blindly.

For networks whose activations are piecewise linear (identity, relu,
leaky_relu, step) and whose loss is a polynomial (sse, half_sse, mse, l1,
huber, smooth_l1), ``rational_gradients`` runs the loops on exact fractions:
no rounding at all.

Needs mpmath (``pip install 'nodenet[exact]'``), except for the rationals.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[1.0]], [[1.0]]], activations=["identity", "identity"])
>>> dW, db = rational_gradients(net, [[0.1]], [[0.0]])
>>> dW[1][0][0] == 2 * Fraction(0.1) ** 2          # ∂/∂w2 (w2·w1·x)² = 2·(w2·w1·x)·w1·x
True
"""

import math
import warnings
from fractions import Fraction

from . import validate
from .arith import Arith
from .build import check_layout
from .errors import NodenetError
from .network import Network
from .node import Layer, Node

INSTALL_HINT = "pip install 'nodenet[exact]'"
GUARD = 15              # working digits beyond the ones asked for
MAX_DIGITS = 2000       # give up raising the precision beyond this


def _mpmath():
    try:
        import mpmath
    except ImportError:
        raise NodenetError(f"nodenet.exact needs mpmath, which is not installed; install it "
                           f"with: {INSTALL_HINT}") from None
    return mpmath


def arbitrary(digits):
    """An ``Arith`` of mpmath numbers with ``digits`` significant decimal digits.

    Each call makes a private mpmath context: the global ``mpmath.mp`` is
    never changed.
    """
    ctx = _mpmath().MPContext()
    ctx.dps = digits
    return Arith(f"mpmath, {digits} digits", ctx, ctx.mpf)


# -- exact rationals -----------------------------------------------------------

def _exact(x):
    return Fraction(x) if isinstance(x, float) else x


def _rational_operator(name):
    fraction_op = getattr(Fraction, name)

    def operator(self, other):
        result = fraction_op(self, _exact(other))
        return Rational(result) if isinstance(result, Fraction) else result
    operator.__name__ = name
    return operator


class Rational(Fraction):
    """A Fraction that takes a float operand at its exact value.

    ``Fraction(1, 3) + 0.5`` is the float 0.8333…; ``Rational(1, 3) + 0.5`` is
    5/6: the float constants in nodenet's formulas (2.0·(y − a), 0.5·d²)
    and the float data stay exact.

    >>> Rational(1, 3) + 0.5
    Rational(5, 6)
    """

    __slots__ = ()

    def __neg__(self):
        return Rational(Fraction.__neg__(self))

    def __pos__(self):
        return self

    def __abs__(self):
        return Rational(Fraction.__abs__(self))


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__"):
    setattr(Rational, _name, _rational_operator(_name))


def _missing(name):
    def function(*args):
        raise NodenetError(f"exact rational arithmetic has no {name}: use "
                           f"gradients(net, X, Y, digits=…)")
    return function


class _NoTranscendentals:
    """The rational arithmetic has no exp, log, … : a network that needs them is refused."""

    pi = None
    inf = math.inf

    def __getattr__(self, name):
        return _missing(name)


RATIONAL = Arith("rational", _NoTranscendentals(), Rational)


# -- the network in another arithmetic -----------------------------------------------

def shadow(net, m):
    """A copy of ``net`` whose weights, biases, activations and loss compute in ``m``."""
    layers = []
    for layer in net.layers:
        nodes = []
        for node in layer:
            copy = Node(list(node.weights), node.bias)
            copy.weights = [m.num(w) for w in node.weights]
            copy.bias = m.num(node.bias)
            nodes.append(copy)
        layers.append(Layer(nodes, layer.activation.using(m), bias=layer.use_bias))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the network itself has warned already
        return Network.from_layers(layers, net.loss_function.using(m))


def _check_rational(net):
    for l, layer in enumerate(net.layers, start=1):
        if not layer.activation.rational:
            raise NodenetError(
                f"layer {l}'s activation {layer.activation!r} is not piecewise linear, so its "
                "values are not rational: use gradients(net, X, Y, digits=…)")
    if not net.loss_function.kind.polynomial:
        raise NodenetError(f"the loss {net.loss_function.label} is not a polynomial, so its "
                           "values are not rational: use gradients(net, X, Y, digits=…)")


# -- results ---------------------------------------------------------------------

class ExactGradients(tuple):
    """``(dW, db)`` in the layout of ``net.gradients``, plus what is known of their accuracy.

    ``loss``: the batch loss; ``digits``: the digits asked for (None for exact
    rationals); ``agreed``: the significant digits on which two runs at
    different working precision agree (``math.inf`` for rationals);
    ``working``: the working digits of the run returned.
    """

    def __new__(cls, dW, db, loss, digits, agreed, working):
        self = super().__new__(cls, (dW, db))
        self.loss, self.digits, self.agreed, self.working = loss, digits, agreed, working
        return self

    @property
    def dW(self):
        return self[0]

    @property
    def db(self):
        return self[1]

    def __repr__(self):
        if self.digits is None:
            return "ExactGradients(exact rationals)"
        return (f"ExactGradients({self.digits} digits asked, {self.agreed:.0f} agree between "
                f"runs; working precision {self.working} digits)")


class ExactValues(list):
    """A list of high-precision values; ``agreed`` and ``working`` as in ExactGradients."""

    def __init__(self, values, digits, agreed, working):
        super().__init__(values)
        self.digits, self.agreed, self.working = digits, agreed, working


def _flatten(value):
    """The numbers of a nested list or tuple, in order."""
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flatten(item)]
    return [value]


def _flat_groups(result):
    """A result as groups of numbers (one per tensor), for the agreement: the
    top-level items of ``result``, each flattened; a plain list is one group."""
    if isinstance(result, tuple):
        return [_flatten(part) for item in result for part in
                (item if isinstance(item, list) and item and isinstance(item[0], list) else [item])]
    return [_flatten(result)]


def agreement(a, b, digits):
    """Significant digits on which two results agree, entry by entry.

    An entry far below the largest of its tensor is measured against that
    largest one (at ``digits`` + 5 digits below it), so a true zero computed
    as a tiny rounding residue does not count as a disagreement.
    """
    worst = math.inf
    for ga, gb in zip(_flat_groups(a), _flat_groups(b)):
        top = max((abs(v) for v in gb), default=0)
        for x, y in zip(ga, gb):
            scale = max(abs(y), top * 10.0 ** -(digits + 5))
            if x == y:
                continue
            if scale == 0:
                return 0.0
            ratio = float(abs(x - y) / scale)
            if ratio > 0.0:                 # (0.0: beyond 300 digits)
                worst = min(worst, -math.log10(ratio))
    return worst


def _converge(compute, digits):
    """Run ``compute(m)`` at rising precision until two runs agree to ``digits``.

    Returns (result, agreed digits, working digits of the result).
    """
    work = digits + GUARD
    previous = compute(arbitrary(work))
    while True:
        higher = work + max(GUARD, work // 2)
        current = compute(arbitrary(higher))
        agreed = agreement(previous, current, digits)
        if agreed >= digits or higher >= MAX_DIGITS:
            return current, agreed, higher
        previous, work = current, higher


def check_digits(digits):
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 1000:
        raise NodenetError(f"digits must be a whole number from 1 to 1000, got "
                           f"{validate.brief(digits)}")
    return digits


def _rounded(values, digits):
    """High-precision numbers rounded to ``digits`` (so ``str()`` shows that many)."""
    out = arbitrary(digits)
    return [out.num(v) for v in values]


# -- the computations ------------------------------------------------------------------

def forward(net, x, digits=50):
    """The network's outputs for ``x``, correct to ``digits`` significant digits.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
    >>> out = forward(net, [1, 3, 5], digits=30)
    >>> str(out[0])                                  # σ(2.6), every digit true
    '0.930861579656653177145832268022'
    """
    check_digits(digits)
    x = validate.vector(x, net.sizes[0], "exact.forward")

    def compute(m):
        return list(shadow(net, m).feedforward(x))

    values, agreed, working = _converge(compute, digits)
    return ExactValues(_rounded(values, digits), digits, agreed, working)


def _gradients_in(net, X, Y, m):
    sh = shadow(net, m)
    dW, db = sh.gradients(X, Y)
    return dW, db, sh.loss(X, Y)


def gradients(net, X, Y, digits=50, layout="out_in"):
    """``(dW, db)`` of the batch loss, as ``net.gradients`` lays them out, to ``digits`` digits.

    The entries are mpmath numbers (``float()`` and ``str()`` accept them);
    the result also has ``.loss``, ``.agreed`` and ``.working``.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[36.0]], [[1.0]]], activations=["sigmoid", "identity"])
    >>> g = gradients(net, [[1.0]], [[0.0]], digits=20)     # σ(36): saturated
    >>> str(g.dW[0][0][0])                                  # 2·σ(36)·σ′(36)
    '4.6390456604871355485e-16'
    >>> g.agreed >= 20
    True
    """
    check_digits(digits)
    check_layout(layout)
    X, Y = net.check_batch(X, Y, "exact.gradients")
    result, agreed, working = _converge(lambda m: _gradients_in(net, X, Y, m), digits)
    dW, db, loss = result
    dW = [[_rounded(row, digits) for row in matrix] for matrix in dW]
    db = [_rounded(b, digits) for b in db]
    if layout == "in_out":
        dW = [[list(col) for col in zip(*matrix)] for matrix in dW]
    return ExactGradients(dW, db, _rounded([loss], digits)[0], digits, agreed, working)


def rational_gradients(net, X, Y, layout="out_in"):
    """``(dW, db)`` as exact fractions, for piecewise-linear activations and a polynomial loss.

    Every input, target, weight and bias is taken at its exact binary value,
    so the result is the true gradient of the float64 problem, with no
    rounding anywhere.
    """
    check_layout(layout)
    _check_rational(net)
    X, Y = net.check_batch(X, Y, "exact.rational_gradients")
    dW, db, loss = _gradients_in(net, X, Y, RATIONAL)
    if layout == "in_out":
        dW = [[list(col) for col in zip(*matrix)] for matrix in dW]
    return ExactGradients(dW, db, loss, None, math.inf, None)


def step(net, x, y, eta, digits=50, order="standard"):
    """One training step in high precision; ``net`` itself is left unchanged.

    Returns ``(weights, biases)`` after the step (out_in layout), with
    ``.loss`` the sample's loss before it, ``.agreed`` and ``.working``.
    """
    check_digits(digits)
    X, Y = net.check_batch([x], [y], "exact.step")
    eta = validate.number(eta, "eta")

    def compute(m):
        sh = shadow(net, m)
        loss = sh.step(X[0], Y[0], eta, order=order)
        weights, biases = sh.to_matrices()
        return weights, biases, loss

    result, agreed, working = _converge(compute, digits)
    weights, biases, loss = result
    weights = [[_rounded(row, digits) for row in matrix] for matrix in weights]
    biases = [_rounded(b, digits) for b in biases]
    return ExactGradients(weights, biases, _rounded([loss], digits)[0], digits, agreed, working)


def passes(net, X, digits=50):
    """Every layer's net inputs z and outputs a for each input, to ``digits`` digits.

    Returns ``(nets, outputs)``, each one list per layer (layer 1 first) of
    one row per sample, as ``nodenet.oracle.compare_forward`` takes them.
    """
    check_digits(digits)
    X = [validate.vector(x, net.sizes[0], "exact.passes") for x in validate.as_sequence(X)]

    def compute(m):
        sh = shadow(net, m)
        nets = [[] for _ in net.layers]
        outs = [[] for _ in net.layers]
        for x in X:
            sh.feedforward(x)
            for l, layer in enumerate(sh.layers):
                nets[l].append([node.net for node in layer])
                outs[l].append([node.output for node in layer])
        return nets, outs

    (nets, outs), agreed, working = _converge(compute, digits)
    nets = [[_rounded(row, digits) for row in layer] for layer in nets]
    outs = [[_rounded(row, digits) for row in layer] for layer in outs]
    result = ExactValues([nets, outs], digits, agreed, working)
    return result


# -- errors in units in the last place --------------------------------------------------

ULP = {   # dtype → (fraction bits, smallest normal exponent)
    "float64": (52, -1022), "float32": (23, -126), "float16": (10, -14), "bfloat16": (7, -126),
}


def ulp(true, dtype="float64"):
    """The gap between neighbouring ``dtype`` numbers at the value ``true``.

    >>> ulp(1.0), ulp(1.0, "float32"), ulp(0.0, "float16")
    (2.220446049250313e-16, 1.1920928955078125e-07, 5.960464477539063e-08)
    """
    bits, lowest = ULP[dtype]
    t = abs(true)
    exponent = lowest if t == 0 else max(_mpmath().frexp(t)[1] - 1, lowest)
    return 2.0 ** (exponent - bits)


def ulps(value, true, dtype="float64"):
    """``|value − true|`` in units in the last place of ``dtype`` at ``true``.

    >>> ulps(1.0 + 2 ** -52, 1.0)
    1.0
    """
    mp = _mpmath()
    with mp.workdps(60):
        return float(abs(mp.mpf(value) - mp.mpf(true)) / ulp(true, dtype))
