"""Report metadata (reports.csv) and the gazetteer: real values from the seeds and the dev corpus."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from grassroots.clean import FOOTNOTE_LINE, clean_text
from grassroots.extract import reports as metadata
from grassroots.extract.gazetteer import level_of_type, resolve_unit, split_unit
from grassroots.extract.reports import (
    REPORT_FIELDS,
    extract_metadata,
    find_signature,
    parse_period,
    parse_place_date,
)
from grassroots.pipeline import rawio

from .conftest import DEV, FIXTURES, RAW, SEEDS
from .rules_copy import copied_rules, edit

SHARED_DEV = Path("/work/shared/dev-corpus")
DEV_DIR = DEV if (DEV / "sources.csv").exists() else SHARED_DEV


def metadata_of(path: Path, with_sidecar: bool = True) -> dict:
    text, _enc, data = rawio.read_raw(path)
    report_id = rawio.report_id_of(path)
    sidecar = rawio.read_sidecar(path) if with_sidecar else {}
    lines = clean_text(text, report_id).lines
    return extract_metadata(report_id, lines, sidecar, rawio.sha256_bytes(data), len(text))


@pytest.fixture(scope="module")
def seeds() -> dict[str, dict]:
    return {name: metadata_of(path) for name, path in SEEDS.items()}


# --- the seeds -------------------------------------------------------------------------------------

def test_columns_are_the_contract(seeds):
    for meta in seeds.values():
        assert list(meta)[: len(REPORT_FIELDS)] == list(REPORT_FIELDS)
        assert set(meta) == set(REPORT_FIELDS) | {"metadata_source", "notes"}


def test_trieuson(seeds):
    m = seeds["trieuson"]
    assert m["doc_number"] == "/BC-UBND"  # number left blank in the copy: kept as printed
    assert m["issue_date"] == "2021-01"  # "ngày tháng 01 năm 2021": year and month only
    assert m["report_type"] == "dan_van_chinh_quyen"
    assert (m["admin_level"], m["locality"], m["issuer"]) == ("district", "huyện Triệu Sơn", "UBND huyện Triệu Sơn")
    assert (m["province"], m["province_code"], m["district_code"], m["ward_code"]) == ("Thanh Hóa", "38", "397", "")
    assert (m["province_2025"], m["ward_2025"]) == ("Thanh Hóa", "")
    assert (m["period_start"], m["period_end"], m["period_label"]) == ("2020-01-01", "2020-12-31", "năm 2020")
    assert m["signer"] == "Lê Quang Trung"
    assert m["signer_title"] == "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH"
    assert m["metadata_source"] == "text+sidecar"
    assert m["notes"] == ""  # text and sidecar agree


def test_bato(seeds):
    m = seeds["bato"]
    assert m["doc_number"] == "/BC-UBND"
    assert m["issue_date"] == "2023-06"
    assert m["report_type"] == "dan_van_chinh_quyen"
    assert (m["admin_level"], m["locality"], m["district"]) == ("commune", "xã Ba Tô", "huyện Ba Tơ")
    assert m["issuer"] == "UBND xã Ba Tô"
    assert (m["province"], m["province_code"], m["district_code"], m["ward_code"]) == ("Quảng Ngãi", "51", "535", "21523")
    assert (m["province_2025"], m["ward_2025"]) == ("Quảng Ngãi", "xã Ba Tô")
    assert (m["period_start"], m["period_end"]) == ("2023-01-01", "2023-06-30")
    assert m["period_label"] == "6 tháng đầu năm 2023"  # the first half, not the plan for the second
    assert (m["signer"], m["signer_title"]) == ("Phạm Văn Hiền", "TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH")


def test_kbang(seeds):
    m = seeds["kbang"]
    assert m["doc_number"] == "480/BC-UBND"
    assert m["issue_date"] == "2020-10-30"
    assert m["report_type"] == "qcdc"
    assert (m["admin_level"], m["locality"], m["issuer"]) == ("district", "huyện Kbang", "UBND huyện Kbang")
    assert (m["province"], m["province_code"], m["district_code"]) == ("Gia Lai", "64", "625")
    assert m["province_2025"] == "Gia Lai"  # the post-2025 Gia Lai (merged with Bình Định)
    assert (m["period_start"], m["period_end"], m["period_label"]) == ("2020-01-01", "2020-12-31", "năm 2020")
    # The annex ("PHỤ LỤC SỐ LIỆU ...") follows the signature: the signer is still found.
    assert (m["signer"], m["signer_title"]) == ("Nguyễn Văn Dũng", "TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH")


def test_sidecar_title_wins(seeds):
    assert seeds["kbang"]["title"] == "Báo cáo kết quả thực hiện Quy chế dân chủ ở cơ sở năm 2020"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_bare_text_without_sidecar(tmp_path, name):
    """A bare .txt (no .yml) still gives locality, level and period from the text."""
    bare = tmp_path / f"copy_of_{name}.txt"
    shutil.copyfile(SEEDS[name], bare)
    assert rawio.read_sidecar(bare) == {}
    m = metadata_of(bare)
    full = metadata_of(SEEDS[name])
    assert m["report_id"] == f"copy_of_{name}"
    assert m["metadata_source"] == "text"
    for key in ("locality", "admin_level", "district", "province", "province_code", "district_code",
                "ward_code", "province_2025", "ward_2025", "period_start", "period_end", "period_label",
                "issuer", "issue_date", "signer"):
        assert m[key] and m[key] == full[key] or (key in ("ward_code", "ward_2025") and not m[key]), key
    # The text's title is the line after "BÁO CÁO" (markdown heading marks removed).
    if name == "trieuson":
        assert m["title"] == 'Kết quả triển khai thực hiện "Năm dân vận chính quyền" 2020'


def test_sidecar_disagreement_is_noted():
    lines = clean_text(SEEDS["kbang"].read_text(encoding="utf-8"), "k").lines
    m = extract_metadata("k", lines, {"province": "Bình Định", "period_label": "6 tháng đầu năm 2020"}, "", 1)
    assert m["province"] == "Bình Định" and m["period_label"] == "6 tháng đầu năm 2020"
    assert "province: text 'Gia Lai', sidecar 'Bình Định'" in m["notes"]
    assert "period_label" in m["notes"]
    assert m["metadata_source"] == "text+sidecar"


@pytest.mark.parametrize("lines", [[], ["", "   "], ["lorem ipsum 123", "!!!", "@@ ## ..."], [None, 42]])
def test_no_metadata_gives_empty_fields(lines):
    m = extract_metadata("junk", lines, {}, "abc", 7)
    assert (m["report_id"], m["sha256"], m["n_chars"]) == ("junk", "abc", 7)
    for key in REPORT_FIELDS:
        if key not in ("report_id", "sha256", "n_chars"):
            assert m[key] == "", key
    assert m["notes"] == ""


def test_sidecar_only():
    side = {"locality": "huyện Kbang", "admin_level": "district", "province": "Gia Lai",
            "period_label": "năm 2020", "period_start": "2020-01-01", "period_end": "2020-12-31"}
    m = extract_metadata("s", ["nothing useful here"], side, "", 0)
    assert m["metadata_source"] == "sidecar"
    assert (m["district_code"], m["province_2025"], m["district"]) == ("625", "Gia Lai", "huyện Kbang")


# --- the readers on their own ------------------------------------------------------------------------

@pytest.mark.parametrize("line, place, issued", [
    ("Kbang, ngày 30 tháng 10 năm 2020", "Kbang", "2020-10-30"),
    ("Triệu Sơn, ngày tháng 01 năm 2021", "Triệu Sơn", "2021-01"),
    ("Ba Tô, ngày tháng 6 năm 2023", "Ba Tô", "2023-06"),
    ("Số: 12/BC-ĐU      Ba Tô, ngày 5 tháng 7 năm 2023", "Ba Tô", "2023-07-05"),
    ("Hà Nội, ngày 31/12/2022", "Hà Nội", "2022-12-31"),
    ("Gia Lai, ngày … tháng … năm 2024", "Gia Lai", "2024"),
    ("Thực hiện Kế hoạch số 14-KH/BCĐ", "", ""),
])
def test_place_date(line, place, issued):
    assert parse_place_date(line) == (place, issued)


@pytest.mark.parametrize("title, start, end, label", [
    ("Kết quả thực hiện Quy chế dân chủ ở cơ sở năm 2020", "2020-01-01", "2020-12-31", "năm 2020"),
    ("công tác dân vận 6 tháng đầu năm và nhiệm vụ 6 tháng cuối năm 2023", "2023-01-01", "2023-06-30",
     "6 tháng đầu năm 2023"),
    ("Kết quả công tác quý I/2023", "2023-01-01", "2023-03-31", "quý I/2023"),
    ("Báo cáo quý III năm 2025", "2025-07-01", "2025-09-30", "quý III năm 2025"),
    ("tiếp công dân tháng 5/2020", "2020-05-01", "2020-05-31", "tháng 5/2020"),
    ("Kết quả 9 tháng đầu năm 2024", "2024-01-01", "2024-09-30", "9 tháng đầu năm 2024"),
    ("6 tháng cuối năm 2022", "2022-07-01", "2022-12-31", "6 tháng cuối năm 2022"),
    ('"Năm dân vận chính quyền" 2020', "2020-01-01", "2020-12-31", "năm 2020"),
    ("năm 2020 và phương hướng, nhiệm vụ năm 2021", "2020-01-01", "2020-12-31", "năm 2020"),
    ("Hội nghị nhiệm kỳ 2016 - 2021", "", "", ""),
    ("Báo cáo công tác", "", "", ""),
])
def test_period(title, start, end, label):
    assert parse_period(title) == {"period_start": start, "period_end": end, "period_label": label}


def test_period_year_from_issue_date():
    assert parse_period("Kết quả 9 tháng đầu năm", "2024-10")["period_end"] == "2024-09-30"


def test_signature_block_not_last_line():
    lines = ["Trên đây là báo cáo.", "Nơi nhận:", "- Lưu: VT.", "T/M ĐẢNG ỦY", "BÍ THƯ", "(Đã ký)",
             "NGUYỄN VĂN AN", "PHỤ LỤC SỐ LIỆU NĂM 2022", "1. Số liệu: 12 cuộc."]
    assert find_signature(lines) == ("Nguyễn Văn An", "T/M ĐẢNG ỦY, BÍ THƯ", "T/M ĐẢNG ỦY")


@pytest.mark.parametrize("lines, issuer, level, locality", [
    (["ĐẢNG BỘ HUYỆN BA TƠ", "ĐẢNG ỦY XÃ BA TÔ", "Số: 45-BC/ĐU", "Ba Tô, ngày 10 tháng 12 năm 2022", "BÁO CÁO",
      "Kết quả lãnh đạo thực hiện Quy chế dân chủ ở cơ sở năm 2022"], "Đảng ủy xã Ba Tô", "commune", "xã Ba Tô"),
    (["Số: 10/BC-MTTQ-BTT", "Kbang, ngày 5 tháng 1 năm 2021", "BÁO CÁO", "Kết quả giám sát quý IV/2020",
      "Ban Thường trực UBMTTQ Việt Nam huyện Kbang báo cáo như sau:"],
     "Ban Thường trực UBMTTQ huyện Kbang", "district", "huyện Kbang"),
    (["HUYỆN ỦY TRIỆU SƠN", "Số: 300-BC/HU", "Triệu Sơn, ngày 2 tháng 3 năm 2021", "BÁO CÁO",
      "tổng kết công tác dân vận năm 2020"], "Huyện ủy Triệu Sơn", "district", "huyện Triệu Sơn"),
    (["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI", "Số: 1/BC-UBND", "Gia Lai, ngày 3 tháng 4 năm 2021", "BÁO CÁO",
      "Kết quả công tác dân vận chính quyền quý I năm 2021"], "UBND tỉnh Gia Lai", "province", "tỉnh Gia Lai"),
])
def test_issuers(lines, issuer, level, locality):
    m = extract_metadata("x", lines, {}, "", 0)
    assert (m["issuer"], m["admin_level"], m["locality"]) == (issuer, level, locality)
    assert m["province_code"]


# --- the gazetteer -----------------------------------------------------------------------------------

def test_gazetteer_district_without_province():
    r = resolve_unit("huyện Triệu Sơn")
    assert (r["province"], r["district"], r["province_code"], r["district_code"]) == ("Thanh Hóa", "Triệu Sơn", "38", "397")
    assert r["resolved"] and r["province_2025"] == "Thanh Hóa" and r["ward_2025"] == ""
    r = resolve_unit("Kbang", level="district")
    assert (r["province"], r["province_2025"], r["resolved"]) == ("Gia Lai", "Gia Lai", True)


def test_gazetteer_commune():
    r = resolve_unit("xã Ba Tô", "huyện Ba Tơ", "Quảng Ngãi", "commune")
    assert (r["ward"], r["ward_code"], r["district"], r["province"]) == ("Ba Tô", "21523", "Ba Tơ", "Quảng Ngãi")
    assert (r["province_2025"], r["ward_2025"], r["resolved"]) == ("Quảng Ngãi", "Ba Tô", True)


def test_gazetteer_ambiguous_and_unknown():
    r = resolve_unit("huyện Châu Thành")
    assert not r["resolved"] and r["province"] == ""
    assert "ambiguous" in r["note"] and "Tiền Giang" in r["note"] and "An Giang" in r["note"]
    assert resolve_unit("Châu Thành", province="Tiền Giang", level="district")["resolved"]
    r = resolve_unit("huyện Không Có Thật")
    assert not r["resolved"] and r["note"]
    assert resolve_unit("")["resolved"] is False


def test_gazetteer_province_post_2025():
    assert resolve_unit("tỉnh Kon Tum")["province_2025"] == "Quảng Ngãi"
    assert resolve_unit("huyện Côn Đảo")["province"] == "Bà Rịa - Vũng Tàu"


# --- the dev corpus ----------------------------------------------------------------------------------

def _dev_sources() -> dict[str, dict]:
    with open(DEV_DIR / "sources.csv", encoding="utf-8") as fh:
        return {row["report_id"]: row for row in csv.DictReader(fh)}


def _period_kind(start: str, end: str) -> str:
    if not start:
        return "unknown"
    months = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1
    return {1: "month", 3: "quarter", 6: "half_year", 12: "annual"}.get(months, "other")


@pytest.mark.parametrize("report_id", ["d02", "d04", "d06", "d07", "d08", "d13"])
def test_dev_corpus_level_and_period(report_id):
    """Texts whose level and period can be read: compare with sources.csv."""
    truth = _dev_sources()[report_id]
    text = (DEV_DIR / "raw" / f"{report_id}.txt").read_text(encoding="utf-8")
    m = extract_metadata(report_id, clean_text(text, report_id).lines, {}, "", len(text))
    assert m["admin_level"] == truth["level"]
    assert _period_kind(m["period_start"], m["period_end"]) == truth["period"]
    if truth["period"] != "unknown":
        assert m["period_start"][:4] == truth["year"]
    if truth["level"] != "province":  # the province pages do not name their province in the excerpt
        assert m["locality"] == truth["locality"].split(" (")[0]
        assert m["province"] == truth["province"]


# --- the unit and organ words of rules/lexicon.yml -----------------------------------------------

@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    yield from copied_rules(tmp_path, monkeypatch)


HEADER = ["{organ} XÃ BA TÔ", "Số: 7/BC", "Ba Tô, ngày 10 tháng 12 năm 2022", "BÁO CÁO",
          "Kết quả công tác dân vận năm 2022"]


def test_an_organ_added_to_the_lexicon_issues_reports(rules_copy):
    lines = [line.format(organ="HỘI NÔNG DÂN") for line in HEADER]
    assert extract_metadata("x", lines, {}, "", 0)["issuer"] == ""
    edit(rules_copy / "lexicon.yml",
         lambda d: d["organs"].append({"name": "Hội Nông dân", "spellings": ["hội nông dân"]}))
    m = extract_metadata("x", lines, {}, "", 0)
    assert (m["issuer"], m["admin_level"], m["locality"]) == ("Hội Nông dân xã Ba Tô", "commune", "xã Ba Tô")


def test_organ_spellings_give_the_organs_name():
    for organ, name in [("ỦY BAN NHÂN DÂN", "UBND"), ("UỶ BAN NHÂN DÂN", "UBND"), ("ĐẢNG UỶ", "Đảng ủy"),
                        ("BAN THƯỜNG TRỰC UBMTTQ VIỆT NAM", "Ban Thường trực UBMTTQ"),
                        ("ỦY BAN MẶT TRẬN TỔ QUỐC", "UBMTTQ"), ("HĐND", "HĐND")]:
        lines = [line.format(organ=organ) for line in HEADER]
        assert extract_metadata("x", lines, {}, "", 0)["issuer"] == f"{name} xã Ba Tô", organ


def test_a_unit_type_added_to_the_lexicon_is_read(rules_copy):
    lines = ["UBND HUYỆN ĐẢO LÝ SƠN", "Số: 1/BC-UBND", "Lý Sơn, ngày 3 tháng 4 năm 2021", "BÁO CÁO",
             "Kết quả công tác năm 2020"]
    assert extract_metadata("x", lines, {}, "", 0)["issuer"] == "UBND huyện Đảo Lý Sơn"
    edit(rules_copy / "lexicon.yml",
         lambda d: d["unit_types"].append({"name": "huyện đảo", "level": "district"}))
    m = extract_metadata("x", lines, {}, "", 0)
    assert (m["issuer"], m["locality"], m["admin_level"]) == ("UBND huyện đảo Lý Sơn", "huyện đảo Lý Sơn", "district")
    assert split_unit("huyện đảo Cồn Cỏ") == ("huyện đảo", "Cồn Cỏ")


def test_unit_type_spellings_and_levels():
    assert split_unit("TP. Pleiku") == ("thành phố", "Pleiku")
    assert split_unit("tx. An Khê") == ("thị xã", "An Khê")
    assert [level_of_type(t) for t in ("xã", "thị trấn", "huyện", "thị xã", "tỉnh", "thôn")] == [
        "commune", "commune", "district", "district", "province", ""]
    assert level_of_type("thành phố", "Hồ Chí Minh") == "province"  # a central city
    assert level_of_type("thành phố", "Pleiku") == "district"


def test_a_party_board_and_committee_come_from_the_lexicon():
    lines = ["BAN DÂN VẬN HUYỆN UỶ KBANG", "Số: 20-BC/BDVHU", "Kbang, ngày 5 tháng 1 năm 2021", "BÁO CÁO",
             "Kết quả công tác dân vận năm 2020"]
    m = extract_metadata("x", lines, {}, "", 0)
    assert (m["issuer"], m["locality"]) == ("Ban Dân vận Huyện ủy Kbang", "huyện Kbang")


def test_report_types_and_signer_titles_come_from_the_lexicon(rules_copy):
    from grassroots.extract.reports import classify_report

    title = "Kết quả công tác tiếp công dân và dân vận năm 2020"
    assert classify_report(title) == "dan_van"
    # not yet a title: the line is read as the signer's name
    assert find_signature(["KT. CHỦ TỊCH", "CHÁNH ÁN", "Nguyễn Văn An"]) == ("Chánh Án", "KT. CHỦ TỊCH", "")
    edit(rules_copy / "lexicon.yml", lambda d: (d["report_types"].append({"code": "tiep_dan", "names": ["tiếp công dân"]}),
                                                d["signer_titles"]["titles"].append("chánh án")))
    assert classify_report(title) == "tiep_dan"  # named before "dân vận"
    assert find_signature(["KT. CHỦ TỊCH", "CHÁNH ÁN", "Nguyễn Văn An"]) == (
        "Nguyễn Văn An", "KT. CHỦ TỊCH, CHÁNH ÁN", "")


def test_a_wrong_lexicon_entry_names_the_entry(rules_copy):
    from grassroots import ruleset

    edit(rules_copy / "lexicon.yml", lambda d: d["unit_types"][4].update(level="village"))
    with pytest.raises(ruleset.RulesError, match=r"lexicon.yml: unit_types\[4\] \(huyện\): field 'level': 'village' is not one of"):
        extract_metadata("x", HEADER, {}, "", 0)


def test_gazetteer_keys_worked_out_once_per_unit_are_each_rows_own():
    import json

    from grassroots.extract import gazetteer
    from grassroots.text import accent_key
    from grassroots.text import ascii_key as fold

    for r in gazetteer._legacy_rows():
        for level in ("province", "district", "ward"):
            words = json.loads(r.get(f"{level}Keywords") or "[]")
            assert r[f"_{level}_keys"] == frozenset(words) | {fold(r.get(f"{level}Short") or "")} - {""}
            assert r[f"_{level}_akey"] == accent_key(r.get(f"{level}Short") or "")


def test_line_texts_of_clean_reports_are_read_at_once_and_the_same():
    import unicodedata

    def plain(lines):
        return [t for t in map(metadata._clean, lines) if t and not FOOTNOTE_LINE.match(t)]

    fast = 0
    reports = []
    for folder in (RAW, DEV / "raw", FIXTURES / "heldout", FIXTURES / "heldout2"):
        for path in sorted(folder.rglob("*.txt")):
            text, encoding, _ = rawio.read_raw(path)
            reports.append([line.text for line in clean_text(text, path.stem, encoding).lines])
    for lines in reports:
        fast += metadata._all_clean(lines)
        assert metadata._line_texts(lines) == plain(lines)
        for i in range(0, len(lines), 7):  # one line spoiled in each way _clean repairs
            for bad in ("#" + lines[i], lines[i] + " *", " " + lines[i], lines[i] + " ", lines[i] + "  x",
                        unicodedata.normalize("NFD", lines[i] + " ệ"), lines[i] + "\x0c", "\u2003" + lines[i]):
                spoiled = lines[:i] + [bad] + lines[i + 1:]
                assert not metadata._all_clean(spoiled)
                assert metadata._line_texts(spoiled) == plain(spoiled)
    assert fast > 5  # cleaned reports take the fast path
