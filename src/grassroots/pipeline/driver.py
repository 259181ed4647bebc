"""The pipeline driver behind the Makefile: runs each stage's notebook once per corpus.

    python -m grassroots.pipeline [clean|extract|validate|brief|all] [--force]

Directories come from the environment (RAW_DIR, INTERIM_DIR, PROCESSED_DIR, REPORTS_DIR; see
paths.py). A stage is skipped when its fingerprint (code version, notebook, parameters, raw
files' checksums) and its outputs are unchanged since it last ran, so `make all` with nothing
changed is near-instant. Inside a stage, per-report work is cached by content as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grassroots.paths import NOTEBOOKS_DIR, REPO_ROOT, resolve_dir
from grassroots.pipeline.rawio import sha256_file


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: str
    outputs: tuple[str, ...]  # files under PROCESSED_DIR / REPORTS_DIR that must exist
    warm_up: str = ""  # code its kernel runs while earlier stages execute: imports and loads


STAGES = [
    Stage("clean", "10-clean.ipynb", ("processed:corrections.csv",),
          "import pandas\nimport grassroots.pipeline.stage_clean"),
    Stage("extract", "20-extract.ipynb", (
        "processed:reports.csv", "processed:mentions.csv", "processed:indicators.csv",
        "processed:citations.csv", "processed:models.csv", "processed:errors.csv"),
        "import pandas\nimport grassroots.pipeline.stage_extract\nfrom grassroots.extract import warm_up\nwarm_up()"),
    Stage("validate", "30-validate.ipynb", ("processed:findings.csv",),
          "import pandas\nimport great_expectations\nimport grassroots.validate"),
    Stage("brief", "40-brief.ipynb", ("reports:briefs/brief-vi.html", "reports:briefs/brief-en.html",
                                       "reports:index.html"),
          "import pandas\nimport jinja2\nimport matplotlib.figure\nimport matplotlib.backends.backend_svg\n"
          "import grassroots.brief"),
]
STAGE_NAMES = [s.name for s in STAGES]


def _param_path(path: Path) -> str:
    """Directory as given to a notebook: repo-relative inside the repo, absolute outside it."""
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path.resolve())


class Dirs:
    def __init__(self):
        self.raw = resolve_dir(None, "RAW_DIR")
        self.interim = resolve_dir(None, "INTERIM_DIR")
        self.processed = resolve_dir(None, "PROCESSED_DIR")
        self.reports = resolve_dir(None, "REPORTS_DIR")

    def params(self) -> dict:
        return {
            "RAW_DIR": _param_path(self.raw),
            "INTERIM_DIR": _param_path(self.interim),
            "PROCESSED_DIR": _param_path(self.processed),
            "REPORTS_DIR": _param_path(self.reports),
        }

    def output(self, spec: str) -> Path:
        kind, rel = spec.split(":", 1)
        return (self.processed if kind == "processed" else self.reports) / rel


def raw_fingerprint(raw_dir: Path, memo: dict) -> str:
    """Checksum of every file in RAW_DIR (names and contents), memoised on (size, mtime)."""
    h = hashlib.sha256()
    new_memo = {}
    if raw_dir.is_dir():
        for path in sorted(p for p in raw_dir.iterdir() if p.is_file()):
            st = path.stat()
            sig = f"{st.st_size}:{st.st_mtime_ns}"
            prev = memo.get(path.name)
            digest = prev[1] if prev and prev[0] == sig else sha256_file(path)
            new_memo[path.name] = (sig, digest)
            h.update(path.name.encode("utf-8", "surrogateescape") + b"\0" + digest.encode() + b"\n")
    memo.clear()
    memo.update(new_memo)
    return h.hexdigest()


def stage_fingerprint(stage: Stage, dirs: Dirs, raw_fp: str, extra: dict) -> str:
    from grassroots.pipeline.corpus import code_version

    h = hashlib.sha256()
    h.update(json.dumps({
        "stage": stage.name,
        "code": code_version(),
        "notebook": sha256_file(NOTEBOOKS_DIR / stage.notebook),
        "params": dirs.params(),
        "raw": raw_fp,
        "extra": extra,
    }, sort_keys=True).encode())
    return h.hexdigest()


def _stamp_path(dirs: Dirs, stage: Stage) -> Path:
    return dirs.interim / ".stamps" / f"{stage.name}.json"


def _outputs_state(dirs: Dirs, stage: Stage) -> dict | None:
    state = {}
    for spec in stage.outputs + (f"reports:runs/{stage.notebook}",):
        path = dirs.output(spec)
        if not path.exists():
            return None
        state[spec] = sha256_file(path)
    return state


def stage_state(stage: Stage, dirs: Dirs, raw_fp: str, extra: dict) -> tuple[str, bool]:
    """(fingerprint, up to date): up to date when the fingerprint and the outputs are unchanged."""
    fp = stage_fingerprint(stage, dirs, raw_fp, extra)
    stamp = _stamp_path(dirs, stage)
    if not stamp.exists():
        return fp, False
    try:
        old = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        return fp, False
    return fp, old.get("fingerprint") == fp and old.get("outputs") == _outputs_state(dirs, stage)


def run_stage(stage: Stage, dirs: Dirs, fingerprint: str, extra: dict, km=None) -> None:
    """Execute one stage's notebook (in ``km`` when given) and stamp its outputs."""
    from grassroots.pipeline.atomic import write_text
    from grassroots.pipeline.notebook import run_notebook

    t0 = time.perf_counter()
    params = dirs.params() | extra
    print(f"[{stage.name}] running notebooks/{stage.notebook} ...", flush=True)
    run_notebook(NOTEBOOKS_DIR / stage.notebook, dirs.reports / "runs" / stage.notebook, params,
                 cwd=NOTEBOOKS_DIR, km=km)
    state = _outputs_state(dirs, stage)
    if state is not None:
        write_text(_stamp_path(dirs, stage), json.dumps({"fingerprint": fingerprint, "outputs": state},
                                                        sort_keys=True, indent=1) + "\n")
    print(f"[{stage.name}] done in {time.perf_counter() - t0:.1f} s", flush=True)


