"""Rows of findings.csv: one per failed expectation row (or per relation and report), with the
figures, the gap and the raw lines, in Vietnamese and English. The wording of every message is
data: rules/findings_messages.yml (see Messages)."""

from __future__ import annotations

import math
import re
import string
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from grassroots import ruleset
from grassroots.numbers import format_locale, plain
from grassroots.paths import RULES_DIR
from grassroots.tables import TYPES
from grassroots.validate.relations import ROUND, RelationCalc, Wide, sum_readings
from grassroots.validate.suites import ADMIN_LEVELS

SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}
LANGS = ("vi", "en")


class Messages:
    """The message catalogue (rules/findings_messages.yml): {key: {"vi": template, "en": template}}.

    A template's placeholders are filled with plain values or with functions of the language
    (lang -> text), for numbers and titles written each language's way.
    """

    def __init__(self, rules_dir: Path = RULES_DIR):
        self.catalogue = ruleset.load("findings_messages", rules_dir)
        for key, texts in self.catalogue.items():
            fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGS}
            if fields["vi"] != fields["en"]:
                raise ruleset.RulesError(f"findings_messages.yml: {key}: the languages use different placeholders "
                                         f"(vi {sorted(fields['vi'])}, en {sorted(fields['en'])})")

    def text(self, key: str, lang: str, **fields) -> str:
        values = {k: v(lang) if callable(v) else v for k, v in fields.items()}
        return self.catalogue[key][lang].format_map(values)

    def both(self, key: str, **fields) -> tuple[str, str]:
        """(message_vi, message_en)."""
        return self.text(key, "vi", **fields), self.text(key, "en", **fields)

    def optional(self, key: str, present, **fields):
        """A part shown only when present is truthy: a function of the language."""
        return lambda lang: self.text(key, lang, **fields) if present else ""


def nums(x, places: int | None = None):
    """A number for both languages: a function of the language (see num)."""
    return lambda lang: num(x, lang, places)


