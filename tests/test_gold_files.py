"""The labelled corpora are well-formed: every quote is verbatim and holds its number as written,
ids agree across files, codes exist, no page is reserved for independent measurement.

Mechanical checks only (tools/check_gold.py): they read the sealed corpus's files without
looking at what they say, which no rule may do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("corpus", ["dev-corpus", "real-dev", "real-sealed"])
def test_gold_files_pass_the_checker(corpus):
    proc = subprocess.run([sys.executable, str(REPO / "tools/check_gold.py"), str(REPO / "tests/fixtures" / corpus)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert " 0 errors" in proc.stdout


def test_the_checker_catches_a_quote_that_is_not_in_the_text(tmp_path):
    src = REPO / "tests/fixtures/dev-corpus"
    (tmp_path / "raw").mkdir()
    for p in (src / "raw").glob("*.txt"):
        (tmp_path / "raw" / p.name).write_bytes(p.read_bytes())
    (tmp_path / "sources.csv").write_bytes((src / "sources.csv").read_bytes())
    gold = (src / "gold_indicators.csv").read_text(encoding="utf-8")
    (tmp_path / "gold_indicators.csv").write_text(gold.replace("đã tiếp nhận 56.039 hồ sơ", "đã tiếp nhận 56.093 hồ sơ"),
                                                  encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "tools/check_gold.py"), str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "56.093" in proc.stdout