def run_stages(stages: list[Stage], dirs: Dirs, force: bool, memo: dict, extra: dict) -> int:
    """Run the stages from the first one that is out of date (a stage reruns when an earlier one
    ran: its inputs changed). Returns how many ran.

    The kernels of all stages that will run are started at once, each importing its stage's
    modules and loading its declarations, so that kernel start-up and imports overlap the stages
    before them.
    """
    from grassroots.pipeline.notebook import KernelPool

    plan = []
    raw_fp = raw_fingerprint(dirs.raw, memo)  # once: every stage's fingerprint holds it
    for stage in stages:
        stage_extra = extra if stage.name == "validate" else {}
        if plan or force:  # runs anyway (an earlier stage ran): no need to check its outputs
            plan.append((stage, stage_fingerprint(stage, dirs, raw_fp, stage_extra), stage_extra))
            continue
        fp, fresh = stage_state(stage, dirs, raw_fp, stage_extra)
        if fresh:
            print(f"[{stage.name}] up to date")
            continue
        plan.append((stage, fp, stage_extra))
    pool = KernelPool()
    try:
        for position, (stage, _, _) in enumerate(plan):
            # the later a stage runs, the lower its kernel's priority while it waits
            try:
                pool.start(stage.name, NOTEBOOKS_DIR, stage.warm_up, nice=4 * position)
            except Exception as exc:  # noqa: BLE001 - no warm kernel: the notebook starts its own
                print(f"[{stage.name}] kernel not started ahead ({type(exc).__name__}: {exc})", file=sys.stderr)
        for stage, fp, stage_extra in plan:
            km = pool.take(stage.name)
            try:
                run_stage(stage, dirs, fp, stage_extra, km)
            finally:
                if km is not None:
                    pool.shutdown(km)
    finally:
        pool.shutdown()
    return len(plan)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    force = "--force" in argv
    targets = [a for a in argv if not a.startswith("--")] or ["all"]
    target = targets[0]
    if target not in STAGE_NAMES + ["all"]:
        print(f"unknown stage {target!r}; choose from {', '.join(STAGE_NAMES + ['all'])}", file=sys.stderr)
        return 2
    upto = len(STAGES) if target == "all" else STAGE_NAMES.index(target) + 1
    dirs = Dirs()
    if not dirs.raw.is_dir():
        print(f"error: RAW_DIR {dirs.raw} does not exist", file=sys.stderr)
        return 2
    from grassroots.pipeline.rawio import ManifestError, check_manifest, read_manifest
    from grassroots.pipeline.notebook import NotebookFailed

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
    from grassroots.pipeline.atomic import remove_stale_temporaries

    for d in (dirs.processed, dirs.interim, dirs.reports, dirs.reports / "briefs", dirs.reports / "runs",
              dirs.reports / "data", dirs.interim / ".stamps"):
        remove_stale_temporaries(d)  # left by a run that was killed
    memo_path = dirs.interim / ".stamps" / "raw-memo.json"
    try:
        memo = {k: tuple(v) for k, v in json.loads(memo_path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        memo = {}
    strict = os.environ.get("STRICT", "0") in ("1", "true", "yes")
    extra = {"STRICT": strict}
    try:
        run_stages(STAGES[:upto], dirs, force, memo, extra)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        from grassroots.pipeline.atomic import write_text

        write_text(memo_path, json.dumps(memo, sort_keys=True) + "\n")
    return strict_summary(dirs) if strict else 0


def strict_summary(dirs: Dirs) -> int:
    """STRICT=1: exit non-zero when any report failed or any expectation failed, with a summary."""
    import csv

    failed = []
    for name, label in (("errors.csv", "report failed"), ("findings.csv", "expectation failed")):
        path = dirs.processed / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if name == "findings.csv" and row.get("severity") == "info":
                    continue
                detail = row.get("error") or row.get("message_en") or row.get("check", "")
                failed.append(f"{label}: {row.get('report_id', '')}: {detail}")
    if failed:
        print(f"STRICT: {len(failed)} problem(s):", file=sys.stderr)
        for line in failed[:50]:
            print(f"  {line}", file=sys.stderr)
        if len(failed) > 50:
            print(f"  ... and {len(failed) - 50} more (see errors.csv and findings.csv)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
