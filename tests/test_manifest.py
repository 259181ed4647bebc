"""The raw-data manifest: analysts must never edit raw files."""

import shutil
import subprocess
import sys

import pytest

from grassroots.pipeline import rawio

from .conftest import RAW, ROOT


@pytest.fixture
def raw_copy(tmp_path):
    d = tmp_path / "raw"
    shutil.copytree(RAW, d)
    return d


def test_committed_manifest_matches_data_raw():
    assert rawio.check_manifest(RAW) == []
    assert rawio.changed_since_manifest(RAW) == {}


def test_a_changed_raw_file_is_refused_with_its_name(raw_copy):
    path = raw_copy / "kbang_2020_qcdc.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("60.208 khẩu", "60.209 khẩu"), encoding="utf-8")
    problems = rawio.check_manifest(raw_copy)
    assert problems == [rawio.changed_since_manifest(raw_copy)["kbang_2020_qcdc"]]
    assert problems[0].startswith("kbang_2020_qcdc.txt: changed since MANIFEST.sha256 was written")


def test_added_and_missing_files_are_named(raw_copy):
    (raw_copy / "new report.txt").write_text("UBND xã A báo cáo", encoding="utf-8")
    (raw_copy / "bato_2023h1_dvcq.yml").unlink()
    problems = rawio.check_manifest(raw_copy)
    assert "bato_2023h1_dvcq.yml: listed in MANIFEST.sha256 but missing" in problems
    assert any(p.startswith("new report.txt: not in MANIFEST.sha256") for p in problems)
    rawio.write_manifest(raw_copy)  # `make manifest`: a deliberate addition
    assert rawio.check_manifest(raw_copy) == []


def test_a_folder_without_manifest_has_nothing_to_compare(tmp_path):
    (tmp_path / "a.txt").write_text("UBND xã A báo cáo", encoding="utf-8")
    assert rawio.read_manifest(tmp_path) is None and rawio.check_manifest(tmp_path) == []


def test_an_edited_raw_file_is_refused_and_the_rest_processed(raw_copy, tmp_path):
    from grassroots.pipeline.stage_functions import extract

    path = raw_copy / "trieuson_2020_dvcq.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    summary = extract(raw_copy, tmp_path / "i", tmp_path / "p", workers=1)
    errors = (tmp_path / "p" / "errors.csv").read_text(encoding="utf-8")
    assert "trieuson_2020_dvcq,manifest,\"trieuson_2020_dvcq.txt: changed since MANIFEST.sha256" in errors
    assert summary.extracted == 2
    indicators = (tmp_path / "p" / "indicators.csv").read_text(encoding="utf-8")
    assert "kbang_2020_qcdc,context.population,60208" in indicators and "trieuson" not in indicators


@pytest.mark.slow
def test_pipeline_names_the_edited_file(raw_copy, tmp_path):
    path = raw_copy / "trieuson_2020_dvcq.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    env = {"RAW_DIR": str(raw_copy), "INTERIM_DIR": str(tmp_path / "i"), "PROCESSED_DIR": str(tmp_path / "p"),
           "REPORTS_DIR": str(tmp_path / "r"), "PATH": "/usr/bin:/bin", "STRICT": "1"}
    proc = subprocess.run([sys.executable, "-m", "grassroots.pipeline", "extract"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert "trieuson_2020_dvcq.txt: changed since MANIFEST.sha256" in proc.stderr
    assert proc.returncode == 1  # STRICT: a refused report fails the run
    assert "STRICT: 1 problem(s)" in proc.stderr
