"""Quantity mentions: what counts as a quantity, its unit, and what never does."""

import collections
import csv
import re
from decimal import Decimal

import pytest

from grassroots import clean
from grassroots.pipeline import rawio
from grassroots.extract.mentions import find_mentions, fold
from grassroots.numbers import plain

from .conftest import DEV, SEEDS, extracted


def values(text):
    return [(str(m.value), m.unit) for m in find_mentions(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Triệu Sơn line 45: a list of counts after one verb
        ("tiếp thường xuyên, định kỳ và đột xuất có 128 lượt, 137 người, 128 vụ việc; tăng 1,2% về lượt",
         [("128", "lượt"), ("137", "người"), ("128", "vụ việc"), ("1.2", "%")]),
        # Triệu Sơn line 57: money with multiplier words, kept as written
        ("với số tiền trên 6,6 tỷ đồng; chi trả 1.134 triệu đồng chúc thọ, mừng thọ cho 4.918 cụ",
         [("6.6", "tỷ đồng"), ("1134", "triệu đồng"), ("4918", "cụ")]),
        # fractions
        ("nâng tổng số xã đạt chuẩn lên 27/32 xã, chiếm 84,4 % tổng số xã", [("27", "xã"), ("84.4", "%")]),
        # X lượt/Y người pairs are two mentions
        ("tiếp thường xuyên 1.147 lượt/1.325 người", [("1147", "lượt"), ("1325", "người")]),
        # glued units and the point-decimal fallback
        ("Huyện Triệu Sơn có diện tích 292.2km2, phía Đông", [("292.2", "km2")]),
        # ranges keep the first number
        ("độ cao khoảng 250-300m", [("250", "m")]),
    ],
)
def test_quantities_and_units(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Công văn số 536/SNV-XDCQ & CTTN ngày 25/3/2020 của Sở Nội vụ",  # doc number, date
        "Kế hoạch số 47/KH-UBND ngày 10/3/2023 của UBND huyện",
        "theo Pháp lệnh 34/2007/PL-UBTVQH11, Nghị định 04/2015/NĐ-CP, Nghị định 145/2020/NĐ-CP",
        "Đại hội Đảng các cấp nhiệm kỳ 2020 - 2025 thành công",  # year range
        "Kết luận số 114-KL/TW ngày 14/7/2017 của Ban Bí thư",  # Party document number
        "theo tiêu chuẩn TCVN 9001:2008 và ứng dụng công nghệ thông tin",
        "trên tuyến đường Quốc lộ 24 và trụ sở",
        "phòng, chống dịch Covid-19 trên địa bàn",
        "Kết quả thực hiện 6 tháng đầu năm 2023",  # period phrase and year
        "Kỳ họp thứ 7, HĐND xã khóa XX",  # ordinal
        "Ba Tô, ngày tháng 6 năm 2023",  # partial date
        "thôn 1, 2, 3, 4, 5 xã Thọ Sơn đạt chuẩn",  # names of villages
        "Quyết định số 217, 218-QĐ/TW",
        "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện",  # section number
        "Chỉ thị 15, Chỉ thị 16 của Chính phủ",
    ],
)
def test_not_quantities(text):
    assert values(text) == []


def test_verb_like_document_words_still_count_quantities():
    # "hướng dẫn" is a document kind and a verb: with a unit after it, the number is a count
    assert values("giải thích, hướng dẫn 03 lượt công dân đến cơ quan có thẩm quyền") == [("3", "lượt")]


def test_inferred_unit_for_bare_numbers_in_a_list():
    found = find_mentions("Tổng số hồ sơ tiếp nhận: 552 hồ sơ; trực tuyến: 113; trực tiếp: 408.")
    assert [(str(m.value), m.unit_normalized) for m in found] == [("552", "hồ sơ"), ("113", "hồ sơ"), ("408", "hồ sơ")]
    assert [m.unit for m in found] == ["hồ sơ", "", ""]  # the unit as written stays empty


def test_normalised_values():
    found = find_mentions("diện tích tự nhiên 184.243,33 ha; tổng số tiền 11.796,9 tr.đ; dân số 60.208 khẩu")
    assert [(plain(m.value_normalized), m.unit_normalized) for m in found] == [
        ("1842.4333", "km2"), ("11796900000", "VND"), ("60208", "người")]


def test_fold_unifies_tone_placement_only_in_open_syllables():
    assert fold("Hoà giải, Uỷ ban, kế hoạch, quý III") == "hòa giải, ủy ban, kế hoạch, quý iii"


def _dev_gold():
    gold = collections.defaultdict(list)
    with open(DEV / "gold_mentions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gold[row["report_id"]].append(Decimal(row["value"]).normalize())
    return gold


def test_dev_corpus_mentions_recall_and_precision():
    """Score against the hand-made gold mentions of the 18 dev-corpus excerpts (values, with repeats)."""
    gold = _dev_gold()
    tp = fp = fn = 0
    for path in sorted((DEV / "raw").glob("*.txt")):
        text, _, _ = rawio.read_raw(path)
        got = collections.Counter(
            m.value.normalize() for line in clean.clean_text(text, path.stem).lines for m in find_mentions(line.text))
        want = collections.Counter(gold[path.stem])
        tp += sum((got & want).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"dev-corpus mentions: precision {precision:.3f} recall {recall:.3f} ({tp} tp, {fp} fp, {fn} fn)")
    assert tp == 263  # all 263 gold mentions found
    assert precision >= 0.98 and recall >= 0.98


def test_seed_mentions_are_traceable_to_raw_lines():
    for path in SEEDS.values():
        lines = path.read_text(encoding="utf-8").split("\n")
        for row in extracted(path)["mentions"]:
            raw = lines[row["line"] - 1]
            # the number as written appears on the raw line it is attributed to
            number = re.match(r"\d+(?:[.,]\d+)*", row["surface"]).group(0)
            assert number in raw, row
