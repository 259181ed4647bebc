"""Cleaning rules on real lines from the seed reports, decoding, and cleaner properties."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots import clean
from grassroots.pipeline import rawio

from .conftest import DEV, FIXTURES, RAW, SEEDS, raw_lines


def cleaned(name):
    text, enc, _ = rawio.read_raw(SEEDS[name])
    return clean.clean_text(text, name, enc)


def rules_of(result):
    return [(c.line, c.original, c.corrected, c.rule.split(":")[0]) for c in result.corrections]


def test_ocr_corrections_from_the_declared_file_are_logged_with_raw_lines():
    got = rules_of(cleaned("kbang"))
    assert (87, "QCDG", "QCDC", "ocr") in got  # "Ban chỉ đạo thực hiện QCDG ở cơ sở"
    assert (39, "QCCDC", "QCDC", "ocr") in got
    assert (85, "PL-UBNTQH11", "PL-UBTVQH11", "ocr") in got
    assert (23, "PL-BTVQH 11", "PL-UBTVQH11", "ocr") in got
    assert (11, "dân vận kéo", "dân vận khéo", "ocr") in rules_of(cleaned("trieuson"))
    # xã Ba Tô lies in huyện Ba Tơ: the district name lost its horn
    assert (11, "UBND huyện Ba Tô", "UBND huyện Ba Tơ", "ocr") in rules_of(cleaned("bato"))


def test_every_ocr_correction_has_a_reason():
    for corr in clean.load_ocr_corrections():
        assert corr.reason and corr.wrong != corr.right


def test_markup_is_stripped_and_logged():
    result = cleaned("trieuson")
    text = result.text
    assert "<sup>" not in text and "**" not in text
    assert "diện tích 292.2km2," in text  # "292.2km<sup>2</sup>"
    assert (15, "<sup>2</sup>", "2", "markup-sup") in rules_of(result)
    kbang = cleaned("kbang")
    assert "*ly*" not in kbang.text and ")))" not in kbang.text
    assert "Số vụ đình công, ngừng việc tập thể 0 vụ." in kbang.text
    assert (153, ")))", "", "page-mark") in rules_of(kbang)


def test_headings_are_kept_as_structure():
    lines = [line.text for line in cleaned("trieuson").lines]
    assert "## BÁO CÁO" in lines
    assert "#### I. ĐẶC ĐIỂM TÌNH HÌNH" in lines


def test_page_break_joins_with_line_map():
    result = cleaned("trieuson")
    # raw lines 59 and 61: "...tỷ lệ lao động qua đào" / "tao đạt 71,3%, ..." (then OCR: đào tạo)
    line = next(li for li in result.lines if "qua đào tạo đạt 71,3%" in li.text)
    assert line.raw_line_at(line.text.index("Giải quyết việc làm")) == 59
    assert line.raw_line_at(line.text.index("71,3%")) == 61
    assert (61, "page-break-join") in [(c.line, c.rule) for c in result.corrections]
    # a list item split by a page break (raw 127 -> 131): "để phục" / "vụ nhân dân"
    assert any("để phục vụ nhân dân ngày một tốt hơn" in li.text for li in result.lines)


def test_no_join_across_a_list_marker_or_a_capitalised_paragraph():
    texts = [li.text for li in cleaned("bato").lines]
    assert any(t.startswith("i) Mô hình “Cổng trường an toàn giao thông”") for t in texts)


def test_footnotes_are_split_out_and_marks_removed():
    result = cleaned("bato")
    assert result.n_footnotes == 1
    assert result.lines[-1].text.startswith("¹ 5 điểm tại các ngã ba")
    assert result.lines[-1].raw_line_at(0) == 130
    assert any("Camera an ninh được lắp đặt tại 06 điểm trên địa bàn" in li.text for li in result.lines)


def test_raw_files_are_never_modified():
    before = {p: p.read_bytes() for p in SEEDS.values()}
    for name in SEEDS:
        cleaned(name)
    assert before == {p: p.read_bytes() for p in SEEDS.values()}


def test_decomposed_text_gives_the_same_result_as_composed():
    line = raw_lines(SEEDS["trieuson"])[48]  # the petitions paragraph
    nfd = unicodedata.normalize("NFD", line)
    assert nfd != line
    a, b = clean.clean_text(line, "x"), clean.clean_text(nfd, "x")
    assert a.text == b.text
    assert [c.rule for c in b.corrections].count("unicode-nfc") == 1


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Báo cáo 156 đơn".encode(), "utf-8"),
        ("Báo cáo 156 đơn".encode("utf-8-sig"), "utf-8-sig"),
        ("Báo cáo 156 đơn".encode("utf-16"), "utf-16"),
        ("Báo cáo 156 đơn".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_decode_accepts_utf8_and_utf16(data, encoding):
    text, enc = rawio.decode(data, "r.txt")
    assert text == "Báo cáo 156 đơn" and enc == encoding


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG image"),
        (b"abc\x00\x01\x02\xff\xfe\x00\x00\x10 binary junk \x00\xff", "binary"),
        ("Report: naïve café résumé".encode("latin-1") + b" \x81\x8d", "not valid UTF-8"),
    ],
)
def test_decode_refuses_with_a_clear_message(data, problem):
    with pytest.raises(rawio.RawInputError) as info:
        rawio.decode(data, "bad report.txt")
    assert str(info.value).startswith("bad report.txt: ") and problem in str(info.value)


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters with their shape marks, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def test_windows_1258_is_decoded_when_clearly_vietnamese():
    line = raw_lines(SEEDS["trieuson"])[48]
    data = to_cp1258(line)
    text, enc = rawio.decode(data, "legacy.txt")
    assert enc == "cp1258"
    assert unicodedata.normalize("NFC", text) == line


_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdđêôơưăâ ÁÀẢÃẠáàảãạ0123456789.,;:%/-()*#\n<>¹")) , max_size=300)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_cleaning_is_idempotent_and_never_loses_a_digit(text):
    once = clean.clean_text(text, "p").text
    twice = clean.clean_text(once, "p").text
    assert once == twice
    digits = lambda s: sorted(re.findall(r"\d", s))  # noqa: E731
    assert digits(once) == digits(unicodedata.normalize("NFC", text).replace("<sup>", "").replace("</sup>", ""))


def test_emphasis_across_a_line_break_is_removed_once_the_lines_are_joined():
    # found by the idempotence property: "*0¶a*" was joined to "*0 a*" and kept its markers
    result = clean.clean_text("Tổng số *12\nhồ sơ* đúng hạn", "p")
    assert result.text == "Tổng số 12 hồ sơ đúng hạn\n"
    line = result.lines[0]
    assert line.raw_line_at(line.text.index("12")) == 1 and line.raw_line_at(line.text.index("hồ sơ")) == 2
    assert [(c.line, c.rule) for c in result.corrections] == [(1, "markup-emphasis"), (2, "soft-wrap-join")]
    assert clean.clean_text(result.text, "p").text == result.text


def test_a_stray_bold_marker_behind_white_space_is_removed_in_one_pass():
    # found by the idempotence property: " **0" cleaned to "**0", and only a second pass gave "0"
    result = clean.clean_text("  **Tổng số 806 hồ sơ\n", "p")
    assert result.text == "Tổng số 806 hồ sơ\n"
    assert [(c.line, c.original, c.rule) for c in result.corrections] == [(1, "**", "markup-emphasis")]


def test_joins_of_adjacent_lines_are_soft_wraps_and_across_blank_lines_page_breaks():
    rules = [c.rule for c in clean.clean_text("dòng một\nhai\n\nba", "p").corrections]
    assert rules == ["soft-wrap-join", "page-break-join"]


@pytest.mark.parametrize("text", ["*0\na*", "0**¹", "0\n*a\na*", "¹\na\n0", " **0", "**0 \t"])
def test_cleaning_reaches_a_fixed_point_on_the_inputs_the_property_found(text):
    once = clean.clean_text(text, "p").text
    assert clean.clean_text(once, "p").text == once


# --- the rules files ----------------------------------------------------------------------------

def corpus_texts() -> list[str]:
    texts = []
    for folder in (RAW, DEV / "raw", FIXTURES / "heldout", FIXTURES / "heldout2", FIXTURES / "clean_corpus"):
        for path in sorted(folder.rglob("*.txt")):
            texts.append(rawio.read_raw(path)[0])
    return texts


def _ocr_rules(tmp_path, entries: str):
    from grassroots.paths import RULES_DIR

    (tmp_path / "schemas").mkdir()
    schema = RULES_DIR / "schemas" / "ocr_corrections.schema.yml"
    (tmp_path / "schemas" / schema.name).write_text(schema.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "ocr_corrections.yml").write_text("corrections:\n" + entries, encoding="utf-8")
    return tmp_path


def test_an_ocr_correction_is_one_yaml_entry(tmp_path, monkeypatch):
    rules = _ocr_rules(tmp_path, "  - {wrong: chỉ đạo điều hàng, right: chỉ đạo điều hành, reason: dropped h}\n"
                                 "  - {wrong: '(\\d+) vu việc', right: '\\1 vụ việc', regex: true, reason: lost dot}\n")
    load, matcher = clean.load_ocr_corrections.__wrapped__, clean._ocr_matcher.__wrapped__
    monkeypatch.setattr(clean, "load_ocr_corrections", lambda _dir=None: load(rules))
    monkeypatch.setattr(clean, "_ocr_matcher", lambda _dir=None: matcher(rules))
    result = clean.clean_text("UBND xã chỉ đạo điều hàng tốt; giải quyết 12 vu việc.", "p")
    assert result.text == "UBND xã chỉ đạo điều hành tốt; giải quyết 12 vụ việc.\n"
    assert [(c.original, c.corrected, c.rule) for c in result.corrections] == [
        ("chỉ đạo điều hàng", "chỉ đạo điều hành", "ocr: dropped h"), ("12 vu việc", "12 vụ việc", "ocr: lost dot")]


def test_an_ocr_entry_with_an_unknown_field_names_the_entry(tmp_path):
    from grassroots import ruleset

    rules = _ocr_rules(tmp_path, "  - {wrong: QCDG, right: QCDC, reason: G for C}\n"
                                 "  - {wrong: 'PL-X\\s?11', right: PL-Y11, regex: true, hint: PL-X, reason: r}\n")
    with pytest.raises(ruleset.RulesError, match=r"ocr_corrections.yml: corrections\[1\] \(PL-X\\s\?11\).*'hint' was unexpected"):
        clean.load_ocr_corrections.__wrapped__(rules)


def test_an_ocr_regex_that_does_not_compile_names_the_entry(tmp_path):
    from grassroots import ruleset

    rules = _ocr_rules(tmp_path, "  - {wrong: 'PL-(X', right: PL-Y, regex: true, reason: r}\n")
    with pytest.raises(ruleset.RulesError, match=r"corrections\[0\] \(PL-\(X\): field 'wrong': not a valid regular"):
        clean.load_ocr_corrections.__wrapped__(rules)


def dump(result):
    return (result.text, result.n_footnotes, [(line.text, line.anchors) for line in result.lines],
            [(c.line, c.original, c.corrected, c.rule) for c in result.corrections])


def test_line_ending_fast_paths_give_the_result_of_the_plain_steps():
    # LF text in NFC takes the fast paths (superscript lines from the whole text); CRLF text and
    # decomposed text take the plain per-line steps: the same lines, the same corrections
    texts = corpus_texts() + ["Kết quả¹ đạt\n¹ Chú thích\n\n*a*\tb\u00a0\u00a0c¹²,\nd⁴)\n"]
    for text in texts:
        lf = dump(clean.clean_text(text, "r"))
        assert dump(clean.clean_text(text.replace("\n", "\r\n"), "r")) == lf
    for text in texts[:5]:
        nfd = clean.clean_text(unicodedata.normalize("NFD", text), "r")
        assert dump(nfd)[:3] == dump(clean.clean_text(text, "r"))[:3]
