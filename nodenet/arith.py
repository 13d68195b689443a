"""The arithmetic a computation runs in: floats, or a number type of nodenet.exact.

Every activation and loss in nodenet is written once, against an ``Arith``
namespace ``m`` (``m.exp``, ``m.log1p``, ``m.erfc``, ``m.sqrt``, ``m.pi``, …):
float code uses ``FLOAT`` (the standard ``math`` module), and
``nodenet.exact`` runs the very same functions and node loops on
arbitrary-precision numbers by passing an ``Arith`` built on ``mpmath``.
Constants a formula needs (√2, √(2/π), 1/√(2π)) are computed once per
namespace, at its own precision.

>>> FLOAT.exp(0.0), FLOAT.num(3)
(1.0, 3.0)
>>> round(FLOAT.sqrt_2_over_pi, 12)
0.797884560803
"""

import math
from functools import cached_property

FUNCTIONS = ("exp", "log", "log1p", "expm1", "tanh", "erf", "erfc", "sqrt")


class Arith:
    """A namespace of math functions and constants over one number type.

    ``lib`` provides the functions named in ``FUNCTIONS`` and ``pi``, ``inf``;
    ``num`` turns a float (or int) into the number type, exactly.
    """

    def __init__(self, name, lib, num):
        self.name = name
        for fn in FUNCTIONS:
            setattr(self, fn, getattr(lib, fn))
        self.num = num
        self.pi = lib.pi
        self.inf = lib.inf

    # constants, computed once per namespace at its own precision
    @cached_property
    def sqrt2(self):
        return self.sqrt(self.num(2))

    @cached_property
    def sqrt_2_over_pi(self):
        """√(2/π), in GELU's tanh form."""
        return self.sqrt(self.num(2) / self.pi)

    @cached_property
    def inv_sqrt_2pi(self):
        """1/√(2π), in the normal density."""
        return 1 / self.sqrt(self.num(2) * self.pi)

    def __repr__(self):
        return f"Arith({self.name})"


FLOAT = Arith("float", math, float)
