"""Great Expectations suites, built in memory from the declarations each time validation runs:
the codebook (indicators, units, ranges, relations) and rules/tables.yml (columns, keys, column
types). Editing either file changes what validation checks; there is nothing to regenerate.

Every suite is a plain dict in GX Core 1.x's serialised form ({"type", "kwargs", "meta",
"severity"} per expectation); grassroots.validate.run turns the dicts into GX expectations and runs
them (this module does not import great_expectations, which is slow to import).

Each expectation's meta names the check that a failure becomes in findings.csv ("check"), and
the relation expectations carry the whole relation from the codebook (total, parts, readings...).

Suites and the frame each one runs on (built by grassroots.validate.run):
- reports, mentions, indicators, citations, models, errors: the processed tables as read
  (all columns as text, empty cells as missing);
- indicator_values: indicators.csv with value and denominator as numbers;
- relations: one row per report, one derived column per codebook relation (residuals, see
  grassroots.validate.relations);
- report_refs: one row per (table, report id) of the tables that refer to reports.
"""

from __future__ import annotations

from itertools import groupby

from grassroots import codebook as codebook_mod
from grassroots.tables import TABLES, TYPES

SUITES = ["reports", "mentions", "indicators", "indicator_values", "relations", "citations", "models",
          "errors", "report_refs"]
FRAMES = {
    "reports": "reports.csv as read (text; empty cells missing)",
    "mentions": "mentions.csv as read (text; empty cells missing)",
    "indicators": "indicators.csv as read (text; empty cells missing)",
    "indicator_values": "indicators.csv with value and denominator as numbers",
    "relations": "one row per report; one column per codebook relation, derived by grassroots.validate.relations",
    "citations": "citations.csv as read (text; empty cells missing)",
    "models": "models.csv as read (text; empty cells missing)",
    "errors": "errors.csv as read (text; empty cells missing)",
    "report_refs": "one row per table (mentions, indicators, citations, models) and report id; "
                   "in_reports: whether reports.csv has that id",
}
ADMIN_LEVELS = ["province", "district", "commune"]
REQUIRED_METADATA = ["locality", "admin_level", "period_start", "period_end"]
PERIOD = ["period_start", "period_end"]  # their type is checked as part of the metadata
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


def _schema(table: str) -> list[dict]:
    """The table's columns in order, then its key: never empty, unique together."""
    t = TABLES[table]
    out = [_exp("expect_table_columns_to_match_ordered_list", f"{table}.schema", column_list=t.columns)]
    out += [_not_null(table, col, f"{table}.key") for col in t.key]
    if len(t.key) == 1:
        out.append(_exp("expect_column_values_to_be_unique", f"{table}.key", column=t.key[0]))
    elif t.key:
        out.append(_exp("expect_compound_columns_to_be_unique", f"{table}.key", column_list=t.key))
    return out


def _required(table: str) -> list[dict]:
    return [_not_null(table, col) for col in TABLES[table].required]


def _not_null(table: str, column: str, check: str | None = None, severity: str = "critical") -> dict:
    return _exp("expect_column_values_to_not_be_null", check or f"{table}.required", severity, column=column)


def _types(table: str, columns: list[str] | None = None, check: str | None = None) -> list[dict]:
    """The declared type of each column (default: all typed columns, in their declared order)."""
    types = TABLES[table].types
    return [_exp("expect_column_values_to_match_regex", (check or f"{table}.type").format(column=col),
                 label=types[col].name, column=col, regex=types[col].pattern)
            for col in (types if columns is None else columns)]


def _report_refs_suite() -> list[dict]:
    # Rows of the other tables must belong to a report of reports.csv. Checked on a small frame
    # (one row per table and report id) rather than with the ids as a value set: GX copies an
    # expectation's kwargs many times while validating, which is slow with thousands of ids.
    return [_exp("expect_column_values_to_be_in_set", "report_id.unknown", column="in_reports", value_set=[True])]


def _reports_suite() -> list[dict]:
    out = _schema("reports")
    out += [_not_null("reports", col, f"metadata.{col}", severity="warning") for col in REQUIRED_METADATA]
    out.append(_exp("expect_column_values_to_be_in_set", "metadata.admin_level", column="admin_level",
                    value_set=ADMIN_LEVELS))
    out += _types("reports", PERIOD, "metadata.{column}")
    out.append(_exp("expect_column_pair_values_a_to_be_greater_than_b", "metadata.period", column_A="period_end",
                    column_B="period_start", or_equal=True, ignore_row_if="either_value_is_missing"))
    out += _types("reports", [c for c in TABLES["reports"].types if c not in PERIOD])
    return out


def _indicators_suite(cb) -> list[dict]:
    codes = list(cb.indicators)
    out = _schema("indicators") + _required("indicators")
    out.append(_exp("expect_column_values_to_be_in_set", "indicators.code", column="indicator", value_set=codes))
    out += _types("indicators")
    # each indicator row's unit is its code's unit (one expectation per unit, over its codes)
    by_unit = sorted(cb.indicators.values(), key=lambda ind: (ind.unit, ind.order))
    for unit, inds in groupby(by_unit, key=lambda ind: ind.unit):
        out.append(_exp("expect_column_values_to_be_in_set", "indicators.unit", column="unit", value_set=[unit],
                        row_condition=_in("indicator", [i.code for i in inds])))
    integer_codes = [i.code for i in cb.indicators.values() if i.constraints.get("integer")]
    if integer_codes:
        integer = TYPES["integer"]
        out.append(_exp("expect_column_values_to_match_regex", "indicators.integer", label=integer.name,
                        column="value", regex=integer.pattern, row_condition=_in("indicator", integer_codes)))
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


def build_suites(cb=None) -> dict[str, dict]:
    """Every suite, built from the codebook and the table declarations:
    {name: {"name", "meta", "expectations"}}."""
    cb = cb or codebook_mod.load()
    expectations = {
        "reports": _reports_suite(),
        "mentions": _schema("mentions") + _types("mentions"),
        "indicators": _indicators_suite(cb),
        "indicator_values": _values_suite(cb),
        "relations": _relations_suite(cb),
        "citations": _schema("citations") + _types("citations"),
        "models": _schema("models") + _types("models"),
        "errors": _schema("errors"),
        "report_refs": _report_refs_suite(),
    }
    return {name: {"name": name, "meta": {"frame": FRAMES[name]}, "expectations": expectations[name]}
            for name in SUITES}
