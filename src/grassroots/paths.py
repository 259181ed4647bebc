"""One place for every path the project uses (cookiecutter-data-science style).

Directories can be overridden by environment variables (RAW_DIR, INTERIM_DIR, PROCESSED_DIR,
REPORTS_DIR), which is how the Makefile passes them to the pipeline driver; the driver gives them
to each notebook as its parameters.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]

RULES_DIR = PACKAGE_DIR / "rules"  # YAML an analyst edits: see README, "Where things live"
CODEBOOK_FILE = RULES_DIR / "codebook.yml"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

DEFAULTS = {
    "RAW_DIR": "data/raw",
    "INTERIM_DIR": "data/interim",
    "PROCESSED_DIR": "data/processed",
    "REPORTS_DIR": "reports",
}

MANIFEST_NAME = "MANIFEST.sha256"


def resolve_dir(value: str | os.PathLike | None, name: str) -> Path:
    """Resolve a directory setting for a command line: explicit value, else environment, else
    default (notebooks take theirs from their parameters only: see repo_path)."""
    return repo_path(value if value not in (None, "") else os.environ.get(name) or DEFAULTS[name])


def repo_path(value: str | os.PathLike) -> Path:
    """A path as given: absolute, or relative to the repository root, so a notebook run from
    notebooks/ and a Makefile run from the root agree."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def display_path(path: Path) -> str:
    """A path for human-facing output: relative to the repo when inside it, else the name only.

    Outputs must never carry machine paths (reproducibility), so a directory outside the
    repository is shown by its last component.
    """
    path = Path(path)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name
