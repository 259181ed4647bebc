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

from grassroots import clean
from grassroots.extract import citations as legal
from grassroots.extract import reports as metadata
from grassroots.extract import models as named_models
from grassroots.pipeline import rawio
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
    from grassroots.extract import mentions

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


def _number_windows():
    """(line, folded line, number match) for every number of every corpus line."""
    from grassroots.extract import mentions

    for text in corpus_lines():
        folded = mentions.fold(text)
        for m in mentions._NUM.finditer(text):
            yield text, folded, m


def test_numbers_without_look_behind_are_the_numbers_of_the_look_behind_pattern():
    from grassroots.extract import mentions

    extra = ["a12 3,4.5 _7 .8 ,9 x-10 12.345,6", "١٢ ٣", "ab1c2 3", "5..6,,7", "²3 ³"]
    for text in list(corpus_lines()) + extra:
        assert [m.span() for m in mentions._numbers(text)] == [m.span() for m in mentions._NUM.finditer(text)], text


def test_tail_endings_only_rule_out_texts_that_cannot_match():
    from grassroots.extract import mentions
    from grassroots.scan import may_match_tail, tail_endings

    patterns = [mentions._BEFORE_ANY] + [rx for _, rx in mentions._QUALIFIERS]
    ends = [tail_endings(rx) for rx in patterns]
    assert all(ends) and {"số", "ngày", "thôn", "quyền", "phương"} <= set(ends[0])
    rng = random.Random(5)
    words = sorted({w for e in ends for w in e})
    ruled_out = matched = 0
    for _, folded, m in _number_windows():
        before = folded[max(0, m.start() - 40):m.start()]
        glued = before[:-6] + rng.choice(words) + rng.choice(["", " ", ":", " : ", "-", "\xa0", " -\t"])
        for b in (before, glued, before + rng.choice(words)[:2]):
            for rx, e in zip(patterns, ends, strict=True):
                hit = rx.search(b) is not None
                ok = may_match_tail(e, b)
                assert ok or not hit, (rx.pattern[:40], b)
                ruled_out += not ok
                matched += hit
    assert matched > 1000 and ruled_out > 10000  # both branches are exercised


def test_tail_endings_give_up_where_the_pattern_is_not_plain_words():
    from grassroots.scan import may_match_tail, tail_endings

    assert tail_endings(re.compile(r"\bthôn\s*$", re.I)) is None  # case-insensitive
    assert tail_endings(re.compile(r"[a-z]\s*$")) is None  # a class of letters and more
    assert tail_endings(re.compile(r"\d+$")) is None
    assert tail_endings(re.compile(r"(?:abc)?\s*$")) is None  # may match white space only
    assert tail_endings(re.compile(r"(?<=x)$")) is None  # look-arounds are not read
    assert tail_endings(re.compile(r"\b(?:ab|c[de])\s*(?:số\s*)?:?$")) == ("ab", "d", "e", "số")
    assert may_match_tail(None, "anything")
    assert not may_match_tail(("số",), "số 3") and may_match_tail(("số",), "ghi số : -\u2003")


def test_after_exclusions_in_one_pattern_pick_the_first_rule_that_matches():
    from grassroots.extract import mentions

    samples = ["/2021/NĐ-CP", "/12/2023 x", ".2024", ":30 sáng", "h15", " tháng đầu năm", " THÁNG ",
               "-QĐ/TU", "/UBND", " tháng", "/5/2020", "/KH", ":3"]
    checked = 0
    for text, _, m in _number_windows():
        afters = [text[m.end():m.end() + 24]] + [s + text[m.end():m.end() + 10] for s in samples[:3]]
        for after in afters + samples:
            hit = mentions._AFTER_ANY.match(after)
            first = next((r for r, rx in mentions._AFTER_EXCLUDE if rx.search(after)), None)
            assert (hit.lastgroup.replace("_", "-") if hit else None) == first, after
            checked += first is not None
    assert checked > 1000


def test_units_read_from_the_folded_line_are_the_units_read_from_the_text():
    from grassroots.extract import mentions

    n = 0
    for text, folded, m in _number_windows():
        if len(folded) != len(text):
            continue
        for pos in (m.end(), m.end() + 1):
            assert mentions._read_unit(text, pos, folded) == mentions._read_unit(text, pos), text[pos:pos + 30]
            n += 1
    assert n > 20000


def test_csv_rows_are_what_the_csv_module_writes_for_every_column():
    import csv
    import io

    from grassroots.tables import COLUMNS, csv_rows

    full = {c: f"v{i}" for i, c in enumerate(COLUMNS["models"])} | {"quote": 'a "b", c\nd', "line": 7}
    sparse = {"report_id": "r1", "name": None}  # missing columns and None: empty fields
    for rows in ([full], [full, sparse], [sparse], []):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([[r.get(c, "") for c in COLUMNS["models"]] for r in rows])
        assert csv_rows("models", rows) == buf.getvalue()
    assert csv_rows("models", [sparse]) == "r1" + "," * (len(COLUMNS["models"]) - 1) + "\n"


def test_strip_tail_removes_exactly_the_trailing_white_space_colons_and_dashes():
    from grassroots.scan import strip_tail

    rng = random.Random(3)
    pieces = ["a", "số", " ", ":", "-", "\t", "\xa0", "\u2003", "\n", "–", ".", "\x1c"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(8)))
        end = len(text)
        while end and (text[end - 1].isspace() or text[end - 1] in ":-"):
            end -= 1
        assert strip_tail(text) == text[:end], repr(text)
