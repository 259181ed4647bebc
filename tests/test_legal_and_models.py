"""Legal instruments cited (citations.csv) and named "Dân vận khéo" models (models.csv)."""

import re

import pytest

from grassroots.extract import citations as legal
from grassroots.extract import models as named_models
from grassroots.extract.citations import canonical_id, extract_citations
from grassroots.extract.mentions import has_digit
from grassroots.extract.models import extract_models
from grassroots.scan import match_at, occurrences

from .conftest import SEEDS, extracted


def citations(name):
    return extracted(SEEDS[name])["citations"]


@pytest.mark.parametrize("seed", ["trieuson", "bato", "kbang"])
def test_each_seed_cites_the_2007_ordinance_on_grassroots_democracy(seed):
    ids = {c["canonical_id"] for c in citations(seed)}
    assert "34/2007/PL-UBTVQH11" in ids


def test_bare_reference_is_resolved_through_the_registry():
    row = next(c for c in citations("trieuson") if c["surface"] == "Pháp lệnh 34")
    assert (row["canonical_id"], row["resolved_from"], row["line"]) == ("34/2007/PL-UBTVQH11", "registry", 113)


def test_ocr_variants_of_the_issuer_code_are_normalised():
    kbang = citations("kbang")
    # raw line 23 "34/2007/PL-BTVQH 11" and line 85 "PL-UBNTQH11" (fixed by cleaning)
    assert {c["line"] for c in kbang if c["canonical_id"] == "34/2007/PL-UBTVQH11"} >= {23, 85}


def test_party_documents_are_identified_by_number_issuer_and_date():
    row = next(c for c in citations("bato") if c["number"] == "05" and c["kind"] == "Chỉ thị")
    assert row["canonical_id"] == "05-CT/TW@2016-05-15" and row["issuer_code"] == "CT/TW"


def test_a_cited_date_that_differs_from_the_registry_is_noted():
    row = next(c for c in citations("trieuson") if c["number"] == "114")
    assert row["issue_date"] == "2017-07-14"  # as the report prints it
    assert "2015-07-14" in row["note"]  # Kết luận 114-KL/TW is dated 14/7/2015


def test_lists_of_numbers_share_the_issuer_code():
    rows = [c for c in citations("kbang") if c["kind"] == "Quyết định"]
    assert [(c["number"], c["issuer_code"]) for c in rows] == [("217", "QĐ/TW"), ("218", "QĐ/TW")]


def test_named_laws_and_state_documents():
    kbang = {c["canonical_id"] for c in citations("kbang")}
    assert "Luật Tín ngưỡng, tôn giáo (2016)" in kbang
    assert "04/2015/NĐ-CP" in kbang and "60/2013/NĐ-CP" in kbang
    assert canonical_id("76", "", "NQ-CP", "2021-07-15") == "76/NQ-CP@2021-07-15"


def test_dates_and_standards_are_not_citations():
    class L:  # a minimal cleaned line
        def __init__(self, text):
            self.text = text

        def raw_line_at(self, offset):
            return 1

    lines = [L("áp dụng TCVN ISO 9001:2008; ngày 25/3/2020; Quốc lộ 24; kế hoạch cải cách hành chính năm 2020")]
    assert extract_citations("t", lines) == []


def test_ba_to_names_twelve_models():
    models = extracted(SEEDS["bato"])["models"]
    assert len(models) == 12
    first = models[0]
    assert (first["name"], first["owner"], first["place"]) == ("Bánh xe tuyên truyền", "Đoàn xã", "Thôn Mang Lùng 1")
    third = models[2]
    assert (third["name"], third["owner"]) == ("Ngày thứ bảy, chủ nhật xanh", "Mặt trận")  # owner before the name
    assert {m["name"]: m["field"] for m in models}["Camera an ninh"] == "defense_security"


def test_counts_and_the_movement_name_are_not_models():
    assert extracted(SEEDS["trieuson"])["models"] == []  # "230 mô hình “Dân vận khéo”" is a count
    assert extracted(SEEDS["kbang"])["models"] == []

    class L:
        text = "Toàn xã xây dựng được 6 mô hình “Dân vận khéo”, tiêu biểu là mô hình “Hũ gạo tình thương” của Hội Phụ nữ."

        def raw_line_at(self, offset):
            return 7

    rows = extract_models("t", [L()])
    assert [(r["name"], r["owner"], r["field"]) for r in rows] == [("Hũ gạo tình thương", "Hội Phụ nữ", "culture_social")]


def test_a_citation_dated_after_the_report_is_noted():
    # Kbang's report is dated 30/10/2020 but cites Kế hoạch 14-KH/BCĐ of 12/11/2020
    row = next(c for c in citations("kbang") if c["number"] == "14")
    assert "after the report itself (2020-10-30)" in row["note"]


def test_coded_references_never_borrow_a_registry_date():
    # Triệu Sơn (2020) cites "Nghị quyết số 76/NQ-CP" without a date: not the 2021 resolution
    row = next(c for c in citations("trieuson") if c["number"] == "76")
    assert row["canonical_id"] == "76/NQ-CP" and row["issue_date"] == ""


# --- fast paths: exactly what the plain regex scans give ------------------------------------------

class _Line:  # a minimal cleaned line
    def __init__(self, text):
        self.text = text

    def raw_line_at(self, offset):
        return offset


