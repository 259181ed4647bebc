"""The pipeline driver behind the Makefile: runs the stages of the stage table (stages.py).

    python -m grassroots.pipeline [extract|validate|briefs|all] [--force]

The environment is read here and nowhere else: RAW_DIR, INTERIM_DIR, PROCESSED_DIR, REPORTS_DIR
(see paths.py), SCHEDULER (a dask.distributed address for extract), WORKERS (its local
processes; default one per core) and STRICT. Each stage's
notebook gets them as its parameters. A stage is skipped when it is up to date (fingerprints.py);
a stage after one that ran runs too. STRICT=1 is decided once, here, after the stages: the run
fails when a report could not be processed (errors.csv) or an expectation failed (findings.csv).

Problems with the corpus or the run as a whole end it with one line on stderr and an exit code
of its own (EXIT_* below; README, "Exit codes"); a problem with one report is a row of errors.csv.
"""

from __future__ import annotations

import csv
import errno
import os
import sys
import time

from grassroots.paths import NOTEBOOKS_DIR, resolve_dir
from grassroots.pipeline.fingerprints import (
    Dirs,
    raw_fingerprint,
    stage_fingerprint,
    stamp,
    up_to_date,
)
from grassroots.pipeline.stages import STAGE_NAMES, STAGES, Stage

# Outputs that list problems, and what a row of each means for STRICT=1.
PROBLEM_TABLES = {"processed:errors.csv": "report failed", "processed:findings.csv": "expectation failed"}


def stage_params(stage: Stage, dirs: Dirs, settings: dict) -> dict:
    """The parameters of the stage's notebook: its directories and the settings it declares."""
    params = {name: dirs.param(name) for name in stage.dirs}
    params |= {name: settings[name] for name, _ in stage.params if name in settings}
    return params


def run_stage(stage: Stage, dirs: Dirs, params: dict, fingerprint: str, km=None) -> None:
    """Execute one stage's notebook (in ``km`` when given) and stamp its outputs."""
    from grassroots.pipeline.notebook import run_notebook

    t0 = time.perf_counter()
    print(f"[{stage.name}] running notebooks/{stage.notebook} ...", flush=True)
    run_notebook(NOTEBOOKS_DIR / stage.notebook, dirs.reports / "runs" / stage.notebook, params,
                 cwd=NOTEBOOKS_DIR, km=km)
    stamp(stage, dirs, fingerprint)
    print(f"[{stage.name}] done in {time.perf_counter() - t0:.1f} s", flush=True)


class NoReports(Exception):
    """The corpus has no report that could be read: later stages would publish an empty brief."""


def reports_extracted(dirs: Dirs) -> int:
    """Rows of PROCESSED_DIR/reports.csv (0 when it is missing)."""
    try:
        with open(dirs.processed / "reports.csv", encoding="utf-8", newline="") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except OSError:
        return 0


def run_stages(stages: tuple[Stage, ...], dirs: Dirs, settings: dict, force: bool) -> int:
    """Run the stages from the first one that is out of date (a stage reruns when an earlier one
    ran: its inputs changed). Returns how many ran. Raises NoReports, before any later stage,
    when extraction gave no report.

    The kernels of all stages that will run are started at once, each running its stage's
    preload (imports, declarations), so that kernel start-up and imports overlap the stages
    before them: a cold `make all` on the seeds took 14.6 s with it and 20.3 s without (medians
    of 5 interleaved runs on a shared 2-core machine; docs/performance.md).
    """
    from grassroots.pipeline.notebook import KernelPool

    raw_fp = raw_fingerprint(dirs.raw)  # once: several stages read RAW_DIR
    plan = []
    for stage in stages:
        if not plan and not force:
            params = stage_params(stage, dirs, settings)
            if up_to_date(stage, dirs, stage_fingerprint(stage, dirs, params, raw_fp)):
                print(f"[{stage.name}] up to date")
                continue
        plan.append(stage)
    if stages[0].name == "extract" and stages[0] not in plan and len(stages) > 1 and not reports_extracted(dirs):
        raise NoReports
    pool = KernelPool()
    try:
        for position, stage in enumerate(plan):
            # the later a stage runs, the lower its kernel's priority while it waits
            try:
                pool.start(stage.name, NOTEBOOKS_DIR, stage.preload, nice=4 * position)
            except Exception as exc:  # noqa: BLE001 - no warm kernel: the notebook starts its own
                print(f"[{stage.name}] kernel not started ahead ({type(exc).__name__}: {exc})", file=sys.stderr)
        for stage in plan:
            params = stage_params(stage, dirs, settings)
            fingerprint = stage_fingerprint(stage, dirs, params, raw_fp)  # its inputs as they are now
            km = pool.take(stage.name)
            try:
                run_stage(stage, dirs, params, fingerprint, km)
            finally:
                if km is not None:
                    pool.shutdown(km)
            if stage.name == "extract" and stage is not stages[-1] and not reports_extracted(dirs):
                raise NoReports
    finally:
        pool.shutdown()
    return len(plan)


