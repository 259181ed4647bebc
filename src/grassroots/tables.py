"""The processed tables: their columns (the data contract of DESIGN.md section 4) and a
streaming, atomic CSV writer."""

from __future__ import annotations

import csv
import io
import operator
from pathlib import Path

from grassroots.pipeline.atomic import atomic_path

COLUMNS: dict[str, list[str]] = {
    "reports": [
        "report_id", "sha256", "doc_number", "title", "report_type", "issuer", "admin_level",
        "locality", "district", "province", "province_code", "district_code", "ward_code",
        "province_2025", "ward_2025", "period_start", "period_end", "period_label", "issue_date",
        "signer", "signer_title", "n_chars", "metadata_source", "notes",
    ],
    "mentions": [
        "report_id", "mention_id", "line", "start", "end", "surface", "value", "unit",
        "value_normalized", "unit_normalized", "denominator", "sentence", "clean_line",
        "qualifier", "parse_rule",
    ],
    "indicators": [
        "report_id", "indicator", "value", "denominator", "unit", "mention_id", "line", "quote",
        "surface", "qualifier", "parse_rule",
    ],
    "citations": [
        "report_id", "kind", "number", "year", "issuer_code", "issue_date", "canonical_id",
        "surface", "line", "resolved_from", "note",
    ],
    "models": ["report_id", "name", "owner", "place", "field", "line", "quote"],
    "errors": ["report_id", "stage", "error"],
    "findings": ["report_id", "check", "indicators", "expected", "observed", "severity",
                 "message_vi", "message_en", "lines"],
}


def csv_rows(name: str, rows: list[dict]) -> str:
    """Rows of table ``name`` as CSV text, no header: the one way rows are formatted.

    Workers format their report's rows themselves, so the process that writes the tables only
    appends text. A missing column and None are both written as an empty field.
    """
    buf = io.StringIO()
    try:
        data = list(map(_GETTERS[name], rows))  # rows usually hold every column
    except KeyError:
        columns = COLUMNS[name]
        data = [[row.get(c, "") for c in columns] for row in rows]
    csv.writer(buf, lineterminator="\n").writerows(data)
    return buf.getvalue()


_GETTERS = {name: operator.itemgetter(*columns) for name, columns in COLUMNS.items()}
assert all(len(columns) > 1 for columns in COLUMNS.values())  # itemgetter then gives tuples


class TableWriter:
    """Write several CSV tables (UTF-8) row block by row block; each file appears atomically on
    close()."""

    def __init__(self, directory: Path, names: list[str]):
        self._ctx = {}
        self._files = {}
        self.counts = dict.fromkeys(names, 0)
        for name in names:
            ctx = atomic_path(directory / f"{name}.csv")
            tmp = ctx.__enter__()
            fh = open(tmp, "wb")
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow(COLUMNS[name])
            fh.write(buf.getvalue().encode("utf-8"))
            self._ctx[name], self._files[name] = ctx, fh

    def write(self, name: str, rows: list[dict]) -> None:
        self.write_bytes(name, csv_rows(name, rows).encode("utf-8"), len(rows))

    def write_bytes(self, name: str, data: bytes, n_rows: int) -> None:
        """Append rows already formatted by csv_rows and encoded as UTF-8."""
        self._files[name].write(data)
        self.counts[name] += n_rows

    def close(self, ok: bool = True) -> None:
        for name, fh in self._files.items():
            fh.close()
            ctx = self._ctx[name]
            if ok:
                ctx.__exit__(None, None, None)
            else:
                ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(ok=exc_type is None)
        return False
