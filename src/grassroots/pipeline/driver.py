"""The pipeline driver behind the Makefile: runs the stages of the stage table (stages.py).

    python -m grassroots.pipeline [extract|validate|briefs|all] [--force]

The environment is read here and nowhere else: RAW_DIR, INTERIM_DIR, PROCESSED_DIR, REPORTS_DIR
(see paths.py), SCHEDULER (a dask.distributed address for extract), WORKERS (its local
processes; default one per core) and STRICT. Each stage's
notebook gets them as its parameters. A stage is skipped when it is up to date (fingerprints.py);
a stage after one that ran runs too. STRICT=1 is decided once, here, after the stages: the run
fails when a report could not be processed (errors.csv) or an expectation failed (findings.csv).
"""

from __future__ import annotations

import csv
import json
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


def run_stages(stages: tuple[Stage, ...], dirs: Dirs, settings: dict, force: bool, memo: dict) -> int:
    """Run the stages from the first one that is out of date (a stage reruns when an earlier one
    ran: its inputs changed). Returns how many ran.

    The kernels of all stages that will run are started at once, each running its stage's
    preload (imports, declarations), so that kernel start-up and imports overlap the stages
    before them: a cold `make all` on the seeds took 14.6 s with it and 20.3 s without (medians
    of 5 interleaved runs on a shared 2-core machine; docs/performance.md).
    """
    from grassroots.pipeline.notebook import KernelPool

    raw_fp = raw_fingerprint(dirs.raw, memo)  # once: several stages read RAW_DIR
    plan = []
    for stage in stages:
        if not plan and not force:
            params = stage_params(stage, dirs, settings)
            if up_to_date(stage, dirs, stage_fingerprint(stage, dirs, params, raw_fp)):
                print(f"[{stage.name}] up to date")
                continue
        plan.append(stage)
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    force = "--force" in argv
    targets = [a for a in argv if not a.startswith("--")] or ["all"]
    target = targets[0]
    if target not in STAGE_NAMES + ("all",):
        print(f"unknown stage {target!r}; choose from {', '.join(STAGE_NAMES + ('all',))}", file=sys.stderr)
        return 2
    stages = STAGES if target == "all" else STAGES[:STAGE_NAMES.index(target) + 1]
    dirs = Dirs(*(resolve_dir(None, name) for name in ("RAW_DIR", "INTERIM_DIR", "PROCESSED_DIR", "REPORTS_DIR")))
    settings = {"SCHEDULER": os.environ.get("SCHEDULER", ""), "WORKERS": int(os.environ.get("WORKERS") or 0)}
    strict = os.environ.get("STRICT", "0").strip().lower() in ("1", "true", "yes")
    if not dirs.raw.is_dir():
        print(f"error: RAW_DIR {dirs.raw} does not exist", file=sys.stderr)
        return 2
    from grassroots.pipeline.notebook import NotebookFailed
    from grassroots.pipeline.rawio import ManifestError, check_manifest, read_manifest

    try:
        if read_manifest(dirs.raw) is None:
            print(f"warning: {dirs.raw.name}/ has no MANIFEST.sha256; processing its files without an "
                  "integrity check", file=sys.stderr)
        for problem in check_manifest(dirs.raw):
            # changed files are refused (an errors.csv row each); new files are processed
            print(f"manifest: {problem}", file=sys.stderr)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    from grassroots.pipeline.atomic import remove_stale_temporaries, write_text

    for d in (dirs.processed, dirs.interim, dirs.reports, dirs.reports / "briefs", dirs.reports / "runs",
              dirs.reports / "data", dirs.interim / ".stamps"):
        remove_stale_temporaries(d)  # left by a run that was killed
    memo_path = dirs.interim / ".stamps" / "raw-memo.json"
    try:
        memo = {k: tuple(v) for k, v in json.loads(memo_path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        memo = {}
    try:
        run_stages(stages, dirs, settings, force, memo)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        write_text(memo_path, json.dumps(memo, sort_keys=True) + "\n")
    return report_strict(strict_problems(stages, dirs)) if strict else 0


if __name__ == "__main__":
    sys.exit(main())
