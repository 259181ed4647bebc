"""Validation (stage 3, notebooks/30-validate.ipynb): Great Expectations suites over the processed
tables; every failure becomes a row of findings.csv, with messages in Vietnamese and English.

    python -m grassroots.validate [PROCESSED_DIR] [--strict]   # validate (default data/processed)
    python -m grassroots.validate --write-suites                # regenerate expectations/*.json
    python -m grassroots.validate --check-suites                # exit 1 when they drift from the codebook

The suites are generated from codebook.yml (grassroots.validate.suites) and stored in expectations/.
Table suites run on the tables as read; cross-indicator relations run on a wide frame (one row per
report) whose derived columns hold, per relation, the residual of its best reading (sums), the excess
over the bound (le), or the distance of a reported rate from the computed rates beyond the rounding
of its printed precision (rate). GX evaluates every expectation; its unexpected rows become findings.

GX runs in an ephemeral (in-memory) context: nothing is written to the repository or $HOME, and
GX's Data Docs are never built (they load assets from the internet). Usage statistics are off
(GX_ANALYTICS_ENABLED=False). great_expectations is imported once, lazily (it takes seconds).
"""

from __future__ import annotations

import copy
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import combinations
from pathlib import Path

import pandas as pd

from grassroots import codebook as codebook_mod
from grassroots.validate.suites import (
    ADMIN_LEVELS,
    PATTERNS,
    SUITES,
    build_suites,
    load_suites,
    reading_codes,
    relation_column,
    suite_drift,
    write_suites,
)
from grassroots.numbers import format_locale, plain
from grassroots.paths import SUITES_DIR
from grassroots.tables import COLUMNS

FINDING_COLUMNS = COLUMNS["findings"]
SUMMARY_COLUMNS = ["suite", "check", "expectation", "column", "success", "checked", "unexpected_count"]
SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}
TABLES = ["reports", "mentions", "indicators", "citations", "models", "errors"]
# Derived frames and the table they cannot do without.
DERIVED = {"indicator_values": "indicators", "relations": "indicators", "report_refs": "reports"}
REFERRING = ["mentions", "indicators", "citations", "models"]  # tables whose rows belong to a report
STRICT_LINES = 50
_ROUND = 9  # derived residuals are rounded to this many decimals (no float noise at the bounds)


class ValidationFailed(RuntimeError):
    """STRICT mode: at least one expectation failed. The message lists the failures."""


class SuiteDrift(RuntimeError):
    """The stored suites (expectations/*.json) disagree with the codebook."""


# ------------------------------------------------------------------------------------------ GX

_GX: dict = {}


def _gx():
    """great_expectations, imported once per process, with usage statistics off."""
    if not _GX:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        _GX.update(gx=gx, config=ExpectationConfiguration, progress=ProgressBarsConfig)
    return _GX


def _context():
    g = _gx()
    # Ephemeral: stores live in memory, no gx/ folder is written. No Data Docs are built.
    ctx = g["gx"].get_context(mode="ephemeral")
    ctx.config.analytics_enabled = False
    ctx.variables.progress_bars = g["progress"](globally=False, metric_calculations=False)
    return ctx


def _exception_messages(info) -> list[str]:
    if not isinstance(info, dict):
        return []
    if info.get("raised_exception"):
        return [str(info.get("exception_message", "")).strip()]
    out = []
    for value in info.values():
        out += _exception_messages(value)
    return sorted(set(m for m in out if m))


