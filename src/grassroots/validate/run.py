"""Validation runs (stage 3, notebooks/30-validate.ipynb): the suites built from the codebook and
the table declarations (grassroots.validate.suites) run in Great Expectations over the processed
tables and the derived frames; findings.csv and validation_summary.csv are written.

GX runs in an ephemeral (in-memory) context: nothing is written to the repository or $HOME, and
GX's Data Docs are never built (they load assets from the internet). Usage statistics are off
(GX_ANALYTICS_ENABLED=False). great_expectations is imported once, lazily (it takes seconds).
"""

from __future__ import annotations

import copy
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grassroots import codebook as codebook_mod
from grassroots import tables
from grassroots.validate.findings import SEVERITY, FindingBuilder, Messages, not_evaluated
from grassroots.validate.relations import numeric, relation_frame, wide_indicators
from grassroots.validate.suites import SUITES, build_suites

SUMMARY_COLUMNS = tables.COLUMNS["validation_summary"]
TABLES = [name for name in SUITES if name in tables.TABLES]  # the suites that run on a table as read
# Derived frames and the table they cannot do without.
DERIVED = {"indicator_values": "indicators", "relations": "indicators", "report_refs": "reports"}
REFERRING = ["mentions", "indicators", "citations", "models"]  # tables whose rows belong to a report
STRICT_LINES = 50


class ValidationFailed(RuntimeError):
    """STRICT mode: at least one expectation failed. The message lists the failures."""


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
                    write: bool = True) -> ValidationSummary:
    """Run every suite over PROCESSED_DIR's tables; write findings.csv and validation_summary.csv.

    strict: raise ValidationFailed (after writing both files) when any expectation failed.
    codebook: a loaded Codebook (default: codebook.yml), from which the suites are built.
    """
    t0 = time.perf_counter()
    processed_dir = Path(processed_dir)
    cb = codebook or codebook_mod.load()
    suites = build_suites(cb)
    messages = Messages()
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
            "report_id": ind["report_id"], "indicator": ind["indicator"], "value": numeric(ind["value"]),
            "denominator": numeric(ind["denominator"]), "line": ind["line"]})
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
        findings.append(not_evaluated(messages, name, table, table in missing_rows))
    reports = frames.get("reports")
    if reports is not None and "report_id" in reports:
        frames["report_refs"] = report_refs(frames, set(reports["report_id"].dropna()))
    results = run_suites(frames, suites, {})

    builder = FindingBuilder(cb, frames, calcs, wide, messages)
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

    table = pd.DataFrame(findings, columns=tables.COLUMNS["findings"]).drop_duplicates()
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
    """python -m grassroots.validate [PROCESSED_DIR] [--strict] (default PROCESSED_DIR: data/processed)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--help" in argv or "-h" in argv:
        print(main.__doc__)
        return 0
    from grassroots.paths import resolve_dir

    args = [a for a in argv if not a.startswith("--")]
    processed = resolve_dir(args[0] if args else None, "PROCESSED_DIR")
    try:
        result = validate_corpus(processed, strict="--strict" in argv)
    except ValidationFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    for row in result.as_rows():
        print(f"{row['item']}: {row['count']}")
    print(f"validated in {result.seconds:.2f} s")
    return 0
