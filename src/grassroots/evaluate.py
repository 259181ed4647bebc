"""Score extraction against hand-made gold (tests/fixtures/*/gold_indicators.csv).

    python -m grassroots.evaluate tests/fixtures/dev-corpus [more corpora ...]

For each code family: true positives (code found with the gold value and denominator), wrong
values (code found, value differs: the worst error), misses and extras (a code the gold does
not have). Precision = tp / (tp + wrong + extra); recall = tp / gold rows.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path


def _dec(text: str) -> Decimal | None:
    return Decimal(text).normalize() if text not in ("", None) else None


def score(corpus_dir: Path) -> dict:
    from grassroots.extract import extract_report

    gold: dict[str, dict[str, tuple]] = defaultdict(dict)
    with open(corpus_dir / "gold_indicators.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gold[row["report_id"]][row["indicator"]] = (_dec(row["value"]), _dec(row["denominator"]))
    fam = defaultdict(lambda: {"gold": 0, "tp": 0, "wrong": 0, "extra": 0, "miss": 0})
    details = []
    for path in sorted((corpus_dir / "raw").glob("*.txt")):
        got = {r["indicator"]: r for r in extract_report(path)["indicators"]}
        want = gold.get(path.stem, {})
        for code, (value, den) in want.items():
            f = fam[code.split(".")[0]]
            f["gold"] += 1
            if code not in got:
                f["miss"] += 1
                details.append((path.stem, code, "miss", str(value), ""))
            elif _dec(got[code]["value"]) == value and (den is None or _dec(got[code]["denominator"]) == den):
                f["tp"] += 1
            else:
                f["wrong"] += 1
                details.append((path.stem, code, "wrong", str(value), got[code]["value"]))
        for code, row in got.items():
            if code not in want:
                fam[code.split(".")[0]]["extra"] += 1
                details.append((path.stem, code, "extra", "", row["value"]))
    total = {k: sum(f[k] for f in fam.values()) for k in ("gold", "tp", "wrong", "extra", "miss")}
    return {"families": dict(fam), "total": total, "details": details}


def precision_recall(counts: dict) -> tuple[float, float]:
    found = counts["tp"] + counts["wrong"] + counts["extra"]
    return (counts["tp"] / found if found else 1.0, counts["tp"] / counts["gold"] if counts["gold"] else 1.0)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for corpus in argv or ["tests/fixtures/dev-corpus"]:
        result = score(Path(corpus))
        print(f"== {corpus}")
        print(f"{'family':<12} {'gold':>5} {'tp':>4} {'wrong':>5} {'extra':>5} {'miss':>4} {'P':>6} {'R':>6}")
        for name, c in sorted(result["families"].items()) + [("TOTAL", result["total"])]:
            p, r = precision_recall(c)
            print(f"{name:<12} {c['gold']:>5} {c['tp']:>4} {c['wrong']:>5} {c['extra']:>5} {c['miss']:>4} {p:>6.3f} {r:>6.3f}")
        for d in result["details"]:
            print("   ", *d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
