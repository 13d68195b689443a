"""What the commands share: checked option types, option errors, one-line warnings.

Option values are checked where argparse reads them, so a bad one stops
the command before any work with ``argument --eta: …`` and exit status 2.
A value that is only wrong together with the data or another option (a
batch larger than the file) is refused with an ``OptionError``: also one
line, also exit status 2, naming the option as the user typed it.

>>> number(above=0)("0.5")
0.5
>>> whole(minimum=1)("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a whole number ≥ 1, got '0'
"""

import argparse
import sys

from ..data import NONFINITE, NOTATION, to_number
from ..errors import NodenetError
from ..validate import brief


class OptionError(NodenetError):
    """An option value the command cannot use: one line on stderr, exit status 2."""


class Store(argparse.Action):
    """argparse's plain store, which also records the spelling typed (``-o`` or ``--output``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        if option_string:
            typed = dict(getattr(namespace, "typed", None) or {})
            typed[self.dest] = option_string
            namespace.typed = typed


def flag(args, dest, default):
    """The option ``dest`` as the user typed it (``--out`` for ``--output``), else ``default``."""
    return (getattr(args, "typed", None) or {}).get(dest, default)


def number(above=None, at_least=None, below=None, at_most=None):
    """An argparse type: a finite number in plain notation, within the given bounds.

    >>> number(at_least=0, below=1)("0.9")
    0.9
    """
    bounds = [b for b in (f"> {above:g}" if above is not None else None,
                          f"≥ {at_least:g}" if at_least is not None else None,
                          f"< {below:g}" if below is not None else None,
                          f"≤ {at_most:g}" if at_most is not None else None) if b]
    wanted = "a finite number" + (" " + " and ".join(bounds) if bounds else "")

    def parse(text):
        value = to_number(text)
        if value is None and str(text).strip(" \t").lower().lstrip("+-") in NONFINITE:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {brief(text)}")
        if value is None:
            raise argparse.ArgumentTypeError(f"expected a number ({NOTATION}), got {brief(text)}")
        if (value != value or value in (float("inf"), float("-inf"))
                or (above is not None and not value > above)
                or (at_least is not None and not value >= at_least)
                or (below is not None and not value < below)
                or (at_most is not None and not value <= at_most)):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {brief(text)}")
        return value
    parse.__name__ = "number"
    return parse


def whole(minimum=None, maximum=None):
    """An argparse type: a whole number (ASCII digits) within the given bounds."""
    if minimum is not None and maximum is not None:
        wanted = f"a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        wanted = f"a whole number ≥ {minimum}"
    else:
        wanted = "a whole number" + (f" ≤ {maximum}" if maximum is not None else "")

    def parse(text):
        stripped = text.strip(" \t") if isinstance(text, str) else ""
        digits = stripped[1:] if stripped[:1] in "+-" else stripped
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 30:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {brief(text)}")
        value = int(stripped)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {brief(text)}")
        return value
    parse.__name__ = "whole"
    return parse


def one_line(text, limit=2000):
    """``text`` with its whitespace runs made single spaces, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def warn(command, message):
    """Print ``nodenet COMMAND: warning: MESSAGE`` as one line on stderr."""
    print(f"nodenet {command}: warning: {one_line(message)}", file=sys.stderr)
