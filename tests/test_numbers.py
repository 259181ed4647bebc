"""Vietnamese number parsing: strict Babel parsing, declared fallbacks, round trips."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal, parse_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.extract.mentions import find_mentions
from grassroots.numbers import NumberParseError, parse_number, plain


@pytest.mark.parametrize(
    ("text", "value", "rule"),
    [
        ("1.134", Decimal("1134"), "strict"),  # Triệu Sơn: "1.134 triệu đồng"
        ("84,4", Decimal("84.4"), "strict"),  # "chiếm 84,4 % tổng số xã"
        ("11.796,9", Decimal("11796.9"), "strict"),  # Kbang: "11.796,9 tr.đ"
        ("184.243,33", Decimal("184243.33"), "strict"),  # Kbang area in ha
        ("02", Decimal("2"), "strict"),  # "02 đoàn"
        ("784.000.000", Decimal("784000000"), "strict"),
        ("292.2", Decimal("292.2"), "point-decimal"),  # "292.2km2": a point as decimal mark
        ("73.3", Decimal("73.3"), "point-decimal"),
        ("3775.5", Decimal("3775.5"), "point-decimal"),
    ],
)
def test_parse_number(text, value, rule):
    assert parse_number(text) == (value, rule)


@pytest.mark.parametrize("bad", ["1.13", "1,2,3", "12.34.5", "abc"])
def test_parse_number_refuses_what_it_cannot_read(bad):
    # "1.13" is neither grouped thousands nor a declared fallback form... except that the
    # point-decimal fallback accepts 1-2 decimals: it parses, and says so.
    if bad == "1.13":
        assert parse_number(bad) == (Decimal("1.13"), "point-decimal")
        return
    with pytest.raises(NumberParseError):
        parse_number(bad)


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip_vietnamese_format(n):
    text = format_decimal(n, locale="vi")  # "1.234.567"
    assert parse_number(text)[0] == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip_vietnamese_format(d):
    text = format_decimal(d, format="#,##0.00", locale="vi")  # "1.234,50"
    assert parse_number(text)[0] == d


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["hồ sơ", "đơn", "lượt", "mô hình", "vụ việc"]))
def test_number_in_a_sentence_is_found_with_its_unit(n, unit):
    text = f"Trong kỳ, UBND xã đã tiếp nhận {format_decimal(n, locale='vi')} {unit}, đúng quy định."
    found = find_mentions(text)
    assert [(m.value, m.unit) for m in found] == [(Decimal(n), unit)]


def test_plain_has_no_exponent_and_no_float_noise():
    assert plain(Decimal("6.6") * Decimal(10) ** 9) == "6600000000"
    assert plain(Decimal("184243.33") * Decimal("0.01")) == "1842.4333"
    assert plain(Decimal("84.40")) == "84.4"


_GROUPED = st.integers(min_value=0, max_value=10**15).map(lambda n: format_decimal(n, locale="vi"))
_DECIMALS = st.tuples(st.integers(min_value=0, max_value=10**12), st.text("0123456789", min_size=1, max_size=4)).map(
    lambda t: format_decimal(t[0], locale="vi") + "," + t[1])
_PLAIN_DIGITS = st.text("0123456789", min_size=1, max_size=14)  # "02", "0007", "1500"


@given(st.one_of(_GROUPED, _DECIMALS, _PLAIN_DIGITS, _PLAIN_DIGITS.map(lambda d: d + ",5")))
def test_strict_reading_is_babels_strict_parse(text):
    # parse_number reads strict forms without calling Babel (for speed); it must agree with Babel
    # to the last digit and exponent, not just numerically
    value, rule = parse_number(text)
    assert rule == "strict"
    assert str(value) == str(parse_decimal(text, locale="vi", strict=True))


@settings(deadline=None)  # the first example imports the validation module
@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False))
def test_numbers_in_messages_are_babels_format_for_the_language(d):
    from grassroots.validate.findings import num

    shown = Decimal(plain(d))  # messages show no exponent and no trailing zeros
    assert num(d, "vi") == format_decimal(shown, locale="vi", decimal_quantization=False)
    assert num(d, "en") == format_decimal(shown, locale="en", decimal_quantization=False)


def test_numbers_in_messages_vietnamese_and_english():
    from grassroots.validate.findings import num

    assert (num(17775, "vi"), num(17775, "en")) == ("17.775", "17,775")  # Bá Thước: hồ sơ
    assert (num(5.28, "vi"), num(Decimal("5.28"), "en")) == ("5,28", "5.28")
    assert num(Decimal("84.44"), "vi", 1) == "84,4"
