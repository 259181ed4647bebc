"""The cleaning stage over a corpus (called by notebooks/10-clean.ipynb).

For each raw report: INTERIM_DIR/<report_id>.txt (cleaned text), <report_id>.linemap.json
(cleaned line -> raw lines), and its corrections; then PROCESSED_DIR/corrections.csv for the
corpus and INTERIM_DIR/errors-clean.csv for files that could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grassroots import clean
from grassroots.pipeline import rawio
from grassroots.pipeline.atomic import remove_stale_temporaries, write_csv, write_text
from grassroots.pipeline.corpus import ReportError, cache_get, cache_put, code_version, parallel_map
from grassroots.tables import COLUMNS

CORRECTIONS_COLUMNS = COLUMNS["corrections"]
ERRORS_COLUMNS = COLUMNS["errors"]


@dataclass
class CleanSummary:
    reports: int = 0
    cleaned: int = 0
    from_cache: int = 0
    corrections: int = 0
    errors: list[ReportError] = field(default_factory=list)

    def as_rows(self) -> list[dict]:
        return [
            # Cache hits are not shown: the executed notebook must not depend on cache state.
            {"measure": "raw reports", "value": self.reports},
            {"measure": "corrections logged", "value": self.corrections},
            {"measure": "files refused", "value": len(self.errors)},
        ]


def _clean_one(args: tuple[Path, Path]) -> tuple[str, str, list[dict] | None, str | None]:
    """Clean one raw file. Returns (report_id, status, correction rows, error)."""
    path, interim_dir = args
    report_id = rawio.report_id_of(path)
    try:
        text, encoding, data = rawio.read_raw(path)
        rawio.read_sidecar(path)  # a broken sidecar is reported now, not at extraction
    except rawio.RawInputError as exc:
        return report_id, "error", None, str(exc)
    sha = rawio.sha256_bytes(data)
    key = f"{sha}:{code_version()}"
    cached = cache_get(interim_dir, "clean", report_id, key)
    txt_path = interim_dir / f"{report_id}.txt"
    if cached is not None and txt_path.exists():
        return report_id, "cached", cached, None
    result = clean.clean_text(text, report_id, encoding)
    rows = clean.corrections_rows(result)
    write_text(txt_path, result.text)
    write_text(interim_dir / f"{report_id}.linemap.json", clean.linemap_json(result, sha))
    cache_put(interim_dir, "clean", report_id, key, rows)
    return report_id, "cleaned", rows, None


def clean_corpus(raw_dir: Path, interim_dir: Path, processed_dir: Path, workers: int | None = None) -> CleanSummary:
    import pandas as pd

    summary = CleanSummary()
    changed = rawio.changed_since_manifest(raw_dir)
    files = [p for p in rawio.list_raw(raw_dir) if p.stem not in changed]
    summary.errors.extend(ReportError(rid, "manifest", msg) for rid, msg in sorted(changed.items()))
    summary.reports = len(files) + len(changed)
    interim_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(interim_dir)
    remove_stale_temporaries(processed_dir)
    results = parallel_map(_clean_one, [(p, interim_dir) for p in files], workers, desc="clean")
    rows: list[dict] = []
    for report_id, status, corr, error in results:
        if status == "error":
            summary.errors.append(ReportError(report_id, "clean", error))
            continue
        summary.cleaned += status == "cleaned"
        summary.from_cache += status == "cached"
        rows.extend(corr)
    frame = pd.DataFrame(rows, columns=CORRECTIONS_COLUMNS)
    frame = frame.sort_values(["report_id", "line", "rule", "original"], kind="stable")
    summary.corrections = len(frame)
    write_csv(processed_dir / "corrections.csv", frame)
    errors = pd.DataFrame([e.row() for e in summary.errors], columns=ERRORS_COLUMNS)
    write_csv(interim_dir / "errors-clean.csv", errors)
    return summary
