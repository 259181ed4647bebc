"""Snapshot of everything extraction and cleaning produce, per corpus, for before/after checks.

    python tools/snapshot.py OUT_DIR [--synthetic N] [NAME=RAW_DIR ...]

Writes OUT_DIR/<corpus>/<table>.csv (the CSV rows the pipeline would write, in report order)
and OUT_DIR/digests.json (sha256 of each). A refactoring that claims identical outputs is
checked by running this before and after and comparing the digests (see
tests/test_snapshot.py, which checks the committed digests of the fixture corpora).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = {
    "seeds": REPO / "data/raw",
    "dev-corpus": REPO / "tests/fixtures/dev-corpus/raw",
    "heldout": REPO / "tests/fixtures/heldout/raw",
    "heldout2": REPO / "tests/fixtures/heldout2/raw",
    "clean_corpus": REPO / "tests/fixtures/clean_corpus/raw",
    "real-dev": REPO / "tests/fixtures/real-dev/raw",
}
TABLES = ["reports", "mentions", "indicators", "citations", "models"]


def snapshot_corpus(raw_dir: Path) -> dict[str, str]:
    """{table: CSV text} for every report of raw_dir, through the extract stage's per-report
    function (read, clean once, extract), plus cleaning's text and line map."""
    from grassroots import clean
    from grassroots.extract import warm_up
    from grassroots.pipeline import rawio
    from grassroots.pipeline.stage_functions import extract_one

    warm_up()
    out = {t: [] for t in TABLES + ["corrections", "cleaned"]}
    with tempfile.TemporaryDirectory(prefix="snapshot-cache-") as cache:
        for path in rawio.list_raw(raw_dir):
            _, status, blocks, error = extract_one((path, Path(cache)))
            if status == "read":
                out["reports"].append(f"ERROR {path.name}: {error}\n")
                continue
            if error:
                raise RuntimeError(error)
            for t in TABLES:
                out[t].append(blocks[t][1].decode("utf-8"))
            rows = json.loads(blocks["corrections"][1])
            out["corrections"].append(json.dumps(rows, ensure_ascii=False, default=str) + "\n")
            text, encoding, data = rawio.read_raw(path)
            result = clean.clean_text(text, rawio.report_id_of(path), encoding)
            out["cleaned"].append(result.text + "\n" + clean.linemap_json(result, rawio.sha256_bytes(data)) + "\n")
    return {t: "".join(v) for t, v in out.items()}


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    synthetic = int(argv[argv.index("--synthetic") + 1]) if "--synthetic" in argv else 0
    corpora = dict(CORPORA)
    for arg in argv[1:]:
        if "=" in arg:  # NAME=DIR: one more corpus (a frozen synthetic one, say)
            name, path = arg.split("=", 1)
            corpora[name] = Path(path)
    tmp = None
    if synthetic:
        from grassroots.bench import make_corpus

        tmp = Path(tempfile.mkdtemp(prefix="snapshot-"))
        make_corpus(REPO / "data/raw", tmp / "raw", synthetic)
        corpora[f"synthetic{synthetic}"] = tmp / "raw"
    digests = {}
    for name, raw in corpora.items():
        tables = snapshot_corpus(raw)
        (out / name).mkdir(parents=True, exist_ok=True)
        for table, text in tables.items():
            (out / name / f"{table}.csv").write_text(text, encoding="utf-8")
            digests[f"{name}/{table}"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (out / "digests.json").write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(json.dumps(digests, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
