"""Rows of findings.csv: one per failed expectation row (or per relation and report), with the
figures, the gap and the raw lines, in Vietnamese and English."""

from __future__ import annotations

import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

from grassroots.numbers import format_locale, plain
from grassroots.tables import TYPES
from grassroots.validate.relations import ROUND, RelationCalc, Wide, sum_readings
from grassroots.validate.suites import ADMIN_LEVELS

SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}


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


def _line(line, lang: str) -> str:
    return f"dòng {line}" if lang == "vi" else f"line {line}"


TABLE_LABELS = {
    "locality": ("địa bàn", "locality"),
    "admin_level": ("cấp hành chính", "administrative level"),
    "period_start": ("ngày đầu kỳ báo cáo", "period start"),
    "period_end": ("ngày cuối kỳ báo cáo", "period end"),
}

def finding(report_id, check, indicators, expected, observed, severity, vi, en, lines) -> dict:
    return {"report_id": report_id or "", "check": check, "indicators": indicators or "",
            "expected": expected if expected is not None else "", "observed": observed if observed is not None else "",
            "severity": severity, "message_vi": vi, "message_en": en, "lines": lines or ""}


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
    def __init__(self, cb, frames: dict[str, pd.DataFrame], calcs: dict[str, RelationCalc], wide: Wide | None):
        self.cb, self.frames, self.calcs, self.w = cb, frames, calcs, wide
        self._rows: dict[str, dict] = {}

    def pct(self, code: str) -> str:
        ind = self.cb.indicators.get(code)
        return "%" if ind is not None and ind.unit == "%" else ""

    def title(self, code: str, lang: str, inner: bool = False) -> str:
        ind = self.cb.indicators.get(code)
        t = (ind.title_vi if lang == "vi" else ind.title_en) if ind else code
        return _lc(t) if inner else t

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
        where = f", {_line(line, lang)}" if line and line != skip_line else ""
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
                             f"Không đánh giá được kiểm tra {etype} trên {suite} ({target}): {why}",
                             f"Could not evaluate {etype} on {suite} ({target}): {why}", "")]
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
        vi, en = [], []
        if missing:
            vi.append("thiếu cột " + ", ".join(missing))
            en.append("missing columns " + ", ".join(missing))
        if extra:
            vi.append("thừa cột " + ", ".join(extra))
            en.append("unexpected columns " + ", ".join(extra))
        if not missing and not extra:
            vi.append("thứ tự cột khác quy định")
            en.append("columns in another order")
        return finding("", check, "", ",".join(expected), ",".join(observed), "error",
                        f"Bảng {suite}.csv không đúng cấu trúc: " + "; ".join(vi) + ".",
                        f"Table {suite}.csv does not match its contract: " + "; ".join(en) + ".", "")

    def duplicates(self, suite, check, severity, kwargs, rows) -> list[dict]:
        cols = kwargs.get("column_list") or [kwargs["column"]]
        out = []
        for key, group in rows.groupby(cols, dropna=False, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            shown = ", ".join("" if isinstance(k, float) and math.isnan(k) else str(k) for k in key)
            rid = "" if "report_id" not in cols else _cell(group.iloc[0], "report_id")
            code = _cell(group.iloc[0], "indicator") if "indicator" in cols else ""
            out.append(finding(rid, check, code, "unique", f"{len(group)} rows", severity,
                                f"Khóa ({', '.join(cols)}) = ({shown}) lặp lại {len(group)} lần trong {suite}.csv.",
                                f"Key ({', '.join(cols)}) = ({shown}) occurs {len(group)} times in {suite}.csv.",
                                _lines(group["line"]) if "line" in group else ""))
        return out

    def unknown_reports(self, check, severity, rows) -> list[dict]:
        out = []
        for _, row in rows.iterrows():
            rid, table, n = row["report_id"], row["table"], int(row["rows"])
            out.append(finding(rid, check, "", "in reports.csv", f"{table}.csv", severity,
                                f"Mã báo cáo '{rid}' có {n} dòng trong {table}.csv nhưng không có trong reports.csv.",
                                f"Report id '{rid}' has {n} row{'s' if n > 1 else ''} in {table}.csv but is not "
                                f"in reports.csv.", ""))
        return out

    def row_finding(self, suite, check, severity, etype, kwargs, meta, row) -> dict:
        rid, code, line = _cell(row, "report_id"), _cell(row, "indicator"), _cell(row, "line")
        column = kwargs.get("column", "")
        value = _cell(row, column) if column else ""
        at_vi = f" ({_line(line, 'vi')})" if line else ""
        at_en = f" ({_line(line, 'en')})" if line else ""
        if check.startswith("metadata.") and etype == "expect_column_values_to_not_be_null":
            vi_label, en_label = TABLE_LABELS.get(column, (column, column))
            return finding(rid, check, "", "present", "", severity,
                            f"Báo cáo thiếu {vi_label} (không đọc được từ văn bản hay tệp mô tả kèm theo).",
                            f"The report has no {en_label} (found neither in the text nor in its sidecar).", "")
        if etype == "expect_column_values_to_not_be_null":
            return finding(rid, check, code, "present", "", severity,
                            f"{suite}.csv: thiếu giá trị cột {column}{at_vi}" + (f", chỉ tiêu {code}" if code else "") + ".",
                            f"{suite}.csv: no value in column {column}{at_en}" + (f", indicator {code}" if code else "") + ".",
                            line)
        if check == "metadata.admin_level":
            return finding(rid, check, "", "|".join(ADMIN_LEVELS), value, severity,
                            f"Cấp hành chính '{value}' không thuộc {', '.join(ADMIN_LEVELS)}.",
                            f"Administrative level '{value}' is not one of {', '.join(ADMIN_LEVELS)}.", "")
        if check == "metadata.period":
            start, end = _cell(row, "period_start"), _cell(row, "period_end")
            return finding(rid, check, "", f">= {start}", end, severity,
                            f"Kỳ báo cáo kết thúc ({end}) trước ngày bắt đầu ({start}).",
                            f"The reporting period ends ({end}) before it starts ({start}).", "")
        if check == "indicators.code":
            return finding(rid, check, value, "a codebook code", value, severity,
                            f"Mã chỉ tiêu '{value}'{at_vi} không có trong bộ mã (codebook.yml).",
                            f"Indicator code '{value}'{at_en} is not in the codebook (codebook.yml).", line)
        if check == "indicators.unit":
            expected = kwargs["value_set"][0]
            figure = _cell(row, "value")
            vi = (f"{self.title(code, 'vi')} ({num(figure, 'vi')}" + (f", {_line(line, 'vi')}" if line else "")
                  + f") có đơn vị '{value}', bộ mã quy định '{expected}'.")
            en = (f"{self.title(code, 'en')} ({num(figure, 'en')}" + (f", {_line(line, 'en')}" if line else "")
                  + f") has unit '{value}'; the codebook's unit is '{expected}'.")
            return finding(rid, check, code, expected, value, severity, vi, en, line)
        if check == "indicators.integer":
            return finding(rid, check, code, "integer", value, severity,
                            f"{self.title(code, 'vi')} = {num(value, 'vi')}{at_vi}: phải là số nguyên không âm.",
                            f"{self.title(code, 'en')} = {num(value, 'en')}{at_en}: must be a non-negative whole number.",
                            line)
        if check == "indicators.range":
            lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
            rng = f"{plain_num(lo) if lo is not None else ''}..{plain_num(hi) if hi is not None else ''}"
            if lo is not None and hi is not None:
                vi_rng, en_rng = f"từ {num(lo, 'vi')} đến {num(hi, 'vi')}", f"{num(lo, 'en')} to {num(hi, 'en')}"
            elif lo is not None:
                vi_rng, en_rng = f"từ {num(lo, 'vi')} trở lên", f"at least {num(lo, 'en')}"
            else:
                vi_rng, en_rng = f"không quá {num(hi, 'vi')}", f"at most {num(hi, 'en')}"
            return finding(rid, check, code, rng, plain_num(row["value"]), severity,
                            f"{self.title(code, 'vi')} = {num(row['value'], 'vi')}{self.pct(code)}{at_vi}: "
                            f"ngoài khoảng cho phép ({vi_rng}).",
                            f"{self.title(code, 'en')} = {num(row['value'], 'en')}{self.pct(code)}{at_en}: "
                            f"outside the allowed range ({en_rng}).", line)
        if check == "indicators.denominator":
            v, den = row["value"], row["denominator"]
            return finding(rid, check, code, f"<= {plain_num(den)}", plain_num(v), severity,
                            f"{self.title(code, 'vi')} {num(v, 'vi')}/{num(den, 'vi')}{at_vi}: tử số lớn hơn mẫu số "
                            f"(vượt {num(v - den, 'vi')}).",
                            f"{self.title(code, 'en')} {num(v, 'en')}/{num(den, 'en')}{at_en}: the numerator exceeds "
                            f"the denominator (by {num(v - den, 'en')}).", line)
        if etype == "expect_column_values_to_match_regex":
            label = meta.get("label", "")
            vi_label, en_label = TYPES[label].vi, TYPES[label].en
            what = f", {code}" if code else ""
            return finding(rid, check, code, label, value, severity,
                            f"{suite}.csv, cột {column}{what}{at_vi}: '{value}' không phải {vi_label}.",
                            f"{suite}.csv, column {column}{what}{at_en}: '{value}' is not {en_label}.", line)
        return finding(rid, check, code, etype, value, severity,
                        f"{suite}.csv: kiểm tra {etype} không đạt ({column} = '{value}'){at_vi}.",
                        f"{suite}.csv: {etype} failed ({column} = '{value}'){at_en}.", line)

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

        def described(lang):
            joined = " + ".join(self.figure(rid, c, lang, inner=True, skip_line=total_line) for c in parts)
            return joined or ("không có phần nào" if lang == "vi" else "no part")

        def others(lang):
            rest = [r for r in readings if r is not best]
            if not rest:
                return ""
            items = []
            for _, _, present, v, _ in sorted(rest, key=lambda r: r[1]):
                dropped = [c for c in all_parts if c not in present and self.number(rid, c) is not None]
                label = (" và " if lang == "vi" else " and ").join(self.title(c, lang, inner=True) for c in dropped)
                items.append((f"không tính {label}" if lang == "vi" else f"without {label}") + f" = {num(v, lang)}")
            if lang == "vi":
                return " Cách tính khác cũng không khớp: " + "; ".join(items) + "."
            return " Other readings tried, none matching: " + "; ".join(items) + "."

        codes = [total_code] + [c for c in all_parts if self.number(rid, c) is not None]
        lines = _lines([total_line] + [self.line_of(rid, c) for c in codes])
        vi = (f"{self.title(total_code, 'vi')} ({num(total, 'vi')}, {_line(total_line, 'vi')}) khác tổng "
              f"{described('vi')} = {num(value, 'vi')}: chênh {num(abs(diff), 'vi')}." + others("vi"))
        en = (f"{self.title(total_code, 'en')} ({num(total, 'en')}, {_line(total_line, 'en')}) differs from the sum of "
              f"{described('en')} = {num(value, 'en')}: difference {num(abs(diff), 'en')}." + others("en"))
        return finding(rid, calc.rel_id, ";".join(codes), plain_num(value), plain_num(total), severity, vi, en, lines)

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
        vi = (f"{self.title(left_code, 'vi')} ({num(left, 'vi')}, {_line(left_line, 'vi')}) lớn hơn "
              f"{described('vi')}: vượt {num(excess, 'vi')}.")
        en = (f"{self.title(left_code, 'en')} ({num(left, 'en')}, {_line(left_line, 'en')}) exceeds "
              f"{described('en')} by {num(excess, 'en')}.")
        lines = _lines([self.line_of(rid, c) for c in codes])
        return finding(rid, calc.rel_id, ";".join(codes), f"<= {plain_num(bound)}", plain_num(left), severity,
                        vi, en, lines)

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
                label = ("mẫu số ghi kèm tử số (X/Y)", "the numerator's own denominator (X/Y)")
            else:
                present = [self.number(rid, c) for c in r["codes"]]
                den_text = None if any(p is None for p in present) else plain(sum(present, Decimal(0)))
                label = tuple(" + ".join(self.title(c, lang, inner=True) for c in r["codes"]) for lang in ("vi", "en"))
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

        def reading_text(t, lang):
            label = t[0][0] if lang == "vi" else t[0][1]
            if t[1] is None:
                return f"{label}: {'không có số liệu' if lang == 'vi' else 'not reported'}"
            text = (f"{label}: {num(numerator, lang)}/{num(t[1], lang)} = {num(t[2], lang, shown)}% "
                    + (f"(chênh {num(t[3], lang, shown)} điểm %)" if lang == "vi"
                       else f"(off by {num(t[3], lang, shown)} points)"))
            if t[4]:
                text += (" — khớp nếu báo cáo cắt bớt chữ số thay vì làm tròn" if lang == "vi"
                         else " — it matches if the report truncated instead of rounding")
            return text

        several = len(tried) > 1
        vi = (f"{self.title(rate_code, 'vi')} {num(rate, 'vi')}% ({_line(rate_line, 'vi')}) không khớp tỷ lệ tính "
              f"từ số đếm" + (" theo bất kỳ mẫu số nào đã thử" if several else "") + ": "
              + "; ".join(reading_text(t, "vi") for t in tried)
              + f". Sai số làm tròn cho phép theo số chữ số in: ±{num(tolerance, 'vi')} điểm %.")
        en = (f"{self.title(rate_code, 'en')} {num(rate, 'en')}% ({_line(rate_line, 'en')}) does not match the rate "
              f"computed from counts" + (" with any of the denominators tried" if several else "") + ": "
              + "; ".join(reading_text(t, "en") for t in tried)
              + f". Rounding allowed for the printed precision: ±{num(tolerance, 'en')} points.")
        codes = list(dict.fromkeys(codes))
        lines = _lines([self.line_of(rid, c) for c in codes])
        expected = plain_num(best[2], shown) if best else ""
        return finding(rid, calc.rel_id, ";".join(codes), expected, plain_num(rate), severity, vi, en, lines)


