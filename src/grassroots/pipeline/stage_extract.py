"""The extraction stage over a corpus (called by notebooks/20-extract.ipynb).

Writes PROCESSED_DIR/{reports,mentions,indicators,citations,models,errors}.csv, streaming:
reports are processed on all cores (or a Dask cluster), results are cached per report by content
(raw sha256 + sidecar + code version) and written in report order as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grassroots.pipeline import rawio
from grassroots.pipeline.atomic import remove_stale_temporaries
from grassroots.pipeline.corpus import (
    ReportError,
    cache_get_blocks,
    cache_put_blocks,
    code_version,
    parallel_imap,
    scheduler_address,
)
from grassroots.tables import TableWriter, csv_rows

TABLES = ["reports", "mentions", "indicators", "citations", "models", "errors"]


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


def _key(path: Path, raw_sha256: str) -> str:
    side = path.with_suffix(".yml")
    side_sha = rawio.sha256_file(side) if side.exists() else "-"
    return f"{raw_sha256}:{side_sha}:{code_version()}"


def _extract_one(args: tuple[Path, Path]) -> tuple[str, dict | None, str | None]:
    """Extract one report: (report_id, {table: (n_rows, CSV rows as UTF-8 bytes)}, error).

    The rows come back formatted and encoded (and are cached that way), so that formatting runs
    on the workers and the writing process only appends bytes: bytes also cross between processes
    without being encoded and decoded again."""
    path, cache_dir = args
    from grassroots.extract import extract_text

    report_id = rawio.report_id_of(path)
    try:
        text, encoding, data = rawio.read_raw(path)
        sidecar = rawio.read_sidecar(path)
    except rawio.RawInputError as exc:
        return report_id, None, str(exc)
    raw_sha256 = rawio.sha256_bytes(data)
    key = _key(path, raw_sha256)
    cached = cache_get_blocks(cache_dir, "extract", report_id, key)
    if cached is not None:
        return report_id, cached, None
    try:
        tables = extract_text(report_id, text, encoding, sidecar, raw_sha256)
    except Exception as exc:  # one bad report must not cost the corpus
        return report_id, None, f"{path.name}: extraction failed: {type(exc).__name__}: {exc}"
    formatted = {name: (len(tables[name]), csv_rows(name, tables[name]).encode("utf-8")) for name in TABLES[:-1]}
    cache_put_blocks(cache_dir, "extract", report_id, key, formatted)
    return report_id, formatted, None


def extract_corpus(raw_dir: Path, interim_dir: Path, processed_dir: Path, workers: int | None = None,
                   scheduler: str | None = None) -> ExtractSummary:
    summary = ExtractSummary()
    changed = rawio.changed_since_manifest(raw_dir)
    files = [p for p in rawio.list_raw(raw_dir) if p.stem not in changed]
    summary.reports = len(files) + len(changed)
    processed_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(processed_dir)
    scheduler = scheduler_address(scheduler)
    if files and not scheduler:
        from grassroots.extract import warm_up

        warm_up()  # local workers fork from this process and inherit the loaded declarations
    with TableWriter(processed_dir, TABLES) as out:
        for rid, msg in sorted(changed.items()):
            err = ReportError(rid, "manifest", msg)
            summary.errors.append(err)
            out.write("errors", [err.row()])
        for report_id, tables, error in parallel_imap(
            _extract_one, [(p, interim_dir) for p in files], workers, desc="extract", scheduler=scheduler
        ):
            if error:
                err = ReportError(report_id, "read" if tables is None and "extraction failed" not in error else "extract", error)
                summary.errors.append(err)
                out.write("errors", [err.row()])
                continue
            summary.extracted += 1
            for name in TABLES[:-1]:
                n_rows, data = tables[name]
                out.write_bytes(name, data, n_rows)
        summary.counts = dict(out.counts)
    return summary
