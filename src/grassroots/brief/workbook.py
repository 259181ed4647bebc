"""The workbook of the processed tables (XLSX, written with openpyxl), its zip re-packed with
fixed timestamps so that the same tables give the same bytes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from grassroots.brief.language import TEXT
from grassroots.brief.model import Corpus, count_rows, read_table
from grassroots.tables import NUMERIC_COLUMNS

XLSX_NAME = "grassroots-tables.xlsx"
XLSX_BUDGET = 600_000       # cells in the workbook (openpyxl writes ~130k cells/s); CSVs are complete
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_ISO = "2000-01-01T00:00:00Z"
TABLE_ORDER = ["reports", "indicators", "findings", "citations", "models", "errors", "mentions",
               "corrections"]


def _xlsx_value(text: str, numeric: bool):
    if numeric and re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if numeric and re.fullmatch(r"-?\d{1,15}\.\d{1,12}", text):
        return float(text)
    return text


def build_xlsx(tables: list[tuple[str, list[str], list[list]]], readme: list[str], key: str = "") -> bytes:
    """One workbook: a README sheet then one sheet per table; deterministic bytes.

    Cells that hold text are always strings (never formulas, whatever they start with); numeric
    columns of the processed tables become numbers. ``key`` (a digest of the inputs) is stored
    as the document's identifier so that an unchanged workbook need not be rebuilt.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def text_cell(ws, value):
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:32767])
            cell.data_type = "s"  # never a formula
            return cell
        return value

    ws = wb.create_sheet("README")
    for line in readme:
        ws.append([text_cell(ws, line)])
    for name, columns, rows in tables:
        ws = wb.create_sheet(name[:31])
        head = []
        for col in columns:
            cell = text_cell(ws, col)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        numeric = [col in NUMERIC_COLUMNS for col in columns]
        width = len(numeric)
        for row in rows:
            ws.append([text_cell(ws, _xlsx_value(v, numeric[i]) if i < width and isinstance(v, str) else v)
                       for i, v in enumerate(row)])
    wb.properties.creator = "grassroots"
    wb.properties.identifier = key or None
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def xlsx_key(path: Path) -> str:
    """The input digest stored in an existing workbook ("" when absent or unreadable)."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return ""
    m = re.search(r"<dc:identifier>([0-9a-f]{64})</dc:identifier>", core)
    return m.group(1) if m else ""


def normalise_zip(data: bytes) -> bytes:
    """Re-pack a zip (xlsx) with fixed timestamps and attributes, and fixed document dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                                 rb"\g<1>" + FIXED_ISO.encode() + rb"\g<3>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content, compresslevel=6)
    return out.getvalue()


def xlsx_plan(present: list[Path], processed_dir: Path, load: bool = True) -> tuple[list, list[str]]:
    """The sheets of the workbook, within XLSX_BUDGET cells, and notes on the tables left out.

    Priority: reports, values (wide), findings, indicators, citations, models, errors, then the
    rest; a table goes in whole or not at all (its CSV is always complete).
    """
    sizes = {p.stem: count_rows(p) for p in present}
    widths = {p.stem: len(_read_header(p)) for p in present}
    n_reports = sizes.get("reports", 0)
    wide_codes = len({row.get("indicator") for row in read_table(processed_dir / "indicators.csv")}) \
        if "indicators" in sizes and sizes["indicators"] * 4 <= XLSX_BUDGET else None
    order = ["reports", "values"] + [n for n in TABLE_ORDER if n != "reports"] + \
        sorted(n for n in sizes if n not in TABLE_ORDER)
    budget, sheets, notes = XLSX_BUDGET, [], []
    for name in order:
        if name == "values":
            if n_reports == 0:
                continue
            cells = n_reports * (len(WIDE_META) + wide_codes) if wide_codes is not None else None
            if cells is not None and cells <= budget:
                budget -= cells
                if load:
                    sheets.append(("values", *_wide(Corpus(processed_dir))))
            else:
                notes += [TEXT[k]["xlsx_excluded"].format(name="values", rows=n_reports) for k in ("en", "vi")]
            continue
        if name not in sizes:
            continue
        cells = sizes[name] * max(widths[name], 1)
        if cells <= budget:
            budget -= cells
            if load:
                sheets.append((name, *_read_csv_rows(processed_dir / f"{name}.csv")))
        else:
            notes += [TEXT[k]["xlsx_excluded"].format(name=name, rows=sizes[name]) for k in ("en", "vi")]
    return sheets, notes


def _read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def _read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        return header, list(reader)


WIDE_META = ["report_id", "locality", "district", "province", "province_2025", "admin_level", "period_label",
             "period_start", "period_end", "report_type", "issue_date"]


def _wide(corpus: Corpus) -> tuple[list[str], list[list]]:
    """One row per report, one column per reported indicator (blank = not reported)."""
    codes = [code for code in corpus.cb.indicators if code in corpus.codes_reported]
    head = WIDE_META
    rows = []
    for r in sorted(corpus.reports, key=lambda r: r.id):
        row = [r.id] + [r.get(k) for k in head[1:]]
        for code in codes:
            f = corpus.values.get((r.id, code))
            row.append("" if f is None else (int(f.value) if f.value == f.value.to_integral_value() and abs(f.value) < 10**15 else float(f.value)))
        rows.append(row)
    return head + codes, rows
