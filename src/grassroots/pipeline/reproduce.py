"""`make reproduce`: rerun the whole pipeline into a temporary directory and compare every
processed table and published page, byte for byte, with the committed ones.

Exit status 0 when identical; 1 with the list of differences (and the first differing lines).
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from grassroots.paths import REPO_ROOT, resolve_dir

COMPARED = [
    ("processed", "*.csv"),
    ("reports", "briefs/*.html"),
    ("reports", "index.html"),
    ("reports", "data/*"),
]


def _files(base: Path, pattern: str) -> dict[str, Path]:
    return {p.relative_to(base).as_posix(): p for p in sorted(base.glob(pattern)) if p.is_file()}


def compare(committed: dict[str, Path], fresh: dict[str, Path]) -> list[str]:
    problems = []
    for name in sorted(set(committed) | set(fresh)):
        if name not in fresh:
            problems.append(f"{name}: committed but not produced by a fresh run")
        elif name not in committed:
            problems.append(f"{name}: produced by a fresh run but not committed")
        elif committed[name].read_bytes() != fresh[name].read_bytes():
            a = committed[name].read_text(encoding="utf-8", errors="replace").splitlines()
            b = fresh[name].read_text(encoding="utf-8", errors="replace").splitlines()
            diff = list(difflib.unified_diff(a, b, "committed", "fresh", n=0, lineterm=""))[:12]
            problems.append(f"{name}: differs\n    " + "\n    ".join(line[:200] for line in diff))
    return problems


def main() -> int:
    processed = resolve_dir(None, "PROCESSED_DIR")
    reports = resolve_dir(None, "REPORTS_DIR")
    with tempfile.TemporaryDirectory(prefix="grassroots-reproduce-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ)
        env.update({"INTERIM_DIR": str(tmp / "interim"), "PROCESSED_DIR": str(tmp / "processed"),
                    "REPORTS_DIR": str(tmp / "reports")})
        print("reproduce: running the pipeline from scratch into a temporary directory ...", flush=True)
        proc = subprocess.run([sys.executable, "-m", "grassroots.pipeline", "all", "--force"], cwd=REPO_ROOT, env=env)
        if proc.returncode != 0:
            print("reproduce: the pipeline failed", file=sys.stderr)
            return proc.returncode
        problems = []
        for kind, pattern in COMPARED:
            base_c, base_f = (processed, tmp / "processed") if kind == "processed" else (reports, tmp / "reports")
            problems += compare(_files(base_c, pattern), _files(base_f, pattern))
    if problems:
        print(f"reproduce: {len(problems)} difference(s) with the committed outputs:")
        for p in problems:
            print("  " + p)
        return 1
    print("reproduce: every processed table and brief is byte-identical to the committed one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
