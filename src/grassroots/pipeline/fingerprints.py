"""Skip logic: a stage is up to date when its fingerprint and its outputs are unchanged since it
last ran, so `make all` with nothing changed is near-instant.

The fingerprint covers the code version, the stage's notebook, the parameters it is given and the
checksums of its inputs as the stage table declares them (stages.py). A stamp per stage in
INTERIM_DIR/.stamps/ records the fingerprint and the checksums of the outputs it wrote: the ones
the table declares and, for the briefs stage, every file in its record (published.py). Freshness
is decided by content: every input and output is hashed each time (no size or mtime shortcut).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grassroots.paths import NOTEBOOKS_DIR, REPO_ROOT
from grassroots.pipeline.rawio import RawInputError, sha256_file
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


def raw_fingerprint(raw_dir: Path) -> str:
    """Checksum of RAW_DIR: every regular file's name and content, and the name and kind of every
    other entry (a link, a FIFO: never opened), so that any change makes the stages run again."""
    import os
    import stat

    h = hashlib.sha256()
    if raw_dir.is_dir():
        for entry in sorted(os.scandir(raw_dir), key=lambda e: e.name):
            mode = entry.stat(follow_symlinks=False).st_mode
            try:
                digest = sha256_file(Path(entry.path)) if stat.S_ISREG(mode) else f"mode:{stat.S_IFMT(mode)}"
            except RawInputError as exc:  # unreadable: extract reports it
                digest = f"unreadable:{exc.problem}"
            h.update(os.fsencode(entry.name) + b"\0" + digest.encode() + b"\n")
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
    """Checksums of the stage's outputs and executed notebook, or None when one is missing. For the
    briefs stage, the outputs include every file of its record (the downloads in data/)."""
    from grassroots.pipeline.published import read_record

    specs = stage.outputs + (f"reports:runs/{stage.notebook}",)
    if stage.name == "briefs":
        specs += tuple(f"reports:{rel}" for rel in read_record(dirs.reports))
    state = {}
    for spec in specs:
        try:
            state[spec] = sha256_file(dirs.file(spec))
        except RawInputError:  # missing or not a regular file
            return None
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
