"""Score extraction against hand-made gold (tests/fixtures/*/gold_indicators.csv).

    python -m grassroots.evaluate tests/fixtures/real-dev tests/fixtures/real-sealed [...]

Every produced indicator row of a labelled text is scored, per code family and overall:
- tp: the gold code with the gold value (and denominator, when the gold has one);
- wrong: the gold code with another value, the worst error;
- extra: a produced code the gold does not have for that text (wrong too: a figure bound to the
  wrong code, another period or another unit of government);
- miss: a gold code the extractor did not produce.
Precision = tp / (tp + wrong + extra), over every produced row; recall = tp / gold rows.
Gold rows marked ambiguous=1 are scored neither way: producing them or not changes nothing.

A corpus folder that holds a file named SEALED is scored but its details (which text, which
code, which value) are never printed: nobody reads a sealed part while changing rules.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

COUNTS = ("gold", "tp", "wrong", "extra", "miss", "ambiguous")


def _dec(text: str) -> Decimal | None:
    return Decimal(text).normalize() if text not in ("", None) else None


def read_gold(corpus_dir: Path) -> tuple[dict[str, dict[str, tuple]], dict[str, set[str]]]:
    """({report_id: {code: (value, denominator)}}, {report_id: codes marked ambiguous})."""
    gold: dict[str, dict[str, tuple]] = defaultdict(dict)
    ambiguous: dict[str, set[str]] = defaultdict(set)
    with open(corpus_dir / "gold_indicators.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row.get("ambiguous") or "0").strip() == "1":
                ambiguous[row["report_id"]].add(row["indicator"])
            else:
                gold[row["report_id"]][row["indicator"]] = (_dec(row["value"]), _dec(row["denominator"]))
    return gold, ambiguous


def is_sealed(corpus_dir: Path) -> bool:
    return (corpus_dir / "SEALED").exists()


def score(corpus_dir: Path) -> dict:
    from grassroots.extract import extract_report

    gold, ambiguous = read_gold(corpus_dir)
    fam = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    details = []
    for path in sorted((corpus_dir / "raw").glob("*.txt")):
        got = {r["indicator"]: r for r in extract_report(path)["indicators"]}
        want = gold.get(path.stem, {})
        unsure = ambiguous.get(path.stem, set())
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
            if code in want:
                continue
            if code in unsure:
                fam[code.split(".")[0]]["ambiguous"] += 1
                continue
            fam[code.split(".")[0]]["extra"] += 1
            details.append((path.stem, code, "extra", "", row["value"]))
    total = {k: sum(f[k] for f in fam.values()) for k in COUNTS}
    return {"families": dict(fam), "total": total, "details": details}


def precision_recall(counts: dict) -> tuple[float, float]:
    found = counts["tp"] + counts["wrong"] + counts["extra"]
    return (counts["tp"] / found if found else 1.0, counts["tp"] / counts["gold"] if counts["gold"] else 1.0)


def report(corpus: Path, result: dict, details: bool = True) -> str:
    """The score table of one corpus (and its details, unless the corpus is sealed)."""
    lines = [f"== {corpus}" + (" (sealed: scores only)" if is_sealed(corpus) else "")]
    lines.append(f"{'family':<12} {'gold':>5} {'tp':>4} {'wrong':>5} {'extra':>5} {'miss':>4} "
                 f"{'ambig':>5} {'P':>6} {'R':>6}")
    for name, c in sorted(result["families"].items()) + [("TOTAL", result["total"])]:
        p, r = precision_recall(c)
        lines.append(f"{name:<12} {c['gold']:>5} {c['tp']:>4} {c['wrong']:>5} {c['extra']:>5} {c['miss']:>4} "
                     f"{c['ambiguous']:>5} {p:>6.3f} {r:>6.3f}")
    if details and not is_sealed(corpus):
        lines += ["    " + " ".join(d) for d in result["details"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    show = "--no-details" not in argv
    for corpus in [a for a in argv if not a.startswith("--")] or ["tests/fixtures/real-dev"]:
        print(report(Path(corpus), score(Path(corpus)), show))
    return 0


if __name__ == "__main__":
    sys.exit(main())
