"""Tests for nodenet.rformat: every expected string is what R 4.2.2 prints."""

import doctest
import math
from fractions import Fraction

import pytest

from nodenet import rformat
from nodenet.errors import NodenetError
from nodenet.rformat import r_format, r_print

NAN, INF = float("nan"), float("inf")

# (input, exact R output of print(input)) at default options.
R_OUTPUTS = [
    ([0.5, 3.6, -1.5], "[1]  0.5  3.6 -1.5"),
    ([0.5, 1.2, -0.3], "[1]  0.5  1.2 -0.3"),
    (2.6, "[1] 2.6"),
    (0.93086157965665328, "[1] 0.9308616"),
    (0.0017872539, "[1] 0.001787254"),
    # The brief expected "0.8017873" for 0.80178725, but that literal is the
    # double 0.80178724999999995..., which R 4.2.2 prints as 0.8017872; the
    # unshortened value 0.8017872539 gives 0.8017873.
    (0.80178725, "[1] 0.8017872"),
    (0.8017872539, "[1] 0.8017873"),
    (0.009907519, "[1] 0.009907519"),
    ([9.907519e-05, 2.972256e-04, 4.953760e-04],
     "[1] 9.907519e-05 2.972256e-04 4.953760e-04"),
    ([0.5000990752, 1.2002972256, -0.299504624],
     "[1]  0.5000991  1.2002972 -0.2995046"),
    (100000, "[1] 1e+05"),
    (123456, "[1] 123456"),
    (0.1 + 0.2, "[1] 0.3"),
    (1 / 3, "[1] 0.3333333"),
    ([1, 10, 100], "[1]   1  10 100"),
    (1e-300, "[1] 1e-300"),
    (0, "[1] 0"),
    (-1.5, "[1] -1.5"),
    (NAN, "[1] NaN"),
    ([1.0, INF], "[1]   1 Inf"),
    (123456.7, "[1] 123456.7"),
    (1234567.8, "[1] 1234568"),
    (0.1234567891, "[1] 0.1234568"),
    (3.14159e-10, "[1] 3.14159e-10"),
    ([1e-10, 1], "[1] 1e-10 1e+00"),
    # Rounding to 7 significant digits carries into a new leading digit.
    (9.9999999, "[1] 10"),
    (0.99999999, "[1] 1"),
    (99999999, "[1] 1e+08"),
    # Fixed vs scientific decisions.
    ([1e5, 1], "[1] 1e+05 1e+00"),
    ([123456, 0.1], "[1] 123456.0      0.1"),
    (1e15 + 2, "[1] 1e+15"),
    (0.0001, "[1] 1e-04"),
    (0.0001234, "[1] 0.0001234"),
    (31415.9, "[1] 31415.9"),
    ([1.123456789e-3, 2], "[1] 0.001123457 2.000000000"),
    (2.0 ** 31, "[1] 2147483648"),
    (123456789012, "[1] 123456789012"),
    ([-0.5, 10], "[1] -0.5 10.0"),
    # Negative scientific vectors: one sign column, common mantissa digits.
    ([-1.5e-8, 2.25e-10], "[1] -1.50e-08  2.25e-10"),
    ([-1e-15, -2e-20], "[1] -1e-15 -2e-20"),
    # Three-digit exponents widen the whole vector.
    ([1e-300, 1e-5], "[1] 1e-300  1e-05"),
    ([-1e-300, 1e5], "[1] -1e-300   1e+05"),
    (1e100, "[1] 1e+100"),
    (-1e-100, "[1] -1e-100"),
    # Extremes of the double range.
    (5e-324, "[1] 4.940656e-324"),
    (1.7976931348623157e308, "[1] 1.797693e+308"),
    # Non-finite values take part in the width.
    ([-INF, INF, NAN], "[1] -Inf  Inf  NaN"),
    ([1, NAN, -INF], "[1]    1  NaN -Inf"),
    ([2, NAN], "[1]   2 NaN"),
    (-0.0, "[1] 0"),
    # R scales by 10^k in x87 long double before rounding: these near-ties
    # round unlike exact decimal rounding ("%.6e" gives 2.676441e+01 and
    # 5.886059e+00).
    (26.764405, "[1] 26.7644"),
    (5.8860595, "[1] 5.88606"),
]


@pytest.mark.parametrize("value, expected", R_OUTPUTS)
def test_matches_r_print(value, expected):
    assert r_print(value) == expected


