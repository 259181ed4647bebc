"""Cells of notebooks/40-brief.ipynb."""

from nbcommon import PARAMS, SETUP

NAME = "40-brief.ipynb"
CELLS = [
        ("md", """
# 40 · Comparative briefs / Bản tin so sánh

Renders the briefs from the processed tables: `REPORTS_DIR/briefs/brief-vi.html`,
`REPORTS_DIR/briefs/brief-en.html` and `REPORTS_DIR/index.html` (with the tables as CSV and one
XLSX workbook in `REPORTS_DIR/data/`). The HTML is rendered directly by `grassroots.brief`
(Jinja2 templates, matplotlib SVG charts): self-contained, printable, readable on a phone, and
byte-identical across runs. Parameters: `REPORT_IDS` (comma-separated; empty = all reports),
`LANGS` (`vi,en`), `TITLE` (empty = the default title).
"""),
        ("params", PARAMS + '''REPORT_IDS = ""
LANGS = "vi,en"
TITLE = ""
'''),
        ("code", SETUP),
        ("code", '''
from grassroots.brief import build_briefs
result = build_briefs(processed_dir, reports_dir, raw_dir=raw_dir, report_ids=REPORT_IDS, langs=LANGS, title=TITLE)
'''),
        ("md", "## Files written / Tệp đã ghi (relative to REPORTS_DIR)"),
        ("code", '''
import pandas as pd
pd.DataFrame(result.as_rows())
'''),
    ]
