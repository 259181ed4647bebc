"""Every quantity mentioned in a report: number, unit noun, fraction denominator, sentence.

Not quantities: dates and times, years and year ranges, document numbers ("47/KH-UBND",
"04/2015/NĐ-CP", "Chỉ thị 15"), section and list numbers, ordinals ("kỳ họp thứ 7"), period
phrases ("6 tháng đầu năm"), numbers inside names ("Quốc lộ 24", "thôn Mang Lùng 1",
"Covid-19") and phone numbers. Each exclusion has a name, so a reviewer can see why a number was
left out (`find_mentions(text, explain=[])`).

The vocabulary is data, in rules/lexicon.yml (see `lexicon`): unit nouns and what they normalise
to, the words that follow a number without being its unit, the named exclusion rules read from
the words before and after a number, and the approximation cues. This module holds how a line is
read: where numbers, units, fractions, ranges and sentences are, and the exclusions that are not
a matter of words (section numbers, footnote references, fractions read as dates, years, numbers
in quoted names, phone numbers).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grassroots import ruleset
from grassroots.matcher import PatternSet
from grassroots.numbers import NumberParseError, parse_number, plain
from grassroots.paths import RULES_DIR
from grassroots.text import fold

# --- the lexicon ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """rules/lexicon.yml, compiled: word sets, factors, and the regexes built from word lists."""

    compound: re.Pattern  # a compound unit noun at the start of folded text (longest first)
    head_of_compound: dict[str, str]
    not_units: frozenset[str]
    money: frozenset[str]
    multipliers: dict[str, Decimal]
    area_km2: dict[str, Decimal]
    people: frozenset[str]
    glued: re.Pattern  # a unit glued to its number, any letter case
    share_cue: re.Pattern  # ends the folded text before a bare number that is a share
    clause_nouns: dict[str, str]
    before_rules: tuple[tuple[str, re.Pattern], ...]  # exclusions read from the text before a number
    before: re.Pattern  # the same rules in one regex, one group per rule
    after: re.Pattern  # the exclusion rules on the text after a number, one group per rule
    qualifiers: tuple[tuple[str, re.Pattern], ...]
    # the before_rules, then the qualifiers: which of them may match the text before a number
    cues: PatternSet

    def excluded_before(self, before: str, cues: list[int]) -> str | None:
        """The exclusion rule the text before a number matches (None: none); cues: what
        self.cues.candidates(before) gave. When rules match at several places, the one whose
        match starts first wins (the first listed on a tie), as Lexicon.before.search reports."""
        rules = [i for i in cues if i < len(self.before_rules)]
        if len(rules) == 1:  # no other rule can match: its own, smaller, regex decides
            name, rx = self.before_rules[rules[0]]
            return name if rx.search(before) else None
        return _rule_of(self.before.search(before)) if rules else None

    def qualifier(self, before: str, cues: list[int]) -> str:
        """The qualifier whose cue word ends the text before a number ("" if none)."""
        first = len(self.before_rules)
        return next((name for k, (name, rx) in enumerate(self.qualifiers, first)
                     if k in cues and rx.search(before)), "")


def _alternatives(words) -> str:
    """A regex alternation of the words as written."""
    return "|".join(map(re.escape, words))


def _ends_with(words, then: str = "") -> str:
    """A regex for text ending with one of the words, what `then` matches and white space."""
    return rf"\b(?:{_alternatives(words)}){then}\s*$"


def _regex(where: str, pattern: str, flags: int = 0) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ruleset.RulesError(f"lexicon.yml: {where}: not a valid regular expression: {exc}") from None


def _rules(where: str, rules: list[dict], alternatives) -> list[tuple[str, str]]:
    """(name, regex) of each rule, in file order, the regex the alternation of its patterns."""
    out: list[tuple[str, str]] = []
    for i, rule in enumerate(rules):
        at = f"{where}[{i}] ({rule['name']})"
        if rule["name"] in dict(out):
            raise ruleset.RulesError(f"lexicon.yml: {at}: field 'name': a second rule of this name")
        body = "|".join(alternatives(at, rule))
        out.append((rule["name"], f"(?i:{body})" if rule.get("ignore_case") else body))
    return out


def _one_regex(rules: list[tuple[str, str]]) -> re.Pattern:
    """The rules as one regex, one group per rule (name "a-b" -> group "a_b")."""
    return re.compile("|".join(f"(?P<{name.replace('-', '_')}>{body})" for name, body in rules))


def _rule_of(match: re.Match | None) -> str | None:
    """The rule a match of a regex made by _one_regex names."""
    return match.lastgroup.replace("_", "-") if match else None


def _before_alternatives(at: str, rule: dict, kind_words: list[str]) -> list[str]:
    words = (kind_words if rule.get("instrument_kinds") else []) + rule.get("words", [])
    out = [_ends_with(words, rule.get("then", ""))] if words else []
    for k, pattern in enumerate(rule.get("patterns", [])):
        out.append(_regex(f"{at}: field 'patterns[{k}]'", pattern).pattern)
    return out


def _after_alternatives(at: str, rule: dict) -> list[str]:
    flags = re.I if rule.get("ignore_case") else 0
    return [_regex(f"{at}: field 'patterns[{k}]'", p, flags).pattern for k, p in enumerate(rule["patterns"])]


def compile_lexicon(data: dict, kind_words: list[str]) -> Lexicon:
    """The Lexicon of a lexicon.yml already checked against its schema; kind_words: the
    instrument kinds of instruments.yml, folded (for rules with instrument_kinds: true)."""
    units, exclusions = data["units"], data["exclusions"]
    # A unit glued to a letter or digit is not a unit ("30c", "22KV"); "%" may be followed by anything.
    glued = "|".join(re.escape(g) + (r"(?![^\W_])" if g[-1].isalnum() else "") for g in units["glued"])
    before = _rules("exclusions.before", exclusions["before"],
                    lambda at, rule: _before_alternatives(at, rule, kind_words))
    before_rules = tuple((name, re.compile(body)) for name, body in before)
    qualifiers = tuple((q["name"], re.compile(_ends_with(q["words"]))) for q in data["qualifiers"])
    return Lexicon(
        compound=re.compile(rf"(?:{_alternatives(sorted(units['compounds'], key=len, reverse=True))})(?![^\W_])"),
        head_of_compound=dict(units["head_of_compound"]),
        not_units=frozenset(units["not_units"]),
        money=frozenset(units["money"]),
        multipliers={w: Decimal(f) for w, f in units["multipliers"].items()},
        area_km2={w: Decimal(f) for w, f in units["area_km2"].items()},
        people=frozenset(units["people"]),
        glued=re.compile(glued, re.I),
        share_cue=re.compile(rf"\b(?:{_alternatives(units['share_cues'])})\s*(?:là\s*)?$"),
        clause_nouns=dict(units["clause_nouns"]),
        before_rules=before_rules,
        before=_one_regex(before),
        after=_one_regex(_rules("exclusions.after", exclusions["after"], _after_alternatives)),
        qualifiers=qualifiers,
        cues=PatternSet([rx for _, rx in before_rules + qualifiers]),
    )


@functools.cache
def lexicon(rules_dir: Path = RULES_DIR) -> Lexicon:
    """rules_dir/lexicon.yml, checked and compiled (once per process and directory)."""
    kinds = [fold(k["vi"]) for k in ruleset.load("instruments", rules_dir)["kinds"]]
    return compile_lexicon(ruleset.load("lexicon", rules_dir), kinds)


# --- units ------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)?", re.U)


def normalise_unit(unit: str) -> str:
    """Canonical unit: "%", "VND", "km2", "người" (khẩu), or the folded unit noun."""
    lex = lexicon()
    u = fold(unit).strip()
    if not u:
        return ""
    if u == "%":
        return "%"
    if u in lex.money or u.split("/")[0] in lex.money:
        return "VND" + ("/" + u.split("/", 1)[1] if "/" in u else "")
    if u in lex.area_km2:
        return "km2"
    if u in lex.people:
        return "người"
    return u


def normalise_value(value: Decimal, unit: str) -> Decimal:
    """Apply multiplier words (money) and area conversion (ha -> km2)."""
    factor = _unit_factor(unit)
    return value if factor is None else value * factor


def _unit_factor(unit: str) -> Decimal | None:
    """The factor a unit applies to its value (None: none)."""
    lex = lexicon()
    base = fold(unit).strip().split("/")[0]
    first = base.split()[0] if base else ""
    if first in lex.multipliers:
        return lex.multipliers[first]
    if base in lex.multipliers:
        return lex.multipliers[base]
    return lex.area_km2.get(base)


# --- mention finding --------------------------------------------------------------------------

@dataclass
class Mention:
    start: int
    end: int
    surface: str
    value_text: str
    value: Decimal
    unit: str
    unit_normalized: str
    value_normalized: Decimal
    denominator: Decimal | None
    qualifier: str  # "", "approx" (gần/hơn/trên/khoảng...), "estimate" (ước), "range"
    parse_rule: str  # strict | point-decimal
    sentence: str
    unit_inferred: bool = False

    def row(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            "value": plain(self.value),
            "unit": self.unit,
            "value_normalized": plain(self.value_normalized),
            "unit_normalized": self.unit_normalized,
            "denominator": plain(self.denominator),
            "qualifier": self.qualifier,
            "parse_rule": self.parse_rule,
            "sentence": self.sentence,
        }


_DIGIT = re.compile(r"\d")
_NUM = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_QUOTES = re.compile(r"“[^”]{1,80}”|\"[^\"]{1,80}\"")
_RANGE_TAIL = re.compile(r"\d\s?[-–]\s?$")
_SLASH_DASH = re.compile(r"^[/-]")
_ROMAN_TAIL = re.compile(r"\b(?:quý\s*)?[ivx]+$")
_DECIMAL_HEAD = re.compile(r"^\s*(?:[.,]\d)")
_LIST_TAIL = re.compile(r"\d+\s*,\s*$")
_PERCENT_HEAD = re.compile(r"^\s*%")
_FRACTION = re.compile(r"/(\d+(?:[.,]\d{3})*(?:,\d+)?)(?![\d/])")
_YEAR_RANGE_HEAD = re.compile(r"^\s*[-–]\s*\d{4}")
_YEAR_RANGE_HEAD_B = re.compile(r"^\s*[-–]\s*\d{4}\b")
_YEAR_RANGE_TAIL = re.compile(r"\d{4}\s*[-–]\s*$")
_RANGE_HEAD = re.compile(r"^\s*[-–]\s*(\d+(?:[.,]\d+)*)\s*([^\W\d_]+|%)?")
_SECTION_START = re.compile(r"^\s*(?:#+\s*)?(?:\d+\.)*\d+[.)](?:\s|(?=[^\W\d_]))")
# A sentence ends at [.!?…] or at ";" before a list dash, followed by white space (group 1 or
# 2) and, after a full stop, not by a lower-case letter, digit or closing punctuation.
_SENT_BOUND = re.compile(r"[.!?…](\s+)(?=[^\sa-zà-ỹđ0-9,;)])|;(\s+)(?=[-–•])")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENT_BOUND.finditer(text):
        spans.append((start, m.start(1) if m.group(1) is not None else m.start(2)))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _year_like(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2100


def _read_unit(text: str, pos: int, ftext: str | None = None) -> tuple[str, int]:
    """The unit noun written after position pos: (unit, end offset). '' when there is none.

    ftext: fold(text) when it has text's length. From the unit's first character on it reads as
    fold() of the rest of the line: the two differ only where a tone pair's look-behind sees
    past the unit's start, and a unit follows a digit or white space, never a "q"."""
    lex = lexicon()
    glued = lex.glued.match(text, pos)  # "1500m", "84,4%", "292.2km2"
    if glued:
        return glued.group(0), glued.end()
    n = len(text)
    i = pos
    if i < n and text[i].isalpha():
        return "", i  # glued unknown letters: an identifier ("30c", "22KV"), handled by caller
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "%":
        return "%", i + 1
    comp = lex.compound.match(ftext, i) if ftext is not None else lex.compound.match(fold(text[i:]))
    if comp:
        head = lex.head_of_compound.get(comp.group(0))
        j = i + len(head if head else comp.group(0))
        return text[i:j], j
    m = _WORD.match(text, i)
    if not m:
        return "", pos
    word = m.group(0)
    if fold(word) in lex.not_units:
        return "", pos
    return word, m.end()


