"""Reliability, round two: the pipeline never touches the user's files, one bad input never stops
the run, and the cost of one report is bounded. One test (or more) per numbered case of the issue;
resource cases assert bounded rows or a refusal, never a time."""

import csv
import errno
import fcntl
import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from grassroots.pipeline import driver, rawio
from grassroots.pipeline.corpus import cache_file, cache_get_blocks, cache_put_blocks
from grassroots.pipeline.stage_functions import briefs, extract

from .conftest import RAW, ROOT, SEEDS

PROCESSED = ROOT / "data" / "processed"
REPORT = "UBND xã Hòa Bình\n\nBÁO CÁO\n\nTrong năm, UBND xã đã tiếp 12 lượt công dân.\n"


def read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seeds_only(d: Path) -> Path:
    """RAW_DIR with the seed reports and sidecars (no manifest)."""
    d.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.values():
        shutil.copy(path, d / path.name)
        shutil.copy(path.with_suffix(".yml"), d / path.with_suffix(".yml").name)
    return d


def run_extract(tmp_path, raw, workers=1):
    extract(raw, tmp_path / "interim", tmp_path / "processed", workers=workers)
    return {row["report_id"]: row["error"] for row in read(tmp_path / "processed" / "errors.csv")}


def run_driver(monkeypatch, tmp_path, raw, *args, **env):
    dirs = {"RAW_DIR": raw, "INTERIM_DIR": tmp_path / "i", "PROCESSED_DIR": tmp_path / "p", "REPORTS_DIR": tmp_path / "r"}
    for name, value in (dirs | env).items():
        monkeypatch.setenv(name, str(value))
    return driver.main(list(args) or ["all"])


