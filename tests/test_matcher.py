"""The one matching layer: Hyperscan's pre-filter never drops a pattern that matches.

Checked on every module-level regex of the extraction modules, and on every PatternSet that
extraction builds (from the rules files), against every line of every corpus the repository holds
(seeds and fixtures, with case and character variants), and on invented edge cases (case folding
of Vietnamese capitals, look-behinds, anchors)."""

from __future__ import annotations

import re

import pytest

from grassroots.matcher import ALL_SETS, PatternSet

from .conftest import RAW
from .corpus_lines import corpus_lines


def _module_patterns() -> list[re.Pattern]:
    from grassroots import clean
    from grassroots.extract import citations, indicators, mentions, models, reports

    found = {}
    for mod in (clean, citations, indicators, mentions, models, reports):
        for value in vars(mod).values():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[(value.pattern, value.flags)] = value
    return list(found.values())


def test_the_prefilter_never_drops_a_match_on_corpus_lines():
    patterns = _module_patterns()
    assert len(patterns) > 40
    pset = PatternSet(patterns)
    lines = corpus_lines()
    assert len(lines) > 1000
    checked = 0
    for line in lines:
        cand = set(pset.candidates(line))
        for i, rx in enumerate(patterns):
            if rx.search(line):
                checked += 1
                assert i in cand, (rx.pattern[:80], line[:120])
    assert checked > 1000
    # and it does rule most patterns out on most lines, or it would be worth nothing
    skipped = sum(len(patterns) - len(pset.candidates(line)) for line in lines)
    assert skipped > 0.5 * len(patterns) * len(lines)


def test_every_pattern_set_extraction_builds_is_a_superset_on_corpus_lines():
    """The sets built from the rules (cues, exclusions, OCR corrections, markup, metadata): each
    pattern that matches a line is among that set's candidates for the line."""
    from grassroots.extract import extract_report, warm_up

    warm_up()
    for path in sorted(RAW.glob("*.txt")):
        extract_report(path)  # builds whatever sets are built on first use
    sets = list(ALL_SETS)
    assert len(sets) >= 5
    lines = corpus_lines()
    checked = 0
    for pset in sets:
        for line in lines:
            cand = set(pset.candidates(line))
            for i, rx in enumerate(pset.patterns):
                if i not in cand and rx.search(line):
                    raise AssertionError(f"pre-filter dropped {rx.pattern[:80]!r} on {line[:120]!r}")
                checked += 1
    assert checked > 10000


def test_end_anchored_patterns_sharing_a_database_are_not_lost():
    """Hyperscan 5.4 loses "\\*\\*$" beside "x\\s*$" in one database: the pre-filter drops end
    anchors, so both sets report it."""
    rx = [re.compile(r"x\s*$"), re.compile(r"\*\*$")]
    assert PatternSet(rx).candidates("#### **I. DAC DIEM TINH HINH**") == [1]


@pytest.mark.parametrize("pattern, flags, text", [
    (r"đơn thư", re.I, "TIẾP NHẬN ĐƠN THƯ"),
    (r"(?<![\w.,])\d+(?:[.,]\d+)*", 0, "có 1.134 triệu đồng"),
    (r"\bnghị định\s*(?:số\s*)?:?\s*$", 0, "theo nghị định số "),
    (r"^\s*tháng\s*$", re.I, " Tháng "),
    (r"hòa giải\Z", 0, "tổ hòa giải"),
    (r"^\d{,3} vụ$", 0, "12 vụ"),
])
def test_vietnamese_case_lookbehind_and_anchors(pattern, flags, text):
    rx = re.compile(pattern, flags)
    assert rx.search(text)
    assert PatternSet([rx]).candidates(text) == [0]
    assert PatternSet([rx]).may_match(text.encode("utf-8"))


def test_a_pattern_hyperscan_cannot_read_is_tried_everywhere():
    rx = re.compile(r"\u00e0b")  # PCRE has no \u escape: no pre-filter for it
    pset = PatternSet([re.compile("xyz"), rx])
    assert pset.always == (1,)
    assert pset.candidates("nothing here") == [1]
    assert list(pset.finditer(0, "nothing here")) == []


def test_threads_scanning_one_set_at_once_get_the_same_candidates():
    """Dask workers may be threads of one process: each thread scans with its own scratch."""
    from concurrent.futures import ThreadPoolExecutor

    pset = PatternSet([re.compile(r"đơn thư", re.I), re.compile(r"\d+ hồ sơ"), re.compile(r"hòa giải")])
    texts = ["Tiếp nhận 12 hồ sơ và ĐƠN THƯ", "tổ hòa giải", "không có gì"] * 400
    expected = [pset.candidates(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(pset.candidates, texts))
    assert got == expected
    assert expected[:3] == [[0, 1], [2], []]