def test_one_to_thirty_wraps_like_r():
    assert r_print(list(range(1, 31))) == (
        " [1]  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21"
        " 22 23 24 25\n"
        "[26] 26 27 28 29 30")


def test_three_digit_labels_wrap_like_r():
    assert r_print([float(i) for i in range(100, 131)]) == (
        " [1] 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115"
        " 116 117 118\n"
        "[20] 119 120 121 122 123 124 125 126 127 128 129 130")


def test_narrow_width_puts_each_element_on_its_own_line():
    assert r_print([1.5, -2.25, 3.0], width=10) == (
        "[1]  1.50\n[2] -2.25\n[3]  3.00")


def test_hundred_elements_have_five_wide_labels():
    lines = r_print(list(range(1, 101))).split("\n")
    assert len(lines) == 6
    assert lines[0] == "  [1]" + "".join("%4d" % i for i in range(1, 19))
    assert lines[1].startswith(" [19]  19  20")
    assert lines[-1] == " [91]  91  92  93  94  95  96  97  98  99 100"


def test_digits_argument_follows_r():
    assert r_print(math.pi, digits=3) == "[1] 3.14"
    assert r_print(9996, digits=3) == "[1] 9996"  # R's "rounding widens" case
    assert r_print(0.1 + 0.2, digits=17) == "[1] 0.30000000000000004"


def test_r_format_pads_to_common_width():
    assert r_format([0.5, 3.6, -1.5]) == [" 0.5", " 3.6", "-1.5"]
    assert r_format([1, 10, 100]) == ["  1", " 10", "100"]
    assert r_format([1e-10, 1]) == ["1e-10", "1e+00"]
    assert r_format([1.0, INF, NAN]) == ["  1", "Inf", "NaN"]


def test_r_format_single_number_gives_one_element_list():
    assert r_format(2.6) == ["2.6"]
    assert r_format(7) == ["7"]


def test_empty_input():
    assert r_format([]) == []
    assert r_print([]) == "numeric(0)"


def test_accepts_tuples_ranges_and_generators():
    assert r_print((0.5, 3.6, -1.5)) == "[1]  0.5  3.6 -1.5"
    assert r_print(range(1, 4)) == "[1] 1 2 3"
    assert r_print(x / 4 for x in range(3)) == "[1] 0.00 0.25 0.50"
    assert r_print(Fraction(1, 3)) == "[1] 0.3333333"


def test_int_beyond_double_range_is_inf_not_overflow_error():
    assert r_print(10 ** 400) == "[1] Inf"
    assert r_print([-(10 ** 400), 1]) == "[1] -Inf    1"


def test_never_prints(capsys):
    r_print(list(range(50)))
    r_format([1.5, NAN])
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("bad, type_name", [
    (True, "bool"), ("1.5", "str"), (None, "NoneType"), (b"12", "bytes")])
def test_rejects_non_numbers(bad, type_name):
    for func in (r_print, r_format):
        with pytest.raises(ValueError) as info:
            func(bad)
        assert isinstance(info.value, NodenetError)
        message = str(info.value)
        assert "expected an int or float" in message
        assert type_name in message
        assert func.__name__ + "()" in message


@pytest.mark.parametrize("bad, type_name", [
    ([1.0, None], "NoneType"), ([1.0, "2"], "str"), ([False, 1.0], "bool"),
    ([[1.0]], "list")])
def test_rejects_bad_elements_and_says_where(bad, type_name):
    with pytest.raises(ValueError) as info:
        r_print(bad)
    message = str(info.value)
    assert "expected int or float elements" in message
    assert type_name in message
    assert "index %d" % (0 if type_name in ("bool", "list") else 1) in message


def test_rejects_object_that_is_not_iterable():
    with pytest.raises(ValueError, match="got object"):
        r_print(object())


@pytest.mark.parametrize("digits", [0, 23, 7.0, True, "7"])
def test_rejects_bad_digits(digits):
    with pytest.raises(ValueError, match=r"digits must be a whole number from 1 to 22 \(R's print range\)"):
        r_print(1.0, digits=digits)
    with pytest.raises(ValueError, match=r"digits must be a whole number from 1 to 22 \(R's print range\)"):
        r_format(1.0, digits=digits)


@pytest.mark.parametrize("width", [0, -5, 80.0, None])
def test_rejects_bad_width(width):
    with pytest.raises(ValueError, match="width to be an int"):
        r_print(1.0, width=width)


def test_docstring_examples():
    result = doctest.testmod(rformat)
    assert result.attempted >= 5
    assert result.failed == 0
