"""Validation: suites built from the codebook and the table declarations, GX over the processed
tables, findings."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from grassroots import codebook as codebook_mod
from grassroots.tables import COLUMNS, TABLES
from grassroots.validate import ValidationFailed, main, validate_corpus
from grassroots.validate.findings import num, plain_num
from grassroots.validate.relations import (
    evaluate_relation,
    printed_decimals,
    sum_readings,
    wide_indicators,
)
from grassroots.validate.suites import build_suites

from .conftest import FIXTURES, RAW

CLEAN = FIXTURES / "clean_corpus" / "raw"

# The arithmetic inconsistencies of the seed corpus, and nothing else.
SEED_FINDINGS = {
    ("bato_2023h1_dvcq", "admin.received_by_channel", "error", "523", "552"),
    ("bato_2023h1_dvcq", "admin.received_vs_processed", "error", "522", "552"),
    ("kbang_2020_qcdc", "context.poverty_rate", "warning", "5.28", "5.27"),
    # 16/17 (resolved + pending) = 94.12% is the nearest reading: a warning, not an error
    ("kbang_2020_qcdc", "petitions.resolution_rate", "warning", "94.12", "94.11"),
    ("trieuson_2020_dvcq", "reception.resolution_rate", "warning", "98.4", "99"),
}


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def extract(raw: Path, work: Path) -> Path:
    from grassroots.pipeline.stage_functions import extract as extract_corpus

    summary = extract_corpus(raw, work / "interim", work / "processed", workers=1)
    assert not summary.errors
    return work / "processed"


@pytest.fixture(scope="module")
def seed_tables(tmp_path_factory) -> Path:
    """The seeds' processed tables, extracted afresh (data/processed may be stale)."""
    return extract(RAW, tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def seed_run(seed_tables, tmp_path_factory):
    """One validation of the seeds, run from an empty working directory (GX must write nothing)."""
    cwd = tmp_path_factory.mktemp("cwd")
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = validate_corpus(seed_tables)
    finally:
        os.chdir(before)
    result.cwd_after = sorted(p.name for p in cwd.iterdir())
    return result


# ------------------------------------------------------------------------------- suites (fast)

def test_suites_check_every_declared_column_key_and_type():
    suites = build_suites()
    for name, table in TABLES.items():
        if name not in suites:
            continue  # findings, validation_summary, corrections: written by code, not validated
        exps = suites[name]["expectations"]
        assert exps[0]["type"] == "expect_table_columns_to_match_ordered_list"
        assert exps[0]["kwargs"]["column_list"] == table.columns
        keys = [e for e in exps if e["meta"]["check"] == f"{name}.key"]
        assert [e["kwargs"]["column"] for e in keys[:-1]] == table.key if table.key else keys == []
        typed = {e["kwargs"]["column"]: (e["meta"]["label"], e["kwargs"]["regex"]) for e in exps
                 if e["type"] == "expect_column_values_to_match_regex" and "row_condition" not in e["kwargs"]}
        assert typed == {c: (t.name, t.pattern) for c, t in table.types.items()}
    assert [e["kwargs"]["column_list"] for e in suites["indicators"]["expectations"]
            if e["type"] == "expect_compound_columns_to_be_unique"] == [["report_id", "indicator"]]


def test_the_command_line_has_no_suites_to_regenerate(capsys):
    assert main(["--help"]) == 0
    assert "PROCESSED_DIR" in capsys.readouterr().out


def test_suites_declare_every_codebook_unit_range_and_relation():
    cb = codebook_mod.load()
    suites = build_suites(cb)
    units = [e for e in suites["indicators"]["expectations"] if e["meta"]["check"] == "indicators.unit"]
    covered = {c: e["kwargs"]["value_set"] for e in units for c in e["kwargs"]["row_condition"]["parameter"]}
    assert covered == {code: [ind.unit] for code, ind in cb.indicators.items()}
    ranges = [e for e in suites["indicator_values"]["expectations"] if e["meta"]["check"] == "indicators.range"]
    percent = next(e for e in ranges if "context.poverty_rate" in e["kwargs"]["row_condition"]["parameter"])
    assert (percent["kwargs"]["min_value"], percent["kwargs"]["max_value"]) == (0, 100)
    checks = {e["meta"]["check"] for e in suites["relations"]["expectations"]}
    assert checks == {r["id"] for r in cb.relations}


# ---------------------------------------------------------------------- relation logic (fast)

def wide(rows: list[tuple]) -> object:
    frame = pd.DataFrame(rows, columns=["report_id", "indicator", "value", "denominator", "surface", "line"])
    frame = frame.astype(object).where(frame.notna(), None)
    frame["parse_rule"] = "strict"
    return wide_indicators(frame, [], list(codebook_mod.load().indicators))


def relation(rel_id: str) -> dict:
    rel = next(r for r in codebook_mod.load().relations if r["id"] == rel_id)
    return {k: v for k, v in rel.items() if k not in ("id", "note")}


def test_sum_readings_try_optional_parts_in_and_out():
    spec = relation("admin.received_by_channel")
    assert [len(r) for r in sum_readings(spec)] == [4, 3, 3, 2]
    w = wide([("r", "admin.dossiers_received", "521", None, "521 hồ sơ", "1"),
              ("r", "admin.dossiers_received_online", "113", None, "113 hồ sơ", "1"),
              ("r", "admin.dossiers_received_direct", "407", None, "407 hồ sơ", "1"),
              ("r", "admin.dossiers_received_postal", "1", None, "1 hồ sơ", "1"),
              ("r", "admin.dossiers_carried_over", "1", None, "1 hồ sơ", "1")])
    calc = evaluate_relation("admin.received_by_channel", spec, w)
    assert calc.columns["sum:admin.received_by_channel"]["r"] == 0  # the reading without carried over fits


def test_require_parts_skip_the_check():
    w = wide([("r", "admin.dossiers_received", "552", None, "552", "1"),
              ("r", "admin.dossiers_received_online", "113", None, "113", "1")])
    calc = evaluate_relation("admin.received_by_channel", relation("admin.received_by_channel"), w)
    assert pd.isna(calc.columns["sum:admin.received_by_channel"]["r"])


def test_rate_tolerance_follows_the_printed_precision():
    assert printed_decimals("94,11%", "94.11", "strict") == 2
    assert printed_decimals("97%", "97", "strict") == 0
    assert printed_decimals("73.3%", "73.3", "point-decimal") == 1
    assert printed_decimals(None, "5.27", "strict") == 2

    def excess(rate: str, surface: str, resolved: str, cases: str) -> float:
        w = wide([("r", "reception.resolution_rate_reported", rate, None, surface, "1"),
                  ("r", "reception.cases_resolved", resolved, None, resolved, "1"),
                  ("r", "reception.cases", cases, None, cases, "1")])
        calc = evaluate_relation("reception.resolution_rate", relation("reception.resolution_rate"), w)
        return calc.columns["rate:reception.resolution_rate"]["r"]

    assert excess("97", "97%", "143", "147") <= 0       # 97.28% printed as 97%
    assert excess("99", "99%", "126", "128") > 0        # 98.44% is not 99%
    assert excess("98.4", "98,4%", "126", "128") <= 0
    assert excess("98.5", "98,5%", "197", "200") <= 0   # exactly on the printed value


def test_numbers_without_float_noise():
    assert plain_num(0.1 + 0.2) == "0.3"
    assert plain_num(98.4375, 1) == "98.4"
    assert plain_num(40.0, 1) == "40"
    assert num("17775", "vi") == "17.775" and num("17775", "en") == "17,775"
    assert num("5.2827", "vi", 2) == "5,28"


# --------------------------------------------------------------------------- GX on the seeds

def test_seed_findings_are_exactly_the_arithmetic_inconsistencies(seed_run, seed_tables):
    findings = read(seed_tables / "findings.csv")
    assert list(findings.columns) == COLUMNS["findings"]
    got = {(f.report_id, f.check, f.severity, f.expected, f.observed) for f in findings.itertuples()}
    assert got == SEED_FINDINGS
    assert seed_run.n_failed == 5
    assert len(seed_run.findings) == 5


def test_seed_messages_name_the_figures_the_gap_and_the_lines(seed_tables):
    f = read(seed_tables / "findings.csv").set_index("check")
    received = f.loc["admin.received_by_channel"]
    assert received["message_vi"].startswith("Tổng số hồ sơ tiếp nhận (552, dòng 33) khác tổng hồ sơ tiếp nhận "
                                             "trực tuyến (113) + hồ sơ tiếp nhận trực tiếp (408)")
    assert "= 523: chênh 29" in received["message_vi"] and "không tính hồ sơ kỳ trước chuyển sang = 522" in received["message_vi"]
    assert "= 523: difference 29" in received["message_en"] and received["lines"] == "33"
    assert received["indicators"].split(";")[0] == "admin.dossiers_received"
    petitions = f.loc["petitions.resolution_rate"]
    for text in ("94.11% (line 143)", "the numerator's own denominator (X/Y): not reported",
                 "petitions eligible: not reported", "petitions received: 16/40 = 40% (off by 54.11 points)",
                 "petitions resolved + petitions pending: 16/17 = 94.12% (off by 0.01 points)"):
        assert text in petitions["message_en"]
    assert "16/40 = 40%" in petitions["message_vi"] and "94,11%" in petitions["message_vi"]
    assert "126/128 = 98,4%" in f.loc["reception.resolution_rate"]["message_vi"]
    assert f.loc["reception.resolution_rate"]["lines"] == "45;47"
    assert "939/17.775 = 5,28%" in f.loc["context.poverty_rate"]["message_vi"]


def test_a_codebook_edit_changes_what_validation_checks(seed_tables, tmp_path):
    """The suites are built at run time: a tolerance added to a relation in the codebook is applied."""
    cb = codebook_mod.load()
    relations = tuple(dict(r, tolerance=29) if r["id"] == "admin.received_by_channel" else r for r in cb.relations)
    work = tmp_path / "p"
    shutil.copytree(seed_tables, work)
    result = validate_corpus(work, codebook=dataclasses.replace(cb, relations=relations), write=False)
    got = {(f.report_id, f.check) for f in result.findings.itertuples()}
    assert got == {(rid, check) for rid, check, *_ in SEED_FINDINGS} - {("bato_2023h1_dvcq", "admin.received_by_channel")}
    ran = next(s for s in result.summary if s["check"] == "admin.received_by_channel")
    assert ran["success"] and ran["checked"] >= 1


def test_things_that_add_up_are_not_flagged(seed_run):
    ran = {(s["suite"], s["check"]): s for s in seed_run.summary}
    for check in ("models.by_kind", "models.by_field", "petitions.eligibility", "mediation.outcomes",
                  "admin.resolved_by_timeliness"):
        assert ran[("relations", check)]["success"] and ran[("relations", check)]["checked"] >= 1, check
    flagged = {(f.report_id, f.check) for f in seed_run.findings.itertuples()}
    assert ("trieuson_2020_dvcq", "petitions.resolution_rate") not in flagged  # 143/147 = 97.28% ~ 97%


def test_nothing_lands_in_the_working_directory(seed_run, seed_tables):
    assert seed_run.cwd_after == []
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
    assert sorted(p.name for p in seed_tables.iterdir()) == sorted(
        [f"{t}.csv" for t in ("reports", "mentions", "indicators", "citations", "models", "errors", "corrections")]
        + ["findings.csv", "validation_summary.csv"])


def test_strict_fails_with_a_summary_after_writing(seed_run, seed_tables):
    with pytest.raises(ValidationFailed) as info:
        seed_run.raise_if_failed(True)
    assert str(info.value).startswith("STRICT: 5 expectation(s) failed (relations/admin.received_by_channel, ")
    assert "[error] bato_2023h1_dvcq: admin.received_by_channel: Dossiers received (552, line 33)" in str(info.value)
    seed_run.raise_if_failed(False)
    assert (seed_tables / "findings.csv").exists() and (seed_tables / "validation_summary.csv").exists()


@pytest.mark.slow
def test_summary_and_findings_are_deterministic(seed_tables, seed_run, tmp_path):
    work = tmp_path / "p"
    shutil.copytree(seed_tables, work)
    validate_corpus(work)
    for name in ("findings.csv", "validation_summary.csv"):
        assert (work / name).read_bytes() == (seed_tables / name).read_bytes()
    summary = read(work / "validation_summary.csv")
    assert list(summary.columns) == COLUMNS["validation_summary"]
    assert len(summary) == len(seed_run.summary) and (summary["success"] == "False").sum() == 5


@pytest.mark.slow
def test_table_level_expectations(seed_tables, tmp_path):
    work = tmp_path / "p"
    shutil.copytree(seed_tables, work)
    ind = read(work / "indicators.csv")

    def set_cell(rid, code, column, value):
        ind.loc[(ind.report_id == rid) & (ind.indicator == code), column] = value

    set_cell("bato_2023h1_dvcq", "admin.dossiers_received_online", "unit", "đơn")
    set_cell("trieuson_2020_dvcq", "reception.sessions", "value", "-3")
    set_cell("kbang_2020_qcdc", "enterprises.total", "value", "89.5")
    set_cell("kbang_2020_qcdc", "democracy.staff_conference_rate", "value", "120")
    set_cell("trieuson_2020_dvcq", "ntm.communes_certified", "denominator", "20")
    extra = ind[ind.indicator == "context.area"].head(1)
    ghost = extra.assign(report_id="ghost")
    unknown = extra.assign(indicator="context.nonsense")
    pd.concat([ind, extra, ghost, unknown]).to_csv(work / "indicators.csv", index=False)
    reports = read(work / "reports.csv")
    reports.loc[reports.report_id == "kbang_2020_qcdc", "locality"] = ""
    reports.loc[reports.report_id == "trieuson_2020_dvcq", "admin_level"] = "huyện"
    reports.loc[reports.report_id == "bato_2023h1_dvcq", "period_end"] = "2022-06-30"
    reports.to_csv(work / "reports.csv", index=False)
    mentions = read(work / "mentions.csv")
    mentions[list(reversed(mentions.columns))].to_csv(work / "mentions.csv", index=False)
    (work / "citations.csv").unlink()

    result = validate_corpus(work)
    got = {(f.report_id, f.check, f.indicators) for f in result.findings.itertuples()}
    expected = {
        ("bato_2023h1_dvcq", "indicators.unit", "admin.dossiers_received_online"),
        ("trieuson_2020_dvcq", "indicators.range", "reception.sessions"),
        ("trieuson_2020_dvcq", "indicators.integer", "reception.sessions"),
        ("kbang_2020_qcdc", "indicators.integer", "enterprises.total"),
        ("kbang_2020_qcdc", "indicators.range", "democracy.staff_conference_rate"),
        ("trieuson_2020_dvcq", "indicators.denominator", "ntm.communes_certified"),
        ("ghost", "report_id.unknown", ""),
        ("kbang_2020_qcdc", "indicators.code", "context.nonsense"),
        ("kbang_2020_qcdc", "metadata.locality", ""),
        ("trieuson_2020_dvcq", "metadata.admin_level", ""),
        ("bato_2023h1_dvcq", "metadata.period", ""),
        ("", "mentions.schema", ""),
        ("", "citations.table", ""),
    }
    assert expected <= got, expected - got
    dup = result.findings[result.findings.check == "indicators.key"]
    assert len(dup) == 1 and "occurs 2 times" in dup.iloc[0]["message_en"]
    f = result.findings.set_index(["report_id", "check", "indicators"])
    unit = f.loc[("bato_2023h1_dvcq", "indicators.unit", "admin.dossiers_received_online")]
    assert unit["message_en"] == ("Dossiers received online (113, line 33) has unit 'đơn'; "
                                  "the codebook's unit is 'hồ sơ'.")
    rate = f.loc[("kbang_2020_qcdc", "indicators.range", "democracy.staff_conference_rate")]
    assert (rate["expected"], rate["observed"]) == ("0..100", "120")
    assert f.loc[("kbang_2020_qcdc", "metadata.locality", "")]["severity"] == "warning"
    # the arithmetic findings are still there
    assert {("bato_2023h1_dvcq", "admin.received_by_channel")} <= {(r, c) for r, c, _ in got}


@pytest.mark.slow
def test_a_sum_of_codes_as_rate_denominator(seed_tables, tmp_path):
    """A denominators entry "a+b" (here: petitions in remit = resolved + pending) is one more reading."""
    cb = codebook_mod.load()
    relations = tuple(
        dict(r, denominators=[*r["denominators"], "petitions.resolved+petitions.pending"])
        if r["id"] == "petitions.resolution_rate" else r for r in cb.relations)
    work = tmp_path / "p"
    shutil.copytree(seed_tables, work)
    result = validate_corpus(work, codebook=dataclasses.replace(cb, relations=relations))
    f = result.findings.set_index(["report_id", "check"]).loc[("kbang_2020_qcdc", "petitions.resolution_rate")]
    # 16/17 = 94.1176%: printed 94.11 is truncated, not rounded, so still outside ±0.005, but near
    assert f["severity"] == "warning" and f["expected"] == "94.12"
    assert "petitions resolved + petitions pending: 16/17 = 94.12% (off by 0.01 points)" in f["message_en"]
    assert "truncated instead of rounding" in f["message_en"]
    assert "petitions.pending" in f["indicators"].split(";")


# ---------------------------------------------------------------------- the clean fixture corpus

def test_clean_corpus_passes_strict(tmp_path):
    processed = extract(CLEAN, tmp_path)
    indicators = read(processed / "indicators.csv")
    assert len(indicators) >= 50  # the extractor finds the figures the fixture states
    result = validate_corpus(processed, strict=True)
    assert result.n_failed == 0 and result.findings.empty
    checked = {s["check"]: s["checked"] for s in result.summary if s["suite"] == "relations"}
    for check in ("admin.received_by_channel", "admin.resolved_by_timeliness", "admin.received_vs_processed",
                  "mediation.outcomes", "models.by_kind", "models.by_field", "petitions.eligibility",
                  "reception.resolution_rate", "petitions.resolution_rate", "context.poverty_rate"):
        assert checked[check] >= 1, check


def test_an_altered_figure_fails_strict_naming_it(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CLEAN, raw)
    path = raw / "hoaphong_2022_dvcq.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count("hòa giải thành 15 vụ") == 1
    path.write_text(text.replace("hòa giải thành 15 vụ", "hòa giải thành 13 vụ"), encoding="utf-8")
    processed = extract(raw, tmp_path)
    with pytest.raises(ValidationFailed) as info:
        validate_corpus(processed, strict=True)
    message = str(info.value)
    assert "relations/mediation.outcomes" in message
    assert "Mediation cases (18, line 32) differs from the sum of mediation successful (13)" in message
    assert "difference 2" in message
    findings = read(processed / "findings.csv")
    assert list(findings[["report_id", "check"]].itertuples(index=False, name=None)) == [
        ("hoaphong_2022_dvcq", "mediation.outcomes")]
    assert "Hòa giải thành (13" in findings.iloc[0]["message_vi"] or "hòa giải thành (13" in findings.iloc[0]["message_vi"]


# ------------------------------------------------------------------------------------ slow

def replicate(src: Path, dst: Path, factor: int) -> None:
    """The seed tables duplicated factor times under new report ids."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("reports", "mentions", "indicators", "citations", "models", "errors"):
        frame = read(src / f"{name}.csv")
        copies = [frame.assign(report_id=frame["report_id"] + f"__{i:04d}") for i in range(factor)]
        pd.concat(copies, ignore_index=True).sort_values("report_id", kind="stable").to_csv(
            dst / f"{name}.csv", index=False, lineterminator="\n")


@pytest.mark.slow
def test_a_corpus_1000_times_larger(seed_tables, seed_run, tmp_path):
    replicate(seed_tables, tmp_path / "big", 1000)
    t0 = time.perf_counter()
    result = validate_corpus(tmp_path / "big")
    seconds = time.perf_counter() - t0
    print(f"\nvalidation: seeds {seed_run.seconds:.2f} s (first run, includes the GX import), 1000x {seconds:.2f} s")
    counts = result.findings.groupby("check").size().to_dict()
    assert counts == {check: 1000 for _, check, *_ in SEED_FINDINGS}
    assert seconds < 60


@pytest.mark.slow
def test_make_validate_strict_on_the_clean_corpus(tmp_path):
    import subprocess

    from .conftest import ROOT

    dirs = [f"RAW_DIR={CLEAN}", f"INTERIM_DIR={tmp_path / 'i'}", f"PROCESSED_DIR={tmp_path / 'p'}",
            f"REPORTS_DIR={tmp_path / 'r'}"]
    ok = subprocess.run(["make", "validate", "STRICT=1", *dirs], cwd=ROOT, capture_output=True, text=True,
                        timeout=600)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert read(tmp_path / "p" / "findings.csv").empty
    assert (tmp_path / "r" / "runs" / "30-validate.ipynb").exists()
    assert not (ROOT / "gx").exists() and not (ROOT / "notebooks" / "gx").exists()


@pytest.mark.slow
def test_empty_and_missing_tables(tmp_path):
    """Header-only tables (every report refused) validate cleanly; a missing or empty file is a finding."""
    for name in ("reports", "mentions", "indicators", "citations", "models", "errors"):
        (tmp_path / f"{name}.csv").write_text(",".join(COLUMNS[name]) + "\n", encoding="utf-8")
    result = validate_corpus(tmp_path, strict=True)
    assert result.findings.empty and result.n_failed == 0
    (tmp_path / "models.csv").write_text("", encoding="utf-8")  # not even a header
    (tmp_path / "indicators.csv").unlink()
    result = validate_corpus(tmp_path)
    checks = set(result.findings["check"])
    assert {"models.schema", "indicators.table", "indicator_values.table", "relations.table"} <= checks
