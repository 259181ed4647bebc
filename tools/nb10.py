"""Cells of notebooks/10-clean.ipynb."""

from nbcommon import PARAMS, SETUP

NAME = "10-clean.ipynb"
CELLS = [
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
from grassroots.pipeline.stage_clean import clean_corpus
summary = clean_corpus(raw_dir, interim_dir, processed_dir)
'''),
        ("code", '''
import pandas as pd
pd.DataFrame(summary.as_rows())
'''),
        ("md", "## Files refused / Tệp không đọc được"),
        ("code", '''
from grassroots.tables import COLUMNS
pd.DataFrame([e.row() for e in summary.errors], columns=COLUMNS["errors"])
'''),
        ("md", "## Corrections by rule / Các sửa đổi theo quy tắc"),
        ("code", '''
corrections = pd.read_csv(processed_dir / "corrections.csv")
corrections.groupby(["report_id", "rule"]).size().rename("n").reset_index()
'''),
        ("code", '''
corrections[~corrections["rule"].isin(["markup-emphasis"])]
'''),
    ]
