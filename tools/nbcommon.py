"""Cells shared by the thin notebooks (parameters, directory setup)."""

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

