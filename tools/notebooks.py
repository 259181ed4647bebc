"""What the thin notebooks show, per stage of the stage table (src/grassroots/pipeline/stages.py):
an introduction and display cells. tools/nbgen.py puts before them the cells the table defines
(parameters, paths, the call of the stage function, whose value is `result`). No logic in cells."""

NOTEBOOKS = {
    "extract": ("""
# 20 · Clean and extract / Làm sạch và trích xuất bảng số liệu

Reads every raw report once, cleans it in memory (Unicode NFC, line endings, transcription markup,
footnotes, paragraphs broken by page breaks, the declared OCR corrections of
`src/grassroots/rules/ocr_corrections.yml`) and writes `reports.csv` (metadata), `mentions.csv`
(every quantity), `indicators.csv` (codebook figures), `citations.csv` (legal and Party
instruments), `models.csv` ("Dân vận khéo" models), `errors.csv` (files that could not be read) and
`corrections.csv` (every change cleaning made, with its raw line). Raw files are never edited.
Each row carries its report, raw line and words. Work is cached per report by content and spread
over `WORKERS` processes (0: one per core), or a Dask cluster when `SCHEDULER` names one.
""", [
        ("code", '''
import pandas as pd
pd.DataFrame(result.as_rows())
'''),
        ("md", "## Reports / Báo cáo"),
        ("code", '''
reports = pd.read_csv(processed_dir / "reports.csv", dtype=str, keep_default_na=False)
reports[["report_id", "admin_level", "locality", "province", "province_2025", "period_label", "issue_date"]]
'''),
        ("md", "## Indicators per report / Chỉ tiêu theo báo cáo"),
        ("code", '''
indicators = pd.read_csv(processed_dir / "indicators.csv", dtype=str, keep_default_na=False)
indicators.pivot_table(index="indicator", columns="report_id", values="value", aggfunc="first", fill_value="")
'''),
        ("md", "## Files that could not be read / Tệp lỗi"),
        ("code", '''
pd.read_csv(processed_dir / "errors.csv", dtype=str, keep_default_na=False)
'''),
        ("md", "## Corrections by rule / Các sửa đổi theo quy tắc"),
        ("code", '''
corrections = pd.read_csv(processed_dir / "corrections.csv")
corrections.groupby(["report_id", "rule"]).size().rename("n").reset_index()
'''),
        ("code", '''
corrections[~corrections["rule"].isin(["markup-emphasis"])]
'''),
    ]),
    "validate": ("""
# 30 · Validate / Kiểm định số liệu

Runs the Great Expectations suites, built from `codebook.yml` and `tables.yml` at run time, over the
processed tables: schemas, keys, required metadata, units, value ranges, and the cross-indicator
relations of the codebook (parts summing to totals, resolved ≤ received, reported rates against
rates computed from counts within the rounding of their printed precision). Every failure becomes a
row of `findings.csv` (messages in Vietnamese and English, with the figures, the gap and the raw
lines); `validation_summary.csv` lists every expectation and its result.

GX runs in an in-memory (ephemeral) context: nothing is written to the repository or `$HOME`, and
GX's Data Docs are not built (they load assets from the internet). Failures are findings for the
brief; with `make validate STRICT=1` the pipeline fails the run after this stage when any
expectation failed.
""", [
        ("code", '''
import pandas as pd
pd.DataFrame(result.as_rows())
'''),
        ("md", "## Findings / Phát hiện"),
        ("code", '''
pd.set_option("display.max_colwidth", None)
result.findings[["report_id", "check", "severity", "expected", "observed", "lines", "message_vi", "message_en"]]
'''),
        ("md", "## Failed expectations / Kỳ vọng không đạt"),
        ("code", '''
summary = pd.DataFrame(result.summary)
summary[~summary["success"]]
'''),
    ]),
    "briefs": ("""
# 40 · Comparative briefs / Bản tin so sánh

Renders the briefs from the processed tables: `REPORTS_DIR/briefs/brief-vi.html`,
`REPORTS_DIR/briefs/brief-en.html` and `REPORTS_DIR/index.html` (with the tables as CSV and one
XLSX workbook in `REPORTS_DIR/data/`). The HTML is rendered directly by `grassroots.brief`
(Jinja2 templates, matplotlib SVG charts): self-contained, printable, readable on a phone, and
byte-identical across runs. Parameters: `REPORT_IDS` (comma-separated; empty = all reports),
`LANGS` (`vi,en`), `TITLE` (empty = the default title).
""", [
        ("md", "## Files written / Tệp đã ghi (relative to REPORTS_DIR)"),
        ("code", '''
import pandas as pd
pd.DataFrame(result.as_rows())
'''),
    ]),
}
