"""Weight initializers: each draws one weight from the caller's random.Random.

An initializer is any callable ``init(rng, n_in, n_out) -> float``; nodenet
calls it once per weight, layer by layer, node by node, weight by weight, so
the same seed always gives the same network.

>>> import random
>>> zeros(random.Random(1), 3, 4)
0.0
>>> -1.0 <= xavier(random.Random(1), 3, 4) <= 1.0   # limit √(6/7) ≈ 0.93
True
"""

import functools
import math

from .errors import NodenetError
from .validate import brief, number


def uniform(rng, n_in, n_out, bound=1.0):
    """U(−bound, bound): the handout's and seed 001's plain random start."""
    return rng.uniform(-bound, bound)


def xavier(rng, n_in, n_out):
    """Glorot uniform: U(−l, l) with l = √(6 / (n_in + n_out))."""
    limit = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit)


def he(rng, n_in, n_out):
    """He normal: N(0, σ²) with σ = √(2 / n_in), made for ReLU layers."""
    return rng.normalvariate(0.0, math.sqrt(2.0 / n_in))


def zeros(rng, n_in, n_out):
    """All weights 0: every hidden node stays identical (the symmetry problem)."""
    return 0.0


INITIALIZERS = {"uniform": uniform, "xavier": xavier, "he": he, "zeros": zeros}


def get_initializer(spec, bound=None):
    """Return the initializer named ``spec``, or ``spec`` if it is callable.

    ``bound`` sets the half-width of ``uniform`` (1.0 unless told).
    """
    if bound is not None:
        bound = number(bound, "init_bound")
        if bound <= 0.0:
            raise NodenetError(f"init_bound must be > 0, got {bound!r}")
    if callable(spec):
        return spec
    if isinstance(spec, str) and spec in INITIALIZERS:
        if spec == "uniform" and bound is not None:
            return functools.partial(uniform, bound=bound)
        return INITIALIZERS[spec]
    raise NodenetError(
        f"unknown initializer {brief(spec)}; expected one of: {', '.join(INITIALIZERS)} "
        "or a callable init(rng, n_in, n_out)")
