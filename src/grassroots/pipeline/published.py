"""What the briefs stage publishes in REPORTS_DIR, and the record of it.

The record (REPORTS_DIR/runs/outputs.json: {path relative to REPORTS_DIR: sha256}) lists every file
the stage wrote last time. It is how the stage knows which files are its own: it removes only
those (a file someone else put in REPORTS_DIR/data stays), the skip logic checks them all
(fingerprints.py: a deleted or damaged download makes the stage run again), and one whose bytes
differ from the record is removed before the stage runs, so that it is rebuilt rather than reused.

Published copies of the tables are safe to open in a spreadsheet: a cell that starts with =, +,
-, @, a tab or a carriage return, which a spreadsheet would run as a formula, gets a leading
apostrophe (numbers such as -5 excepted). PROCESSED_DIR keeps the text as it was read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

RECORD = "runs/outputs.json"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?")


def neutralise_cell(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, with a leading apostrophe; others as they are."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def published_csv(data: bytes) -> bytes:
    """The published copy of a processed CSV: byte for byte the same unless a cell needs
    neutralise_cell, then the same rows written again with that cell changed."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    safe = [[neutralise_cell(cell) for cell in row] for row in rows]
    if safe == rows:
        return data
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(safe)
    return out.getvalue().encode("utf-8")


def read_record(reports_dir: Path) -> dict[str, str]:
    """{relative path: sha256} of what the stage wrote last ({} when there is no valid record)."""
    try:
        record = json.loads((Path(reports_dir) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict):
        return {}
    return {rel: sha for rel, sha in record.items()
            if isinstance(rel, str) and isinstance(sha, str) and _inside(rel)}


def _inside(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def write_record(reports_dir: Path, rel_paths: list[str]) -> None:
    """Record the files the stage wrote (their checksums as they are now)."""
    from grassroots.pipeline.atomic import write_text
    from grassroots.pipeline.rawio import sha256_file

    record = {rel: sha256_file(Path(reports_dir) / rel) for rel in sorted(rel_paths)}
    write_text(Path(reports_dir) / RECORD, json.dumps(record, indent=1, sort_keys=True) + "\n")


def remove_unlisted(reports_dir: Path, prefix: str, keep: set[str]) -> None:
    """Remove the files under ``prefix`` that the stage wrote last time and does not write now."""
    for rel in read_record(reports_dir):
        if rel.startswith(prefix) and rel not in keep:
            (Path(reports_dir) / rel).unlink(missing_ok=True)


def remove_damaged(reports_dir: Path) -> None:
    """Remove the stage's files whose bytes differ from the record, so that they are rebuilt."""
    from grassroots.pipeline.rawio import RawInputError, sha256_file

    for rel, sha in read_record(reports_dir).items():
        path = Path(reports_dir) / rel
        try:
            intact = sha256_file(path) == sha
        except RawInputError:  # missing, or no longer a regular file
            intact = False
        if not intact and path.is_file() and not path.is_symlink():
            path.unlink()
