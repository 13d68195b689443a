"""Format and print numbers exactly as R's ``print()`` does at default options.

This is a pure-Python rendering of R's ``formatReal`` (src/main/format.c),
``encodeReal0`` (src/main/printutils.c) and ``printRealVector``
(src/main/printvector.c) with ``scipen = 0`` and a print gap of one space.
R chooses one common format for the whole vector: either fixed notation with
the same number of decimals for every element, or scientific notation with
the same number of mantissa digits, and pads every element to one width.
Significant digits are counted as R does on x86-64, scaling by 10^k in x87
long double (emulated exactly with fractions), so near-ties such as
26.764405 print as R shows them ("26.7644"), not as exact decimal rounding.

Example:
    >>> r_print([0.5, 3.6, -1.5])
    '[1]  0.5  3.6 -1.5'
    >>> r_format([1e-10, 1])
    ['1e-10', '1e+00']
"""

import math
from fractions import Fraction

from .errors import NodenetError
from .validate import describe, is_real

__all__ = ["r_format", "r_print"]

# Largest power of ten held exactly by the 64-bit mantissa of an x87 long
# double; R uses such a table (KP_MAX) on x86-64 builds.
_KP_MAX = 27
_LONG_DOUBLE_BITS = 64
# R switches to sprintf-based digit counting at DBL_DIG + 1 digits.
_SPRINTF_DIGITS = 16
# R accepts print(digits=) from 1 to 22 (R_MIN/MAX_DIGITS_OPT).
_MIN_DIGITS, _MAX_DIGITS = 1, 22


def _long_double(q):
    """Round a positive exact rational to a 64-bit mantissa, ties to even."""
    num, den = q.numerator, q.denominator
    exp = num.bit_length() - den.bit_length()
    if (num << max(0, -exp)) < (den << max(0, exp)):
        exp -= 1  # now 2**exp <= q < 2**(exp + 1)
    shift = _LONG_DOUBLE_BITS - 1 - exp
    mantissa = round(q * Fraction(2) ** shift)  # Fraction rounds half to even
    return Fraction(mantissa) / Fraction(2) ** shift


def _scientific(x, digits):
    """Return R's (neg, kpower, nsig, roundingwidens) for a finite float x."""
    if x == 0.0:
        return 0, 0, 1, False
    neg = 1 if x < 0 else 0
    r = abs(x)
    if digits >= _SPRINTF_DIGITS:
        # R's format_via_sprintf: read exponent and digits off "%.*e".
        mantissa, exponent = ("%.*e" % (digits - 1, r)).split("e")
        significant = mantissa.replace(".", "").rstrip("0")
        return neg, int(exponent), max(1, len(significant)), False
    # Scale |x| to an integer-sized value with `digits` digits before the
    # point, in x87 long double arithmetic as R does on x86-64.
    kp = math.floor(math.log10(r)) - digits + 1
    if abs(kp) <= _KP_MAX:
        r_prec = _long_double(Fraction(r) / Fraction(10) ** kp)
    else:  # powl(10, kp): taken as correctly rounded
        r_prec = _long_double(Fraction(r) / _long_double(Fraction(10) ** kp))
    if r_prec < 10 ** (digits - 1):
        r_prec = _long_double(r_prec * 10)
        kp -= 1
    alpha = round(r_prec)  # nearbyintl: to nearest, ties to even
    # Drop trailing zeros; a carry to 10**digits leaves nsig = 0 -> 1 digit.
    nsig = digits
    for _ in range(digits):
        if alpha % 10:
            break
        alpha //= 10
        nsig -= 1
    if nsig == 0:
        nsig = 1
        kp += 1
    kpower = kp + digits - 1
    # Fixed notation may round less than scientific (9996 at 3 digits stays
    # 9996 in fixed, 1e+04 in scientific): R's "roundingwidens" check.
    rgt = min(max(digits - kpower, 0), _KP_MAX)
    fuzz = 0.5 / float(10 ** rgt)
    widens = 0 < kpower <= _KP_MAX and Fraction(r) < _long_double(
        Fraction(10) ** kpower - Fraction(fuzz))
    return neg, kpower, nsig, widens


def _format_info(xs, digits):
    """Return R's common (width, decimals, exponent-code) for floats xs."""
    neg = 0
    rgt = mxl = mxsl = mxns = mnl = None
    for x in xs:
        if not math.isfinite(x):
            continue
        neg_i, kpower, nsig, widens = _scientific(x, digits)
        left = kpower + 1 - (1 if widens else 0)  # digits left of the point
        sleft = neg_i + max(left, 1)               # ... with sign, at least 1
        right = nsig - left                        # digits right of the point
        neg = neg or neg_i
        rgt = right if rgt is None else max(rgt, right)
        mxl = left if mxl is None else max(mxl, left)
        mnl = left if mnl is None else min(mnl, left)
        mxsl = sleft if mxsl is None else max(mxsl, sleft)
        mxns = nsig if mxns is None else max(mxns, nsig)
    width = decimals = expo = 0
    if mxns is not None:
        if mxl < 0:
            mxsl = 1 + neg  # all |x| < 0.1: one leading "0" (plus sign)
        rgt = max(rgt, 0)
        fixed_width = mxsl + rgt + (rgt != 0)
        # Scientific: [-]d[.ddd]e+dd, one more exponent digit past 1e+/-99.
        expo = 2 if (mxl > 100 or mnl <= -99) else 1
        decimals = mxns - 1
        width = neg + (decimals > 0) + decimals + 4 + expo
        if fixed_width <= width:  # scipen = 0: fixed wins ties
            width, decimals, expo = fixed_width, rgt, 0
    # Non-finite values only widen the field.
    if any(math.isnan(x) for x in xs) or math.inf in xs:
        width = max(width, 3)
    if -math.inf in xs:
        width = max(width, 4)
    return width, decimals, expo


