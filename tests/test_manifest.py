"""The raw-data manifest: analysts must never edit raw files."""

import shutil
import subprocess
import sys

import pytest

from grassroots import rawio

from .conftest import RAW, ROOT


@pytest.fixture
def raw_copy(tmp_path):
    d = tmp_path / "raw"
    shutil.copytree(RAW, d)
    return d


def test_committed_manifest_matches_data_raw():
    assert rawio.check_manifest(RAW) == []
    assert rawio.verify_raw_dir(RAW) is True


def test_a_changed_raw_file_is_refused_with_its_name(raw_copy):
    path = raw_copy / "kbang_2020_qcdc.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("60.208 khẩu", "60.209 khẩu"), encoding="utf-8")
    problems = rawio.check_manifest(raw_copy)
    assert problems == ["kbang_2020_qcdc.txt: changed since MANIFEST.sha256 was written (raw files must never be edited)"]
    with pytest.raises(rawio.ManifestError, match="kbang_2020_qcdc.txt"):
        rawio.verify_raw_dir(raw_copy)


def test_added_and_missing_files_are_named(raw_copy):
    (raw_copy / "new report.txt").write_text("UBND xã A báo cáo", encoding="utf-8")
    (raw_copy / "bato_2023h1_dvcq.yml").unlink()
    problems = rawio.check_manifest(raw_copy)
    assert "bato_2023h1_dvcq.yml: listed in MANIFEST.sha256 but missing" in problems
    assert any(p.startswith("new report.txt: not in MANIFEST.sha256") for p in problems)
    rawio.write_manifest(raw_copy)  # `make manifest`: a deliberate addition
    assert rawio.check_manifest(raw_copy) == []


def test_a_folder_without_manifest_is_processed_with_a_warning(tmp_path):
    (tmp_path / "a.txt").write_text("UBND xã A báo cáo", encoding="utf-8")
    messages = []
    assert rawio.verify_raw_dir(tmp_path, warn=messages.append) is False
    assert "no MANIFEST.sha256" in messages[0]


def test_pipeline_refuses_to_run_on_an_edited_raw_dir(raw_copy, tmp_path):
    path = raw_copy / "trieuson_2020_dvcq.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    env = {"RAW_DIR": str(raw_copy), "INTERIM_DIR": str(tmp_path / "i"), "PROCESSED_DIR": str(tmp_path / "p"),
           "REPORTS_DIR": str(tmp_path / "r"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "grassroots.pipeline", "clean"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 3
    assert "trieuson_2020_dvcq.txt: changed since MANIFEST.sha256" in proc.stderr
    assert not (tmp_path / "p").exists()
