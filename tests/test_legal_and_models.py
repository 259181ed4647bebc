"""Legal instruments cited (citations.csv) and named "Dân vận khéo" models (models.csv)."""

import pytest

from grassroots.legal import canonical_id, extract_citations
from grassroots.named_models import extract_models

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
