"""Totals that disagree with their parts: the readings the text allows, and which one the
evidence supports.

A validation finding whose first figure is a total (its `observed`) and whose other figures are
parts summing to its `expected` is a total/parts disagreement. For each such total the brief
tries the readings the findings name (parts by channel, parts by outcome, ...), takes out a part
that the text details inside another part (a sub-total: "trực tiếp: 407 hồ sơ; bưu chính: 01 hồ
sơ" under the 408 in person), and checks whether the readings agree on one value that differs
from the reported total by one digit (a typo). The reported figure is never changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from grassroots.brief.model import Corpus, Fig, Finding, Report, _dec

NEAR = 80   # characters between a part and the number that completes it to another part


@dataclass
class Inside:
    part: str           # the code of the part counted inside another
    host: str           # the code of the part that already holds it
    rest: Decimal       # host = rest + part
    line: str


@dataclass
class Reading:
    check: str
    parts: list         # [(code, value)] counted
    total: Decimal


@dataclass
class Reconciliation:
    report: Report
    code: str
    reported: Decimal
    readings: list
    inside: list = field(default_factory=list)
    likely: Decimal | None = None     # the value every reading gives, when they agree
    one_digit: bool = False           # reported and likely differ in one digit (or two swapped)
    findings: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"rec-{self.report.slug}-{self.code}"


def one_digit_apart(a: Decimal, b: Decimal) -> bool:
    x, y = str(int(a)), str(int(b))
    if len(x) != len(y) or x == y:
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]


def _mention(corpus: Corpus, r: Report, fig: Fig) -> dict | None:
    for m in corpus.mentions.get((r.id, fig.line), []):
        if m.get("mention_id") == fig.mention:
            return m
    return None


def _inside(corpus: Corpus, r: Report, parts: list[tuple[str, Fig]]) -> list[Inside]:
    """Parts that the text details inside another part: on the same line, near the smaller part,
    a number that with it makes the larger part (407 + 1 = 408)."""
    out = []
    for code_a, a in parts:
        ma = _mention(corpus, r, a)
        if ma is None or a.value <= 0:
            continue
        for code_b, b in parts:
            if code_b == code_a or b.line != a.line or b.value <= a.value:
                continue
            rest = b.value - a.value
            for m in corpus.mentions.get((r.id, a.line), []):
                if m.get("mention_id") in (a.mention, b.mention) or _dec(m.get("value_normalized") or m.get("value")) != rest:
                    continue
                if abs(int(m.get("start") or 0) - int(ma.get("start") or 0)) <= NEAR:
                    out.append(Inside(code_a, code_b, rest, a.line))
                    break
            if out and out[-1].part == code_a:
                break
    return out


def reconcile(corpus: Corpus) -> list[Reconciliation]:
    groups: dict[tuple[str, str], list[tuple[Finding, list]]] = {}
    for f in corpus.findings:
        r = corpus.by_id.get(f.report_id)
        if r is None or len(f.codes) < 3:
            continue
        total = corpus.fig(r, f.codes[0])
        parts = [(c, corpus.fig(r, c)) for c in f.codes[1:]]
        if total is None or any(p is None for _, p in parts):
            continue
        observed, expected = _dec(f.row.get("observed", "")), _dec(f.row.get("expected", ""))
        if observed != total.value or expected != sum((p.value for _, p in parts), Decimal(0)):
            continue
        groups.setdefault((r.id, f.codes[0]), []).append((f, parts))
    out = []
    for (rid, code), items in groups.items():
        r = corpus.by_id[rid]
        rec = Reconciliation(r, code, corpus.fig(r, code).value, [], findings=[f for f, _ in items])
        for f, parts in items:
            inside = _inside(corpus, r, parts)
            inner = {i.part for i in inside}
            counted = [(c, p.value) for c, p in parts if c not in inner]
            rec.readings.append(Reading(f.row.get("check", ""), counted, sum((v for _, v in counted), Decimal(0))))
            rec.inside += [i for i in inside if all(i.part != j.part for j in rec.inside)]
        totals = {x.total for x in rec.readings}
        if len(totals) == 1 and rec.reported not in totals:
            rec.likely = totals.pop()
            rec.one_digit = one_digit_apart(rec.reported, rec.likely)
        out.append(rec)
    return out