def _per_unit(text: str, pos: int) -> tuple[str, int]:
    """A '/noun' after a unit ("tiêu chí/xã", "triệu đồng/năm"): returned to extend the unit."""
    if pos < len(text) and text[pos] == "/" and pos + 1 < len(text) and text[pos + 1].isalpha():
        m = _WORD.match(text, pos + 1)
        if m:
            return text[pos:m.end()], m.end()
    return "", pos


def has_digit(text: str) -> bool:
    """Whether a line holds a digit: lines without one hold no quantity, and cite nothing."""
    return _DIGIT.search(text) is not None


def _no_explain(_item) -> None:
    pass


def find_mentions(text: str, explain: list | None = None, folded: str | None = None) -> list[Mention]:
    """All quantity mentions in one cleaned line (a paragraph), in text order.

    explain: optional list that receives (offset, token, rule) for every excluded number.
    folded: fold(text), when the caller has it already.
    """
    out: list[Mention] = []
    if not has_digit(text):
        return out
    lex = lexicon()
    ftext = folded if folded is not None else fold(text)
    unit_ftext = ftext if len(ftext) == len(text) else None
    spans: list[tuple[int, int]] = []  # sentence spans, found when the first mention needs them
    span_starts: list[int] = []
    quotes = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]
    last_excluded_name_end = -10
    section = _SECTION_START.match(text)
    skip = explain.append if explain is not None else _no_explain  # (offset, token, rule)
    for m in _NUM.finditer(text):
        token = m.group(0)
        s, e = m.start(), m.end()
        # trailing punctuation belongs to the sentence, not the number ("2020." "5,")
        while token and token[-1] in ".,":
            token = token[:-1]
            e -= 1

        if section and s < section.end():
            skip((s, token, "section-number"))
            continue
        before = ftext[max(0, s - 40):s]
        after = text[e:e + 24]
        if s > 0 and text[s - 1] in "-–" and s > 1 and text[s - 2].isalpha():
            skip((s, token, "name"))  # Covid-19, Đ-2
            continue
        if s > 0 and text[s - 1] == "/" and s > 1 and text[s - 2].isdigit():
            continue  # the denominator of a fraction already read
        if out and out[-1].qualifier == "range" and s > 1 and _RANGE_TAIL.search(text[max(0, s - 3):s]):
            continue  # the upper end of a range already read ("250-300m")
        if s > 0 and text[s - 1] == "[" and after.startswith("]"):
            skip((s, token, "footnote-ref"))
            continue
        cues = lex.cues.candidates(before)  # the rules and qualifiers that may end `before`
        rule = lex.excluded_before(before, cues)
        if rule == "document-number" and not _SLASH_DASH.match(after) and _read_unit(text, e, unit_ftext)[0]:
            rule = None  # kind words double as verbs ("hướng dẫn 03 lượt"): a unit after means a count
        if rule is None and s > 1 and text[s - 1] == "/" and _ROMAN_TAIL.search(before[:-1]):
            rule = "date"  # "quý III/2021"
        if rule == "name" and _DECIMAL_HEAD.match(after):
            rule = None
        if rule is None and s - last_excluded_name_end < 6 and _LIST_TAIL.search(before):
            rule = "name"  # "thôn 1, 2, 3": the list continues a name
        if rule is None:
            rule = _rule_of(lex.after.match(after))
        if rule is None and s > 0 and text[s - 1] == ":" and s > 1 and text[s - 2].isdigit():
            rule = "time"
        if rule is None and any(a < s < b for a, b in quotes) and not _PERCENT_HEAD.match(after):
            q = next((a, b) for a, b in quotes if a < s < b)
            if text[q[0] + 1: q[0] + 2].isupper():
                rule = "name-in-quotes"
        if rule is None and token.isdigit() and len(token) >= 9:
            rule = "phone"
        if rule:
            if rule == "name":
                last_excluded_name_end = e
            skip((s, token, rule))
            continue
        # fraction X/Y
        den_text = ""
        frac = _FRACTION.match(text[e:e + 20])
        pos = e
        if frac:
            den_text = frac.group(1)
            pos = e + frac.end()
        unit, upos = _read_unit(text, pos, unit_ftext)
        if not unit and upos == pos and pos < len(text) and text[pos].isalpha():
            skip((s, token, "identifier"))  # "30c/NQ-CP", "22KV"
            continue
        if frac:
            # "25/3" without a unit is a date (day/month); with a unit it is a fraction
            try:
                a, b = int(token.replace(".", "")), int(den_text.replace(".", ""))
            except ValueError:
                a, b = 0, 0
            if not unit and 1 <= a <= 31 and 1 <= b <= 12:
                skip((s, token, "date"))
                continue
        if _year_like(token) and (not unit or fold(unit) == "năm") and not frac:
            skip((s, token, "year"))
            continue
        if _year_like(token) and _YEAR_RANGE_HEAD.match(after):
            skip((s, token, "year"))
            continue
        if _YEAR_RANGE_HEAD_B.match(after) or (_year_like(token) and _YEAR_RANGE_TAIL.search(before)):
            skip((s, token, "year"))
            continue
        per, upos2 = _per_unit(text, upos) if unit else ("", upos)
        if per and not per[1:].strip().isdigit():
            unit_full = unit + per
            upos = upos2
        else:
            unit_full = unit
        qualifier = lex.qualifier(before, cues)
        # a range "250-300m": keep the first number, mark the qualifier
        rng = _RANGE_HEAD.match(after)
        if rng and not unit and not _year_like(token):
            unit2, upos3 = _read_unit(text, e + rng.start(1) + len(rng.group(1)), unit_ftext)
            if unit2:
                unit_full, upos, qualifier = unit2, upos3, "range"
        try:
            value, prule = parse_number(token)
        except NumberParseError:
            skip((s, token, "unparseable"))
            continue
        den_value = None
        if den_text:
            try:
                den_value, _ = parse_number(den_text)
            except NumberParseError:
                den_value = None
        unorm = normalise_unit(unit_full)
        vnorm = normalise_value(value, unit_full)
        if not spans:
            spans = _sentence_spans(text)
            span_starts = [a for a, _ in spans]
        sent = spans[bisect.bisect_right(span_starts, s) - 1]
        if not sent[0] <= s < sent[1]:
            sent = (0, len(text))  # between two sentences (in the white space)
        end = upos if unit_full else (pos if frac else e)
        out.append(Mention(
            start=s, end=end, surface=text[s:end], value_text=token, value=value, unit=unit_full,
            unit_normalized=unorm, value_normalized=vnorm, denominator=den_value,
            qualifier=qualifier, parse_rule=prule, sentence=text[sent[0]:sent[1]].strip(),
        ))
    _infer_units(text, out, lex)
    return out


