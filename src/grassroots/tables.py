"""The output tables: their declaration (rules/tables.yml: columns, keys, column types, the data
contract of DESIGN.md section 4) and a streaming, atomic CSV writer.

    from grassroots.tables import TABLES, COLUMNS
    TABLES["indicators"].key        # ['report_id', 'indicator']
    COLUMNS["findings"]             # the header of findings.csv

Everything that names a table's columns reads them from here: the writers below, the validation
suites (grassroots.validate.suites), the briefs and the table reference in docs/codebook.md.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from grassroots import ruleset
from grassroots.paths import RULES_DIR
from grassroots.pipeline.atomic import atomic_path


@dataclass(frozen=True)
class ColumnType:
    """A type of column text: the regex validation checks and what findings call it."""
    name: str
    pattern: str
    vi: str
    en: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    vi: str
    en: str
    columns: list[str]
    key: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    types: dict[str, ColumnType] = field(default_factory=dict)  # column -> type, in checking order


def load(rules_dir: Path = RULES_DIR) -> tuple[dict[str, Table], dict[str, ColumnType]]:
    """The tables and column types of rules_dir/tables.yml, checked against its schema and here:
    patterns compile, keys, required and typed columns are columns of their table, types are declared."""
    data = ruleset.load("tables", rules_dir)
    for name, spec in data["types"].items():
        try:
            re.compile(spec["pattern"])
        except re.error as exc:
            raise ruleset.RulesError(f"tables.yml: types.{name}: field 'pattern': {exc}") from None
    types = {name: ColumnType(name, spec["pattern"], spec["vi"], spec["en"], spec.get("numeric", False))
             for name, spec in data["types"].items()}
    tables = {}
    for name, spec in data["tables"].items():
        columns = spec["columns"]
        for part in ("key", "required", "types"):
            unknown = [c for c in spec.get(part, []) if c not in columns]
            if unknown:
                raise ruleset.RulesError(f"tables.yml: tables.{name}: field '{part}': {unknown} not in its columns")
        undeclared = sorted(set(spec.get("types", {}).values()) - set(types))
        if undeclared:
            raise ruleset.RulesError(f"tables.yml: tables.{name}: field 'types': {undeclared} not declared under types")
        tables[name] = Table(name, spec["vi"], spec["en"], columns, spec.get("key", []), spec.get("required", []),
                             {c: types[t] for c, t in spec.get("types", {}).items()})
    return tables, types


TABLES, TYPES = load()
COLUMNS: dict[str, list[str]] = {name: table.columns for name, table in TABLES.items()}
# Columns whose type is a number, in any table (the briefs' workbook stores them as numbers).
NUMERIC_COLUMNS = frozenset(c for t in TABLES.values() for c, ct in t.types.items() if ct.numeric)


def markdown(tables: dict[str, Table] | None = None) -> list[str]:
    """The table reference (a section of docs/codebook.md), one Markdown table per output table."""
    tables = tables or TABLES
    out = ["## Output tables / Các bảng kết quả", "",
           "Generated from `src/grassroots/rules/tables.yml`. CSV, UTF-8, one header line. "
           "Key columns are never empty and unique together; required columns are never empty; "
           "validation checks the types.", ""]
    for t in tables.values():
        out += [f"### `{t.name}.csv`: {t.en} / {t.vi}", "", "| column | type |", "|---|---|"]
        for c in t.columns:
            kind = f"{t.types[c].name} (`{t.types[c].pattern}`)" if c in t.types else "text"
            mark = " (key)" if c in t.key else (" (required)" if c in t.required else "")
            out.append(f"| `{c}`{mark} | {kind} |")
        out.append("")
    return out


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