def run_suites(frames: dict[str, pd.DataFrame], suites: dict[str, dict], parameters: dict) -> list[tuple]:
    """Validate each frame with its suite in one ephemeral GX context.

    Returns (suite name, stored expectation dict, GX result dict, exception messages) in suite order.
    """
    from grassroots.pipeline.corpus import LARGE_CORPUS, progress_bar

    g = _gx()
    ctx = _context()
    source = ctx.data_sources.add_pandas("processed")
    out = []
    reports = frames.get("reports")
    todo = [name for name in SUITES if frames.get(name) is not None]
    progress = progress_bar(len(todo), "validate", enabled=reports is not None and len(reports) >= LARGE_CORPUS)
    for name in todo:
        frame = frames[name]
        stored = suites[name]["expectations"]
        expectations = [
            g["config"](type=d["type"], kwargs=copy.deepcopy(d["kwargs"]), meta=copy.deepcopy(d.get("meta", {})),
                        severity=d.get("severity", "critical")).to_domain_obj()
            for d in stored
        ]
        suite = ctx.suites.add(g["gx"].ExpectationSuite(name=name, expectations=expectations))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        definition = ctx.validation_definitions.add(g["gx"].ValidationDefinition(name=name, data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": frame}, expectation_parameters=parameters,
                                result_format={"result_format": "COMPLETE"})
        by_id = {r.expectation_config.id: r for r in result.results}
        for d, exp in zip(stored, suite.expectations, strict=True):
            r = by_id[exp.id]
            out.append((name, d, dict(r.result or {}), bool(r.success), _exception_messages(r.exception_info)))
        progress.update()
    progress.close()
    return out


# ------------------------------------------------------------------------------------- frames

def read_table(path: Path) -> pd.DataFrame | None:
    """A processed table as text, empty cells missing; None when the file does not exist."""
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    return frame.where(frame != "")


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def printed_decimals(surface, value, parse_rule) -> int:
    """Decimals printed in the report ("94,11%" -> 2, "97%" -> 0), from the surface text."""
    m = re.search(r"\d(?:[\d.,]*\d)?", surface if isinstance(surface, str) else "")
    if m:
        token = m.group(0)
        if "," in token:
            return len(token.rsplit(",", 1)[1])
        if "." in token and parse_rule == "point-decimal":
            return len(token.rsplit(".", 1)[1])
        return 0
    text = value if isinstance(value, str) else ""
    return len(text.split(".", 1)[1]) if "." in text else 0


@dataclass
class Wide:
    """Indicators pivoted to one row per report and one column per code."""
    val: pd.DataFrame            # value as a number
    den: pd.DataFrame            # X/Y denominator as a number
    text: pd.DataFrame           # value as written in indicators.csv
    den_text: pd.DataFrame
    line: pd.DataFrame
    decimals: pd.DataFrame       # printed decimals


def wide_indicators(indicators: pd.DataFrame, report_ids: list[str], codes: list[str]) -> Wide:
    ind = indicators.dropna(subset=["report_id", "indicator"]).drop_duplicates(["report_id", "indicator"])
    ids = sorted(set(report_ids) | set(ind["report_id"]))
    ind = ind.assign(
        value_num=_numeric(ind["value"]), den_num=_numeric(ind["denominator"]),
        decimals=[printed_decimals(s, v, r) for s, v, r in zip(
            ind["surface"] if "surface" in ind else [None] * len(ind), ind["value"],
            ind["parse_rule"] if "parse_rule" in ind else [None] * len(ind), strict=True)],
    )

    def pivot(column: str, numeric: bool) -> pd.DataFrame:
        out = ind.pivot(index="report_id", columns="indicator", values=column).reindex(index=ids, columns=codes)
        return out.astype("float64") if numeric else out.astype(object).where(out.notna(), None)

    return Wide(pivot("value_num", True), pivot("den_num", True), pivot("value", False),
                pivot("denominator", False), pivot("line", False), pivot("decimals", True))


@dataclass
class RelationCalc:
    """One relation evaluated over every report: derived columns and the readings behind them."""
    rel_id: str
    kind: str
    spec: dict
    columns: dict[str, pd.Series]
    readings: list[dict] = field(default_factory=list)  # {"codes"/"reading", "value"(, "den")}


def _required(spec: dict, default: list[str]) -> list[str]:
    return list(spec.get("require_parts", [])) + list(spec.get("when", [])) or default


def _all_present(w: Wide, codes: list[str]) -> pd.Series:
    mask = pd.Series(True, index=w.val.index)
    for c in codes:
        mask &= w.val[c].notna()
    return mask


def _sum(w: Wide, codes: list[str]) -> pd.Series:
    total = pd.Series(0.0, index=w.val.index)
    for c in codes:
        total = total + w.val[c].fillna(0.0)
    return total


def sum_readings(spec: dict) -> list[list[str]]:
    """The parts of each reading: all parts first, then without each optional part, and so on."""
    parts = list(spec["parts"]) + [c for c in spec.get("optional_parts", []) if c not in spec["parts"]]
    optional = list(spec.get("optional_parts", []))
    readings = []
    for k in range(len(optional) + 1):
        for drop in combinations(optional, k):
            readings.append([p for p in parts if p not in drop])
    return readings


def evaluate_relation(rel_id: str, spec: dict, w: Wide) -> RelationCalc:
    kind = spec["kind"]
    if kind == "sum":
        total = w.val[spec["total"]]
        parts = sum_readings(spec)[0]
        applies = total.notna() & _all_present(w, _required(spec, [])) & w.val[parts].notna().any(axis=1)
        readings = [{"codes": codes, "value": _sum(w, codes)} for codes in sum_readings(spec)]
        # total_optional: codes that may be added to the total side (received + carried over
        # = resolved + in progress); each reading is tried with and without them
        totals = [total] + [total + w.val[c].fillna(0.0) for c in spec.get("total_optional", [])]
        residual = pd.concat([(t - r["value"]).abs() for t in totals for r in readings], axis=1).min(axis=1)
        column = residual.where(applies).round(_ROUND)
        return RelationCalc(rel_id, kind, spec, {relation_column(rel_id, kind): column}, readings)
    if kind == "le":
        left, right = w.val[spec["left"]], list(spec["right"])
        applies = left.notna() & _all_present(w, _required(spec, right[:1]))
        bound = _sum(w, right)
        column = (left - bound).where(applies).round(_ROUND)
        return RelationCalc(rel_id, kind, spec, {relation_column(rel_id, kind): column},
                            [{"codes": right, "value": bound}])
    # rate: the reported percentage against numerator / denominator for each denominator reading
    rate, numerator = w.val[spec["rate"]], w.val[spec["numerator"]]
    readings = []
    for reading in spec["denominators"]:
        codes = reading_codes(str(reading))
        den = w.den[spec["numerator"]] if not codes else w.val[codes].sum(axis=1, min_count=len(codes)).where(
            _all_present(w, codes))
        den = den.where(den > 0)
        readings.append({"reading": str(reading), "codes": codes, "den": den, "value": numerator / den * 100})
    computed = pd.concat([r["value"] for r in readings], axis=1)
    applies = rate.notna() & numerator.notna() & computed.notna().any(axis=1)
    gap = computed.sub(rate, axis=0).abs().min(axis=1)
    tolerance = 0.5 * 10.0 ** (-w.decimals[spec["rate"]].fillna(0))
    columns = {
        relation_column(rel_id, kind): (gap - tolerance).where(applies).round(_ROUND),
        relation_column(rel_id, kind, gap=True): gap.where(applies).round(_ROUND),
    }
    return RelationCalc(rel_id, kind, spec, columns, readings)


def relation_frame(w: Wide, relation_expectations: list[dict]) -> tuple[pd.DataFrame, dict[str, RelationCalc]]:
    """The frame of the relations suite: report_id plus the derived column of every relation."""
    calcs: dict[str, RelationCalc] = {}
    for d in relation_expectations:
        rel_id = d["meta"]["check"]
        if rel_id not in calcs:
            calcs[rel_id] = evaluate_relation(rel_id, d["meta"]["relation"], w)
    data = {"report_id": pd.array(list(w.val.index), dtype="str")}
    for calc in calcs.values():
        for name, series in calc.columns.items():
            data[name] = series.to_numpy(dtype="float64")
    return pd.DataFrame(data), calcs


def report_refs(frames: dict[str, pd.DataFrame], known: set[str]) -> pd.DataFrame:
    """One row per (table, report id) of the tables that refer to reports; in_reports: id known."""
    parts = []
    for table in REFERRING:
        frame = frames.get(table)
        if frame is None or "report_id" not in frame:
            continue
        counts = frame["report_id"].dropna().value_counts(sort=False)
        parts.append(pd.DataFrame({"table": table, "report_id": counts.index.astype(str), "rows": counts.to_numpy()}))
    refs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"table": pd.Series([], dtype="str"), "report_id": pd.Series([], dtype="str"), "rows": []})
    refs = refs.sort_values(["table", "report_id"], kind="stable").reset_index(drop=True)
    refs["in_reports"] = refs["report_id"].isin(known)
    return refs


