"""Skip logic: a stage is up to date when its fingerprint and its outputs are unchanged since it
last ran, so `make all` with nothing changed is near-instant.

The fingerprint covers the code version, the stage's notebook, the parameters it is given and the
checksums of its inputs as the stage table declares them (stages.py). A stamp per stage in
INTERIM_DIR/.stamps/ records the fingerprint and the checksums of the outputs it wrote.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grassroots.paths import NOTEBOOKS_DIR, REPO_ROOT
from grassroots.pipeline.rawio import sha256_file
from grassroots.pipeline.stages import Stage


@dataclass(frozen=True)
class Dirs:
    raw: Path
    interim: Path
    processed: Path
    reports: Path

    def param(self, name: str) -> str:
        """A directory as given to a notebook (RAW_DIR, ...): repo-relative inside the repository,
        absolute outside it."""
        path = {"RAW_DIR": self.raw, "INTERIM_DIR": self.interim, "PROCESSED_DIR": self.processed,
                "REPORTS_DIR": self.reports}[name].resolve()
        try:
            return path.relative_to(REPO_ROOT).as_posix()
        except ValueError:
            return str(path)

    def file(self, spec: str) -> Path:
        """The path of an input or output spec ("processed:x.csv", "reports:index.html", "repo:...")."""
        kind, rel = spec.split(":", 1)
        return {"processed": self.processed, "reports": self.reports, "repo": REPO_ROOT, "raw": self.raw}[kind] / rel


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


def _input_digest(spec: str, dirs: Dirs, raw_fp: str) -> str:
    if spec == "raw:*":
        return raw_fp
    path = dirs.file(spec)
    if "*" in path.name:
        h = hashlib.sha256()
        for p in sorted(path.parent.glob(path.name)):
            h.update(p.name.encode("utf-8", "surrogateescape") + b"\0" + sha256_file(p).encode() + b"\n")
        return h.hexdigest()
    return sha256_file(path) if path.is_file() else "-"


def stage_fingerprint(stage: Stage, dirs: Dirs, params: dict, raw_fp: str) -> str:
    from grassroots.pipeline.corpus import code_version

    h = hashlib.sha256()
    h.update(json.dumps({
        "stage": stage.name,
        "code": code_version(),
        "notebook": sha256_file(NOTEBOOKS_DIR / stage.notebook),
        "params": params,
        "inputs": {spec: _input_digest(spec, dirs, raw_fp) for spec in stage.inputs},
    }, sort_keys=True).encode())
    return h.hexdigest()


def _stamp_path(dirs: Dirs, stage: Stage) -> Path:
    return dirs.interim / ".stamps" / f"{stage.name}.json"


def outputs_state(stage: Stage, dirs: Dirs) -> dict | None:
    """Checksums of the stage's outputs and executed notebook, or None when one is missing."""
    state = {}
    for spec in stage.outputs + (f"reports:runs/{stage.notebook}",):
        path = dirs.file(spec)
        if not path.exists():
            return None
        state[spec] = sha256_file(path)
    return state


def up_to_date(stage: Stage, dirs: Dirs, fingerprint: str) -> bool:
    """Whether the stage last ran with this fingerprint and its outputs are as it left them."""
    try:
        old = json.loads(_stamp_path(dirs, stage).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return old.get("fingerprint") == fingerprint and old.get("outputs") == outputs_state(stage, dirs)


def stamp(stage: Stage, dirs: Dirs, fingerprint: str) -> None:
    """Record a run of the stage (nothing when an output is missing: it runs again next time)."""
    from grassroots.pipeline.atomic import write_text

    state = outputs_state(stage, dirs)
    if state is not None:
        write_text(_stamp_path(dirs, stage), json.dumps({"fingerprint": fingerprint, "outputs": state},
                                                         sort_keys=True, indent=1) + "\n")
