"""Cells of notebooks/20-extract.ipynb."""

from nbcommon import PARAMS, SETUP

NAME = "20-extract.ipynb"
CELLS = [
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
from grassroots.pipeline.stage_extract import extract_corpus
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
    ]