# ------------------------------------------------------------------------------ number display

def _decimal(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return None if math.isnan(x) else Decimal(repr(round(x, _ROUND)))  # no float noise
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


# ------------------------------------------------------------------------------------ findings

TABLE_LABELS = {
    "locality": ("địa bàn", "locality"),
    "admin_level": ("cấp hành chính", "administrative level"),
    "period_start": ("ngày đầu kỳ báo cáo", "period start"),
    "period_end": ("ngày cuối kỳ báo cáo", "period end"),
}
TYPE_LABELS = {
    "integer": ("số nguyên không âm", "a non-negative whole number"),
    "decimal": ("số thập phân dạng 1234.5", "a plain decimal number (1234.5)"),
    "date": ("ngày dạng YYYY-MM-DD", "a date YYYY-MM-DD"),
    "partial_date": ("ngày dạng YYYY, YYYY-MM hoặc YYYY-MM-DD", "a date YYYY, YYYY-MM or YYYY-MM-DD"),
    "sha256": ("mã băm sha256 (64 ký tự hex)", "a sha256 checksum (64 hex digits)"),
    "year": ("năm 4 chữ số", "a four-digit year"),
}


def _finding(report_id, check, indicators, expected, observed, severity, vi, en, lines) -> dict:
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
        return _decimal(text) if text is not None and re.fullmatch(PATTERNS["decimal"], text) else None

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
            return [_finding("", check, "", etype, "not evaluated", "error",
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
        return _finding("", check, "", ",".join(expected), ",".join(observed), "error",
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
            out.append(_finding(rid, check, code, "unique", f"{len(group)} rows", severity,
                                f"Khóa ({', '.join(cols)}) = ({shown}) lặp lại {len(group)} lần trong {suite}.csv.",
                                f"Key ({', '.join(cols)}) = ({shown}) occurs {len(group)} times in {suite}.csv.",
                                _lines(group["line"]) if "line" in group else ""))
        return out

    def unknown_reports(self, check, severity, rows) -> list[dict]:
        out = []
        for _, row in rows.iterrows():
            rid, table, n = row["report_id"], row["table"], int(row["rows"])
            out.append(_finding(rid, check, "", "in reports.csv", f"{table}.csv", severity,
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
            return _finding(rid, check, "", "present", "", severity,
                            f"Báo cáo thiếu {vi_label} (không đọc được từ văn bản hay tệp mô tả kèm theo).",
                            f"The report has no {en_label} (found neither in the text nor in its sidecar).", "")
        if etype == "expect_column_values_to_not_be_null":
            return _finding(rid, check, code, "present", "", severity,
                            f"{suite}.csv: thiếu giá trị cột {column}{at_vi}" + (f", chỉ tiêu {code}" if code else "") + ".",
                            f"{suite}.csv: no value in column {column}{at_en}" + (f", indicator {code}" if code else "") + ".",
                            line)
        if check == "metadata.admin_level":
            return _finding(rid, check, "", "|".join(ADMIN_LEVELS), value, severity,
                            f"Cấp hành chính '{value}' không thuộc {', '.join(ADMIN_LEVELS)}.",
                            f"Administrative level '{value}' is not one of {', '.join(ADMIN_LEVELS)}.", "")
        if check == "metadata.period":
            start, end = _cell(row, "period_start"), _cell(row, "period_end")
            return _finding(rid, check, "", f">= {start}", end, severity,
                            f"Kỳ báo cáo kết thúc ({end}) trước ngày bắt đầu ({start}).",
                            f"The reporting period ends ({end}) before it starts ({start}).", "")
        if check == "indicators.code":
            return _finding(rid, check, value, "a codebook code", value, severity,
                            f"Mã chỉ tiêu '{value}'{at_vi} không có trong bộ mã (codebook.yml).",
                            f"Indicator code '{value}'{at_en} is not in the codebook (codebook.yml).", line)
        if check == "indicators.unit":
            expected = kwargs["value_set"][0]
            figure = _cell(row, "value")
            vi = (f"{self.title(code, 'vi')} ({num(figure, 'vi')}" + (f", {_line(line, 'vi')}" if line else "")
                  + f") có đơn vị '{value}', bộ mã quy định '{expected}'.")
            en = (f"{self.title(code, 'en')} ({num(figure, 'en')}" + (f", {_line(line, 'en')}" if line else "")
                  + f") has unit '{value}'; the codebook's unit is '{expected}'.")
            return _finding(rid, check, code, expected, value, severity, vi, en, line)
        if check == "indicators.integer":
            return _finding(rid, check, code, "integer", value, severity,
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
            return _finding(rid, check, code, rng, plain_num(row["value"]), severity,
                            f"{self.title(code, 'vi')} = {num(row['value'], 'vi')}{self.pct(code)}{at_vi}: "
                            f"ngoài khoảng cho phép ({vi_rng}).",
                            f"{self.title(code, 'en')} = {num(row['value'], 'en')}{self.pct(code)}{at_en}: "
                            f"outside the allowed range ({en_rng}).", line)
        if check == "indicators.denominator":
            v, den = row["value"], row["denominator"]
            return _finding(rid, check, code, f"<= {plain_num(den)}", plain_num(v), severity,
                            f"{self.title(code, 'vi')} {num(v, 'vi')}/{num(den, 'vi')}{at_vi}: tử số lớn hơn mẫu số "
                            f"(vượt {num(v - den, 'vi')}).",
                            f"{self.title(code, 'en')} {num(v, 'en')}/{num(den, 'en')}{at_en}: the numerator exceeds "
                            f"the denominator (by {num(v - den, 'en')}).", line)
        if etype == "expect_column_values_to_match_regex":
            label = meta.get("label", "")
            vi_label, en_label = TYPE_LABELS.get(label, (PATTERNS.get(label, label), PATTERNS.get(label, label)))
            what = f", {code}" if code else ""
            return _finding(rid, check, code, label, value, severity,
                            f"{suite}.csv, cột {column}{what}{at_vi}: '{value}' không phải {vi_label}.",
                            f"{suite}.csv, column {column}{what}{at_en}: '{value}' is not {en_label}.", line)
        return _finding(rid, check, code, etype, value, severity,
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
        return _finding(rid, calc.rel_id, ";".join(codes), plain_num(value), plain_num(total), severity, vi, en, lines)

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
        return _finding(rid, calc.rel_id, ";".join(codes), f"<= {plain_num(bound)}", plain_num(left), severity,
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
        return _finding(rid, calc.rel_id, ";".join(codes), expected, plain_num(rate), severity, vi, en, lines)


# ------------------------------------------------------------------------------------- driver

@dataclass
class ValidationSummary:
    findings: pd.DataFrame
    summary: list[dict]
    n_failed: int
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)  # errors.csv: reports that failed before validation

    def as_rows(self) -> list[dict]:
        sev = self.findings["severity"].value_counts() if len(self.findings) else {}
        return [
            {"item": "expectations evaluated", "count": len(self.summary)},
            {"item": "expectations failed", "count": self.n_failed},
            {"item": "findings: error", "count": int(sev.get("error", 0))},
            {"item": "findings: warning", "count": int(sev.get("warning", 0))},
            {"item": "findings: info", "count": int(sev.get("info", 0))},
        ]

    def failure_message(self) -> str:
        failed = list(dict.fromkeys(f"{s['suite']}/{s['check']}" for s in self.summary if not s["success"]))
        shown = ", ".join(failed[:STRICT_LINES]) + (", ..." if len(failed) > STRICT_LINES else "")
        lines = [f"STRICT: {self.n_failed} expectation(s) failed ({shown}); {len(self.findings)} finding(s):"]
        for _, f in self.findings.head(STRICT_LINES).iterrows():
            lines.append(f"  [{f['severity']}] {f['report_id'] or '(corpus)'}: {f['check']}: {f['message_en']}")
        if len(self.findings) > STRICT_LINES:
            lines.append(f"  ... and {len(self.findings) - STRICT_LINES} more findings (see findings.csv)")
        if self.errors:
            # not expectations, but part of what a STRICT run must report (the pipeline stops here)
            lines.append(f"{len(self.errors)} report(s) could not be processed (errors.csv):")
            lines += [f"  report failed: {e.get('report_id', '')}: {e.get('error', '')}" for e in self.errors[:STRICT_LINES]]
        return "\n".join(lines)

    def raise_if_failed(self, strict: bool = True) -> None:
        if _as_bool(strict) and self.n_failed:
            raise ValidationFailed(self.failure_message())


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def stored_suites(suites_dir: Path | None, cb) -> dict[str, dict]:
    """The suites to run: the stored ones (checked against the codebook), else generated."""
    if suites_dir is None or not Path(suites_dir).is_dir():
        return build_suites(cb)
    problems = suite_drift(Path(suites_dir), cb)
    if problems:
        raise SuiteDrift("expectations/ disagrees with codebook.yml (" + "; ".join(problems)
                         + "); regenerate with: python -m grassroots.validate --write-suites")
    return load_suites(Path(suites_dir))


def _summary_row(suite, d, result, success) -> dict:
    kwargs = d["kwargs"]
    column = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or \
        ",".join(filter(None, (kwargs.get("column_A"), kwargs.get("column_B"))))
    if "element_count" in result:
        checked = result["element_count"] - (result.get("missing_count") or 0)
    else:
        checked = ""
    unexpected = result.get("unexpected_count")
    if unexpected is None:
        unexpected = 0 if success else 1
    return {"suite": suite, "check": d["meta"]["check"], "expectation": d["type"], "column": column,
            "success": bool(success), "checked": checked, "unexpected_count": int(unexpected)}


def validate_corpus(processed_dir: Path, strict: bool = False, *, codebook=None,
                    suites_dir: Path | None = SUITES_DIR, write: bool = True) -> ValidationSummary:
    """Run every suite over PROCESSED_DIR's tables; write findings.csv and validation_summary.csv.

    strict: raise ValidationFailed (after writing both files) when any expectation failed.
    codebook: a loaded Codebook (default: codebook.yml). suites_dir: the stored suites, checked
    against the codebook (SuiteDrift when they disagree); None runs suites generated in memory.
    """
    t0 = time.perf_counter()
    processed_dir = Path(processed_dir)
    cb = codebook or codebook_mod.load()
    suites = stored_suites(suites_dir, cb)
    frames: dict[str, pd.DataFrame] = {}
    missing_rows, summary, findings = [], [], []
    for table in TABLES:
        frame = read_table(processed_dir / f"{table}.csv")
        if frame is None:
            missing_rows.append(table)
        else:
            frames[table] = frame
    # derived frames
    ind = frames.get("indicators")
    needed = {"report_id", "indicator", "value", "denominator", "line"}
    wide, calcs = None, {}
    if ind is not None and needed <= set(ind.columns):
        frames["indicator_values"] = pd.DataFrame({
            "report_id": ind["report_id"], "indicator": ind["indicator"], "value": _numeric(ind["value"]),
            "denominator": _numeric(ind["denominator"]), "line": ind["line"]})
        reports = frames.get("reports")
        report_ids = list(reports["report_id"].dropna()) if reports is not None and "report_id" in reports else []
        wide = wide_indicators(ind, report_ids, list(cb.indicators))
        frames["relations"], calcs = relation_frame(wide, suites["relations"]["expectations"])
    for name in SUITES:
        if name in frames or name == "report_refs" and "reports" in frames and "report_id" in frames["reports"]:
            continue
        table = name if name in TABLES else DERIVED[name]
        summary.append({"suite": name, "check": f"{name}.table", "expectation": "table present", "column": "",
                        "success": False, "checked": "", "unexpected_count": 1})
        if name == table:
            findings.append(_finding("", f"{table}.table", "", f"{table}.csv", "missing", "error",
                                     f"Không có bảng {table}.csv trong thư mục dữ liệu đã xử lý.",
                                     f"Table {table}.csv is missing from the processed directory.", ""))
        else:
            why_vi = "không có bảng" if table in missing_rows else "thiếu cột cần thiết trong"
            why_en = "missing" if table in missing_rows else "lacks the columns it needs"
            findings.append(_finding("", f"{name}.table", "", f"{table}.csv", "not evaluated", "error",
                                     f"Không kiểm tra được bộ {name}: {why_vi} {table}.csv.",
                                     f"Suite {name} was not evaluated: {table}.csv {why_en}.", ""))
    reports = frames.get("reports")
    if reports is not None and "report_id" in reports:
        frames["report_refs"] = report_refs(frames, set(reports["report_id"].dropna()))
    results = run_suites(frames, suites, {})

    builder = FindingBuilder(cb, frames, calcs, wide)
    relation_failures: dict[str, dict[str, set]] = {}
    for suite, d, result, success, errors in results:
        summary.append(_summary_row(suite, d, result, success))
        if suite == "relations" and not success and not errors and "unexpected_index_list" in result:
            rows = frames["relations"].loc[list(result["unexpected_index_list"])]
            severity = SEVERITY.get(d.get("severity", "critical"), "error")
            for rid in rows["report_id"]:
                relation_failures.setdefault(d["meta"]["check"], {}).setdefault(rid, set()).add(severity)
            continue
        findings += builder.from_result(suite, d, result, success, errors)
    findings += builder.relation_findings(relation_failures)

    table = pd.DataFrame(findings, columns=FINDING_COLUMNS).drop_duplicates()
    table = table.sort_values(["report_id", "check", "indicators", "lines", "message_en"], kind="stable")
    table = table.reset_index(drop=True)
    summary_table = pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
    n_failed = int((~summary_table["success"].astype(bool)).sum())
    if write:
        from grassroots.pipeline.atomic import write_csv

        write_csv(processed_dir / "findings.csv", table)
        write_csv(processed_dir / "validation_summary.csv", summary_table)
    errors = frames.get("errors")
    error_rows = [] if errors is None else errors.fillna("").astype(str).to_dict("records")
    result = ValidationSummary(table, summary, n_failed, time.perf_counter() - t0, error_rows)
    if strict:
        result.raise_if_failed(strict)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--write-suites" in argv:
        for path in write_suites(SUITES_DIR):
            print("wrote", path.relative_to(SUITES_DIR.parent))
        return 0
    if "--check-suites" in argv:
        problems = suite_drift(SUITES_DIR)
        for p in problems:
            print(f"drift: {p}", file=sys.stderr)
        return 1 if problems else 0
    from grassroots.paths import resolve_dir

    args = [a for a in argv if not a.startswith("--")]
    processed = resolve_dir(args[0] if args else None, "PROCESSED_DIR")
    try:
        result = validate_corpus(processed, strict="--strict" in argv)
    except (ValidationFailed, SuiteDrift) as exc:
        print(exc, file=sys.stderr)
        return 1
    for row in result.as_rows():
        print(f"{row['item']}: {row['count']}")
    print(f"validated in {result.seconds:.2f} s")
    return 0

