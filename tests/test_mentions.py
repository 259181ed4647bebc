"""Quantity mentions: what counts as a quantity, its unit, and what never does."""

import collections
import csv
import re
from decimal import Decimal

import pytest

from grassroots import clean
from grassroots.extract.mentions import find_mentions
from grassroots.numbers import plain
from grassroots.pipeline import rawio
from grassroots.text import fold

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


# --- the lexicon is data: rules/lexicon.yml -----------------------------------------------------

def _lexicon_copy(tmp_path, edit):
    """A copy of rules/ in tmp_path whose lexicon.yml is changed by edit(data)."""
    import shutil

    import yaml

    from grassroots.paths import RULES_DIR

    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    data = yaml.safe_load((copy / "lexicon.yml").read_text(encoding="utf-8"))
    edit(data)
    (copy / "lexicon.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copy


def _with_lexicon(monkeypatch, rules_dir):
    from grassroots.extract import mentions

    lex = mentions.lexicon.__wrapped__(rules_dir)
    monkeypatch.setattr(mentions, "lexicon", lambda: lex)


def test_a_unit_noun_is_one_yaml_entry(tmp_path, monkeypatch):
    text = "thành lập 12 tổ tự quản an ninh trật tự"
    assert values(text) == [("12", "tổ")]
    _with_lexicon(monkeypatch, _lexicon_copy(tmp_path, lambda d: d["units"]["compounds"].append("tổ tự quản")))
    assert values(text) == [("12", "tổ tự quản")]


def test_an_exclusion_word_is_one_yaml_entry(tmp_path, monkeypatch):
    text = "tổ chức Hội nghị lần 3 với 45 đại biểu"
    assert values(text) == [("3", ""), ("45", "đại")]  # "lần" is not an ordinal word (yet)
    explain = []

    def add(data):
        rule = next(r for r in data["exclusions"]["before"] if r["name"] == "ordinal")
        rule["words"].append("lần")
    _with_lexicon(monkeypatch, _lexicon_copy(tmp_path, add))
    assert [v for v, _ in values(text)] == ["45"]
    find_mentions(text, explain=explain)
    assert (text.index("3"), "3", "ordinal") in explain


def test_an_approximation_cue_is_one_yaml_entry(tmp_path, monkeypatch):
    from grassroots.extract import mentions

    text = "tiếp nhận chừng 40 lượt công dân"
    assert [m.qualifier for m in find_mentions(text)] == ["approx"]  # "chừng" is a cue
    text = "tiếp nhận độ 40 lượt công dân"
    assert [m.qualifier for m in find_mentions(text)] == [""]
    _with_lexicon(monkeypatch, _lexicon_copy(
        tmp_path, lambda d: next(q for q in d["qualifiers"] if q["name"] == "approx")["words"].append("độ")))
    assert [m.qualifier for m in mentions.find_mentions(text)] == ["approx"]


def test_a_misspelt_field_in_the_lexicon_names_the_entry(tmp_path):
    from grassroots import ruleset
    from grassroots.extract import mentions

    def misspell(data):
        rule = next(r for r in data["exclusions"]["before"] if r["name"] == "ordinal")
        rule["word"] = rule.pop("words")

    rules = _lexicon_copy(tmp_path, misspell)
    ruleset.load.cache_clear()
    with pytest.raises(ruleset.RulesError, match=r"lexicon.yml: exclusions.before\[2\] \(ordinal\)"):
        mentions.lexicon.__wrapped__(rules)


def test_a_lexicon_pattern_that_does_not_compile_names_the_rule(tmp_path):
    from grassroots import ruleset
    from grassroots.extract import mentions

    def broken(data):
        next(r for r in data["exclusions"]["after"] if r["name"] == "time")["patterns"].append("^[:h")

    rules = _lexicon_copy(tmp_path, broken)
    ruleset.load.cache_clear()
    with pytest.raises(ruleset.RulesError, match=r"exclusions.after\[2\] \(time\): field 'patterns\[2\]': not a valid"):
        mentions.lexicon.__wrapped__(rules)


def test_units_read_from_the_folded_line_are_the_units_read_from_the_text():
    """_read_unit on a slice of the folded line (what extraction does) reads the unit it reads on
    the text itself, for every number of every corpus line."""
    from grassroots.extract import mentions

    from .corpus_lines import corpus_lines

    n = 0
    for text in corpus_lines():
        folded = fold(text)
        if len(folded) != len(text):
            continue
        for m in mentions._NUM.finditer(text):
            for pos in (m.end(), m.end() + 1):
                assert mentions._read_unit(text, pos, folded) == mentions._read_unit(text, pos), text[pos:pos + 30]
                n += 1
    assert n > 20000
