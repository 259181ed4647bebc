"""Legal instruments cited (citations.csv) and named "Dân vận khéo" models (models.csv)."""


import pytest

from grassroots.extract import citations as legal
from grassroots.extract import models as named_models
from grassroots.extract.citations import canonical_id, extract_citations
from grassroots.extract.models import extract_models

from .conftest import SEEDS, extracted
from .rules_copy import copied_rules, edit


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


# --- the rules files: rules/instruments.yml and rules/models.yml ----------------------------------

@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    yield from copied_rules(tmp_path, monkeypatch)


def test_instrument_kinds_are_declared_once_with_both_names():
    kinds = {k.vi: k.en for k in legal.instrument_kinds()}
    assert len(kinds) == 14
    assert (kinds["Nghị quyết"], kinds["Thông tư"], kinds["Chương trình"], kinds["Thông báo"]) == (
        "Resolution", "Circular", "Programme", "Notice")
    assert [k.vi for k in legal.instrument_kinds() if k.keep_bare_number] == [
        "Nghị quyết", "Chỉ thị", "Quyết định", "Kế hoạch", "Công văn"]


def test_a_kind_added_to_the_rules_is_cited(rules_copy):
    lines = [_Line("Thực hiện Tờ trình số 12/TTr-UBND ngày 3/2/2021 của UBND huyện.")]
    assert extract_citations("t", lines) == []
    edit(rules_copy / "instruments.yml", lambda d: d["kinds"].append({"vi": "Tờ trình", "en": "Submission"}))
    rows = extract_citations("t", lines)
    assert [(r["kind"], r["number"], r["issuer_code"], r["issue_date"], r["canonical_id"]) for r in rows] == [
        ("Tờ trình", "12", "TTr-UBND", "2021-02-03", "12/TTr-UBND@2021-02-03")]
    assert ("Tờ trình", "Submission") in {(k.vi, k.en) for k in legal.instrument_kinds()}


def test_a_party_organ_added_to_the_rules_dates_the_identity(rules_copy):
    assert canonical_id("7", "", "NQ/BCS", "2020-01-02") == "7/NQ/BCS@2020-01-02"
    edit(rules_copy / "instruments.yml", lambda d: d["party_organs"].append("BCS"))
    assert canonical_id("7", "", "NQ/BCS", "2020-01-02") == "7-NQ/BCS@2020-01-02"


def test_a_wrong_field_in_the_instruments_names_the_entry(rules_copy):
    from grassroots import ruleset

    edit(rules_copy / "instruments.yml", lambda d: d["kinds"][3].update(en=5))
    with pytest.raises(ruleset.RulesError, match=r"instruments.yml: kinds\[3\]: field 'en': 5 is not of type 'string'"):
        legal.instrument_kinds()


def test_a_registered_instrument_of_an_undeclared_kind_is_refused(rules_copy):
    from grassroots import ruleset

    edit(rules_copy / "instruments.yml", lambda d: d["instruments"][1].update(kind="Bộ luật"))
    with pytest.raises(ruleset.RulesError, match=r"instruments\[1\]: field 'kind': 'Bộ luật' is not one of the kinds"):
        legal.registry()


def test_a_field_keyword_added_to_the_rules_classifies_a_model(rules_copy):
    assert named_models.classify_field("Nhà thông minh") == ""
    edit(rules_copy / "models.yml", lambda d: d["fields"][3]["keywords"].append("thông minh"))
    assert named_models.classify_field("Nhà thông minh") == "economic"


def test_field_keywords_are_tried_in_order_first_hit_wins():
    assert named_models.classify_field("Thu gom rác thải sản xuất") == "culture_social"  # environment first
    assert named_models.classify_field("Camera an ninh") == "defense_security"
    assert named_models.classify_field("Tổ hợp tác chăn nuôi", "Hội Nông dân") == "economic"
    assert named_models.classify_field("Dân vận khéo") == ""


class _Line:  # a minimal cleaned line
    def __init__(self, text):
        self.text = text

    def raw_line_at(self, offset):
        return offset


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


@pytest.mark.parametrize("text, expected", [
    ("Nghị định số 61/2018/NĐ-CP", [("Nghị định", "61", "61/2018/NĐ-CP")]),
    ("Quyết định số 217, 218-QĐ/TW", [("Quyết định", "217", "217-QĐ/TW"), ("Quyết định", "218", "218-QĐ/TW")]),
    ("Chỉ thị 15, 16 của Ban Bí thư", []),
    ("Nghị quyết Trung ương 5 (khóa XII)", [("Nghị quyết", "TW5", "NQTW5-khóa XII")]),
    ("Luật Đất đai số 45/2013/QH13", [("Luật", "45", "45/2013/QH13")]),
    ("kế hoạch số : 5-KH/TU", [("Kế hoạch", "5", "5-KH/TU")]),
    ("Thông báo số 3-TB/HU", [("Thông báo", "3", "3-TB/HU")]),
    ("xem Chỉ thị 30", [("Chỉ thị", "30", "30-CT/TW@1998-02-18")]),  # bare, from the registry
    ("kế hoạch 20 năm", []),  # a lower-case kind word without "số" is prose
])
def test_citation_forms(text, expected):
    rows = extract_citations("t", [_Line(text)])
    assert [(r["kind"], r["number"], r["canonical_id"]) for r in rows] == expected