def tree(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# (1) overlapping directories ---------------------------------------------------------------------

@pytest.mark.parametrize("overlap", [{"INTERIM_DIR": "raw"}, {"PROCESSED_DIR": "raw"}, {"REPORTS_DIR": "raw/out"},
                                     {"INTERIM_DIR": "p/cache"}, {"PROCESSED_DIR": "r"}])
def test_overlapping_directories_are_refused_before_anything_is_written(monkeypatch, tmp_path, capsys, overlap):
    raw = seeds_only(tmp_path / "raw")
    before = tree(raw)
    code = run_driver(monkeypatch, tmp_path, raw, **{k: tmp_path / v for k, v in overlap.items()})
    assert code == driver.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "give four separate directories" in err
    assert tree(raw) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


# (2) (5) (8) the briefs stage and its published files ---------------------------------------------

@pytest.fixture
def published(tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(PROCESSED, processed)
    reports = tmp_path / "reports"
    briefs(processed, reports, RAW)
    return processed, reports


def test_the_brief_stage_removes_only_files_it_wrote(published):
    processed, reports = published
    (reports / "data" / "my notes.csv").write_text("mine\n", encoding="utf-8")
    (reports / "data" / "budget.xlsx").write_bytes(b"mine")
    (processed / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    briefs(processed, reports, RAW)
    assert (reports / "data" / "extra.csv").exists()
    (processed / "extra.csv").unlink()
    briefs(processed, reports, RAW)
    assert not (reports / "data" / "extra.csv").exists()  # its own, no longer produced
    assert (reports / "data" / "my notes.csv").read_text(encoding="utf-8") == "mine\n"
    assert (reports / "data" / "budget.xlsx").read_bytes() == b"mine"


def test_deleted_or_damaged_published_files_are_rebuilt(published, tmp_path):
    from grassroots.pipeline.fingerprints import Dirs, outputs_state
    from grassroots.pipeline.stages import stage

    processed, reports = published
    dirs = Dirs(RAW, tmp_path / "interim", processed, reports)
    (reports / "runs").mkdir(exist_ok=True)
    (reports / "runs" / stage("briefs").notebook).write_text("{}", encoding="utf-8")
    state = outputs_state(stage("briefs"), dirs)
    assert {"reports:data/reports.csv", "reports:data/grassroots-tables.xlsx"} <= set(state)
    good = {p.name: p.read_bytes() for p in (reports / "data").iterdir()}
    (reports / "data" / "reports.csv").unlink()
    assert outputs_state(stage("briefs"), dirs) is None  # the stage is out of date
    workbook = reports / "data" / "grassroots-tables.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"damaged")  # still a zip with the same key
    briefs(processed, reports, RAW)
    assert {p.name: p.read_bytes() for p in (reports / "data").iterdir()} == good
    assert outputs_state(stage("briefs"), dirs) == state


def test_formula_cells_are_neutralised_in_published_copies_only(published):
    processed, reports = published
    with open(processed / "errors.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [["=cmd|' /C calc'!A0", "read", "+1+1"], ["@SUM(A1)", "read", "-2+3"], ["x", "read", "\tTAB"],
             ["y", "read", "-5"]])
    briefs(processed, reports, RAW)
    assert read(processed / "errors.csv")[-4]["report_id"] == "=cmd|' /C calc'!A0"  # faithful
    rows = [(r["report_id"], r["error"]) for r in read(reports / "data" / "errors.csv")[-4:]]
    assert rows == [("'=cmd|' /C calc'!A0", "'+1+1"), ("'@SUM(A1)", "'-2+3"), ("x", "'\tTAB"), ("y", "-5")]


# (3) one report id per file ---------------------------------------------------------------------

def test_files_that_would_be_one_report_are_an_error_naming_both(tmp_path):
    raw = seeds_only(tmp_path / "raw")
    (raw / "x.txt").write_text(REPORT, encoding="utf-8")
    (raw / "x.md").write_text(REPORT, encoding="utf-8")
    (raw / "Case.txt").write_text(REPORT, encoding="utf-8")
    (raw / "case.TXT").write_text(REPORT, encoding="utf-8")
    (raw / unicodedata.normalize("NFC", "xã.txt")).write_text(REPORT, encoding="utf-8")
    (raw / unicodedata.normalize("NFD", "xã.txt")).write_text(REPORT, encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert errors["x"] == "x.md and x.txt: these files would all be report 'x'; rename all but one"
    assert "Case.txt and case.TXT" in errors["Case"]
    assert len([e for e in errors.values() if "would all be report 'xã'" in unicodedata.normalize("NFC", e)]) == 1
    assert len(errors) == 3
    ids = {r["report_id"] for r in read(tmp_path / "processed" / "reports.csv")}
    assert ids == {p.stem for p in SEEDS.values()}


# (4) freshness by content -------------------------------------------------------------------------

def test_an_edit_that_keeps_size_and_mtime_changes_the_raw_fingerprint(tmp_path):
    from grassroots.pipeline.fingerprints import raw_fingerprint

    raw = seeds_only(tmp_path / "raw")
    path = raw / SEEDS["kbang"].name
    st = path.stat()
    before = raw_fingerprint(raw)
    path.write_bytes(path.read_bytes().replace(b"60.208", b"60.209"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert raw_fingerprint(raw) != before


# (6) cache entries checked whole ------------------------------------------------------------------

def test_a_cache_entry_with_altered_header_lengths_is_a_miss(tmp_path):
    blocks = {"mentions": (1, b"a,1\n"), "indicators": (1, b"b,22\n")}
    cache_put_blocks(tmp_path, "extract", "r", "k", blocks)
    path = cache_file(tmp_path, "extract", "r")
    head, body = path.read_bytes().split(b"\n", 1)
    torn = head.replace(b'"mentions", 1, 4]', b'"mentions", 1, 5]').replace(b'"indicators", 1, 5]', b'"indicators", 1, 4]')
    assert torn != head
    path.write_bytes(torn + b"\n" + body)
    assert cache_get_blocks(tmp_path, "extract", "r", "k") is None
    path.write_bytes(head + b"\n" + body)
    assert cache_get_blocks(tmp_path, "extract", "r", "k") == blocks


# (7) (16) links, FIFOs, directories, hidden files, mojibake -------------------------------------

def test_links_are_refused_and_their_targets_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nUBND xã đã tiếp 99 lượt công dân.\n", encoding="utf-8")
    raw = seeds_only(tmp_path / "raw")
    (raw / "passwd.txt").symlink_to(secret)
    (raw / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "linked sidecar.txt").write_text(REPORT, encoding="utf-8")
    (raw / "linked sidecar.yml").symlink_to(secret)
    errors = run_extract(tmp_path, raw)
    for rid in ("passwd", "dangling", "loop"):
        assert errors[rid] == f"{rid}.txt: is a symbolic link, not a file; only regular files are read as reports"
    assert errors["linked sidecar"].startswith("linked sidecar.yml: is a symbolic link; links are not followed")
    for out in (tmp_path / "processed").glob("*.csv"):
        assert "root:x" not in out.read_text(encoding="utf-8")


def test_fifos_directories_hidden_files_and_yaml_sidecars_are_named(tmp_path):
    raw = seeds_only(tmp_path / "raw")
    os.mkfifo(raw / "f.txt")
    (raw / "g.txt").write_text(REPORT, encoding="utf-8")
    os.mkfifo(raw / "g.yml")  # (11): would block the run for ever if opened
    (raw / "dir.txt").mkdir()
    (raw / "d.yml").mkdir()  # (12)
    (raw / ".hidden.txt").write_text(REPORT, encoding="utf-8")
    (raw / "y.txt").write_text(REPORT, encoding="utf-8")
    (raw / "y.yaml").write_text("title: Báo cáo Y\n", encoding="utf-8")
    (raw / "orphan.yaml").write_text("title: x\n", encoding="utf-8")
    (raw / "z.txt").write_text(REPORT, encoding="utf-8")
    (raw / "Z.yml").write_text("title: x\n", encoding="utf-8")
    (raw / "link.txt").symlink_to(SEEDS["kbang"])
    (raw / "link.md").write_text(REPORT, encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert errors == {
        "f": "f.txt: is a FIFO (named pipe), not a file; only regular files are read as reports",
        "g": "g.yml: is a FIFO (named pipe), not a file; only regular files are read",
        "dir": "dir.txt: is a directory, not a file; only regular files are read as reports",
        "d": "d.yml: not read: a sidecar is named exactly as its report, <report>.yml beside <report>.txt or .md",
        ".hidden": ".hidden.txt: hidden file (its name starts with a dot); rename it to have it read",
        "orphan": "orphan.yaml: not read: a sidecar is named exactly as its report, <report>.yml beside <report>.txt "
                  "or .md",
        "z": "Z.yml: not read: a sidecar is named exactly as its report, <report>.yml beside <report>.txt or .md "
             "(z.txt is not read either)",
        "link": "link.md and link.txt: these files would all be report 'link'; rename all but one",
    }
    titles = {r["report_id"]: r["title"] for r in read(tmp_path / "processed" / "reports.csv")}
    assert titles["y"] == "Báo cáo Y"  # a .yaml sidecar is read


def test_utf8_saved_again_as_latin1_mojibake_is_refused(tmp_path):
    raw = seeds_only(tmp_path / "raw")
    text = SEEDS["kbang"].read_text(encoding="utf-8")
    (raw / "mojibake.txt").write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert errors == {"mojibake": "mojibake.txt: looks like UTF-8 text that was read as Latin-1 and saved again "
                                  "(mojibake such as 'Ã¡' for 'á'); re-save the original as UTF-8"}


# (9) (10) bounded cost ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, problem", [
    ("many numbers", "Kết quả: " + "3 " * 8000 + ".\n", "line 1 has over 1,000 numbers"),
    ("many lines", "Kết quả: " + ", ".join(f"{i} lượt\n" for i in range(8000)) + ".\n", "a sentence ending after"),
    ("ones", "1 " * 50000 + "\n", "has a line of 100,000 characters"),
    ("plans", "Kế hoạch số " * 20000 + "\n", "has a line of 240,000 characters"),
    ("wide field", "UBND xã " + "a" * 140_000 + "\n", "has a line of 140,008 characters"),  # (12)
    ("wide sentence", ("xã " * 5000 + "\n") * 12, "a sentence ending at line 13 has 180,012 characters"),  # (12)
    ("tall", "Dòng.\n" * 250_000, "has 250,001 lines"),
])
def test_a_report_over_a_limit_is_refused_before_extraction(tmp_path, name, text, problem):
    raw = seeds_only(tmp_path / "raw")
    (raw / f"{name}.txt").write_text(text, encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert list(errors) == [name] and errors[name].startswith(f"{name}.txt: {problem}")
    mentions = read(tmp_path / "processed" / "mentions.csv")
    assert not [m for m in mentions if m["report_id"] == name]


def alias_bomb(levels: int, width: int) -> str:
    lines = ["a: &a [" + ", ".join(["x"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*{'a' if n == 1 else f'l{n - 1}'}"] * width) + "]")
    return "title: bomb\nnested:\n" + "\n".join("  " + line for line in lines) + "\n"


@pytest.mark.parametrize("levels, width", [(5, 10), (9, 9)])  # 10^5 values; 9^9 (the bomb, 400 bytes)
def test_a_sidecar_whose_aliases_expand_too_far_is_refused(tmp_path, levels, width):
    raw = seeds_only(tmp_path / "raw")
    (raw / "bomb.txt").write_text(REPORT, encoding="utf-8")
    (raw / "bomb.yml").write_text(alias_bomb(levels, width), encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert errors == {"bomb": "bomb.yml: sidecar expands (through YAML aliases) to over 10,000 values; a sidecar is a "
                              "flat list of fields"}


# (12) (18) one bad input never stops the run -----------------------------------------------------

def test_sidecars_with_bad_dates_wrong_types_or_bad_yaml_are_one_error_each(tmp_path):
    raw = seeds_only(tmp_path / "raw")
    for name, side in {"date": "period_start: 2023-13-45\n", "types": "province: [1, 2]\n",
                       "yaml": "title: ok\nissuer: [unclosed\n"}.items():
        (raw / f"{name}.txt").write_text(REPORT, encoding="utf-8")
        (raw / f"{name}.yml").write_text(side, encoding="utf-8")
    errors = run_extract(tmp_path, raw)
    assert errors["date"].startswith("date.yml: sidecar field 'period_start' at line 1 is not a valid date (")
    assert errors["types"] == "types.yml: sidecar field 'province' at line 1 must be a single value, not a list"
    assert errors["yaml"].startswith("yaml.yml: sidecar is not valid YAML (line 3, column 1: ")
    assert len(errors) == 3 and all("\n" not in e for e in errors.values())


def test_awkward_names_and_unreadable_files_are_one_error_each(tmp_path, monkeypatch):
    raw = seeds_only(tmp_path / "raw")
    long_name = "b" * 231 + ".txt"  # 235 bytes
    (raw / long_name).write_text(REPORT, encoding="utf-8")
    (raw / "line\nbreak.txt").write_text(REPORT, encoding="utf-8")
    (raw / os.fsdecode(b"latin1 \xe9.txt")).write_text(REPORT, encoding="utf-8")
    (raw / "locked.txt").write_text(REPORT, encoding="utf-8")
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if Path(path).name == "locked.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)  # as root, chmod 000 would not stop the read
    errors = run_extract(tmp_path, raw)
    assert errors == {
        "line\\nbreak": "line\\nbreak.txt: file name contains a control character; rename the file",
        "latin1 \\xe9": "latin1 \\xe9.txt: file name is not valid UTF-8; rename the file",
        "locked": "locked.txt: cannot be read (permission denied)",
    }
    assert "b" * 231 in {r["report_id"] for r in read(tmp_path / "processed" / "reports.csv")}
    monkeypatch.undo()
    rawio.write_manifest(raw)  # `make manifest` leaves out what it cannot record, and stays readable
    assert set(rawio.read_manifest(raw)) == {p.name for p in rawio.manifest_files(raw)}
    assert long_name in rawio.read_manifest(raw)


# (13) one run per set of output directories ------------------------------------------------------

def test_a_second_run_on_the_same_directories_says_which_process_holds_them(monkeypatch, tmp_path, capsys):
    raw = seeds_only(tmp_path / "raw")
    (tmp_path / "p").mkdir()
    fd = os.open(tmp_path / "p" / ".grassroots.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, b"4242\n")
        assert run_driver(monkeypatch, tmp_path, raw) == driver.EXIT_LOCKED
    finally:
        os.close(fd)
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"error: another run (process 4242) is using {tmp_path / 'p'}; wait for it to finish, "
                       "or give other output directories")
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


# (14) STRICT ------------------------------------------------------------------------------------

def test_strict_accepts_true_and_false_spellings_and_refuses_the_rest(monkeypatch, tmp_path, capsys):
    for on in ("1", "TRUE", "true", "Yes", "on", " ON "):
        assert driver.parse_strict(on) is True, on
    for off in ("0", "false", "No", "OFF", "", None):
        assert driver.parse_strict(off) is False, off
    raw = seeds_only(tmp_path / "raw")
    for bad in ("2", "strict", "y"):
        assert run_driver(monkeypatch, tmp_path, raw, STRICT=bad) == driver.EXIT_USAGE
        assert capsys.readouterr().err.strip() == f"error: STRICT={bad!r} is not understood; use 1 or 0 (also " \
                                                  "true/false, yes/no, on/off)"


# (17) one line, a distinct exit code ------------------------------------------------------------

def test_unusable_settings_and_output_directories_are_one_line_each(monkeypatch, tmp_path, capsys):
    raw = seeds_only(tmp_path / "raw")
    assert run_driver(monkeypatch, tmp_path, raw, WORKERS="abc") == driver.EXIT_USAGE
    monkeypatch.setenv("WORKERS", "1")
    (tmp_path / "a file").write_text("x", encoding="utf-8")
    assert run_driver(monkeypatch, tmp_path, raw, PROCESSED_DIR=tmp_path / "a file") == driver.EXIT_OUTPUT
    assert run_driver(monkeypatch, tmp_path, raw, PROCESSED_DIR=tmp_path / "p",
                      REPORTS_DIR="/proc/grassroots-out") == driver.EXIT_OUTPUT
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("warning: ")]
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "WORKERS='abc'" in err[0] and "a file" in err[1] and "/proc/grassroots-out" in err[2]


def test_a_full_disk_is_one_line_and_leaves_no_temporary_file(monkeypatch, tmp_path, capsys):
    from grassroots.pipeline import atomic

    raw = seeds_only(tmp_path / "raw")

    def full(*args, **kwargs):
        atomic.write_text(tmp_path / "p" / "reports.csv", "x" * 10)

    def no_space(self, text, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", no_space)
    monkeypatch.setattr(driver, "run_stages", full)
    assert run_driver(monkeypatch, tmp_path, raw) == driver.EXIT_OUTPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: No space left on device: ") and err[-1].endswith("(free some space and run again)")
    assert [p.name for p in (tmp_path / "p").iterdir()] == [".grassroots.lock"]


# (19) an empty corpus, stale kernel files ----------------------------------------------------------

def test_an_empty_raw_dir_leaves_the_briefs_as_they_were(monkeypatch, tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notes.doc").write_text("x", encoding="utf-8")
    (tmp_path / "r" / "briefs").mkdir(parents=True)
    (tmp_path / "r" / "briefs" / "brief-vi.html").write_text("the last brief", encoding="utf-8")
    assert run_driver(monkeypatch, tmp_path, raw) == driver.EXIT_NO_REPORTS
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(f"error: RAW_DIR {raw} holds no report")
    assert tree(tmp_path / "r") == {"briefs/brief-vi.html": b"the last brief"}
    assert not (tmp_path / "p").exists()


def test_kernel_files_of_killed_runs_are_removed(monkeypatch, tmp_path):
    from grassroots.pipeline.notebook import remove_stale_kernel_files

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    stale = [tmp_path / f"gr-{dead}-abc.json", tmp_path / f"gr-{dead}-abc-ipc-1"]
    live = [tmp_path / f"gr-{os.getpid()}-abc.json", tmp_path / "kernel-1.json"]
    for p in stale + live:
        p.write_text("{}", encoding="utf-8")
    assert remove_stale_kernel_files() == 2
    assert sorted(tmp_path.iterdir()) == sorted(live)


# (15) an edited raw file is not dropped silently ----------------------------------------------------

def test_a_run_without_an_edited_raw_file_exits_with_its_own_code(monkeypatch, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    path = raw / SEEDS["bato"].name
    path.write_bytes(path.read_bytes() + b"\n")
    monkeypatch.setattr(driver, "run_stages", lambda *args, **kwargs: 3)  # the stages are not the point
    assert run_driver(monkeypatch, tmp_path, raw, STRICT="0") == driver.EXIT_EDITED
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        f"error: 1 raw file(s) changed since MANIFEST.sha256 were left out of the outputs (first: {path.name}: ")


# (19) Ctrl-C ------------------------------------------------------------------------------------

def test_ctrl_c_is_one_line(monkeypatch, tmp_path, capsys):
    raw = seeds_only(tmp_path / "raw")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(driver, "run_stages", interrupted)
    assert run_driver(monkeypatch, tmp_path, raw) == driver.EXIT_INTERRUPTED
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("warning: ")]
    assert err == ["interrupted: outputs are as before the step that was running; run again to finish"]


@pytest.mark.slow
def test_ctrl_c_during_a_run_prints_one_line_and_leaves_no_kernel_files(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from grassroots.bench import make_corpus

    raw = tmp_path / "raw"
    make_corpus(RAW, raw, 120)
    runtime = tmp_path / "runtime"
    env = dict(os.environ, RAW_DIR=str(raw), INTERIM_DIR=str(tmp_path / "i"), PROCESSED_DIR=str(tmp_path / "p"),
               REPORTS_DIR=str(tmp_path / "r"), WORKERS="1", JUPYTER_RUNTIME_DIR=str(runtime))
    proc = subprocess.Popen([sys.executable, "-m", "grassroots.pipeline", "all"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(runtime.glob("gr-*.json")):
        time.sleep(0.1)
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.startswith(("interrupted", "Traceback", "error"))]
    assert proc.returncode == driver.EXIT_INTERRUPTED, err
    assert lines == ["interrupted: outputs are as before the step that was running; run again to finish"], err
    assert not list(runtime.glob("gr-*"))


# fuzz: random names, sidecars and line mixes beside the seeds ------------------------------------

LINES = ["Đã tiếp 12 lượt công dân.", "Tỷ lệ đạt 95,5%.", "", "=HYPERLINK(\"http://x\")", "@SUM(1)", "- gạch đầu dòng 3",
         "1 " * 1200, "Kế hoạch số " * 2000, "x" * 25_000, "Dân số 60.208 khẩu", "\t\r", "ngày 13/45/2023"]
SIDECARS = ["title: Báo cáo\n", "province: [1, 2]\n", "period_start: 2023-13-45\n", "title: [unclosed\n", "",
            "- a list\n", "a: &a [x, x]\nb: [*a, *a]\n", alias_bomb(9, 9), "url: =cmd\n", "title: {a: 1}\n"]


def fuzz_corpus_strategy():
    from hypothesis import strategies as st

    name = st.text(st.sampled_from(list("abcxyzÀàảđĐ ';-_()") + ["\n", "\udce9"]), min_size=1, max_size=12)
    kind = st.sampled_from(["lines", "lines", "lines", "empty", "binary", "link", "fifo", "dir"])
    report = st.tuples(name, st.sampled_from([".txt", ".md", ".TXT"]), kind,
                       st.lists(st.sampled_from(LINES), max_size=6),
                       st.one_of(st.none(), st.tuples(st.sampled_from([".yml", ".yaml"]), st.sampled_from(SIDECARS))))
    orphan = st.tuples(name, st.sampled_from([".yml", ".yaml", ".YML"]), st.sampled_from(SIDECARS))
    return st.tuples(st.lists(report, max_size=4), st.lists(orphan, max_size=2))


@pytest.fixture(scope="module")
def seed_tables(tmp_path_factory):
    base = tmp_path_factory.mktemp("seeds")
    extract(seeds_only(base / "raw"), base / "interim", base / "processed", workers=1)
    return {t: read(base / "processed" / f"{t}.csv") for t in ("reports", "mentions", "indicators", "citations")}


def write_entry(path: Path, kind: str, data: bytes, target: Path) -> None:
    if kind == "link":
        path.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    else:
        path.write_bytes(data)


def test_fuzz_bad_files_beside_the_seeds(seed_tables, tmp_path_factory):
    from hypothesis import HealthCheck, given, settings

    cache = tmp_path_factory.mktemp("fuzz-cache")  # the seeds come from the cache after the first run
    seed_keys = {rawio.id_key(p.stem) for p in SEEDS.values()}

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fuzz_corpus_strategy())
    def check(corpus):
        reports, orphans = corpus
        root = tmp_path_factory.mktemp("fuzz")
        raw = seeds_only(root / "raw")
        made = []  # (report id key, is a report)
        for stem, suffix, kind, lines, sidecar in reports:
            path = raw / (stem + suffix)
            key = rawio.id_key(rawio.printable_name(stem))
            if key in seed_keys or os.path.lexists(path):
                continue
            data = {"empty": b"", "binary": bytes(range(256))}.get(kind, "\n".join(lines).encode())
            write_entry(path, kind, data, SEEDS["kbang"])
            made.append((key, True))
            if sidecar and not os.path.lexists(raw / (stem + sidecar[0])):
                (raw / (stem + sidecar[0])).write_text(sidecar[1], encoding="utf-8")
        for stem, suffix, text in orphans:
            key = rawio.id_key(rawio.printable_name(stem))
            if key in seed_keys or key in {k for k, _ in made} or os.path.lexists(raw / (stem + suffix)):
                continue
            (raw / (stem + suffix)).write_text(text, encoding="utf-8")
            made.append((key, False))
        before = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else None)
                  for p in raw.iterdir()}
        extract(raw, cache, root / "processed", workers=1)
        errors = read(root / "processed" / "errors.csv")
        error_keys = [rawio.id_key(e["report_id"]) for e in errors]
        ok_keys = {rawio.id_key(r["report_id"]) for r in read(root / "processed" / "reports.csv")}
        assert len(error_keys) == len(set(error_keys)), errors  # one row per bad report id
        assert all("\n" not in e["error"] for e in errors)
        for key, is_report in made:
            if is_report:
                assert (key in ok_keys) != (key in error_keys), (key, errors)  # read, or one error row
            else:
                assert key in error_keys, (key, errors)  # an orphan sidecar is named
        for table, rows in seed_tables.items():
            seed_ids = {r["report_id"] for r in rows}
            got = [r for r in read(root / "processed" / f"{table}.csv") if r["report_id"] in seed_ids]
            assert got == rows, table
        after = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else None)
                 for p in raw.iterdir()}
        assert after == before  # raw files untouched
        assert sorted(p.name for p in root.iterdir()) == ["processed", "raw"]  # nothing written elsewhere

    check()


@pytest.mark.slow
def test_a_corpus_with_no_readable_report_leaves_the_briefs_as_they_were(monkeypatch, tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "r" / "briefs").mkdir(parents=True)
    (tmp_path / "r" / "briefs" / "brief-vi.html").write_text("the last brief", encoding="utf-8")
    assert run_driver(monkeypatch, tmp_path, raw, WORKERS="1") == driver.EXIT_NO_REPORTS
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"error: no report in RAW_DIR {raw} could be read (see errors.csv); the briefs were left as they were")
    assert (tmp_path / "r" / "briefs" / "brief-vi.html").read_text(encoding="utf-8") == "the last brief"
    assert {e["report_id"] for e in read(tmp_path / "p" / "errors.csv")} == {"empty", "binary"}
    assert not (tmp_path / "p" / "findings.csv").exists()


def test_a_manifest_that_is_a_fifo_is_refused_without_blocking(monkeypatch, tmp_path, capsys):
    raw = seeds_only(tmp_path / "raw")
    os.mkfifo(raw / "MANIFEST.sha256")
    assert run_driver(monkeypatch, tmp_path, raw) == driver.EXIT_MANIFEST
    assert capsys.readouterr().err.strip() == ("error: MANIFEST.sha256: is a FIFO (named pipe), not a file; "
                                               "only regular files are read")
