"""Great Expectations suites generated from the codebook (the one declaration of indicators).

    python -m grassroots.validate --write-suites     # regenerate expectations/*.json

Every suite is a plain dict in GX Core 1.x's serialised form ({"type", "kwargs", "meta",
"severity"} per expectation) and is written with sorted keys and without the ids, timestamps
and version stamps GX adds, so regenerating the files from an unchanged codebook changes nothing.
This module does not import great_expectations (it is slow to import): grassroots.validate turns
the dicts into GX expectations and runs them.

Each expectation's meta names the check that a failure becomes in findings.csv ("check"), and
the relation expectations carry the whole relation from the codebook (total, parts, readings...),
so the stored suites are what validation executes, and a drift test compares them with a fresh
generation from the codebook.

Suites and the frame each one runs on (built by grassroots.validate):
- reports, mentions, indicators, citations, models, errors: the processed tables as read
  (all columns as text, empty cells as missing);
- indicator_values: indicators.csv with value and denominator as numbers;
- relations: one row per report, one derived column per codebook relation (residuals, see
  grassroots.validate.relation_frame);
- report_refs: one row per (table, report id) of the tables that refer to reports.
"""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path

from grassroots import codebook as codebook_mod
from grassroots.tables import COLUMNS

SUITES = ["reports", "mentions", "indicators", "indicator_values", "relations", "citations", "models",
          "errors", "report_refs"]
FRAMES = {
    "reports": "reports.csv as read (text; empty cells missing)",
    "mentions": "mentions.csv as read (text; empty cells missing)",
    "indicators": "indicators.csv as read (text; empty cells missing)",
    "indicator_values": "indicators.csv with value and denominator as numbers",
    "relations": "one row per report; one column per codebook relation, derived by grassroots.validate",
    "citations": "citations.csv as read (text; empty cells missing)",
    "models": "models.csv as read (text; empty cells missing)",
    "errors": "errors.csv as read (text; empty cells missing)",
    "report_refs": "one row per table (mentions, indicators, citations, models) and report id; "
                   "in_reports: whether reports.csv has that id",
}
GENERATED_BY = "python -m grassroots.validate --write-suites (from src/grassroots/rules/codebook.yml)"

# Text patterns for the "types" of columns stored as text in the CSV tables (no capturing groups:
# GX matches them with pandas' str.contains, which warns about groups).
PATTERNS = {
    "integer": r"^\d+$",
    "decimal": r"^-?\d+(?:\.\d+)?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "partial_date": r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$",
    "sha256": r"^[0-9a-f]{64}$",
    "year": r"^\d{4}$",
}
ADMIN_LEVELS = ["province", "district", "commune"]
REQUIRED_METADATA = ["locality", "admin_level", "period_start", "period_end"]
# A reported rate further than this (percentage points) from every computed reading is an error;
# closer, but outside the rounding of its printed precision, a warning.
RATE_ERROR_BEYOND = 1.0
RELATION_KINDS = ("sum", "le", "rate")


class SuiteError(ValueError):
    """The codebook cannot be turned into suites (e.g. a relation names an unknown code)."""


def _exp(type_: str, check: str, severity: str = "critical", label: str | None = None,
         extra_meta: dict | None = None, **kwargs) -> dict:
    meta = {"check": check}
    if label:
        meta["label"] = label
    if extra_meta:
        meta |= extra_meta
    return {"type": type_, "kwargs": kwargs, "meta": meta, "severity": severity}


def _in(column: str, values) -> dict:
    """A GX row condition "column IN values", in GX's serialised form."""
    return {"column": {"name": column}, "operator": "IN", "parameter": list(values), "type": "comparison"}


def _schema(table: str) -> dict:
    return _exp("expect_table_columns_to_match_ordered_list", f"{table}.schema", column_list=COLUMNS[table])


def _not_null(table: str, column: str, check: str | None = None, severity: str = "critical") -> dict:
    return _exp("expect_column_values_to_not_be_null", check or f"{table}.required", severity, column=column)


def _pattern(table: str, column: str, label: str, check: str | None = None, severity: str = "critical",
             **kwargs) -> dict:
    return _exp("expect_column_values_to_match_regex", check or f"{table}.type", severity, label=label,
                column=column, regex=PATTERNS[label], **kwargs)


