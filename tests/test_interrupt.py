"""A run killed during extraction leaves the previous outputs intact; the next run recovers."""

import os
import signal
import subprocess
import sys
import time

import pytest

from grassroots.bench import make_corpus

from .conftest import RAW, ROOT

pytestmark = pytest.mark.slow


def pipeline(env, *args):
    return subprocess.Popen([sys.executable, "-m", "grassroots.pipeline", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def survivors(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (kernels and workers of a run)."""
    found = []
    for proc in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if proc.isdigit() and int(proc) != os.getpid():
            try:
                with open(f"/proc/{proc}/environ", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(proc))
            except OSError:
                continue
    return found


def snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(d.glob("*.csv"))}


def test_kill_during_extraction_then_rerun(tmp_path):
    raw = tmp_path / "raw"
    make_corpus(RAW, raw, 240)
    base = dict(os.environ, RAW_DIR=str(raw), WORKERS="2")
    # the uninterrupted reference run
    ref_env = base | {"INTERIM_DIR": str(tmp_path / "ri"), "PROCESSED_DIR": str(tmp_path / "rp"),
                      "REPORTS_DIR": str(tmp_path / "rr")}
    assert pipeline(ref_env, "extract").wait(timeout=600) == 0
    reference = snapshot(tmp_path / "rp")
    # a second corpus run: complete once, then forced again and killed mid-extraction
    env = base | {"INTERIM_DIR": str(tmp_path / "i"), "PROCESSED_DIR": str(tmp_path / "p"),
                  "REPORTS_DIR": str(tmp_path / "r")}
    assert pipeline(env, "extract").wait(timeout=600) == 0
    before = snapshot(tmp_path / "p")
    for cache in (tmp_path / "i" / "cache").glob("extract/*.json"):
        cache.unlink()  # force real work so that the kill lands during extraction
    proc = pipeline(env, "extract", "--force")
    deadline = time.time() + 120
    while time.time() < deadline and not any((tmp_path / "i" / "cache" / "extract").glob("*.json")):
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # the run's kernel (its own session) and the kernel's extraction workers go too, within seconds
    marker = f"INTERIM_DIR={tmp_path / 'i'}\0"
    deadline = time.time() + 20
    while survivors(marker) and time.time() < deadline:
        time.sleep(0.2)
    assert survivors(marker) == []
    assert snapshot(tmp_path / "p") == before  # previous outputs intact (atomic renames)
    assert pipeline(env, "extract").wait(timeout=600) == 0  # the next run recovers
    assert snapshot(tmp_path / "p") == reference
    assert not list((tmp_path / "p").glob(".*.tmp"))
