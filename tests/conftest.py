"""Shared test fixtures: paths to the seed corpus, the dev corpus and cached extractions."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example wall-clock deadline: timings are measured by `make bench`, not asserted in tests
# (a first example that loads the rules, or a busy machine, would otherwise fail at random).
settings.register_profile("grassroots", deadline=None)
settings.load_profile("grassroots")

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = ROOT / "tests" / "fixtures"
DEV = FIXTURES / "dev-corpus"
HELDOUT = FIXTURES / "heldout"

SEEDS = {
    "trieuson": RAW / "trieuson_2020_dvcq.txt",
    "bato": RAW / "bato_2023h1_dvcq.txt",
    "kbang": RAW / "kbang_2020_qcdc.txt",
}


@functools.lru_cache(maxsize=64)
def extracted(path: Path) -> dict:
    from grassroots.extract import extract_report

    return extract_report(path)


def indicators_of(path: Path) -> dict[str, dict]:
    return {row["indicator"]: row for row in extracted(path)["indicators"]}


@pytest.fixture(scope="session")
def seed_indicators() -> dict[str, dict[str, dict]]:
    return {name: indicators_of(path) for name, path in SEEDS.items()}


def raw_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")
