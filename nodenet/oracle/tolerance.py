"""When a client's number agrees with nodenet's: tolerances per dtype, and a fast test.

An entry agrees when |got − expected| ≤ atol + rtol·|expected| (NumPy's
``isclose``, ``torch.testing.assert_close``).  nodenet computes in float64
from the client's own weights and inputs (every float32, float16 or
bfloat16 number is exactly a float64), so its value is the exact answer to
about 1e-16, and the difference is the client's own rounding — or its bug.
``dtype=`` names the precision the client computes in and picks:

==========  ==========  ========  =======  =========================================
dtype       ε           rtol      atol     where the numbers come from
==========  ==========  ========  =======  =========================================
float64     2.2e-16     1e-7      1e-10    rtol as torch; atol tighter (see below)
float32     1.19e-7     1.3e-6    1e-5     torch.testing.assert_close's defaults
float16     9.77e-4     1e-2      5e-4     about 10 ε and ε/2, for a whole network
bfloat16    7.81e-3     8e-2      4e-3     about 10 ε and ε/2, for a whole network
==========  ==========  ========  =======  =========================================

float32 uses PyTorch's own defaults (rtol about 11 ε): a float32 MLP rounds
each dot product and each layer once more and lands within a few ε of the
exact value, inside these tolerances with a margin (the tests check real
float32 torch, JAX and NumPy clients).  For float16 and bfloat16 PyTorch's
defaults (rtol 1e-3 and 0.016, about 1 and 2 ε) suit one operation; a whole
forward and backward pass in those precisions (a NumPy float16 MLP, torch
bfloat16 and float16 ones, in the tests) was off by up to about 2 ε of the
values' scale, so nodenet allows 10 ε relative and half an ε absolute (the
rounding of a value of order 1).  For float64 nodenet keeps torch's rtol but
an atol of 1e-10, not 1e-7: nodenet and a float64 client agree to about
1e-15 of the values' scale, and an atol of 1e-7 would let every entry
smaller than that pass whatever it holds.

atol is absolute: when a network's gradients are far below 1 (say 1e-6),
an atol of 1e-5 lets every entry pass.  A report says so when it happens;
pass a smaller ``atol`` then.  Explicit ``rtol=`` and ``atol=`` always win
over the preset.

>>> resolve("float32", None, None)
(1.3e-06, 1e-05, 1.1920928955078125e-07)
>>> mismatched([1.0, 2.0], [1.0, 2.5], 1e-7, 1e-10)
[1]
"""

from collections import namedtuple
from itertools import repeat
from math import dist
from operator import abs as _abs, add, le, mul, sub, truediv

from .. import validate
from ..errors import NodenetError

Preset = namedtuple("Preset", "eps rtol atol")

DTYPES = {
    "float64": Preset(2.0 ** -52, 1e-7, 1e-10),
    "float32": Preset(2.0 ** -23, 1.3e-6, 1e-5),
    "float16": Preset(2.0 ** -10, 1e-2, 5e-4),
    "bfloat16": Preset(2.0 ** -7, 8e-2, 4e-3),
}

# math.dist is correctly rounded to within an ulp; this margin keeps "dist ≤ atol"
# a proof that every |got − expected| ≤ atol
_UNDER = 1.0 - 2.0 ** -50


def resolve(dtype, rtol, atol):
    """``(rtol, atol, eps)``: the preset of ``dtype`` (float64 if None), overridden by
    an explicit ``rtol`` or ``atol``; both checked to be numbers ≥ 0."""
    preset = DTYPES["float64" if dtype is None else dtype_name(dtype)]
    rtol = preset.rtol if rtol is None else validate.number(rtol, "rtol")
    atol = preset.atol if atol is None else validate.number(atol, "atol")
    if rtol < 0.0 or atol < 0.0:
        raise NodenetError(f"rtol and atol must be ≥ 0, got rtol={rtol!r}, atol={atol!r}")
    return rtol, atol, preset.eps


def dtype_name(dtype):
    """The preset's name for ``dtype``: "float32" for itself, torch.float32, numpy.float32
    or numpy.dtype("float32"); an unknown dtype is a NodenetError.

    >>> dtype_name("bfloat16")
    'bfloat16'
    """
    if isinstance(dtype, str):
        text = dtype
    else:           # torch.float32, numpy.float32 or numpy.dtype("float32"); anything else fails
        try:
            text = str(getattr(dtype, "__name__", None) or dtype)
        except Exception:                   # a broken __str__, a list nested too deep, …
            text = ""
    name = text.rsplit(".", 1)[-1]
    if name not in DTYPES:
        raise NodenetError(f"dtype must be one of {', '.join(DTYPES)} (or a framework's "
                           f"dtype of that name), got {validate.brief(dtype)}")
    return name


def close(expected, got, rtol, atol):
    """|got − expected| ≤ atol + rtol·|expected| (NumPy's isclose); NaN never is."""
    return abs(got - expected) <= atol + rtol * abs(expected)


def within_atol(expected, got, atol):
    """True proves every |got − expected| of two float rows within atol, and finite.

    On CPython: their Euclidean distance, one C call (an inf or NaN makes it
    inf or NaN); False may then still hold entries all within atol, for the
    caller to test one by one.  On PyPy, whose ``math.dist`` is slow: a plain
    loop over the entries, exact.
    """
    if validate.PYPY:
        for e, g in zip(expected, got):
            if not abs(g - e) <= atol:
                return False
        return True
    return dist(expected, got) <= atol * _UNDER


def mismatched(expected, got, rtol, atol):
    """Indices of the entries of ``got`` that disagree with ``expected`` (float lists).

    Most rows agree: their distance (one C call) is at most atol, which proves
    every entry is within atol; only a row that fails that is tested entry by
    entry, with C-level maps, and only a row that fails again is walked in
    Python to name its entries.
    """
    if within_atol(expected, got, atol):
        return ()
    if all(map(le, map(_abs, map(sub, got, expected)),
               map(add, repeat(atol), map(mul, repeat(rtol), map(_abs, expected))))):
        return ()
    return [i for i, (e, g) in enumerate(zip(expected, got)) if not close(e, g, rtol, atol)]


def max_errors(rows):
    """``(max abs error, max rel error)`` over pairs of rows ``(expected, got)``.

    The relative error counts entries whose expected value is not 0; a NaN
    anywhere makes both NaN.
    """
    max_abs = max_rel = 0.0
    for expected, got in rows:
        if not expected:
            continue
        diffs = list(map(_abs, map(sub, got, expected)))
        total = sum(diffs)
        if total != total:                      # a NaN (diffs are ≥ 0, so inf + inf is inf)
            return float("nan"), float("nan")
        max_abs = max(max_abs, max(diffs))
        if 0.0 in expected:
            rel = [d / abs(e) for d, e in zip(diffs, expected) if e != 0.0]
        else:
            rel = list(map(truediv, diffs, map(_abs, expected)))
        if rel:
            max_rel = max(max_rel, max(rel))
    return max_abs, max_rel
