"""Checks that turn user input into fresh lists of floats, or say what is wrong.

Everything public in nodenet passes its input through here first, so a bad
value is caught at the door with a message naming what was expected and what
came, and the caller's own lists are never kept or changed (what a network
keeps is a copy).

>>> vector([1, 3, 5], 3, "forward")
[1.0, 3.0, 5.0]
>>> vector([1, 3], 3, "forward")
Traceback (most recent call last):
...
nodenet.errors.NodenetError: forward expects 3 inputs, got 2
"""

import math
import numbers
import reprlib
import sys

from .errors import NodenetError

# PyPy compiles plain loops well but runs C-level tricks such as
# ``frozenset.issuperset(map(type, v))`` or ``math.dist`` slowly (and its one
# compiled loop for the builtin ``sum()`` is shared by every caller, see
# nodenet.node), so the quick checks below take a loop there.
PYPY = sys.implementation.name == "pypy"


def as_sequence(value):
    """Lists and tuples as they are; NumPy arrays and tensors via ``.tolist()``."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    return value


def is_real(value):
    """True for a real number that is not a bool (bools are refused wherever a number belongs).

    >>> is_real(2), is_real(0.5), is_real(True), is_real("1")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(value, what):
    """A finite real number (not a bool) as a float."""
    if not is_real(value):
        raise NodenetError(f"{what} must be a number, got {describe(value)}")
    try:
        value = float(value)
    except (OverflowError, ValueError, TypeError):     # e.g. an int of 400 digits
        raise NodenetError(f"{what} must be a finite number, got {describe(value)}") from None
    if not math.isfinite(value):
        raise NodenetError(f"{what} must be finite, got {value!r}")
    return value


def vector(values, n, what, noun="inputs"):
    """A list of ``n`` finite floats; ``what`` names the caller in messages."""
    if type(values) is not list:
        values = as_sequence(values)
        if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
            raise NodenetError(f"{what} expects a list of {n} {noun}, got {describe(values)}")
    if len(values) != n:
        raise NodenetError(f"{what} expects {n} {noun}, got {len(values)}")
    if finite_floats(values):
        return list(values)         # plain finite floats (the usual case): just a copy
    one = "bias" if noun == "biases" else noun[:-1] if noun.endswith("s") else noun
    return [number(v, f"{what}: {one} {i}") for i, v in enumerate(values)]


_all_floats = frozenset([float]).issuperset     # every type in the iterable is float


def all_floats(values):
    """True if every value is a float (not an int, a bool or a float subclass).

    One C-level pass over the types on CPython, a plain loop on PyPy.

    >>> all_floats([1.0, -2.5]), all_floats([1.0, 2]), all_floats([1.0, True])
    (True, False, False)
    """
    if PYPY:
        for v in values:
            if type(v) is not float:
                return False
        return True
    return list(map(type, values)).count(float) == len(values)    # C-level, by identity


def finite_floats(values):
    """A quick proof that every value is a finite float: True proves it; False means
    look closer (on CPython a sum of finite floats that overflows also gives False).

    >>> finite_floats([1.0, 2.0]), finite_floats([1.0, math.inf]), finite_floats([1, 2.0])
    (True, False, False)
    """
    if PYPY:                    # one pass
        for v in values:
            if type(v) is not float or not math.isfinite(v):
                return False
        return True
    return all_floats(values) and math.isfinite(sum(values))


def sample(x, y, n_in, n_out, what):
    """One sample: ``(inputs, targets)`` as lists of ``n_in`` and ``n_out`` floats.

    The inputs always come back as a fresh list (a network keeps them); the
    targets, which are only read, come back as they are when they are
    already a list of plain finite floats.

    >>> sample([1, 2], [0.5], 2, 1, "step")
    ([1.0, 2.0], [0.5])
    """
    if type(x) is list and type(y) is list and len(x) == n_in and len(y) == n_out:
        both = x + y                # one check of types and finiteness for the two
        # (finite_floats, inline: for a step's short vectors every call counts)
        if _all_floats(map(type, both)) and math.isfinite(sum(both)):
            return both[:n_in], y   # plain finite floats (the usual case)
    return vector(x, n_in, what), vector(y, n_out, what, "targets")


def batch(rows, n, what, noun="inputs"):
    """A non-empty list of vectors of length ``n``; names the bad sample."""
    rows = as_sequence(rows)
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)):
        raise NodenetError(f"{what} expects a list of samples, got {describe(rows)}")
    if not rows:
        raise NodenetError(f"{what} expects at least one sample, got an empty batch")
    out = []
    for s, row in enumerate(rows):
        try:
            out.append(vector(row, n, what, noun))
        except NodenetError as err:
            raise NodenetError(f"sample {s}: {err}") from None
    return out


def pair(X, Y, n_in, n_out, what):
    """Matching batches of inputs and targets."""
    X = batch(X, n_in, what, "inputs")
    Y = batch(Y, n_out, what, "targets")
    if len(X) != len(Y):
        raise NodenetError(
            f"{what} expects as many targets as inputs, got {len(X)} inputs and {len(Y)} targets")
    return X, Y


def is_choice(value, choices):
    """True if ``value`` is one of the strings ``choices`` (safe for any value: no ``==``
    on arrays, no repr)."""
    return isinstance(value, str) and value in choices


def positive_int(value, what, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise NodenetError(f"{what} must be a whole number, got {describe(value)}")
    if value < minimum:
        raise NodenetError(f"{what} must be at least {minimum}, got {value}")
    return int(value)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 3, 6, 6, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 40, 40, 40


def brief(value):
    """A repr of ``value`` cut short, even for huge or deeply nested junk.

    >>> brief(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    try:
        text = _REPR.repr(value)
    except Exception:          # a broken __repr__ must not hide the real error
        text = "<unprintable>"
    return text if len(text) <= 60 else text[:57] + "..."


def describe(value):
    """``type repr`` of a value, short even for huge or deeply nested junk."""
    text = brief(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
