"""Codebook indicators from quantity mentions, driven by the rules in codebook.yml.

Precision first: a mention becomes an indicator only when its unit fits and a declared cue
binds it (nearest cue wins); a code takes one statement per report (its first, preferring the
section that reports its topic). Headings, plans and targets ("KH:", "chỉ tiêu", sections on
tasks for the next period) and approximate figures ("gần", "hơn", "trên") never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grassroots.clean import is_heading as _is_heading
from grassroots.codebook import Codebook, Indicator, Rule, load
from grassroots.extract.mentions import FoldedLines, Mention, fold, has_digit
from grassroots.numbers import plain
from grassroots.scan import NO_BOUND, WHITE_RUN, anchor_reach, holds_any, required_strings

_PLAN_HEADING = re.compile(
    r"^[#\s]*(?:[ivxlc]+|\d+(?:\.\d+)*|[a-zđ])?[.)]?\s*(?:nhiệm vụ|phương hướng|giải pháp|kiến nghị|đề xuất|"
    r"kế hoạch|mục tiêu)"
)
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


def _cues(rx_list) -> tuple[tuple[tuple[str, ...], re.Pattern], ...]:
    """A rule's cue patterns, each with the strings one of which every match of it contains
    (required_strings): a window holding none of them is passed over without a regex search."""
    return tuple((required_strings(rx), rx) for rx in rx_list)


def _before_cues(rx_list) -> tuple[tuple[tuple[str, ...], re.Pattern, str, int, int], ...]:
    """_cues, each also with its anchor and reach (anchor_reach)."""
    return tuple((required_strings(rx), rx, *anchor_reach(rx)) for rx in rx_list)


# every match of _TARGET_NEAR holds one of these: a tail without them is no target
_TARGET_NEAR_TEXT = required_strings(_TARGET_NEAR)


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
    # The unit fits: rules come from _candidate_plan, which yields only the rules that accept the
    # written unit, the normalised one, or "" for a bare (or inferred-unit) figure.
    # Cues first: most rules find none, and the exclusions below only matter when one binds.
    befores, afters = cues
    best_before = None
    if befores:
        window = before[-(rule.max_gap + 160):]
        single_spaced = None
        for required, rx, anchor, reach, reach_single in befores:
            for text in required:
                if text in window:
                    break
            else:
                if required:
                    continue
            if anchor:
                # a hit that binds ends within max_gap of the end: its anchor is near the end
                if reach == NO_BOUND and reach_single != NO_BOUND:
                    if single_spaced is None:
                        single_spaced = WHITE_RUN.search(window) is None
                    if single_spaced:
                        reach = reach_single
                if reach != NO_BOUND and window.find(
                        anchor, max(0, len(window) - rule.max_gap - reach - len(anchor))) < 0:
                    continue
            first = rx.search(window)
            if first is None:
                continue
            hit = first  # the last (nearest) occurrence, in finditer's order from the window start
            # a later match lies after first.end() and holds a required string there
            later = not required
            for text in required:
                if window.find(text, first.end()) >= 0:
                    later = True
                    break
            if later:
                for hit in rx.finditer(window, first.end()):  # noqa: B007 - the loop keeps the last one
                    pass
            gap_text = window[hit.end():]
            if len(gap_text) > rule.max_gap or _CLAUSE_END.search(gap_text):
                continue
            if not rule.gap_numbers and has_digit(gap_text):
                continue
            if not rule.attached_ok and _attached(window[:hit.start()]):
                continue
            key = (len(gap_text), -(hit.end() - hit.start()))
            best_before = key if best_before is None else min(best_before, key)
    best_after = None
    for required, rx in afters:
        for text in required:
            if text in after:
                break
        else:
            if required:
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
                cues = (_before_cues(rule.before), _cues(rule.after))
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


class _Plan:
    """The rules a mention of one unit meets, in codebook order, with a cheap exact gate.

    A rule can bind only when one of its cues matches, and a cue matches only where one of its
    required strings (required_strings) occurs: a before-cue searches a suffix of `before`, an
    after-cue `after`. So a rule none of whose cues' strings is in `before` / `after` gives None
    and is not tried. Rule i is bit i of the masks; a rule with a cue of unknown requirement is
    always tried.
    """

    __slots__ = ("rules", "before_gates", "after_gates", "always")

    def __init__(self, rules: list[tuple[Indicator, Rule, tuple]]):
        self.rules = rules
        before: dict[str, int] = {}
        after: dict[str, int] = {}
        always = 0
        for i, (_ind, _rule, (befores, afters)) in enumerate(rules):
            bit = 1 << i
            for gates, cues in ((before, befores), (after, afters)):
                for required, _rx, *_ in cues:
                    if not required:
                        always |= bit
                    for text in required:
                        gates[text] = gates.get(text, 0) | bit
        self.before_gates = tuple(before.items())
        self.after_gates = tuple(after.items())
        self.always = always

    def tried(self, before: str, after: str):
        """The rules whose cues may match, in codebook order."""
        hit = self.always
        for text, bits in self.before_gates:
            if text in before:
                hit |= bits
        for text, bits in self.after_gates:
            if text in after:
                hit |= bits
        rules = self.rules
        while hit:
            low = hit & -hit
            yield rules[low.bit_length() - 1]
            hit ^= low


def _candidate_plan(by_unit: dict, unit: str, unit_normalized: str, bare: bool) -> _Plan:
    """The plan of the rules that accept the written unit (folded), the normalised one, or ""
    for a bare (or inferred-unit) figure; memoised per unit, as fold() is a pure function."""
    key = (id(by_unit), unit, unit_normalized, bare)
    plan = _PLANS.get(key)
    if plan is None:
        keys = {fold(unit), unit_normalized} | ({""} if bare else set())
        rules = sorted({id(r): (i, r, p) for k in keys for i, r, p in by_unit.get(k, ())}.values(),
                       key=lambda ir: ir[0].order)
        plan = _Plan(rules)
        if len(_PLANS) > 50_000:  # unit words are open-ended: keep the memo bounded
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


_PLANS: dict[tuple, _Plan] = {}


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
    topical: dict[tuple[str, str], bool] = {}
    for li, (line, mentions) in enumerate(zip(lines, mentions_per_line, strict=True)):
        if not mentions:
            continue
        heading, plan, is_heading = sections[li]
        if is_heading or plan:
            continue
        ftext = folded[li]
        text = line.text
        last_sentence = last_s0 = None
        for mid, m in mentions:
            if m.qualifier == "approx":
                continue
            # the unit keys a rule may accept: a bare (or inferred-unit) figure also meets "" rules
            plan = _candidate_plan(by_unit, m.unit, m.unit_normalized, not m.unit or m.unit_inferred)
            if not plan.rules:  # no rule accepts the unit: nothing can bind
                continue
            if m.sentence:
                if m.sentence != last_sentence:  # mentions of one sentence: find it once
                    last_sentence, last_s0 = m.sentence, text.find(m.sentence)
                s0 = 0 if last_s0 < 0 else last_s0
                s1 = s0 + len(m.sentence)
            else:
                s0, s1 = 0, len(text)
            before = ftext[max(s0, m.start - 240):m.start]
            end = max(m.end, s1)
            after = ftext[m.end:min(end, m.end + 120)]  # = ftext[m.end:end][:120], as end >= m.end
            sentence = ftext[s0:s1]
            before_tail = before[-40:]
            best: tuple[tuple[int, int], int, Indicator, Rule] | None = None
            shared: list[tuple[tuple[int, int], Indicator, Rule]] = []
            for ind, rule, cues in plan.tried(before, after):
                gap = _match_rule(rule, cues, before, before_tail, after, sentence, m)
                if gap is None:
                    continue
                if rule.shared:
                    shared.append((gap, ind, rule))
                if best is None or (gap, ind.order) < best[:2]:
                    best = (gap, ind.order, ind, rule)
            if best is None:
                continue
            # a plan or target figure binds nothing (checked last: it only drops the mention)
            if holds_any(before_tail, _TARGET_NEAR_TEXT) and _TARGET_NEAR.search(before_tail):
                continue
            picks = [(best[0], best[2], best[3])] + [s for s in shared if s[1] is not best[2]]
            for gap, ind, rule in picks:
                in_topic = topical.get((ind.theme, heading))
                if in_topic is None:  # memoised per section heading: the same search each time
                    topic = cb.themes[ind.theme].get("section", "")
                    in_topic = topical[ind.theme, heading] = bool(topic and re.search(topic, heading))
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
