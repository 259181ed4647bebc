"""Per-report extraction: raw file -> cleaned lines -> mentions, indicators, citations, models,
metadata. Pure functions per report (`extract_lines` on cleaned lines, which the extract stage
calls; `extract_text` and `extract_report` clean first), so they can run on any core or on a
Dask worker, and their result can be cached by content."""

from __future__ import annotations

from pathlib import Path

from grassroots import clean
from grassroots.extract.citations import extract_citations, flag_dates_after_report
from grassroots.extract.indicators import assign, choose, indicator_rows
from grassroots.extract.mentions import find_mentions, has_digit
from grassroots.extract.models import extract_models
from grassroots.extract.reports import extract_metadata
from grassroots.pipeline import rawio
from grassroots.text import FoldedLines


def mentions_table(report_id: str, lines, folded=None
                   ) -> tuple[list[dict], list[list[tuple[str, object]]]]:
    rows, per_line = [], []
    n = 0
    for li, line in enumerate(lines):
        found = []
        text = line.text
        if not has_digit(text):
            per_line.append(found)
            continue  # no number: nothing to find (and no need to fold the line)
        for m in find_mentions(text, folded=folded[li] if folded is not None else None):
            n += 1
            mid = f"m{n:04d}"
            found.append((mid, m))
            row = {"report_id": report_id, "mention_id": mid, "line": line.raw_line_at(m.start),
                   "clean_line": li + 1} | m.row()
            rows.append(row)
        per_line.append(found)
    return rows, per_line


def extract_text(report_id: str, text: str, encoding: str = "utf-8", sidecar: dict | None = None,
                 sha256: str = "") -> dict:
    """All tables for one report's decoded text, which is cleaned first (clean.clean_text)."""
    return extract_lines(report_id, clean.clean_text(text, report_id, encoding).lines, sidecar, sha256, len(text))


def extract_lines(report_id: str, lines: list, sidecar: dict | None = None, sha256: str = "",
                  n_chars: int = 0) -> dict:
    """All tables for one report's cleaned lines (clean.CleanResult.lines). n_chars: the length of
    the decoded raw text."""
    folded = FoldedLines(lines)  # lower case, one tone style: read by several steps
    mention_rows, per_line = mentions_table(report_id, lines, folded)
    chosen = choose(assign(lines, per_line, folded=folded))
    out = {
        "mentions": mention_rows,
        "indicators": indicator_rows(report_id, chosen),
        "citations": [],
        "models": [],
        "reports": [],
    }
    out["reports"] = [extract_metadata(report_id, lines, sidecar or {}, sha256, n_chars)]
    out["citations"] = extract_citations(report_id, lines)
    flag_dates_after_report(out["citations"], out["reports"][0].get("issue_date", ""))
    out["models"] = extract_models(report_id, lines)
    return out


def warm_up() -> None:
    """Load what every report needs once: the codebook, the OCR corrections, the rules of
    mentions, indicators, citations and metadata with their patterns, and the administrative-unit tables
    with their indexes (about 1.5 s, most of it the gazetteer). Called before worker processes
    fork, they inherit it instead of each loading it."""
    from grassroots import codebook
    from grassroots.extract import citations as legal
    from grassroots.extract import gazetteer, indicators, mentions, reports

    codebook.load()
    clean.load_ocr_corrections()
    mentions.lexicon()
    indicators._lexicon()
    legal.registry()
    legal._registry_index()
    reports._lex()
    gazetteer.load()


def extract_report(path: Path) -> dict:
    """Read, decode and extract one raw report. Raises rawio.RawInputError on bad input."""
    text, encoding, data = rawio.read_raw(path)
    sidecar = rawio.read_sidecar(path)
    return extract_text(rawio.report_id_of(path), text, encoding, sidecar, rawio.sha256_bytes(data))