def _report_refs_suite() -> list[dict]:
    # Rows of the other tables must belong to a report of reports.csv. Checked on a small frame
    # (one row per table and report id) rather than with the ids as a value set: GX copies an
    # expectation's kwargs many times while validating, which is slow with thousands of ids.
    return [_exp("expect_column_values_to_be_in_set", "report_id.unknown", column="in_reports", value_set=[True])]


def _reports_suite() -> list[dict]:
    out = [
        _schema("reports"),
        _not_null("reports", "report_id", "reports.key"),
        _exp("expect_column_values_to_be_unique", "reports.key", column="report_id"),
    ]
    out += [_not_null("reports", col, f"metadata.{col}", severity="warning") for col in REQUIRED_METADATA]
    out += [
        _exp("expect_column_values_to_be_in_set", "metadata.admin_level", column="admin_level",
             value_set=ADMIN_LEVELS),
        _pattern("reports", "period_start", "date", "metadata.period_start"),
        _pattern("reports", "period_end", "date", "metadata.period_end"),
        _exp("expect_column_pair_values_a_to_be_greater_than_b", "metadata.period", column_A="period_end",
             column_B="period_start", or_equal=True, ignore_row_if="either_value_is_missing"),
        _pattern("reports", "issue_date", "partial_date"),
        _pattern("reports", "sha256", "sha256"),
        _pattern("reports", "n_chars", "integer"),
    ]
    return out


def _mentions_suite() -> list[dict]:
    out = [_schema("mentions")]
    out += [_not_null("mentions", col, "mentions.key") for col in ("report_id", "mention_id")]
    out.append(_exp("expect_compound_columns_to_be_unique", "mentions.key", column_list=["report_id", "mention_id"]))
    out += [_pattern("mentions", col, "integer") for col in ("line", "start", "end")]
    out += [_pattern("mentions", col, "decimal") for col in ("value", "value_normalized", "denominator")]
    return out


def _indicators_suite(cb) -> list[dict]:
    codes = list(cb.indicators)
    out = [_schema("indicators")]
    out += [_not_null("indicators", col, "indicators.key") for col in ("report_id", "indicator")]
    out.append(_exp("expect_compound_columns_to_be_unique", "indicators.key", column_list=["report_id", "indicator"]))
    out += [_not_null("indicators", col) for col in ("value", "unit", "line")]
    out.append(_exp("expect_column_values_to_be_in_set", "indicators.code", column="indicator", value_set=codes))
    out += [_pattern("indicators", "value", "decimal"), _pattern("indicators", "denominator", "decimal"),
            _pattern("indicators", "line", "integer")]
    # each indicator row's unit is its code's unit (one expectation per unit, over its codes)
    by_unit = sorted(cb.indicators.values(), key=lambda ind: (ind.unit, ind.order))
    for unit, inds in groupby(by_unit, key=lambda ind: ind.unit):
        out.append(_exp("expect_column_values_to_be_in_set", "indicators.unit", column="unit", value_set=[unit],
                        row_condition=_in("indicator", [i.code for i in inds])))
    integer_codes = [i.code for i in cb.indicators.values() if i.constraints.get("integer")]
    if integer_codes:
        out.append(_pattern("indicators", "value", "integer", "indicators.integer",
                            row_condition=_in("indicator", integer_codes)))
    return out


def _values_suite(cb) -> list[dict]:
    out = []
    # value ranges from the codebook constraints, one expectation per distinct (min, max)
    def bounds(ind):
        c = ind.constraints
        return (c.get("min") is None, c.get("min") or 0, c.get("max") is None, c.get("max") or 0)

    for _, inds in groupby(sorted(cb.indicators.values(), key=lambda i: (bounds(i), i.order)), key=bounds):
        inds = list(inds)
        c = inds[0].constraints
        if c.get("min") is None and c.get("max") is None:
            continue
        kwargs = {"column": "value", "row_condition": _in("indicator", [i.code for i in inds])}
        if c.get("min") is not None:
            kwargs["min_value"] = c["min"]
        if c.get("max") is not None:
            kwargs["max_value"] = c["max"]
        out.append(_exp("expect_column_values_to_be_between", "indicators.range", **kwargs))
    out.append(_exp("expect_column_pair_values_a_to_be_greater_than_b", "indicators.denominator",
                    column_A="denominator", column_B="value", or_equal=True,
                    ignore_row_if="either_value_is_missing"))
    return out


