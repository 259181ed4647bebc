"""The thin notebooks' cells: parameters, calls into grassroots, display. No logic here."""

PARAMS = '''
# Parameters (papermill overrides these; relative paths are taken from the repository root)
RAW_DIR = "data/raw"
INTERIM_DIR = "data/interim"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
'''

SETUP = '''
from grassroots.paths import resolve_dir
raw_dir = resolve_dir(RAW_DIR, "RAW_DIR")
interim_dir = resolve_dir(INTERIM_DIR, "INTERIM_DIR")
processed_dir = resolve_dir(PROCESSED_DIR, "PROCESSED_DIR")
reports_dir = resolve_dir(REPORTS_DIR, "REPORTS_DIR")
'''

NOTEBOOKS = {
    "10-clean.ipynb": [
        ("md", """
# 10 · Clean transcribed reports / Làm sạch văn bản báo cáo

Decodes every raw report, normalises Unicode (NFC) and line endings, strips transcription
markup, splits footnotes out, joins paragraphs broken by page breaks and applies the declared
OCR corrections (`src/grassroots/ocr_corrections.yml`). Raw files are never edited; every
change is logged in `corrections.csv` with its raw line number.
"""),
        ("params", PARAMS),
        ("code", SETUP),
        ("code", '''
from grassroots.stage_clean import clean_corpus
summary = clean_corpus(raw_dir, interim_dir, processed_dir)
'''),
        ("code", '''
import pandas as pd
pd.DataFrame(summary.as_rows())
'''),
        ("md", "## Files refused / Tệp không đọc được"),
        ("code", '''
pd.DataFrame([e.row() for e in summary.errors], columns=["report_id", "stage", "error"])
'''),
        ("md", "## Corrections by rule / Các sửa đổi theo quy tắc"),
        ("code", '''
corrections = pd.read_csv(processed_dir / "corrections.csv")
corrections.groupby(["report_id", "rule"]).size().rename("n").reset_index()
'''),
        ("code", '''
corrections[~corrections["rule"].isin(["markup-emphasis"])]
'''),
    ],
    "20-extract.ipynb": [
        ("md", """
# 20 · Extract tidy tables / Trích xuất bảng số liệu

Reads every report (cleaning it again in memory, the same pure function as stage 10) and writes
`reports.csv` (metadata), `mentions.csv` (every quantity), `indicators.csv` (codebook figures),
`citations.csv` (legal and Party instruments), `models.csv` ("Dân vận khéo" models) and
`errors.csv` (files that could not be read). Each row carries its report, raw line and words.
Work is cached per report by content and spread over all cores (or a Dask cluster when the
`SCHEDULER` environment variable names one).
"""),
        ("params", PARAMS),
        ("code", SETUP),
        ("code", '''
from grassroots.stage_extract import extract_corpus
summary = extract_corpus(raw_dir, interim_dir, processed_dir)
'''),
        ("code", '''
import pandas as pd
pd.DataFrame(summary.as_rows())
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
    ],
}

