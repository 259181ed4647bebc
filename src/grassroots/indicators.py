"""Codebook indicators from quantity mentions, driven by the rules in codebook.yml.

Precision first: a mention becomes an indicator only when its unit fits and a declared cue
binds it (nearest cue wins); a code takes one statement per report (its first, preferring the
section that reports its topic). Headings, plans and targets ("KH:", "chỉ tiêu", sections on
tasks for the next period) and approximate figures ("gần", "hơn", "trên") never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import is_heading as _is_heading
from .codebook import Codebook, Indicator, Rule, load
from .mentions import FoldedLines, Mention, fold
from .numbers import plain
from .scan import required_text

_PLAN_HEADING = re.compile(
    r"^[#\s]*(?:[ivxlc]+|\d+(?:\.\d+)*|[a-zđ])?[.)]?\s*(?:nhiệm vụ|phương hướng|giải pháp|kiến nghị|đề xuất|"
    r"kế hoạch|mục tiêu)"
)
_DIGIT = re.compile(r"\d")
# A figure and up to three words right before a cue: the cue then describes that figure.
_ATTACHED = re.compile(
    r"(?<!tháng )(?<!năm )(?<!ngày )(?<!quý )(?<![\d/.,])\d(?:[.,/]?\d)*\s*(?:[^\W\d_]+\s*){0,3}$")
_LAST_NUMBER_START = re.compile(r".*(?<![\d/.,])(?=\d)", re.S)
_CLAUSE_END = re.compile(r";|(?<!\d)\.(?!\.)|\.(?!\d|\.)")
_TARGET_NEAR = re.compile(r"(?:\bkh\s*:|chỉ tiêu|kế hoạch (?:giao|đề ra)|phấn đấu|mục tiêu)[^.;)]{0,30}$")


@dataclass
class Candidate:
    code: str
    mention: Mention
    mention_id: str
    line_index: int
    raw_line: int
    gap: int
    in_topic_section: bool
    order: int
    preferred: bool = False
    take: str = "value"


def _cues(rx_list) -> tuple[tuple[str, re.Pattern], ...]:
    """A rule's cue patterns, each with the text every match of it contains (scan.required_text):
    a window without that text is passed over without a regex search."""
    return tuple((required_text(rx), rx) for rx in rx_list)


def _attached(text: str) -> bool:
    """_ATTACHED.search(text), faster: a match starts at a digit not preceded by [\\d/.,] and then
    holds no other such position (after its number come only white space and letters), so it can
    only start at the last of them, found by a greedy backtrack from the end."""
    mm = _LAST_NUMBER_START.match(text)
    return mm is not None and _ATTACHED.match(text, mm.end()) is not None


def _match_rule(rule: Rule, cues: tuple, before: str, before_tail: str, after: str, sentence: str,
                m: Mention) -> tuple[int, int] | None:
    """(gap, -cue length) when the rule binds the mention, else None: smaller binds tighter.

    The gap is the number of characters between cue and figure; among equal gaps the longer
    (more specific) cue wins. A before-cue that directly follows another figure and its unit
    ("43/45 doanh nghiệp có tổ chức công đoàn, 12 ...") describes that figure, not the next one.
    cues: (before cues, after cues) of the rule, from _cues. before_tail: the last 40 characters
    of before.
    """
    # The unit fits: rules come from _candidate_rules, which yields only the rules that accept the
    # written unit, the normalised one, or "" for a bare (or inferred-unit) figure.
    # Cues first: most rules find none, and the exclusions below only matter when one binds.
    befores, afters = cues
    best_before = None
    if befores:
        window = before[-(rule.max_gap + 160):]
        for required, rx in befores:
            if required not in window:
                continue
            first = rx.search(window)
            if first is None:
                continue
            hit = first  # the last (nearest) occurrence, in finditer's order from the window start
            for hit in rx.finditer(window, first.end()):  # noqa: B007 - the loop keeps the last one
                pass
            gap_text = window[hit.end():]
            if len(gap_text) > rule.max_gap or _CLAUSE_END.search(gap_text):
                continue
            if not rule.gap_numbers and _DIGIT.search(gap_text):
                continue
            if not rule.attached_ok and _attached(window[:hit.start()]):
                continue
            key = (len(gap_text), -(hit.end() - hit.start()))
            best_before = key if best_before is None else min(best_before, key)
    best_after = None
    for required, rx in afters:
        if required not in after:
            continue
        mm = rx.search(after)
        if mm:
            # an after-cue right behind the unit binds almost as tightly as one before it
            key = (1, -(mm.end() - mm.start()))
            best_after = key if best_after is None else min(best_after, key)
    if best_before is None and best_after is None:
        return None
    if rule.denominator_required and m.denominator is None:
        return None
    if rule.sentence is not None and not rule.sentence.search(sentence):
        return None
    if rule.not_before is not None and rule.not_before.search(before_tail):
        return None
    if rule.not_after is not None and rule.not_after.search(after):
        return None
    if rule.both:
        if best_before is None or best_after is None:
            return None
        return min(best_before, best_after)
    if best_before is None:
        return best_after
    return best_before if best_after is None else min(best_before, best_after)


def _rules_by_unit(cb: Codebook) -> dict[str, list[tuple[Indicator, Rule, tuple]]]:
    """Rules indexed by the units they accept: a mention only meets the rules that fit its unit."""
    cached = _RULE_INDEX.get(id(cb))
    if cached is None:
        cached = {}
        for ind in cb.indicators.values():
            for rule in ind.rules:
                cues = (_cues(rule.before), _cues(rule.after))
                for u in rule.units:
                    cached.setdefault(u, []).append((ind, rule, cues))
        _RULE_INDEX[id(cb)] = cached
    return cached


_RULE_INDEX: dict[int, dict] = {}


def _sections(lines, folded) -> list[tuple[str, bool, bool]]:
    """Per line: (folded heading text of the section it is in, is-plan-section, is-heading)."""
    out = []
    heading, plan = "", False
    for li, line in enumerate(lines):
        if _is_heading(line.text):
            heading = folded[li]
            plan = bool(_PLAN_HEADING.match(heading))
            out.append((heading, plan, True))
            continue
        out.append((heading, plan, False))
    return out


def _candidate_rules(by_unit: dict, keys: frozenset) -> list[tuple[Indicator, Rule, tuple]]:
    """The rules that accept any of the unit keys, in codebook order (memoised per key set)."""
    cached = _PAIRS.get((id(by_unit), keys))
    if cached is None:
        cached = sorted({id(r): (i, r, p) for k in keys for i, r, p in by_unit.get(k, ())}.values(),
                        key=lambda ir: ir[0].order)
        if len(_PAIRS) > 50_000:  # unit words are open-ended: keep the memo bounded
            _PAIRS.clear()
        _PAIRS[(id(by_unit), keys)] = cached
    return cached


_PAIRS: dict[tuple[int, frozenset], list] = {}


def assign(lines, mentions_per_line: list[list[tuple[str, Mention]]], cb: Codebook | None = None,
           folded: FoldedLines | None = None) -> list[Candidate]:
    """All (code, mention) bindings in document order, at most one code per mention.

    folded: the lines folded (mentions.FoldedLines), when the caller has them already.
    """
    cb = cb or load()
    folded = folded if folded is not None else FoldedLines(lines)
    # sections as far as the last line with mentions: the lines after it are not read
    last = max((li for li, mentions in enumerate(mentions_per_line) if mentions), default=-1)
    sections = _sections(lines[:last + 1], folded)
    out: list[Candidate] = []
    by_unit = _rules_by_unit(cb)
    for li, (line, mentions) in enumerate(zip(lines, mentions_per_line, strict=True)):
        if not mentions:
            continue
        heading, plan, is_heading = sections[li]
        if is_heading or plan:
            continue
        ftext = folded[li]
        for mid, m in mentions:
            if m.qualifier == "approx":
                continue
            s0 = line.text.find(m.sentence) if m.sentence else 0
            s0 = 0 if s0 < 0 else s0
            s1 = s0 + len(m.sentence) if m.sentence else len(line.text)
            before = ftext[max(s0, m.start - 240):m.start]
            after = ftext[m.end:max(m.end, s1)][:120]
            sentence = ftext[s0:s1]
            before_tail = before[-40:]
            if _TARGET_NEAR.search(before_tail):
                continue
            best: tuple[tuple[int, int], int, Indicator, Rule] | None = None
            shared: list[tuple[tuple[int, int], Indicator, Rule]] = []
            written = fold(m.unit)
            # the unit keys a rule may accept: a bare (or inferred-unit) figure also meets "" rules
            keys = frozenset({written, m.unit_normalized} | ({""} if (not m.unit or m.unit_inferred) else set()))
            for ind, rule, cues in _candidate_rules(by_unit, keys):
                gap = _match_rule(rule, cues, before, before_tail, after, sentence, m)
                if gap is None:
                    continue
                if rule.shared:
                    shared.append((gap, ind, rule))
                if best is None or (gap, ind.order) < best[:2]:
                    best = (gap, ind.order, ind, rule)
            if best is None:
                continue
            picks = [(best[0], best[2], best[3])] + [s for s in shared if s[1] is not best[2]]
            for gap, ind, rule in picks:
                topic = cb.themes[ind.theme].get("section", "")
                in_topic = bool(topic and re.search(topic, heading))
                out.append(Candidate(ind.code, m, mid, li, line.raw_line_at(m.start), gap[0], in_topic,
                                     len(out), rule.prefer, rule.take))
    return out


def choose(cands: list[Candidate]) -> dict[str, Candidate]:
    """One statement per code: the first in the section on its topic, else the first."""
    by_code: dict[str, list[Candidate]] = {}
    for c in cands:
        by_code.setdefault(c.code, []).append(c)
    chosen = {}
    for code, cs in by_code.items():
        cs = [c for c in cs if c.preferred] or cs
        topical = [c for c in cs if c.in_topic_section]
        chosen[code] = (topical or cs)[0]
    return chosen


def _quote(sentence: str, m: Mention, limit: int = 280) -> str:
    """The sentence around the figure, trimmed to about `limit` characters, keeping the figure."""
    if len(sentence) <= limit:
        return sentence
    i = sentence.find(m.surface)
    if i < 0:
        return sentence[:limit]
    a = max(0, i - limit // 2)
    b = min(len(sentence), a + limit)
    return ("…" if a else "") + sentence[a:b].strip() + ("…" if b < len(sentence) else "")


def indicator_rows(report_id: str, chosen: dict[str, Candidate], cb: Codebook | None = None) -> list[dict]:
    cb = cb or load()
    rows = []
    for code, c in chosen.items():
        ind = cb.indicators[code]
        m = c.mention
        den = m.denominator if ind.denominator != "none" else None
        value = m.value_normalized
        if c.take == "denominator" and m.denominator is not None:
            value, den = m.denominator, None
        rows.append({
            "report_id": report_id,
            "indicator": code,
            "value": plain(value),
            "denominator": plain(den),
            "unit": ind.unit,
            "mention_id": c.mention_id,
            "line": c.raw_line,
            "surface": m.surface,
            "quote": _quote(m.sentence, m),
            "qualifier": m.qualifier,
            "parse_rule": m.parse_rule,
        })
    rows.sort(key=lambda r: cb.indicators[r["indicator"]].order)
    return rows
