"""The one number formatter behind every table: R's choice for a single number.

``num(x, digits)`` writes ``x`` with at most ``digits`` significant digits,
dropping trailing zeros, in fixed or scientific notation exactly as R's
``print(x, digits = digits)`` would (so a table shows 0.009907519 where the
handout's R session shows ``[1] 0.009907519``).  It is
``nodenet.rformat.r_format`` for one element, without the padding.

>>> num(0.19200000000000003)
'0.192'
>>> num(9.907519e-05), num(2.6), num(-0.0)
('9.907519e-05', '2.6', '0')
>>> num(0.009907519, digits=3)
'0.00991'
"""

from .rformat import check_digits, r_format   # noqa: F401  (check_digits: one for all)

DIGITS = 7      # R's default number of significant digits


def num(x, digits=DIGITS):
    """``x`` with at most ``digits`` significant digits, as R prints it alone."""
    return r_format([x], digits)[0].strip()


def factor(x, digits=DIGITS):
    """``num(x)`` wrapped in parentheses when negative, for use inside a formula.

    >>> factor(-1.2) + "·" + factor(0.192)
    '(-1.2)·0.192'
    """
    text = num(x, digits)
    return f"({text})" if text.startswith("-") else text


def nums(xs, digits=DIGITS, sep=", "):
    """Several numbers, each formatted alone, joined by ``sep``.

    >>> nums([0.5, 3.6, -1.5])
    '0.5, 3.6, -1.5'
    """
    return sep.join(num(x, digits) for x in xs)


def group(text):
    """``text`` in parentheses if it has a + or − outside any parentheses.

    >>> group("a·(1 − a)"), group("Φ(z) + z·φ(z)")
    ('a·(1 − a)', '(Φ(z) + z·φ(z))')
    """
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+−" and i > 0:
            return f"({text})"
    return text