def strict_problems(stages: tuple[Stage, ...], dirs: Dirs) -> list[str]:
    """STRICT=1: every row of the problem tables the stages wrote (findings of severity info aside)."""
    problems = []
    for spec in (spec for stage in stages for spec in stage.outputs if spec in PROBLEM_TABLES):
        path = dirs.file(spec)
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("severity") == "info":
                    continue
                detail = row.get("error") or row.get("message_en") or row.get("check", "")
                problems.append(f"{PROBLEM_TABLES[spec]}: {row.get('report_id', '')}: {detail}")
    return problems


def report_strict(problems: list[str]) -> int:
    if not problems:
        return 0
    print(f"STRICT: {len(problems)} problem(s):", file=sys.stderr)
    for line in problems[:50]:
        print(f"  {line}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more (see errors.csv and findings.csv)", file=sys.stderr)
    return 1


# Exit codes (README, "Exit codes"): one line on stderr says which problem it was.
EXIT_STRICT = 1  # STRICT=1 and a report failed or an expectation failed
EXIT_USAGE = 2  # unknown stage, bad STRICT or WORKERS, RAW_DIR missing, directories that overlap
EXIT_MANIFEST = 3  # MANIFEST.sha256 cannot be read
EXIT_EDITED = 4  # the run finished, without the raw files changed since MANIFEST.sha256
EXIT_NO_REPORTS = 5  # no report could be read; the briefs were left as they were
EXIT_OUTPUT = 6  # an output directory cannot be created or written, or the disk is full
EXIT_LOCKED = 7  # another run is using the same output directories
EXIT_STAGE = 8  # a stage's notebook failed (its executed copy in REPORTS_DIR/runs/ shows where)
EXIT_INTERRUPTED = 130  # Ctrl-C

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class SettingError(Exception):
    """A setting (environment variable) or directory that cannot be used: one line for the user."""


def parse_strict(value: str | None) -> bool:
    """STRICT as given: 1/0, true/false, yes/no, on/off in any case (unset or empty: off)."""
    text = (value or "").strip().lower()
    if text in _TRUE + _FALSE:
        return text in _TRUE
    raise SettingError(f"STRICT={value!r} is not understood; use 1 or 0 (also true/false, yes/no, on/off)")


def parse_workers(value: str | None) -> int:
    """WORKERS: a number of local processes (0 or unset: one per core)."""
    text = (value or "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise SettingError(f"WORKERS={value!r} is not a number of processes; use a whole number (0: one per core)")
    return int(text)


DIR_NAMES = ("RAW_DIR", "INTERIM_DIR", "PROCESSED_DIR", "REPORTS_DIR")


def check_dirs(dirs: Dirs) -> None:
    """The four directories must be distinct and none inside another: an output stage must never
    write into RAW_DIR, nor one stage's clean-up reach another's files."""
    if not dirs.raw.is_dir():
        raise SettingError(f"RAW_DIR {dirs.raw} does not exist or is not a directory")
    named = list(zip(DIR_NAMES, (dirs.raw, dirs.interim, dirs.processed, dirs.reports), strict=True))
    resolved = [(name, path.resolve()) for name, path in named]
    for i, (name_a, a) in enumerate(resolved):
        for name_b, b in resolved[i + 1:]:
            if a == b or a in b.parents or b in a.parents:
                how = "are the same directory" if a == b else "are nested (one is inside the other)"
                raise SettingError(f"{name_a} and {name_b} {how}: {a} and {b}; give four separate directories")


def prepare_outputs(dirs: Dirs) -> None:
    """Create the output directories (raises OSError with the path when one cannot be used)."""
    for d in (dirs.interim, dirs.processed, dirs.reports):
        if d.exists() and not d.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "a file is in the way of the directory", str(d))
        d.mkdir(parents=True, exist_ok=True)