def _encode(x, width, decimals, expo):
    """Render one float in the common format, right-justified to width."""
    if math.isnan(x):
        text = "NaN"
    elif math.isinf(x):
        text = "Inf" if x > 0 else "-Inf"
    else:
        if x == 0.0:
            x = 0.0  # R prints -0 as 0
        text = "%.*e" % (decimals, x) if expo else "%.*f" % (decimals, x)
    return text.rjust(width)


def _to_floats(values, caller):
    """Turn a number or an iterable of numbers into a list of floats."""
    wanted = "%s() expected an int or float or a sequence of them, got %s"
    if is_real(values):
        items = [values]
    elif isinstance(values, (str, bytes, bytearray, bool)) or values is None:
        raise NodenetError(wanted % (caller, describe(values)))
    else:
        try:
            items = list(values)
        except TypeError:
            raise NodenetError(wanted % (caller, describe(values))) from None
    floats = []
    for index, item in enumerate(items):
        if not is_real(item):
            raise NodenetError("%s() expected int or float elements, got %s "
                               "at index %d"
                               % (caller, describe(item), index))
        try:
            floats.append(float(item))
        except OverflowError:  # beyond double range: R reads it as +/-Inf
            floats.append(math.inf if item > 0 else -math.inf)
    return floats


def check_digits(digits, what="digits"):
    """``digits`` if it is a whole number from 1 to 22 (R's print range), else a NodenetError.

    The one check of a ``digits=`` option in nodenet: the tables, the
    pictures, the command line and R's own formatting here.

    >>> check_digits(7)
    7
    """
    if isinstance(digits, bool) or not isinstance(digits, int) \
            or not _MIN_DIGITS <= digits <= _MAX_DIGITS:
        raise NodenetError(f"{what} must be a whole number from {_MIN_DIGITS} to {_MAX_DIGITS} "
                           f"(R's print range), got {describe(digits)}")
    return digits


def _check_int(name, value, low, high, caller):
    if isinstance(value, bool) or not isinstance(value, int) \
            or not low <= value <= high:
        raise NodenetError("%s() expected %s to be an int from %d to %d, "
                           "got %s" % (caller, name, low, high,
                                       describe(value)))


def r_format(values, digits=7):
    """Format numbers with the common format R's print() would choose.

    Returns one string per element, each right-justified to the common
    width; a single number gives a one-element list. Bools, strings, None
    and other non-numbers raise NodenetError (a ValueError).

    Example:
        >>> r_format([0.5, 3.6, -1.5])
        [' 0.5', ' 3.6', '-1.5']
    """
    check_digits(digits)
    xs = _to_floats(values, "r_format")
    width, decimals, expo = _format_info(xs, digits)
    return [_encode(x, width, decimals, expo) for x in xs]


def _index_width(n):
    """R's IndexWidth(): number of decimal digits of n."""
    return int(math.log10(n + 0.5) + 1)


def r_print(values, digits=7, width=80):
    """Return exactly what R's print() shows for a numeric vector.

    Lines are wrapped past `width` columns and start with right-aligned index
    labels such as " [1]" and "[26]"; they are joined with "\\n" and there is
    no trailing newline. An empty input gives "numeric(0)".

    Example:
        >>> r_print(2.6)
        '[1] 2.6'
        >>> print(r_print(range(1, 31), width=40))
         [1]  1  2  3  4  5  6  7  8  9 10 11 12
        [13] 13 14 15 16 17 18 19 20 21 22 23 24
        [25] 25 26 27 28 29 30
    """
    check_digits(digits)
    _check_int("width", width, 1, 10 ** 6, "r_print")
    xs = _to_floats(values, "r_print")
    if not xs:
        return "numeric(0)"
    field, decimals, expo = _format_info(xs, digits)
    cell = field + 1  # R_print.gap = 1 space before each element
    label_width = _index_width(len(xs)) + 2

    def label(i):  # R's VectorIndex(): "[i]" right-aligned in label_width
        return ("[%d]" % i).rjust(label_width)

    lines, line, used = [], label(1), label_width
    for i, x in enumerate(xs):
        # printRealVector: wrap before an element that would pass `width`.
        if i > 0 and used + cell > width:
            lines.append(line)
            line, used = label(i + 1), label_width
        line += " " + _encode(x, field, decimals, expo)
        used += cell
    lines.append(line)
    return "\n".join(lines)
