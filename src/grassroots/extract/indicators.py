"""Codebook indicators from quantity mentions, driven by the rules in codebook.yml.

Precision first: a mention becomes an indicator only when its unit fits and a declared cue
binds it (nearest cue wins); a code takes one statement per report (its first, preferring the
section that reports its topic). Headings, plans and targets ("KH:", "chỉ tiêu", sections on
tasks for the next period) and approximate figures ("gần", "hơn", "trên") never count.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from grassroots import ruleset
from grassroots.clean import is_heading as _is_heading
from grassroots.codebook import Codebook, Indicator, Rule, load
from grassroots.extract.mentions import Mention, has_digit
from grassroots.numbers import plain
from grassroots.text import FoldedLines, fold

_CLAUSE_END = re.compile(r";|(?<!\d)\.(?!\.)|\.(?!\d|\.)")


def _alternation(entries) -> str:
    """A lexicon word list as one alternation: words (folded, matched as written) and patterns."""
    return "|".join(e["pattern"] if isinstance(e, dict) else re.escape(fold(e)) for e in entries)


@dataclass(frozen=True)
class _Lexicon:
    plan_heading: re.Pattern  # a section on plans or tasks for the next period (folded heading)
    target_near: re.Pattern  # a plan or target cue just before a figure (folded text before it)
    attached: re.Pattern  # a figure and up to three words at the end of the text (not a date part)
    sub_unit: re.Pattern  # a sub-unit named as the subject of the figure (folded text before it)
    other_period: re.Pattern  # another period named earlier in the paragraph (folded line before it)


@functools.cache
def _lexicon() -> _Lexicon:
    """The plan cues and date words of rules/lexicon.yml, as the patterns assign() runs."""
    lex = ruleset.load("lexicon")
    cues = lex["plan_cues"]
    not_after_date_word = "".join(f"(?<!{re.escape(fold(w))} )" for w in lex["date_words"])
    return _Lexicon(
        plan_heading=re.compile(
            rf"^[#\s]*(?:[ivxlc]+|\d+(?:\.\d+)*|[a-zđ])?[.)]?\s*(?:{_alternation(cues['headings'])})"),
        target_near=re.compile(rf"(?:{_alternation(cues['before_figure'])})[^.;)]{{0,45}}$"),
        # A figure and up to three words right before a cue: the cue then describes that figure.
        attached=re.compile(
            rf"{not_after_date_word}(?<![\d/.,])\d(?:[.,/]?\d)*\s*(?:[^\W\d_]+\s*){{0,3}}$"),
        sub_unit=re.compile(rf"(?:{_alternation(lex['scope_cues']['sub_units'])})[^.;]{{0,30}}$"),
        other_period=re.compile(rf"(?:{_alternation(lex['scope_cues']['other_periods'])})"
                                rf"(?:(?!{_alternation(lex['scope_cues']['this_period'])}).)*$"),
    )


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


def _match_rule(rule: Rule, before: str, before_tail: str, after: str, sentence: str,
                m: Mention) -> tuple[int, int] | None:
    """(gap, -cue length) when the rule binds the mention, else None: smaller binds tighter.

    The gap is the number of characters between cue and figure; among equal gaps the longer
    (more specific) cue wins. A before-cue that directly follows another figure and its unit
    ("43/45 doanh nghiệp có tổ chức công đoàn, 12 ...") describes that figure, not the next one.
    before_tail: the last 40 characters of before. The rule accepts the mention's unit (assign
    offers a mention only the rules of its unit).
    """
    # Cues first: most rules find none, and the exclusions below only matter when one binds.
    best_before = None
    window = before[-(rule.max_gap + 160):]
    for rx in rule.before:
        hit = None
        for hit in rx.finditer(window):  # noqa: B007 - the loop keeps the last (nearest) one
            pass
        if hit is None:
            continue
        gap_text = window[hit.end():]
        if len(gap_text) > rule.max_gap or _CLAUSE_END.search(gap_text):
            continue
        if not rule.gap_numbers and has_digit(gap_text):
            continue
        if not rule.attached_ok and _lexicon().attached.search(window[:hit.start()]):
            continue
        key = (len(gap_text), -(hit.end() - hit.start()))
        best_before = key if best_before is None else min(best_before, key)
    best_after = None
    for rx in rule.after:
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


@functools.cache
def _rules_by_unit() -> dict[str, list[tuple[int, Indicator, Rule]]]:
    """The codebook's rules indexed by the units they accept, each with its place in the codebook:
    a mention only meets the rules that fit its unit."""
    out: dict[str, list[tuple[int, Indicator, Rule]]] = {}
    rules = [(ind, rule) for ind in load().indicators.values() for rule in ind.rules]
    for place, (ind, rule) in enumerate(rules):
        for u in rule.units:
            out.setdefault(u, []).append((place, ind, rule))
    return out


@functools.lru_cache(maxsize=4096)
def _unit_rules(unit: str, unit_normalized: str, bare: bool) -> tuple[tuple[Indicator, Rule], ...]:
    """The rules that accept a unit as written (folded) or normalised, in codebook order; a bare
    (or inferred-unit) figure also meets the rules for "" (any unit). Memoised: units recur."""
    keys = {fold(unit), unit_normalized} | ({""} if bare else set())
    found = {place: (ind, rule) for k in keys for place, ind, rule in _rules_by_unit().get(k, ())}
    return tuple(found[place] for place in sorted(found))


def _sections(lines, folded) -> list[tuple[str, bool, bool]]:
    """Per line: (folded heading text of the section it is in, is-plan-section, is-heading)."""
    out = []
    heading, plan = "", False
    for li, line in enumerate(lines):
        if _is_heading(line.text):
            heading = folded[li]
            plan = bool(_lexicon().plan_heading.match(heading))
            out.append((heading, plan, True))
            continue
        out.append((heading, plan, False))
    return out


def assign(lines, mentions_per_line: list[list[tuple[str, Mention]]],
           folded: FoldedLines | None = None) -> list[Candidate]:
    """All (code, mention) bindings in document order, at most one code per mention.

    folded: the lines folded (text.FoldedLines), when the caller has them already.
    """
    cb = load()
    folded = folded if folded is not None else FoldedLines(lines)
    # sections as far as the last line with mentions: the lines after it are not read
    last = max((li for li, mentions in enumerate(mentions_per_line) if mentions), default=-1)
    sections = _sections(lines[:last + 1], folded)
    out: list[Candidate] = []
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
            rules = _unit_rules(m.unit, m.unit_normalized, not m.unit or m.unit_inferred)
            if not rules:  # no rule accepts the unit: nothing can bind
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
            for ind, rule in rules:
                gap = _match_rule(rule, before, before_tail, after, sentence, m)
                if gap is None:
                    continue
                if rule.shared:
                    shared.append((gap, ind, rule))
                if best is None or (gap, ind.order) < best[:2]:
                    best = (gap, ind.order, ind, rule)
            if best is None:
                continue
            # a plan or target figure binds nothing (checked last: it only drops the mention)
            if _lexicon().target_near.search(before):
                continue
            # nor does a sub-unit's figure ("Chủ tịch UBND tỉnh tiếp 01 lượt" in a province's
            # total) or another period's ("Trước khi sáp nhập, xã X có diện tích ...")
            if _lexicon().sub_unit.search(before) or _lexicon().other_period.search(ftext[:m.start]):
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