def os_error_line(exc: OSError) -> str:
    """One line for an OSError: the problem, the path, and what to do when the disk is full."""
    where = f": {exc.filename}" if exc.filename else ""
    hint = " (free some space and run again)" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return f"error: {exc.strerror or exc}{where}{hint}"


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        print("interrupted: outputs are as before the step that was running; run again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # RAW_DIR unreadable, a directory that vanished: one line, not a traceback
        print(os_error_line(exc), file=sys.stderr)
        return EXIT_OUTPUT


def _main(argv: list[str]) -> int:
    force = "--force" in argv
    targets = [a for a in argv if not a.startswith("--")] or ["all"]
    target = targets[0]
    if target not in STAGE_NAMES + ("all",):
        print(f"unknown stage {target!r}; choose from {', '.join(STAGE_NAMES + ('all',))}", file=sys.stderr)
        return EXIT_USAGE
    stages = STAGES if target == "all" else STAGES[:STAGE_NAMES.index(target) + 1]
    dirs = Dirs(*(resolve_dir(None, name) for name in DIR_NAMES))
    try:
        settings = {"SCHEDULER": os.environ.get("SCHEDULER", ""), "WORKERS": parse_workers(os.environ.get("WORKERS"))}
        strict = parse_strict(os.environ.get("STRICT"))
        check_dirs(dirs)
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from grassroots.pipeline.rawio import (
        ManifestError,
        changed_since_manifest,
        check_manifest,
        read_manifest,
        scan_raw,
    )

    try:
        if read_manifest(dirs.raw) is None:
            print(f"warning: {dirs.raw.name}/ has no MANIFEST.sha256; processing its files without an "
                  "integrity check", file=sys.stderr)
        for problem in check_manifest(dirs.raw):
            # changed files are refused (an errors.csv row each); new files are processed
            print(f"manifest: {problem}", file=sys.stderr)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_MANIFEST
    if stages[0].name == "extract" and not scan_raw(dirs.raw).reports:
        print(f"error: RAW_DIR {dirs.raw} holds no report (.txt or .md) that can be read; nothing was "
              "written and the briefs were left as they were", file=sys.stderr)
        return EXIT_NO_REPORTS
    from grassroots.pipeline.lock import Locked, hold

    try:
        prepare_outputs(dirs)
        with hold(dirs.interim, dirs.processed, dirs.reports):
            code = _run_locked(stages, dirs, settings, force)
    except Locked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:
        print(os_error_line(exc), file=sys.stderr)
        return EXIT_OUTPUT
    if code:
        return code
    if strict and report_strict(strict_problems(stages, dirs)):
        return EXIT_STRICT
    edited = changed_since_manifest(dirs.raw)
    if edited:
        print(f"error: {len(edited)} raw file(s) changed since MANIFEST.sha256 were left out of the outputs "
              f"(first: {next(iter(edited.values()))}); see errors.csv", file=sys.stderr)
        return EXIT_EDITED
    return 0


def _run_locked(stages: tuple[Stage, ...], dirs: Dirs, settings: dict, force: bool) -> int:
    """The stages, with this run holding the output directories (0, or an exit code)."""
    from grassroots.pipeline.atomic import remove_stale_temporaries
    from grassroots.pipeline.notebook import NotebookFailed, remove_stale_kernel_files

    for d in (dirs.processed, dirs.interim, dirs.reports, dirs.reports / "briefs", dirs.reports / "runs",
              dirs.reports / "data", dirs.interim / ".stamps"):
        remove_stale_temporaries(d)  # left by a run that was killed (the lock says none is running)
    remove_stale_kernel_files()
    try:
        run_stages(stages, dirs, settings, force)
    except NoReports:
        print(f"error: no report in RAW_DIR {dirs.raw} could be read (see errors.csv); the briefs were "
              "left as they were", file=sys.stderr)
        return EXIT_NO_REPORTS
    except NotebookFailed as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            print(f"error: {exc.summary} (free some space and run again)", file=sys.stderr)
            return EXIT_OUTPUT
        print(f"error: {exc.summary}", file=sys.stderr)
        return EXIT_STAGE
    finally:
        remove_stale_kernel_files(own=True)  # an interrupt can cut a kernel's shutdown short
    return 0


if __name__ == "__main__":
    sys.exit(main())
