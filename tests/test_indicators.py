"""Codebook indicators: the seed reports' figures, traceability, and unseen phrasings."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots import codebook
from grassroots.evaluate import is_sealed, precision_recall, score
from grassroots.extract import extract_text

from .conftest import DEV, FIXTURES, HELDOUT, SEEDS, extracted, indicators_of, raw_lines
from .rules_copy import copied_rules, edit


def value(rows, code):
    return Decimal(rows[code]["value"])


@pytest.mark.parametrize(
    ("seed", "code", "expected", "denominator"),
    [
        ("trieuson", "petitions.received", "156", ""),
        ("trieuson", "petitions.eligible", "147", ""),
        ("trieuson", "petitions.ineligible", "9", ""),
        ("trieuson", "petitions.resolved", "143", "147"),
        ("trieuson", "petitions.resolution_rate_reported", "97", ""),
        ("trieuson", "petitions.received_prev_period", "174", ""),
        ("trieuson", "reception.sessions", "128", ""),
        ("trieuson", "reception.persons", "137", ""),
        ("trieuson", "reception.cases", "128", ""),
        ("trieuson", "reception.group_delegations", "2", ""),
        ("trieuson", "reception.cases_resolved", "126", ""),
        ("trieuson", "reception.resolution_rate_reported", "99", ""),
        ("trieuson", "models.total", "230", ""),
        ("trieuson", "models.collective", "145", ""),
        ("trieuson", "models.individual", "85", ""),
        ("trieuson", "models.economic", "130", ""),
        ("trieuson", "ntm.communes_certified", "27", "32"),
        ("trieuson", "ntm.villages_certified", "201", "229"),
        ("trieuson", "ntm.avg_criteria_per_commune", "18.3", ""),
        ("trieuson", "inspection.recovered", "784000000", ""),
        ("trieuson", "inspection.count", "5", ""),
        ("trieuson", "context.area", "292.2", ""),
        ("bato", "admin.dossiers_received", "552", ""),
        ("bato", "admin.dossiers_received_online", "113", ""),
        ("bato", "admin.dossiers_received_direct", "408", ""),
        ("bato", "admin.dossiers_carried_over", "1", ""),
        ("bato", "admin.dossiers_resolved", "520", ""),
        ("bato", "admin.dossiers_resolved_early", "473", ""),
        ("bato", "admin.dossiers_resolved_on_time", "0", ""),
        ("bato", "admin.dossiers_resolved_late", "47", ""),
        ("bato", "admin.dossiers_in_progress", "2", ""),
        ("kbang", "context.population", "60208", ""),
        ("kbang", "context.households", "17775", ""),
        ("kbang", "context.area", "1842.4333", ""),
        ("kbang", "context.poor_households", "939", ""),
        ("kbang", "context.poverty_rate", "5.27", ""),
        ("kbang", "mediation.cases", "158", ""),
        ("kbang", "mediation.successful", "146", ""),
        ("kbang", "mediation.unsuccessful", "10", ""),
        ("kbang", "mediation.pending", "2", ""),
        ("kbang", "democracy.people_contribution", "11796900000", ""),
        ("kbang", "democracy.staff_conference_rate", "96.6", ""),
        ("kbang", "petitions.received", "40", ""),
        ("kbang", "petitions.resolved", "16", ""),
        ("kbang", "petitions.resolution_rate_reported", "94.11", ""),
        ("kbang", "reception.sessions", "89", ""),
        ("kbang", "enterprises.total", "89", ""),
        ("kbang", "enterprises.with_union", "8", ""),
        ("kbang", "enterprises.strikes", "0", ""),
        ("kbang", "ntm.communes_certified", "4", "13"),
    ],
)
def test_seed_figures(seed_indicators, seed, code, expected, denominator):
    row = seed_indicators[seed][code]
    assert Decimal(row["value"]) == Decimal(expected)
    assert row["denominator"] == denominator


@pytest.mark.parametrize(
    ("seed", "code"),
    [
        ("trieuson", "context.poverty_rate"),  # "Tỷ lệ hộ nghèo giảm 2,18%" is a change, not a rate
        ("trieuson", "admin.dossiers_received"),  # the district reports no dossier counts
        ("bato", "reception.sessions"),  # "0 lượt/người": which of the two is unclear
        ("kbang", "inspection.count"),  # "kiểm tra" (checks) are not "thanh tra" (inspections)
    ],
)
def test_figures_a_careful_analyst_would_not_take(seed_indicators, seed, code):
    assert code not in seed_indicators[seed]


def test_every_quote_contains_its_number_as_written_and_lines_are_raw_lines():
    for path in SEEDS.values():
        lines = raw_lines(path)
        for row in extracted(path)["indicators"]:
            assert row["surface"] in row["quote"], row
            number = re.match(r"\d+(?:[.,]\d+)*", row["surface"]).group(0)
            assert number in lines[row["line"] - 1], row


def test_one_row_per_report_and_code():
    for path in SEEDS.values():
        codes = [row["indicator"] for row in extracted(path)["indicators"]]
        assert len(codes) == len(set(codes))


def test_units_follow_the_codebook():
    cb = codebook.load()
    for path in SEEDS.values():
        for row in extracted(path)["indicators"]:
            assert row["unit"] == cb.indicators[row["indicator"]].unit


def test_every_codebook_code_is_found_with_its_gold_value():
    """Each code the codebook declares is annotated in the gold files and extracted with the annotated
    value in at least one report; the gold files use no code the codebook does not declare."""
    import csv

    gold_codes, found = set(), set()
    for corpus in (DEV, HELDOUT, HELDOUT2):
        with open(corpus / "gold_indicators.csv", encoding="utf-8") as fh:
            gold = list(csv.DictReader(fh))
        gold_codes |= {row["indicator"] for row in gold}
        for row in gold:
            got = indicators_of(corpus / "raw" / f"{row['report_id']}.txt").get(row["indicator"])
            if got is not None and Decimal(got["value"]) == Decimal(row["value"]):
                found.add(row["indicator"])
    codes = set(codebook.load().indicators)
    assert gold_codes == codes
    assert found == codes, sorted(codes - found)


# Unseen phrasings, written from the codebook's cue phrases (codes the seeds do not exercise,
# and other localities' wording of those they do).
UNSEEN = [
    ("Trong quý I/2024, UBND phường đã tiếp 45 lượt công dân với 52 người, 40 vụ việc.",
     {"reception.sessions": "45"}),
    ("Bộ phận một cửa đã tiếp nhận 1.245 hồ sơ, trong đó 687 hồ sơ trực tuyến; 18 hồ sơ qua bưu chính công ích.",
     {"admin.dossiers_received": "1245", "admin.dossiers_received_online": "687", "admin.dossiers_received_postal": "18"}),
    ("Đã giải quyết 1.201 hồ sơ, trong đó trước hạn 950 hồ sơ, đúng hạn 240 hồ sơ, quá hạn 11 hồ sơ; đang giải quyết 44 hồ sơ.",
     {"admin.dossiers_resolved": "1201", "admin.dossiers_resolved_early": "950", "admin.dossiers_resolved_on_time": "240",
      "admin.dossiers_resolved_late": "11", "admin.dossiers_in_progress": "44"}),
    ("Trên địa bàn có 24 tổ hòa giải; các tổ đã tiến hành hòa giải 37 vụ việc, hòa giải thành 31 vụ, không thành 4 vụ, "
     "đang hòa giải 2 vụ.",
     {"mediation.teams": "24", "mediation.cases": "37", "mediation.successful": "31", "mediation.unsuccessful": "4",
      "mediation.pending": "2"}),
    ("Toàn huyện có 9 xã đạt chuẩn nông thôn mới nâng cao.", {"ntm.advanced_communes": "9"}),
    ("Năm 2022, có 3 xã đạt chuẩn nông thôn mới.", {"ntm.communes_certified_in_period": "3"}),
    ("Có 56 thôn đạt chuẩn NTM.", {"ntm.villages_certified": "56"}),
    ("Đến nay toàn huyện có 21 ban thanh tra nhân dân hoạt động.", {"democracy.people_inspection_boards": "21"}),
    ("Đã tổ chức 18 cuộc giám sát và 7 cuộc phản biện xã hội.",
     {"democracy.supervision_items": "18", "democracy.social_critique_items": "7"}),
    ("Thanh tra huyện đã triển khai 4 cuộc thanh tra tại 9 đơn vị, kiến nghị thu hồi 125 triệu đồng.",
     {"inspection.count": "4", "inspection.units": "9", "inspection.recovered": "125000000"}),
    ("Tổng số doanh nghiệp trên địa bàn: 120; doanh nghiệp có tổ chức đảng: 14; "
     "doanh nghiệp có tổ chức công đoàn: 43.",
     {"enterprises.total": "120", "enterprises.with_party_org": "14", "enterprises.with_union": "43"}),
    ("Xã có 6 đơn vị hành chính trực thuộc.", {}),
    ("Huyện có 15 đơn vị hành chính cấp xã.", {"context.admin_units": "15"}),
    ("Dân số 12.408 người; số hộ nghèo 215 hộ, tỷ lệ hộ nghèo còn 3,12%.",
     {"context.population": "12408", "context.poor_households": "215", "context.poverty_rate": "3.12"}),
    ("Nhân dân đóng góp 2,3 tỷ đồng xây dựng đường giao thông nông thôn.", {"democracy.people_contribution": "2300000000"}),
    # the total of a province's receptions, named by "là" far after its cue; its parts are not it
    ("Số lượt tiếp công dân của lãnh đạo UBND tỉnh, các Sở, ngành và UBND các huyện trong quý III/2023 là 52 lượt "
     "với 70 người. Trong đó: Chủ tịch UBND tỉnh tiếp 02 lượt với 9 người; lãnh đạo các Sở, Ban, ngành: đã tiếp "
     "05 lượt với 05 người.",
     {"reception.sessions": "52", "reception.persons": "70"}),
    ("Các cơ quan đã thực hiện 18 lượt tiếp công dân (12 lượt định kỳ và 06 lượt đột xuất) với 25 người.",
     {"reception.sessions": "18", "reception.persons": "25"}),
    # before a merger is another period; after it, the report's own
    ("Trước khi sáp nhập, xã Tân Lập có diện tích 15,2 km2, dân số là 3.100 người. Sau khi sáp nhập, xã có "
     "diện tích 31,4 km2, dân số là 6.020 người.",
     {"context.area": "31.4", "context.population": "6020"}),
    # "chưa được giải quyết" is pending, not resolved
    ("Số đơn chưa được giải quyết 3 đơn.", {"petitions.pending": "3"}),
]


@pytest.mark.parametrize(("text", "expected"), UNSEEN)
def test_unseen_phrasings(text, expected):
    rows = {r["indicator"]: r["value"] for r in extract_text("t", text)["indicators"]}
    for code, val in expected.items():
        assert Decimal(rows.get(code, "-1")) == Decimal(val), (code, rows)


@pytest.mark.parametrize(
    "text",
    [
        "Phấn đấu năm 2024 giải quyết 98% đơn thư; chỉ tiêu giao 30 mô hình “Dân vận khéo”.",  # targets
        "Nhân dân đóng góp trên 2,3 tỷ đồng xây dựng đường giao thông nông thôn.",  # approximate
        "Có 30/34 xã đạt chuẩn về vệ sinh an toàn thực phẩm.",  # not new-rural certification
        "Giải quyết việc làm cho 3.530 lao động; cách ly y tế 8.998 người.",  # other topics
        "Tỷ lệ hộ nghèo giảm 2,18%, đạt kế hoạch.",  # a change, not a rate
        "Tổng số hộ toàn tỉnh tăng 137 hộ so với đầu năm; các đoàn thể đã xóa 40 hộ nghèo.",  # changes, not levels
        "Phấn đấu đến cuối năm 2025, toàn huyện có 18/20 xã đạt chuẩn nông thôn mới.",  # a target, cue 30+ chars before
        # sub-units of the report's unit
        "Trong đó UBND huyện đã tiếp 12 lượt công dân.",
        "Chủ tịch UBND tỉnh tiếp 02 lượt với 9 người.",
        "Tiếp định kỳ và đột xuất của lãnh đạo các Sở, Ban, ngành: Đã tiếp 01 lượt với 01 người.",
        "Đã có 2 đơn vị hoàn thành nhiệm vụ là huyện Hòa Lạc (12/12 xã đạt chuẩn nông thôn mới) và thị xã An Phú "
        "(6/6 xã đạt chuẩn nông thôn mới).",
        "Trước khi sáp nhập, xã Tân Lập có diện tích 15,2 km2, dân số là 3.100 người.",  # another period
    ],
)
def test_traps_give_no_indicator(text):
    assert extract_text("t", text)["indicators"] == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a figure under mediation is not a petition's, pending or resolved
        ("Các tổ hòa giải đã nhận 07 đơn, hòa giải thành 04 đơn, còn 01 đơn đang giải quyết.", "petitions.pending"),
        # petitions outside the unit's competence are not resolved ones
        ("Đơn không thuộc thẩm quyền giải quyết 12 đơn, đã hướng dẫn công dân.", "petitions.resolved"),
        ("Đã giải quyết 20 đơn không thuộc thẩm quyền bằng hình thức hướng dẫn.", "petitions.resolved"),
        ("Số đơn chưa được giải quyết 3 đơn.", "petitions.resolved"),
        ("Số đơn chưa được giải quyết 3 đơn.", "petitions.received"),
        # a cumulative count is another period
        ("Lũy kế từ đầu năm đã tiếp nhận 210 đơn.", "petitions.received"),
    ],
)
def test_figures_of_another_topic_are_not_the_code(text, code):
    assert code not in {r["indicator"] for r in extract_text("t", text)["indicators"]}


def test_plan_sections_are_not_results():
    text = "## IV. Phương hướng, nhiệm vụ năm 2024\n\nTiếp nhận và giải quyết 500 hồ sơ đúng hạn; xây dựng 20 mô hình."
    assert extract_text("t", text)["indicators"] == []


HELDOUT2 = FIXTURES / "heldout2"


@pytest.mark.parametrize(
    ("corpus", "min_precision", "min_recall"),
    [
        # corpora the rules were developed on: regressions show here first
        (DEV, 1.0, 1.0),
        # spent: held out until its first score (P 0.912, R 0.669), then tuned on
        (HELDOUT, 0.98, 0.95),
        # hand-written, never tuned on
        (HELDOUT2, 0.94, 0.70),
        # real portal text (issue 17): the development part, read while changing rules
        (FIXTURES / "real-dev", 0.95, 0.69),
        # real portal text, sealed: scored, never read; a floor at its first measured score
        (FIXTURES / "real-sealed", 0.90, 0.64),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else str(v),
)
def test_gold_scores(corpus, min_precision, min_recall):
    """Score against hand-made gold (values and denominators) over every produced row."""
    result = score(corpus)
    p, r = precision_recall(result["total"])
    print(corpus.name, result["total"], f"P={p:.3f} R={r:.3f}")
    shown = "details withheld: the corpus is sealed" if is_sealed(corpus) else result["details"]
    assert p >= min_precision and r >= min_recall, shown


def test_docs_codebook_is_generated_from_the_codebook():
    from .conftest import ROOT

    assert (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8") == codebook.markdown(), (
        "docs/codebook.md is stale: run `make docs`")


def test_rates_the_briefs_compute_come_from_the_codebook_declarations():
    from decimal import Decimal

    from grassroots.brief.model import Corpus
    from grassroots.brief.narrative import KEY_FINDINGS

    from .conftest import ROOT

    corpus = Corpus(ROOT / "data" / "processed")
    reports = {r.id: r for r in corpus.reports}
    by_key = {d.key: d for d in codebook.load().derived}
    assert {kf.when for kf in KEY_FINDINGS} <= set(by_key) | set(codebook.load().indicators)
    # Bá Thước: 473 dossiers early + 0 on time of 520 resolved; Kbang: 146 of 158 mediations
    assert corpus.derived(reports["bato_2023h1_dvcq"], by_key["admin.rate_timely"]) == Decimal(473) / 520 * 100
    assert corpus.derived(reports["kbang_2020_qcdc"], by_key["mediation.rate_success"]) == Decimal(146) / 158 * 100
    assert corpus.derived(reports["trieuson_2020_dvcq"], by_key["admin.rate_timely"]) is None  # not reported
    per10k = by_key["mediation.cases.per10k"]
    assert per10k.per10k and per10k.theme == "mediation" and per10k.den == ("context.population",)


@pytest.mark.parametrize("entry, message", [
    ({"key": "admin.rate_x", "numerator": ["admin.nope"], "denominator": ["admin.dossiers_resolved"],
      "title_vi": "a", "title_en": "a", "formula_vi": "a", "formula_en": "a"}, "unknown code admin.nope"),
    ({"key": "admin.rate_x", "numerator": ["admin.dossiers_resolved"]}, "missing"),
    ({"key": "admin.dossiers_resolved", "numerator": ["admin.dossiers_resolved"], "denominator": ["admin.dossiers_resolved"],
      "title_vi": "a", "title_en": "a", "formula_vi": "a", "formula_en": "a"}, "new <theme>.<name>"),
])
def test_a_bad_derived_rate_is_a_codebook_error(tmp_path, entry, message):
    import shutil

    import yaml

    from grassroots.paths import CODEBOOK_FILE

    data = yaml.safe_load(CODEBOOK_FILE.read_text(encoding="utf-8"))
    data["derived"] = [entry]
    path = tmp_path / "codebook.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copytree(CODEBOOK_FILE.parent / "schemas", tmp_path / "schemas")  # checked against its schema
    with pytest.raises(codebook.CodebookError, match=message):
        codebook.load(str(path))


# --- the word lists in rules/lexicon.yml ---------------------------------------------------------

@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    yield from copied_rules(tmp_path, monkeypatch)


def _add_words(rules_dir, key, field, words):
    edit(rules_dir / "lexicon.yml", lambda data: data[key][field].extend(words))


def test_a_plan_cue_added_to_the_lexicon_drops_the_figure(rules_copy):
    text = "Dự kiến tiếp nhận 552 hồ sơ."
    rows = extract_text("t", text)["indicators"]
    assert [(r["indicator"], r["value"]) for r in rows] == [("admin.dossiers_received", "552")]
    _add_words(rules_copy, "plan_cues", "before_figure", ["dự kiến"])
    assert extract_text("t", text)["indicators"] == []


def test_a_plan_heading_word_added_to_the_lexicon_makes_a_plan_section(rules_copy):
    text = "## III. Định hướng năm 2024\n\nTiếp nhận 552 hồ sơ."
    assert [r["value"] for r in extract_text("t", text)["indicators"]] == ["552"]
    _add_words(rules_copy, "plan_cues", "headings", ["định hướng"])
    assert extract_text("t", text)["indicators"] == []


def test_a_wrong_lexicon_entry_names_its_place(rules_copy):
    from grassroots import ruleset

    _add_words(rules_copy, "plan_cues", "before_figure", [{"regex": "x"}])
    with pytest.raises(ruleset.RulesError, match=r"lexicon.yml: plan_cues.before_figure\[6\]"):
        extract_text("t", "Tiếp nhận 552 hồ sơ.")
