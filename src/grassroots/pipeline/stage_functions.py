"""The stage functions: what each stage's notebook calls (see stages.py for the table).

extract  RAW_DIR -> PROCESSED_DIR/{reports,mentions,indicators,citations,models,errors,corrections}.csv
         Each report is read once, cleaned once in memory and extracted; reports are processed on
         all cores (or a Dask cluster), cached per report by what is read (raw bytes, sidecar,
         code version) and written in report order as they arrive.
validate PROCESSED_DIR tables -> findings.csv, validation_summary.csv (grassroots.validate)
briefs   PROCESSED_DIR tables, RAW_DIR -> REPORTS_DIR briefs, index and data (grassroots.brief)

The entry points of grassroots.validate and grassroots.brief are named here and nowhere else in
the pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grassroots.pipeline import rawio
from grassroots.pipeline.atomic import remove_stale_temporaries, write_csv
from grassroots.pipeline.corpus import (
    ReportError,
    cache_get_blocks,
    cache_put_blocks,
    code_version,
    parallel_imap,
)
from grassroots.tables import COLUMNS, TableWriter, csv_rows

TABLES = ["reports", "mentions", "indicators", "citations", "models", "errors"]


# --- extract -----------------------------------------------------------------------------------

@dataclass
class ExtractSummary:
    reports: int = 0
    extracted: int = 0
    errors: list[ReportError] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    def as_rows(self) -> list[dict]:
        rows = [{"table": "raw reports", "rows": self.reports}]
        rows += [{"table": f"{name}.csv", "rows": n} for name, n in self.counts.items()]
        return rows


_BLOCKS = {*TABLES[:-1], "corrections"}


def _corrections_block(rows: list[dict]) -> tuple[int, bytes]:
    return len(rows), json.dumps(rows, ensure_ascii=False).encode("utf-8")


def extract_one(args: tuple[Path, Path]) -> tuple[str, str, dict | None, str | None]:
    """Clean and extract one report: (report_id, status, blocks, error).

    status: "ok", "read" (the file or its sidecar could not be read: no blocks) or "extract"
    (extraction raised: blocks hold cleaning's corrections when cleaning finished). Blocks are
    {table: (n_rows, CSV rows as UTF-8 bytes)} plus "corrections" (JSON rows), formatted on the
    worker and cached that way: the writing process only appends bytes."""
    path, cache_dir = args
    from grassroots import clean
    from grassroots.extract import extract_lines

    report_id = rawio.report_id_of(path)
    try:
        text, encoding, data = rawio.read_raw(path)
        sidecar, sidecar_sha256 = rawio.load_sidecar(path)
    except rawio.RawInputError as exc:
        return report_id, "read", None, str(exc)
    raw_sha256 = rawio.sha256_bytes(data)
    key = f"{raw_sha256}:{sidecar_sha256}:{code_version()}"
    cached = cache_get_blocks(cache_dir, "extract", report_id, key)
    if cached is not None and set(cached) == _BLOCKS:
        return report_id, "ok", cached, None
    blocks = None
    try:  # one bad report must not cost the corpus
        result = clean.clean_text(text, report_id, encoding)
        blocks = {"corrections": _corrections_block(clean.corrections_rows(result))}
        tables = extract_lines(report_id, result.lines, sidecar, raw_sha256, len(text))
    except Exception as exc:  # noqa: BLE001
        return report_id, "extract", blocks, f"{path.name}: extraction failed: {type(exc).__name__}: {exc}"
    for name in TABLES[:-1]:
        blocks[name] = (len(tables[name]), csv_rows(name, tables[name]).encode("utf-8"))
    cache_put_blocks(cache_dir, "extract", report_id, key, blocks)
    return report_id, "ok", blocks, None


def extract(raw_dir: Path, interim_dir: Path, processed_dir: Path, scheduler: str = "",
            workers: int = 0) -> ExtractSummary:
    """Stage extract. interim_dir holds the per-report cache; scheduler: a dask.distributed
    address ("" = local processes); workers: local processes (0 = one per core)."""
    import pandas as pd

    summary = ExtractSummary()
    listing = rawio.scan_raw(raw_dir)
    changed = rawio.changed_since_manifest(raw_dir)
    files = [p for p in listing.reports if p.stem not in changed]
    summary.reports = len(listing.reports) + len(listing.problems)
    processed_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(processed_dir)
    if files and not scheduler:
        from grassroots.extract import warm_up

        warm_up()  # local workers fork from this process and inherit the loaded declarations
    corrections: list[dict] = []
    with TableWriter(processed_dir, TABLES) as out:
        refused = [ReportError(rid, "read", msg) for rid, msg in sorted(listing.problems.items())]
        refused += [ReportError(rid, "manifest", msg) for rid, msg in sorted(changed.items())
                    if rid not in listing.problems]
        for err in refused:
            summary.errors.append(err)
            out.write("errors", [err.row()])
        for report_id, status, blocks, error in parallel_imap(
            extract_one, [(p, interim_dir) for p in files], workers or None, desc="extract", scheduler=scheduler or None
        ):
            if blocks is not None:
                corrections.extend(json.loads(blocks["corrections"][1]))
            if error:
                err = ReportError(report_id, status, error)
                summary.errors.append(err)
                out.write("errors", [err.row()])
                continue
            summary.extracted += 1
            for name in TABLES[:-1]:
                n_rows, data = blocks[name]
                out.write_bytes(name, data, n_rows)
        summary.counts = dict(out.counts)
    frame = pd.DataFrame(corrections, columns=COLUMNS["corrections"])
    frame = frame.sort_values(["report_id", "line", "rule", "original"], kind="stable")
    write_csv(processed_dir / "corrections.csv", frame)
    summary.counts["corrections"] = len(frame)
    return summary


# --- validate and briefs: the entry points of grassroots.validate and grassroots.brief ----------

def validate(processed_dir: Path):
    """Stage validate: findings.csv and validation_summary.csv (a ValidationSummary)."""
    from grassroots.validate import validate_corpus

    return validate_corpus(processed_dir)


def briefs(processed_dir: Path, reports_dir: Path, raw_dir: Path, report_ids: str = "", langs: str = "vi,en",
           title: str = ""):
    """Stage briefs: REPORTS_DIR/briefs/brief-{vi,en}.html, index.html and data/ (a BriefResult).

    Files it wrote before and that were damaged since are removed first, so they are rebuilt; what
    it writes is recorded (published.py), which is how a later run knows its own files."""
    from grassroots.brief import build_briefs
    from grassroots.pipeline.published import remove_damaged, write_record

    remove_damaged(reports_dir)
    result = build_briefs(processed_dir, reports_dir, raw_dir=raw_dir, report_ids=report_ids, langs=langs,
                          title=title)
    write_record(reports_dir, [rel for rel, _size in result.files])
    return result
