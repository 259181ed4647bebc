"""Fast paths in extraction give exactly what the plain regex scans give.

Extraction skips work with cheap literal tests: scan.finditer_at tries a pattern only where
one of its start words occurs, cleaning tries a markup rule only on lines holding its literal.
If a pattern is edited so that a match can start elsewhere, these tests fail instead of the
extractor silently missing figures.
"""

from __future__ import annotations

import functools
import random
import re

import pytest

from grassroots import clean, legal, metadata, named_models, rawio
from grassroots.scan import finditer_at, search_tail

from .conftest import DEV, FIXTURES, RAW

SCANS = {
    "metadata._UNIT": (metadata._UNIT, metadata._TYPE_WORDS),
    "metadata._ORGAN_UNIT": (metadata._ORGAN_UNIT, metadata._ORGAN_WORDS),
    "metadata._PARTY_UNIT": (metadata._PARTY_UNIT, metadata._PARTY_WORDS),
    "metadata._PROVINCE_ANY": (metadata._PROVINCE_ANY, ("tỉnh",)),
    "legal._NUMBERED": (legal._NUMBERED, legal._KIND_WORDS),
    "named_models._MODEL": (named_models._MODEL, named_models._MO_HINH),
    "named_models._LIST_INTRO": (named_models._LIST_INTRO, named_models._MO_HINH),
}


@functools.lru_cache(maxsize=1)
def corpus_lines() -> tuple[str, ...]:
    """Every cleaned line of the seeds and the fixture corpora, plus case and character variants."""
    texts = set()
    for folder in (RAW, DEV / "raw", FIXTURES / "heldout", FIXTURES / "heldout2"):
        for path in sorted(folder.rglob("*.txt")):
            text, encoding, _ = rawio.read_raw(path)
            texts.update(line.text for line in clean.clean_text(text, path.stem, encoding).lines)
    rng = random.Random(7)
    out = []
    for t in sorted(texts):
        out += [t, t.upper(), t.title(), t.swapcase()]
        chars = list(t)
        for _ in range(3):  # dotless i, Kelvin sign, spaces and punctuation in odd places
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(["ı", "K", " ", "/", "(", "\xa0", "ſ"]))
        out.append("".join(chars))
    return tuple(out)


@pytest.mark.parametrize("name", sorted(SCANS))
def test_finditer_at_finds_what_finditer_finds(name):
    pattern, words = SCANS[name]
    lines = corpus_lines()
    assert len(lines) > 3000
    hits = 0
    for text in lines:
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in finditer_at(pattern, text, text.lower(), words)] == expected, text[:120]
        hits += len(expected)
    assert hits > 0  # the corpus exercises the pattern


def test_finditer_at_falls_back_when_lower_case_changes_length():
    pattern = re.compile(r"(?i:tỉnh)\s+\w+")
    text = "İ tỉnh Gia Lai"  # "İ".lower() is two characters: positions would shift
    assert len(text.lower()) != len(text)
    assert [m.group(0) for m in finditer_at(pattern, text, text.lower(), ("tỉnh",))] == ["tỉnh Gia"]


def test_markup_rules_need_their_literal():
    # a rule is tried only on lines holding rule.needs; every match must contain it
    for text in corpus_lines():
        for rule in clean.MARKUP_RULES:
            for m in rule.pattern.finditer(text):
                assert rule.needs in m.group(0), (rule.name, m.group(0))
    samples = ["**Kết quả**", "*ly*", "trang 3)))", "x<sup>2</sup>", "<b>đậm</b>", "***", "a **"]
    for text in samples:
        for rule in clean.MARKUP_RULES:
            for m in rule.pattern.finditer(text):
                assert rule.needs in m.group(0), (rule.name, m.group(0))


def test_exclusion_search_from_the_tail_finds_what_a_full_search_finds():
    from grassroots import mentions

    assert 10 < mentions._BEFORE_ANY_WIDTH < 40  # derived from the pattern itself
    rng = random.Random(11)
    checked = 0
    for text in corpus_lines():
        folded = mentions.fold(text)
        for m in mentions._NUM.finditer(text):
            before = folded[max(0, m.start() - 40):m.start()]
            spaced = before.replace(" ", "  ", 1) if rng.random() < 0.2 else before  # a run of spaces
            for b in (before, spaced, "quyết định số :" + before[-3:], before[-20:] + "ngày "):
                full = mentions._BEFORE_ANY.search(b)
                fast = search_tail(mentions._BEFORE_ANY, mentions._BEFORE_ANY_WIDTH, b)
                assert (full and (full.span(), full.lastgroup)) == (fast and (fast.span(), fast.lastgroup)), b
                checked += 1
    assert checked > 10000
