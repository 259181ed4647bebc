"""Cells of notebooks/30-validate.ipynb."""

from nbcommon import PARAMS, SETUP

NAME = "30-validate.ipynb"
CELLS = [
        ("md", """
# 30 · Validate / Kiểm định số liệu

Runs the Great Expectations suites, built from `codebook.yml` and `tables.yml` at run time, over the
processed tables: schemas, keys, required metadata, units, value ranges, and the cross-indicator
relations of the codebook (parts summing to totals, resolved ≤ received, reported rates against
rates computed from counts within the rounding of their printed precision). Every failure becomes a
row of `findings.csv` (messages in Vietnamese and English, with the figures, the gap and the raw
lines); `validation_summary.csv` lists every expectation and its result.

GX runs in an in-memory (ephemeral) context: nothing is written to the repository or `$HOME`, and
GX's Data Docs are not built (they load assets from the internet). With `STRICT = True`
(`make validate STRICT=1`) the last cell fails when any expectation failed; otherwise failures are
findings for the brief.
"""),
        ("params", PARAMS + '''STRICT = False
'''),
        ("code", SETUP),
        ("code", '''
from grassroots.validate import validate_corpus
# Writes findings.csv and validation_summary.csv; STRICT is applied in the last cell.
result = validate_corpus(processed_dir)
'''),
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
        ("md", "## STRICT"),
        ("code", '''
result.raise_if_failed(STRICT)
'''),
    ]
