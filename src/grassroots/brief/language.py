"""The briefs' two languages: their messages (rules/brief_messages.yml) and the Lang object that
writes numbers, percents, money, dates, periods and names in one language."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from grassroots import ruleset
from grassroots.brief.model import Fig, Report, split_locality
from grassroots.codebook import Derived, Indicator
from grassroots.codebook import load as load_codebook
from grassroots.numbers import format_locale

LANGS = ("vi", "en")

# language -> message key -> text; every key is in both languages (checked by the schema).
TEXT: dict[str, dict] = {code: {key: texts[code] for key, texts in ruleset.load("brief_messages").items()}
                         for code in LANGS}

# English words for the codebook's unit nouns come from the codebook (one declaration).
UNIT_EN = {unit: names[0] for unit, names in load_codebook().units.items()}
UNIT_EN_ONE = {names[0]: names[1] for names in load_codebook().units.values()}


def kind_name(kind: str, lang: str) -> str:
    """The name of an instrument kind ("Nghị định") in a language ("Decree"), as declared once in
    rules/instruments.yml (kinds)."""
    from grassroots.extract.citations import instrument_kinds

    for k in instrument_kinds():
        if k.vi == kind:
            return k.en if lang == "en" else k.vi
    return kind


class Lang:
    """Numbers, dates, periods and names in one language."""

    def __init__(self, code: str):
        self.code = code
        self.t = TEXT[code]

    def num(self, value: Decimal, decimals: int | None = None) -> str:
        if decimals is not None:
            value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        elif value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        return format_locale(value, self.code, decimals)

    def pct(self, value: Decimal, decimals: int | None = 1) -> str:
        return self.num(value, decimals) + "%"

    def money(self, value: Decimal, full: bool = False) -> str:
        """Money as a reader says it: "11,8 tỷ đồng" / "11.8 billion VND"; full: every digit."""
        if not full:
            for scale, key in ((Decimal(10) ** 9, "money_billion"), (Decimal(10) ** 6, "money_million")):
                if abs(value) >= scale:
                    x = (value / scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                    return self.t[key].format(v=self.num(x, 0 if x == x.to_integral_value() else 1))
        return f"{self.num(value, 0)} {self.t['money_unit']}"

    def plural(self, key: str, n: int | Decimal, **kw) -> str:
        """A counted noun from the catalogue: {one, other} forms (Vietnamese has one form)."""
        msg = self.t[key]
        if isinstance(msg, dict):
            msg = msg["one"] if n == 1 else msg["other"]
        return msg.format(n=self.num(Decimal(n), 0), **kw)

    def fig(self, ind: Indicator, fig: Fig, unit: bool = False) -> str:
        """A reported figure: percents as printed, money and counts grouped, X/Y kept."""
        v = fig.value
        if ind.kind == "percent":
            return self.pct(v, None)
        if ind.kind == "money":
            return self.money(v, full=unit)
        if ind.kind in ("area", "average"):
            text = self.num(v, ind.decimals)
        else:
            text = self.num(v, 0 if v == v.to_integral_value() else None)
        if fig.denominator is not None:
            text += "/" + self.num(fig.denominator, 0 if fig.denominator == fig.denominator.to_integral_value() else None)
        if unit:
            noun = self.t["area_unit"] if ind.kind == "area" else self.unit(ind.unit)
            if self.code == "en" and v == 1 and fig.denominator is None:
                noun = UNIT_EN_ONE.get(noun, noun)
            text += " " + noun
        return text

    def unit(self, unit: str) -> str:
        if unit == "km2":
            return "km²"
        if unit == "VND":
            return self.t["money_unit"]
        return UNIT_EN.get(unit, unit) if self.code == "en" else unit

    def title(self, ind: Indicator) -> str:
        return ind.title_vi if self.code == "vi" else ind.title_en

    def theme_title(self, cb, theme: str) -> str:
        return cb.themes[theme]["title_vi" if self.code == "vi" else "title_en"]

    def derived_title(self, cb, d: Derived) -> str:
        if d.per10k:
            return self.t["per10k_suffix"].format(title=self.title(cb.indicators[d.num[0]]))
        return d.vi if self.code == "vi" else d.en

    def formula(self, d: Derived) -> str:
        return d.formula_vi if self.code == "vi" else d.formula_en

    def level(self, level: str) -> str:
        return self.t["levels"].get(level, level)

    def period_length(self, months: int | None) -> str:
        if months is None:
            return self.t["period_unknown"]
        return self.t["period_kinds"].get(str(months)) or self.t["period_months"].format(n=months)

    def report_type(self, kind: str) -> str:
        return self.t["types"].get(kind, kind)

    def date(self, text: str) -> str:
        """ISO date, possibly partial ("2021-01"), in the language's style; never the clock."""
        m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", text or "")
        if not m:
            return text or ""
        y, mo, d = m.groups()
        if self.code == "vi":
            if d:
                return f"{d}/{mo}/{y}"
            return f"tháng {mo}/{y}" if mo else y
        from babel.dates import get_month_names

        months = get_month_names("wide", locale="en")
        if d:
            return f"{int(d)} {months[int(mo)]} {y}"
        return f"{months[int(mo)]} {y}" if mo else y

    def date_phrase(self, text: str) -> str:
        """ "on 30 October 2020" / "in June 2023"; "ngày 30/10/2020" / "tháng 06/2023"."""
        parts = len((text or "").split("-"))
        key = "date_day" if parts >= 3 else "date_month" if parts == 2 else "date_year"
        return self.t[key].format(d=self.date(text))

    def period_short(self, r: Report) -> str:
        start, end, months = r.get("period_start"), r.get("period_end"), r.months
        m1 = re.match(r"^(\d{4})-(\d{2})", start)
        m2 = re.match(r"^(\d{4})-(\d{2})", end)
        if m1 and m2 and months:
            y, mo = m1.group(1), int(m1.group(2))
            same_year = m1.group(1) == m2.group(1)
            roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
            if months == 12 and mo == 1 and same_year:
                return y
            if months == 6 and mo in (1, 7) and same_year:
                if self.code == "vi":
                    return f"6 tháng {'đầu' if mo == 1 else 'cuối'} {y}"
                return f"H{1 if mo == 1 else 2} {y}"
            if months == 3 and mo in (1, 4, 7, 10) and same_year:
                q = (mo - 1) // 3 + 1
                return f"quý {roman[q]}/{y}" if self.code == "vi" else f"Q{q} {y}"
            if mo == 1 and same_year:
                return f"{months} tháng {y}" if self.code == "vi" else f"{months}M {y}"
            return f"{m1.group(2)}/{m1.group(1)}–{m2.group(2)}/{m2.group(1)}"
        return r.get("period_label") or self.t["period_unknown"]

    def locality(self, r: Report, capital: bool = False) -> str:
        """The locality as a sentence subject: "Huyện Triệu Sơn" / "Triệu Sơn district"."""
        loc = r.get("locality")
        if not loc:
            return r.short
        if self.code == "vi":
            return loc[:1].upper() + loc[1:] if capital else loc
        name, kind = split_locality(loc)
        return f"{name} {kind}" if kind else name

    def group(self, level: str, months: int | None) -> str:
        return self.t["group"].format(level=self.level(level), period=self.period_length(months))