def _infer_units(text: str, mentions: list[Mention], lex: Lexicon) -> None:
    """A bare number in a list takes the unit noun of the list ("trực tuyến: 113" after "552 hồ sơ")."""
    for i, m in enumerate(mentions):
        if m.unit or m.unit_normalized:
            continue
        if lex.share_cue.search(fold(text[max(0, m.start - 20):m.start])):
            m.unit_normalized = "%"  # "chiếm 89,65(": a share with its sign lost
            m.unit_inferred = True
            continue
        for prev in reversed(mentions[:i]):
            if prev.sentence != m.sentence:
                break
            if prev.unit_normalized and prev.unit_normalized != "%":
                gap = text[prev.end:m.start]
                if len(gap) < 80 and "." not in gap.replace("...", ""):
                    m.unit_normalized = prev.unit_normalized
                    m.value_normalized = normalise_value(m.value, prev.unit)
                    m.unit_inferred = True
                break
        if not m.unit_normalized:
            # a noun before the number in the same clause: "hồ sơ ... chuyển sang là 2.171"
            clause = re.split(r"[;.]", fold(text[max(0, m.start - 80):m.start]))[-1]
            noun = next((noun for noun in lex.clause_nouns if noun in clause), None)
            if noun:
                m.unit_normalized = lex.clause_nouns[noun]
                m.unit_inferred = True