def reading_codes(reading: str) -> list[str]:
    """The codes of one rate-denominator reading: "denominator" (the numerator's own X/Y), one
    code, or several joined with "+" (their sum: "petitions.resolved+petitions.pending")."""
    return [] if reading == "denominator" else [c.strip() for c in reading.split("+")]


def relation_spec(rel: dict, cb) -> dict:
    """The part of a codebook relation that validation executes (its note is documentation only)."""
    kind = rel.get("kind")
    rid = rel.get("id", "?")
    if kind not in RELATION_KINDS:
        raise SuiteError(f"relation {rid}: kind must be one of {RELATION_KINDS}")
    spec = {k: v for k, v in rel.items() if k not in ("id", "note")}
    codes = []
    for key in ("total", "left", "rate", "numerator"):
        if key in spec:
            codes.append(spec[key])
    for key in ("parts", "right", "optional_parts", "require_parts", "when", "total_optional"):
        codes += list(spec.get(key, []))
    for reading in spec.get("denominators", []):
        codes += reading_codes(str(reading))
    unknown = [c for c in codes if c not in cb.indicators]
    if unknown:
        raise SuiteError(f"relation {rid}: unknown codes {unknown}")
    return spec


def relation_column(rel_id: str, kind: str, gap: bool = False) -> str:
    """The derived column of the relations frame that one relation's expectation checks."""
    return f"{'rate_gap' if gap else kind}:{rel_id}"


def _relations_suite(cb) -> list[dict]:
    out = []
    for rel in cb.relations:
        spec = relation_spec(rel, cb)
        rid, kind = rel["id"], rel["kind"]
        meta = {"relation": spec}
        if kind in ("sum", "le"):
            # sum: |total - parts| for the best reading; le: left - sum(right)
            out.append(_exp("expect_column_values_to_be_between", rid, extra_meta=meta,
                            column=relation_column(rid, kind), max_value=spec.get("tolerance", 0)))
        else:
            # rate: distance beyond the rounding of the printed precision (best reading) ...
            out.append(_exp("expect_column_values_to_be_between", rid, "warning", extra_meta=meta,
                            column=relation_column(rid, kind), max_value=0))
            # ... and the distance itself, in percentage points: beyond this, an error
            out.append(_exp("expect_column_values_to_be_between", rid, extra_meta=meta,
                            column=relation_column(rid, kind, gap=True), max_value=RATE_ERROR_BEYOND))
    return out


def _citations_suite() -> list[dict]:
    return [_schema("citations"), _pattern("citations", "year", "year"), _pattern("citations", "line", "integer")]


def _models_suite() -> list[dict]:
    return [_schema("models"), _pattern("models", "line", "integer")]


def build_suites(cb=None) -> dict[str, dict]:
    """Every suite, generated from the codebook: {name: {"name", "meta", "expectations"}}."""
    cb = cb or codebook_mod.load()
    expectations = {
        "reports": _reports_suite(),
        "mentions": _mentions_suite(),
        "indicators": _indicators_suite(cb),
        "indicator_values": _values_suite(cb),
        "relations": _relations_suite(cb),
        "citations": _citations_suite(),
        "models": _models_suite(),
        "errors": [_schema("errors")],
        "report_refs": _report_refs_suite(),
    }
    return {name: {"name": name, "meta": {"frame": FRAMES[name], "generated_by": GENERATED_BY},
                   "expectations": expectations[name]} for name in SUITES}


def suite_text(suite: dict) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_suites(directory: Path, cb=None) -> list[Path]:
    from grassroots.pipeline.atomic import write_text

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in build_suites(cb).items():
        path = directory / f"{name}.json"
        write_text(path, suite_text(suite))
        written.append(path)
    for stale in sorted(set(directory.glob("*.json")) - set(written)):
        stale.unlink()
    return written


def suite_drift(directory: Path, cb=None) -> list[str]:
    """How the stored suites differ from the codebook's (empty when they agree)."""
    problems = []
    expected = {f"{name}.json": suite_text(suite) for name, suite in build_suites(cb).items()}
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    for name, text in expected.items():
        path = directory / name
        if name not in present:
            problems.append(f"{name} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name} differs from the suite generated from the codebook")
    problems += [f"{name} is not generated from the codebook" for name in sorted(present - set(expected))]
    return problems


def load_suites(directory: Path) -> dict[str, dict]:
    return {name: json.loads((directory / f"{name}.json").read_text(encoding="utf-8")) for name in SUITES}
