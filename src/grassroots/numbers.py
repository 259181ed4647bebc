"""Vietnamese numbers: "." groups thousands, "," is the decimal mark.

Parsing is strict first: the forms Babel's strict "vi" parse accepts, read as Babel reads them
(tests/test_numbers.py checks the two agree); a declared fallback handles the convention breaks
that reports contain ("292.2km2", "3775.5 ha", "73.3%": a point as the decimal mark), and
the fallback used is returned so that it is recorded, never silently guessed.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

_STRICT_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(,\d+)?$")
_POINT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$|^\d{4,}\.\d+$")


class NumberParseError(ValueError):
    pass


@functools.lru_cache(maxsize=1 << 16)
def parse_number(text: str) -> tuple[Decimal, str]:
    """Parse a Vietnamese-formatted number. Returns (value, rule).

    rule is "strict" when Babel's strict vi parsing accepted it, or the name of the declared
    fallback that was needed ("point-decimal": a point used as the decimal mark).
    >>> parse_number("1.134")
    (Decimal('1134'), 'strict')
    >>> parse_number("84,4")
    (Decimal('84.4'), 'strict')
    >>> parse_number("292.2")
    (Decimal('292.2'), 'point-decimal')
    """
    s = text.strip()
    if _STRICT_GROUPED.match(s) or _PLAIN.match(s):
        # These two forms are exactly what Babel's strict "vi" parsing accepts, and for them its
        # result is the digits with the group marks dropped and the decimal comma as a point. The
        # value is read that way because parse_decimal costs about 40 µs a call (locale lookup,
        # strict re-formatting) and runs once per distinct number of a corpus;
        # tests/test_numbers.py checks on generated numbers that both give the same Decimal.
        return Decimal(s.replace(".", "").replace(",", ".")), "strict"
    if _POINT_DECIMAL.match(s):
        try:
            return Decimal(s), "point-decimal"
        except InvalidOperation:  # pragma: no cover
            pass
    raise NumberParseError(f"{text!r} is not a Vietnamese-formatted number")


@functools.lru_cache(maxsize=32)
def _decimal_format(locale: str, decimals: int | None):
    from babel import Locale
    from babel.numbers import parse_pattern

    loc = Locale.parse(locale)
    if decimals is None:
        return loc, loc.decimal_formats[None]
    return loc, parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def format_locale(value: Decimal, locale: str, decimals: int | None = None) -> str:
    """value with the locale's digit grouping and decimal mark ("1.234,5" in "vi", "1,234.5" in
    "en"): every digit, or rounded to `decimals` places. Babel's CLDR pattern, looked up once
    (format_decimal looks it up on every call, which is twice as slow)."""
    loc, pattern = _decimal_format(locale, decimals)
    if decimals is None:
        return pattern.apply(value, loc, decimal_quantization=False)
    return pattern.apply(value, loc)


def format_vi(value: Decimal | float | int, decimals: int | None = None) -> str:
    """Format the Vietnamese way ("1.134", "84,4"), via Babel."""
    return format_locale(Decimal(str(value)), "vi", decimals)


@functools.lru_cache(maxsize=1 << 13)
def plain(value: Decimal | None) -> str:
    """A Decimal as a plain string for CSV: no exponent, no trailing zeros ("6600000000", "84.4").

    Memoised: equal Decimals ("1.50", "1.5") give the same string, so caching by equality is safe."""
    if value is None:
        return ""
    if not value:
        return "0"  # Decimal("-0") == 0: one string for both, whichever the memo saw first
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text