def _corpus_lines():
    from .test_scanning import corpus_lines

    extra = ("İ Nghị định số 61/2018/NĐ-CP", "Luật số ٣/2019/QH14", "Chỉ thị １５-CT/TW",
             "Kế hoạch 5 , Luật Đất đai năm 2013", "Nghị quyết Trung ương 5 (khóa XII)",
             "Nghị quyết số: 12/NQ-CP ngày 3/2/2021", "kế hoạch số : 5-KH/TU", "Luật Đất đai số 45/2013/QH13",
             "Quyết định số 217, 218-QĐ/TW", "Chỉ thị 15, 16 của Ban Bí thư", "Thông báo số 3 - TB / HU")
    return corpus_lines() + extra


def test_kind_stems_cover_the_kind_words():
    words = [w for char, stem, ws in legal._KIND_STEMS for w in ws]
    assert sorted(words) == sorted(legal._KIND_WORDS)
    for char, stem, ws in legal._KIND_STEMS:
        assert char in stem and all(w.startswith(stem) for w in ws)


def test_kind_starts_are_where_kind_words_start():
    for text in _corpus_lines():
        low = text.lower()
        expected = [i for i in range(len(low)) if low.startswith(legal._KIND_WORDS, i)]
        assert legal._kind_starts(low) == expected, text[:120]


def test_numbered_finds_what_finditer_finds():
    hits = 0
    for text in _corpus_lines():
        low = text.lower()
        expected = [m.span() for m in legal._NUMBERED.finditer(text)]
        assert [m.span() for m in legal._numbered(text, low, legal._kind_starts(low))] == expected, text[:120]
        hits += len(expected)
    assert hits > 100


def test_has_digit_is_a_digit_search():
    samples = ["", "abc", "năm 2020", "٣", "１", "a𝟙b", "\u0966", "không có số"]
    for text in list(_corpus_lines()) + samples:
        assert has_digit(text) == bool(re.search(r"\d", text)), text[:120]


def test_the_citation_fast_paths_change_no_row(monkeypatch):
    """extract_citations with every fast path on and with all of them off (plain scans)."""
    texts = _corpus_lines()
    fast = [legal.extract_citations("t", [_Line(t)]) for t in texts]
    monkeypatch.setattr(legal, "has_digit", lambda text: True)
    monkeypatch.setattr(legal, "_kind_starts", lambda low: list(range(len(low))))
    monkeypatch.setattr(legal, "_UP_TO_NUMBER", re.compile(""))
    monkeypatch.setattr(legal, "match_at", lambda pattern, text, starts, accept=None: pattern.finditer(text))
    plain = [legal.extract_citations("t", [_Line(t)]) for t in texts]
    assert fast == plain
    assert sum(map(len, plain)) > 100


def test_cached_registry_lookups_are_plain_lookups():
    index = legal._registry_index()
    for (kind, number), entries in index.items():
        for code in ("", entries[0]["issuer_code"], "XX"):
            expected = [e for e in entries if not code or e["issuer_code"] == code]
            assert list(legal._registry_lookup(kind, number, code)) == expected
            assert list(legal._registry_lookup(kind, "0" + number, code)) == expected


def test_is_party_organs():
    # Party organs after the slash (Trung ương, Tỉnh ủy, Huyện ủy, Đảng ủy, Ban Dân vận, Ban chỉ
    # đạo, Quận ủy, any "...U" committee); state codes (NQ-CP, KH/UBND, PL-UBTVQH11) are not
    party = {"KL/TW", "CT/TU", "NQ/HU", "QĐ/ĐU", "KH/BDVTU", "KH/BCĐ", "NQ/QU", "CT/TƯ", "QĐ-UBND/TW", "KH/BU"}
    state = {"NQ-CP", "", "PL-UBTVQH11", "KH/UBND", "TW", "KH/UBMTTQ"}
    assert {code: legal.is_party(code) for code in party | state} == {code: code in party for code in party | state}


def test_models_need_an_opening_quote():
    for text in _corpus_lines():
        if "“" not in text and '"' not in text:
            assert not named_models._MODEL.search(text) and not named_models._LIST_ITEM.search(text)


def test_model_tail_ends_where_split_would_cut():
    for text in _corpus_lines():
        for start in range(0, len(text), 37):
            tail = text[start:start + 200]
            end = named_models._TAIL_END.search(tail)
            assert (tail[:end.start()] if end else tail) == re.split(r"[“\"]|;|\.(?!\d)", tail)[0]


def test_field_patterns_are_keyword_tests():
    names = [t[:80] for t in _corpus_lines()] + ["Camera an ninh", "Hũ gạo tình thương", "OCOP", ""]
    for name in names:
        low = name.lower()
        for (field, words), (field2, pattern) in zip(named_models.FIELD_KEYWORDS, named_models._FIELD_PATTERNS, strict=True):
            assert field == field2 and bool(pattern.search(low)) == any(w in low for w in words), name


@pytest.mark.parametrize("name", ["_NQTW", "_NAMED_LAW"])
def test_literal_start_scans_find_what_finditer_finds(name):
    pattern, start = getattr(legal, name), getattr(legal, name + "_START")
    assert start in ("Luật", "Nghị quyết Trung ương")  # read from the pattern
    hits = 0
    for text in _corpus_lines():
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in match_at(pattern, text, occurrences(text, start))] == expected, text[:120]
        hits += len(expected)
    assert hits > 0


def test_owner_and_place_fast_paths():
    for text in _corpus_lines():
        for start in range(0, len(text), 23):
            rest = text[start:start + 120]
            assert _span(named_models._OWNER.match(rest)) == _span(named_models._OWNER.search(rest))
            place = named_models._PLACE.search(rest)
            assert not place or "tại" in rest or "ở" in rest


def _span(m):
    return m.span() if m else None