def _decimal(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return None if math.isnan(x) else Decimal(repr(round(x, ROUND)))  # no float noise
    try:
        return Decimal(str(x))
    except InvalidOperation:
        return None


def plain_num(x, places: int | None = None) -> str:
    """A bare number for the expected/observed columns: "523", "98.4" (no float noise)."""
    d = _decimal(x)
    if d is None:
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return plain(d)


def num(x, lang: str, places: int | None = None) -> str:
    """A number for a message: "17.775" / "5,28" in Vietnamese, "17,775" / "5.28" in English."""
    text = plain_num(x, places)
    d = _decimal(text)
    return text if d is None else format_locale(d, "vi" if lang == "vi" else "en")


def finding(report_id, check, indicators, expected, observed, severity, vi, en, lines) -> dict:
    return {"report_id": report_id or "", "check": check, "indicators": indicators or "",
            "expected": expected if expected is not None else "", "observed": observed if observed is not None else "",
            "severity": severity, "message_vi": vi, "message_en": en, "lines": lines or ""}


def not_evaluated(msg: Messages, suite: str, table: str, table_missing: bool) -> dict:
    """A suite that could not run: its table is missing (a finding of its own for a table suite),
    or its derived frame lacks the table's columns."""
    if suite == table:
        return finding("", f"{table}.table", "", f"{table}.csv", "missing", "error",
                       *msg.both("table_missing", table=table), "")
    key = "suite_without_table" if table_missing else "suite_without_columns"
    return finding("", f"{suite}.table", "", f"{table}.csv", "not evaluated", "error",
                   *msg.both(key, suite=suite, table=table), "")


def _cell(row, column: str) -> str:
    if row is None or column not in row.index:
        return ""
    value = row[column]
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _lines(values) -> str:
    out = set()
    for v in values:
        for part in str(v or "").split(";"):
            if part.strip().isdigit():
                out.add(int(part))
    return ";".join(str(v) for v in sorted(out))


def _lc(title: str) -> str:
    """A title inside a sentence: first letter lowercased unless it starts an acronym."""
    return title[:1].lower() + title[1:] if len(title) > 1 and not title[1].isupper() else title


class FindingBuilder:
    def __init__(self, cb, frames: dict[str, pd.DataFrame], calcs: dict[str, RelationCalc], wide: Wide | None,
                 messages: Messages):
        self.cb, self.frames, self.calcs, self.w, self.m = cb, frames, calcs, wide, messages
        self._rows: dict[str, dict] = {}

    def pct(self, code: str) -> str:
        ind = self.cb.indicators.get(code)
        return "%" if ind is not None and ind.unit == "%" else ""

    def title(self, code: str, lang: str, inner: bool = False) -> str:
        ind = self.cb.indicators.get(code)
        t = (ind.title_vi if lang == "vi" else ind.title_en) if ind else code
        return _lc(t) if inner else t

    def titles(self, code: str, inner: bool = False):
        """The title for both languages: a function of the language."""
        return lambda lang: self.title(code, lang, inner)

    def titles_joined(self, codes: list[str]):
        """"a + b" of the codes' titles inside a sentence, a function of the language."""
        return lambda lang: " + ".join(self.title(c, lang, inner=True) for c in codes)

    # -- figures of the wide frame, read per report as dicts (fast for thousands of findings)
    def prepare(self, report_ids) -> None:
        ids = sorted(set(report_ids) - set(self._rows))
        if not ids:
            return
        parts = {name: getattr(self.w, name).loc[ids].to_dict("index")
                 for name in ("text", "line", "den_text", "decimals")}
        for rid in ids:
            self._rows[rid] = {name: parts[name][rid] for name in parts}

    def _get(self, rid: str, part: str, code: str):
        if rid not in self._rows:
            self.prepare([rid])
        value = self._rows[rid][part].get(code)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    def value(self, rid: str, code: str) -> str | None:
        return self._get(rid, "text", code)

    def number(self, rid: str, code: str) -> Decimal | None:
        """The value as an exact Decimal (None when absent or not a number, as in the derived columns)."""
        text = self.value(rid, code)
        return _decimal(text) if text is not None and re.fullmatch(TYPES["decimal"].pattern, text) else None

    def line_of(self, rid: str, code: str) -> str:
        return self._get(rid, "line", code) or ""

    def den_of(self, rid: str, code: str) -> str | None:
        return self._get(rid, "den_text", code)

    def dec_of(self, rid: str, code: str) -> int:
        return int(self._get(rid, "decimals", code) or 0)

    def fig(self, rid: str, code: str) -> tuple[str | None, str]:
        """(value as written, raw line) of a code in a report."""
        return self.value(rid, code), self.line_of(rid, code)

    def figure(self, rid: str, code: str, lang: str, inner: bool = False, skip_line: str = "") -> str:
        value, line = self.fig(rid, code)
        unit = "%" if self.cb.indicators[code].unit == "%" else ""
        where = self.m.text("after_line", lang, line=line) if line and line != skip_line else ""
        return f"{self.title(code, lang, inner)} ({num(value, lang)}{unit}{where})"

    # -- one GX result -> findings
    def from_result(self, suite: str, d: dict, result: dict, success: bool, errors: list[str]) -> list[dict]:
        if success:
            return []
        check, severity = d["meta"]["check"], SEVERITY.get(d.get("severity", "critical"), "error")
        kwargs, etype = d["kwargs"], d["type"]
        if errors or ("unexpected_index_list" not in result and "observed_value" not in result):
            target = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or \
                ",".join(filter(None, (kwargs.get("column_A"), kwargs.get("column_B"))))
            why = "; ".join(errors) or "no result"
            return [finding("", check, "", etype, "not evaluated", "error",
                            *self.m.both("not_evaluated", expectation=etype, suite=suite, target=target, why=why), "")]
        if etype == "expect_table_columns_to_match_ordered_list":
            return [self.schema(suite, check, kwargs["column_list"], result.get("observed_value") or [])]
        frame = self.frames[suite]
        rows = frame.loc[list(result.get("unexpected_index_list") or [])]
        if suite == "relations":
            return []  # relation findings are built per (relation, report) in relation_findings
        if etype in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
            return self.duplicates(suite, check, severity, kwargs, rows)
        if suite == "report_refs":
            return self.unknown_reports(check, severity, rows)
        out = []
        for _, row in rows.iterrows():
            out.append(self.row_finding(suite, check, severity, etype, kwargs, d["meta"], row))
        return out

    def schema(self, suite: str, check: str, expected: list[str], observed: list[str]) -> dict:
        missing = [c for c in expected if c not in observed]
        extra = [c for c in observed if c not in expected]
        problems = [(key, cols) for key, cols in (("schema_missing", missing), ("schema_extra", extra)) if cols]

        def described(lang):
            if not problems:
                return self.m.text("schema_order", lang)
            return "; ".join(self.m.text(key, lang, columns=", ".join(cols)) for key, cols in problems)

        return finding("", check, "", ",".join(expected), ",".join(observed), "error",
                       *self.m.both("schema", table=suite, problems=described), "")

    def duplicates(self, suite, check, severity, kwargs, rows) -> list[dict]:
        cols = kwargs.get("column_list") or [kwargs["column"]]
        out = []
        for key, group in rows.groupby(cols, dropna=False, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            shown = ", ".join("" if isinstance(k, float) and math.isnan(k) else str(k) for k in key)
            rid = "" if "report_id" not in cols else _cell(group.iloc[0], "report_id")
            code = _cell(group.iloc[0], "indicator") if "indicator" in cols else ""
            out.append(finding(rid, check, code, "unique", f"{len(group)} rows", severity,
                               *self.m.both("duplicate_key", columns=", ".join(cols), values=shown, n=len(group),
                                            table=suite),
                               _lines(group["line"]) if "line" in group else ""))
        return out

    def unknown_reports(self, check, severity, rows) -> list[dict]:
        out = []
        for _, row in rows.iterrows():
            rid, table, n = row["report_id"], row["table"], int(row["rows"])
            key = "unknown_report_many" if n > 1 else "unknown_report_one"
            out.append(finding(rid, check, "", "in reports.csv", f"{table}.csv", severity,
                               *self.m.both(key, report_id=rid, n=n, table=table), ""))
        return out

    def row_finding(self, suite, check, severity, etype, kwargs, meta, row) -> dict:
        m = self.m
        rid, code, line = _cell(row, "report_id"), _cell(row, "indicator"), _cell(row, "line")
        column = kwargs.get("column", "")
        value = _cell(row, column) if column else ""
        at = m.optional("at_line", line, line=line)
        if check.startswith("metadata.") and etype == "expect_column_values_to_not_be_null":
            label = m.optional(f"label_{column}", True)
            return finding(rid, check, "", "present", "", severity, *m.both("metadata_missing", label=label), "")
        if etype == "expect_column_values_to_not_be_null":
            return finding(rid, check, code, "present", "", severity,
                           *m.both("missing_value", table=suite, column=column, at=at,
                                   indicator=m.optional("of_indicator", code, code=code)), line)
        if check == "metadata.admin_level":
            return finding(rid, check, "", "|".join(ADMIN_LEVELS), value, severity,
                           *m.both("admin_level", value=value, levels=", ".join(ADMIN_LEVELS)), "")
        if check == "metadata.period":
            start, end = _cell(row, "period_start"), _cell(row, "period_end")
            return finding(rid, check, "", f">= {start}", end, severity, *m.both("period", start=start, end=end), "")
        if check == "indicators.code":
            return finding(rid, check, value, "a codebook code", value, severity,
                           *m.both("unknown_code", value=value, at=at), line)
        if check == "indicators.unit":
            expected = kwargs["value_set"][0]
            return finding(rid, check, code, expected, value, severity,
                           *m.both("unit", title=self.titles(code), value=nums(_cell(row, "value")),
                                   where=m.optional("after_line", line, line=line), unit=value, expected=expected),
                           line)
        if check == "indicators.integer":
            return finding(rid, check, code, "integer", value, severity,
                           *m.both("integer", title=self.titles(code), value=nums(value), at=at), line)
        if check == "indicators.range":
            lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
            rng = f"{plain_num(lo) if lo is not None else ''}..{plain_num(hi) if hi is not None else ''}"
            key = "range_between" if lo is not None and hi is not None else ("range_min" if lo is not None else "range_max")
            return finding(rid, check, code, rng, plain_num(row["value"]), severity,
                           *m.both("range", title=self.titles(code), value=nums(row["value"]), pct=self.pct(code),
                                   at=at, range=lambda lang: m.text(key, lang, lo=num(lo, lang), hi=num(hi, lang))),
                           line)
        if check == "indicators.denominator":
            v, den = row["value"], row["denominator"]
            return finding(rid, check, code, f"<= {plain_num(den)}", plain_num(v), severity,
                           *m.both("denominator", title=self.titles(code), value=nums(v), den=nums(den), at=at,
                                   excess=nums(v - den)), line)
        if etype == "expect_column_values_to_match_regex":
            label = meta.get("label", "")
            return finding(rid, check, code, label, value, severity,
                           *m.both("type", table=suite, column=column, code=f", {code}" if code else "", at=at,
                                   value=value, label=lambda lang: getattr(TYPES[label], lang)), line)
        return finding(rid, check, code, etype, value, severity,
                       *m.both("failed", table=suite, expectation=etype, column=column, value=value, at=at), line)

    # -- relations: one finding per (relation, report)
    def relation_findings(self, failures: dict[str, dict[str, set]]) -> list[dict]:
        out = []
        self.prepare({rid for by_report in failures.values() for rid in by_report})
        for rel_id in sorted(failures):
            calc = self.calcs[rel_id]
            for rid in sorted(failures[rel_id]):
                severities = failures[rel_id][rid]
                severity = "error" if "error" in severities else sorted(severities)[0]
                build = {"sum": self.sum_finding, "le": self.le_finding, "rate": self.rate_finding}[calc.kind]
                out.append(build(calc, rid, severity))
        return out

    def sum_finding(self, calc: RelationCalc, rid: str, severity: str) -> dict:
        spec = calc.spec
        total_code = spec["total"]
        total, total_line = self.fig(rid, total_code)
        total_d = _decimal(total)
        # readings, described by the parts actually reported; identical readings are tried once
        seen, readings = set(), []
        for i, r in enumerate(calc.readings):
            present = tuple(c for c in r["codes"] if self.number(rid, c) is not None)
            if present in seen:
                continue
            seen.add(present)
            value = sum((self.number(rid, c) for c in present), Decimal(0))
            readings.append((abs(total_d - value), i, present, value, [c for c in r["codes"] if c not in present]))
        all_parts = sum_readings(spec)[0]
        best = min(readings)
        _, _, parts, value, _ = best
        diff = total_d - value

        m = self.m

        def described(lang):
            joined = " + ".join(self.figure(rid, c, lang, inner=True, skip_line=total_line) for c in parts)
            return joined or m.text("sum_no_part", lang)

        def others(lang):
            rest = [r for r in readings if r is not best]
            if not rest:
                return ""
            items = []
            for _, _, present, v, _ in sorted(rest, key=lambda r: r[1]):
                dropped = [c for c in all_parts if c not in present and self.number(rid, c) is not None]
                label = m.text("and", lang).join(self.title(c, lang, inner=True) for c in dropped)
                items.append(m.text("sum_without", lang, parts=label, value=num(v, lang)))
            return m.text("sum_others", lang, readings="; ".join(items))

        codes = [total_code] + [c for c in all_parts if self.number(rid, c) is not None]
        lines = _lines([total_line] + [self.line_of(rid, c) for c in codes])
        return finding(rid, calc.rel_id, ";".join(codes), plain_num(value), plain_num(total), severity,
                       *m.both("sum", title=self.titles(total_code), total=nums(total),
                               line=lambda lang: m.text("line", lang, line=total_line), parts=described,
                               value=nums(value), diff=nums(abs(diff)), others=others), lines)

    def le_finding(self, calc: RelationCalc, rid: str, severity: str) -> dict:
        left_code = calc.spec["left"]
        left, left_line = self.fig(rid, left_code)
        right = [c for c in calc.spec["right"] if self.number(rid, c) is not None]
        bound = sum((self.number(rid, c) for c in right), Decimal(0))
        excess = _decimal(left) - bound

        def described(lang):
            joined = " + ".join(self.figure(rid, c, lang, inner=True, skip_line=left_line) for c in right)
            return joined + (f" = {num(bound, lang)}" if len(right) > 1 else "")

        codes = [left_code] + right
        lines = _lines([self.line_of(rid, c) for c in codes])
        return finding(rid, calc.rel_id, ";".join(codes), f"<= {plain_num(bound)}", plain_num(left), severity,
                       *self.m.both("le", title=self.titles(left_code), left=nums(left),
                                    line=lambda lang: self.m.text("line", lang, line=left_line), right=described,
                                    excess=nums(excess)), lines)

    def rate_finding(self, calc: RelationCalc, rid: str, severity: str) -> dict:
        spec = calc.spec
        rate_code, num_code = spec["rate"], spec["numerator"]
        rate, rate_line = self.fig(rid, rate_code)
        numerator, _ = self.fig(rid, num_code)
        rate_d, num_d = _decimal(rate), _decimal(numerator)
        printed = self.dec_of(rid, rate_code)
        shown = max(printed, 1)
        tolerance = Decimal(5).scaleb(-printed - 1)
        tried, codes, best = [], [rate_code, num_code], None
        for r in calc.readings:
            if not r["codes"]:
                den_text = self.den_of(rid, num_code)
                label = self.m.optional("rate_own_denominator", True)
            else:
                present = [self.number(rid, c) for c in r["codes"]]
                den_text = None if any(p is None for p in present) else plain(sum(present, Decimal(0)))
                label = self.titles_joined(r["codes"])
                codes += [c for c in r["codes"] if self.number(rid, c) is not None]
            den_d = _decimal(den_text)
            if den_d is None or den_d <= 0:
                tried.append((label, None, None, None, False))
                continue
            computed = num_d / den_d * 100
            gap = abs(rate_d - computed)
            truncated = computed.quantize(Decimal(1).scaleb(-printed), rounding=ROUND_DOWN) == rate_d
            tried.append((label, den_d, computed, gap, truncated))
            if best is None or gap < best[3]:
                best = tried[-1]

        m = self.m

        def reading_text(t, lang):
            label = t[0](lang)
            if t[1] is None:
                return m.text("rate_not_reported", lang, label=label)
            text = m.text("rate_reading", lang, label=label, numerator=num(numerator, lang), denominator=num(t[1], lang),
                          computed=num(t[2], lang, shown), gap=num(t[3], lang, shown))
            return text + (m.text("rate_truncated", lang) if t[4] else "")

        codes = list(dict.fromkeys(codes))
        lines = _lines([self.line_of(rid, c) for c in codes])
        expected = plain_num(best[2], shown) if best else ""
        return finding(rid, calc.rel_id, ";".join(codes), expected, plain_num(rate), severity,
                       *m.both("rate", title=self.titles(rate_code), rate=nums(rate),
                               line=lambda lang: m.text("line", lang, line=rate_line),
                               several=m.optional("rate_several", len(tried) > 1),
                               readings=lambda lang: "; ".join(reading_text(t, lang) for t in tried),
                               tolerance=nums(tolerance)), lines)


