"""Bad raw files: each gets a clear one-line error naming it; the rest of the corpus goes on.

Fixtures are generated here (no committed binaries).
"""

import csv
import os
import shutil
import unicodedata

import pytest

from grassroots.pipeline import rawio
from grassroots.pipeline.stage_functions import extract

from .conftest import RAW, SEEDS
from .test_clean import to_cp1258

SCRIPT_REPORT = (
    "UBND xã Hòa Bình\n\nBÁO CÁO\n\nKết quả công tác dân vận năm 2022\n\n"
    "Trong năm, UBND xã đã tiếp 12 lượt công dân <script>alert('x')</script> và <b>giải quyết</b> "
    "đúng hạn.\n"
)


def build_bad_corpus(d):
    d.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.values():
        shutil.copy(path, d / path.name)
        shutil.copy(path.with_suffix(".yml"), d / path.with_suffix(".yml").name)
    kbang = SEEDS["kbang"].read_text(encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "legacy cp1258.txt").write_bytes(to_cp1258(kbang))
    (d / "utf16.txt").write_bytes(kbang.encode("utf-16"))
    (d / "decomposed nfd.txt").write_text(unicodedata.normalize("NFD", kbang), encoding="utf-8")
    chunk = ("Dòng văn bản lặp lại 123 lượt. " * 40 + "\n").encode()
    (d / "huge.txt").write_bytes(chunk * (20 * 2**20 // len(chunk)))  # 20 MB
    (d / "no metadata.txt").write_text("Đã tiếp 12 lượt công dân.\n", encoding="utf-8")
    (d / "script <tag>.txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    (d / "quote's; semi $(touch PWNED).txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    (d / "báo cáo xã Đông.txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    (d / "bad sidecar.txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    (d / "bad sidecar.yml").write_text("title: [unclosed\nissuer: : :\n", encoding="utf-8")
    return d


def read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    raw = build_bad_corpus(base / "raw")
    summary = extract(raw, base / "interim", base / "processed", workers=2)
    return base, summary


def test_each_bad_file_has_one_clear_error(bad_run):
    base, _ = bad_run
    errors = {row["report_id"]: row for row in read(base / "processed" / "errors.csv")}
    assert set(errors) == {"empty", "binary", "huge", "bad sidecar"}
    assert errors["empty"]["error"] == "empty.txt: file is empty (no text to process)"
    assert errors["binary"]["error"].startswith("binary.txt: contains NUL bytes")
    assert errors["huge"]["error"].startswith("huge.txt: file is 20 MB, over the 10 MB limit")
    assert errors["bad sidecar"]["error"].startswith("bad sidecar.yml: sidecar is not valid YAML")
    for row in errors.values():
        assert "\n" not in row["error"]


def test_the_rest_of_the_corpus_is_processed(bad_run):
    base, summary = bad_run
    indicators = read(base / "processed" / "indicators.csv")
    by = {(r["report_id"], r["indicator"]): r["value"] for r in indicators}
    for rid in ("kbang_2020_qcdc", "legacy cp1258", "utf16", "decomposed nfd"):
        assert by[(rid, "context.population")] == "60208", rid
    # decomposed (NFD) text gives the same figures as composed text
    kb = {k[1]: v for k, v in by.items() if k[0] == "kbang_2020_qcdc"}
    nfd = {k[1]: v for k, v in by.items() if k[0] == "decomposed nfd"}
    assert kb == nfd
    assert by[("no metadata", "reception.sessions")] == "12"
    assert by[("quote's; semi $(touch PWNED)", "reception.sessions")] == "12"
    assert summary.extracted == len(rawio.list_raw(base / "raw")) - 4


def test_report_text_with_tags_is_kept_as_text_in_tables(bad_run):
    base, _ = bad_run
    mentions = [r for r in read(base / "processed" / "mentions.csv") if r["report_id"] == "script <tag>"]
    assert any("<script>alert('x')</script>" in r["sentence"] for r in mentions)


def test_names_with_shell_characters_run_nothing(bad_run):
    base, _ = bad_run
    assert not (base / "raw" / "PWNED").exists() and not os.path.exists("PWNED")


def test_refused_files_have_no_corrections_and_the_others_do(bad_run):
    base, _ = bad_run
    corrected = {row["report_id"] for row in read(base / "processed" / "corrections.csv")}
    assert not corrected & {"empty", "binary", "huge", "bad sidecar"}
    assert {"legacy cp1258", "decomposed nfd", "script <tag>"} <= corrected


def test_a_file_changed_after_the_manifest_is_refused(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "bato_2023h1_dvcq.txt").write_text("edited", encoding="utf-8")
    extract(raw, tmp_path / "i", tmp_path / "p", workers=1)
    errors = read(tmp_path / "p" / "errors.csv")
    assert [(e["report_id"], e["stage"]) for e in errors] == [("bato_2023h1_dvcq", "manifest")]


@pytest.mark.slow
def test_make_all_on_a_corpus_with_every_bad_file(tmp_path):
    """Issue: the seeds' briefs are complete, each bad file has its error row, the brief shows a
    script tag only as text, and STRICT=1 exits non-zero on the same corpus."""
    import subprocess

    from .conftest import ROOT

    raw = build_bad_corpus(tmp_path / "raw")
    dirs = [f"RAW_DIR={raw}", f"INTERIM_DIR={tmp_path / 'i'}", f"PROCESSED_DIR={tmp_path / 'p'}",
            f"REPORTS_DIR={tmp_path / 'r'}"]
    proc = subprocess.run(["make", "all", *dirs], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    errors = {row["report_id"] for row in read(tmp_path / "p" / "errors.csv")}
    assert errors == {"empty", "binary", "huge", "bad sidecar"}
    for lang in ("vi", "en"):
        html = (tmp_path / "r" / "briefs" / f"brief-{lang}.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html and "&lt;script&gt;" in html
        for rid in ("kbang_2020_qcdc", "trieuson_2020_dvcq", "bato_2023h1_dvcq"):
            assert rid in html
        assert "empty.txt" in html and "huge.txt" in html  # refused files are named in the brief
    strict = subprocess.run(["make", "all", "STRICT=1", *dirs], cwd=ROOT, capture_output=True, text=True,
                            timeout=900)
    assert strict.returncode != 0
    assert "empty.txt: file is empty" in strict.stderr
