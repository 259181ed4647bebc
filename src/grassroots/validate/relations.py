"""The relations frame: indicators pivoted to one row per report (Wide), and per codebook relation
a derived column that its expectation checks: the residual of the best reading (sum), the excess
over the bound (le), or the distance of a reported rate from the computed rates beyond the
rounding of its printed precision (rate)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from grassroots.validate.suites import reading_codes, relation_column

ROUND = 9  # derived residuals are rounded to this many decimals (no float noise at the bounds)


def numeric(series: pd.Series) -> pd.Series:
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
        value_num=numeric(ind["value"]), den_num=numeric(ind["denominator"]),
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
        column = residual.where(applies).round(ROUND)
        return RelationCalc(rel_id, kind, spec, {relation_column(rel_id, kind): column}, readings)
    if kind == "le":
        left, right = w.val[spec["left"]], list(spec["right"])
        applies = left.notna() & _all_present(w, _required(spec, right[:1]))
        bound = _sum(w, right)
        column = (left - bound).where(applies).round(ROUND)
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
        relation_column(rel_id, kind): (gap - tolerance).where(applies).round(ROUND),
        relation_column(rel_id, kind, gap=True): gap.where(applies).round(ROUND),
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


