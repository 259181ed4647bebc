"""Every quantity mentioned in a report: number, unit noun, fraction denominator, sentence.

Not quantities: dates and times, years and year ranges, document numbers ("47/KH-UBND",
"04/2015/NĐ-CP", "Chỉ thị 15"), section and list numbers, ordinals ("kỳ họp thứ 7"), period
phrases ("6 tháng đầu năm"), numbers inside names ("Quốc lộ 24", "thôn Mang Lùng 1",
"Covid-19") and phone numbers. Each exclusion is a named rule below, so a reviewer can see why
a number was left out (see `explain_exclusions`).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from grassroots.numbers import MULTIPLIERS, NumberParseError, parse_number, plain
from grassroots.scan import longest_single_spaced_match, may_match_tail, search_tail, strip_tail, tail_endings

# --- text folding -----------------------------------------------------------------------------

_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# Only open syllables differ in style ("hoà"/"hòa", "thuỷ"/"thủy"); "hoạch", "quý" do not.
# The keys are "o" + a toned a/e, or "u" + a toned y: written as character classes, which the
# regex engine scans far faster than an alternation of fifteen literals.
_OLD_TONES_RE = re.compile(r"(?<!q)(?:o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?![^\W\d_])")
assert {a + b for a in "o" for b in "àáảãạèéẻẽẹ"} | {"u" + b for b in "ỳýỷỹỵ"} == set(_OLD_TONES)


def _fold_tones(m: re.Match) -> str:
    return _OLD_TONES[m.group(0)]


def fold(text: str) -> str:
    """Lowercase and unify old/new tone placement (hoà = hòa, uỷ = ủy). Length-preserving."""
    if len(text) <= 32:
        return _fold_short(text)  # words and units recur: memoised
    low = text.lower()
    # Most lines hold no old-style pair. Finding that out without the look-behind lets the regex
    # engine skip to the letters o and u instead of trying the look-behind at every position.
    return _OLD_TONES_RE.sub(_fold_tones, low) if _OLD_TONES_ANY.search(low) else low


# _OLD_TONES_RE without its look-behind: it matches wherever _OLD_TONES_RE does (and more).
_OLD_TONES_ANY = re.compile(r"(?:o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?![^\W\d_])")


@functools.lru_cache(maxsize=1 << 14)
def _fold_short(text: str) -> str:
    return _OLD_TONES_RE.sub(_fold_tones, text.lower())


class FoldedLines:
    """fold() of each line's text, computed on first use and kept: every step of a report's
    extraction reads the same folded lines."""

    def __init__(self, lines):
        self._lines = lines
        self._folded: list[str | None] = [None] * len(lines)

    def __len__(self) -> int:
        return len(self._folded)

    def __getitem__(self, i: int) -> str:
        value = self._folded[i]
        if value is None:
            value = self._folded[i] = fold(self._lines[i].text)
        return value


# --- units ------------------------------------------------------------------------------------

# Lexical compounds kept whole as the unit noun (checked before single words, longest first).
COMPOUND_UNITS = sorted(
    [
        "vụ việc", "hồ sơ", "mô hình", "nhân khẩu", "đơn vị", "doanh nghiệp", "hòa giải viên",
        "tổ hợp tác", "trường học", "dân tộc", "lao động", "tiêu chí", "ngày công", "công trình",
        "tỷ đồng", "tỉ đồng", "triệu đồng", "nghìn đồng", "ngàn đồng", "cơ quan", "chi bộ",
        "đảng viên", "hội viên", "đoàn viên", "học sinh", "giáo viên", "hộ gia đình", "gia đình",
        "trường hợp", "đối tượng", "kết luận", "tổ chức", "cá nhân", "tập thể", "nội dung",
        "chuyên đề", "thị trấn", "tổ dân phố", "khu dân cư", "hợp tác xã", "km2", "m2", "tổ hòa giải",
        "cán bộ", "công chức", "viên chức", "ý kiến", "kiến nghị", "tiêu chuẩn", "tôn giáo", "dự thảo", "văn bản", "hội nghị", "đề án", "thành viên", "sản phẩm", "ban thanh tra",
    ],
    key=len,
    reverse=True,
)
# "tổ hòa giải" is listed so that it can be recognised, but the classifier is the head noun:
HEAD_OF_COMPOUND = {"tổ hòa giải": "tổ", "ban thanh tra": "ban"}

# Words that follow a number but are not its unit.
NOT_UNITS = {
    "và", "với", "của", "trong", "trên", "so", "là", "đến", "tại", "từ", "có", "đã", "được",
    "theo", "cho", "về", "các", "những", "hoặc", "thì", "mà", "nhưng", "do", "bị", "đạt",
    "tăng", "giảm", "bằng", "chiếm", "gồm", "như", "khi", "để", "nên", "này", "đó", "ngày",
}
MONEY_UNITS = {"đồng", "đ", "vnđ", "vnd", "tỷ đồng", "tỉ đồng", "triệu đồng", "nghìn đồng",
               "ngàn đồng", "tr.đ", "trđ", "tỷ", "tỉ", "triệu", "nghìn", "ngàn", "tr"}
AREA_FACTORS = {"ha": Decimal("0.01"), "km2": Decimal(1), "m2": Decimal("0.000001")}
PEOPLE_UNITS = {"khẩu", "nhân khẩu"}
# Units that may be glued to the number ("1500m", "292.2km2", "1000đồng", "84,4%").
GLUED_UNITS = ("km2", "m2", "km", "ha", "m", "kg", "tấn", "đồng", "đ", "tr.đ", "trđ", "%")
# The same lists indexed by first character (order kept), so a unit is only compared with the
# entries that can match it.
_GLUED_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _g in GLUED_UNITS:
    _GLUED_BY_FIRST[_g[0]] = _GLUED_BY_FIRST.get(_g[0], ()) + (_g,)
_COMPOUND_BY_START: dict[str, tuple[str, ...]] = {}  # by their first two characters
for _c in COMPOUND_UNITS:
    _COMPOUND_BY_START[_c[:2]] = _COMPOUND_BY_START.get(_c[:2], ()) + (_c,)
assert min(map(len, COMPOUND_UNITS)) >= 2

_WORD = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)?", re.U)


@functools.lru_cache(maxsize=1 << 12)
def normalise_unit(unit: str) -> str:
    """Canonical unit: "%", "VND", "km2", "người" (khẩu), or the folded unit noun."""
    u = fold(unit).strip()
    if not u:
        return ""
    if u == "%":
        return "%"
    if u in MONEY_UNITS or u.split("/")[0] in MONEY_UNITS:
        return "VND" + ("/" + u.split("/", 1)[1] if "/" in u else "")
    if u in AREA_FACTORS:
        return "km2"
    if u in PEOPLE_UNITS:
        return "người"
    return u


def normalise_value(value: Decimal, unit: str) -> Decimal:
    """Apply multiplier words (money) and area conversion (ha -> km2)."""
    factor = _unit_factor(unit)
    return value if factor is None else value * factor


@functools.lru_cache(maxsize=1 << 12)
def _unit_factor(unit: str) -> Decimal | None:
    """The factor a unit applies to its value (None: none). Units recur: memoised."""
    u = fold(unit).strip()
    base = u.split("/")[0]
    first = base.split()[0] if base else ""
    if first in MULTIPLIERS:
        return MULTIPLIERS[first]
    if base in MULTIPLIERS:
        return MULTIPLIERS[base]
    if base in AREA_FACTORS:
        return AREA_FACTORS[base]
    return None


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


_ANY_DIGIT = re.compile(r"\d")
_QUOTES = re.compile(r"“[^”]{1,80}”|\"[^\"]{1,80}\"")
_RANGE_TAIL = re.compile(r"\d\s?[-–]\s?$")
_SLASH_DASH = re.compile(r"^[/-]")
_ROMAN_TAIL = re.compile(r"\b(?:quý\s*)?[ivx]+$")
_DECIMAL_HEAD = re.compile(r"^\s*(?:[.,]\d)")
_LIST_TAIL = re.compile(r"\d+\s*,\s*$")
_COLON_DIGIT = re.compile(r"^:\d")
_PERCENT_HEAD = re.compile(r"^\s*%")
_FRACTION = re.compile(r"/(\d+(?:[.,]\d{3})*(?:,\d+)?)(?![\d/])")
_YEAR_RANGE_HEAD = re.compile(r"^\s*[-–]\s*\d{4}")
_YEAR_RANGE_HEAD_B = re.compile(r"^\s*[-–]\s*\d{4}\b")
_YEAR_RANGE_TAIL = re.compile(r"\d{4}\s*[-–]\s*$")
_RANGE_HEAD = re.compile(r"^\s*[-–]\s*(\d+(?:[.,]\d+)*)\s*([^\W\d_]+|%)?")
_SHARE_TAIL = re.compile(r"\b(?:chiếm|tỷ lệ|tỉ lệ)\s*(?:là\s*)?$")
_NUM = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
# _NUM without its look-behind, which made the engine try every position of a line: a match of
# this one is a match of _NUM unless the character before is a word character or [.,] (and then
# no position inside it starts one either, as each follows a digit, "." or ",").
_NUM_RUN = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str):
    """_NUM.finditer(text), faster."""
    for m in _NUM_RUN.finditer(text):
        s = m.start()
        if s:
            c = text[s - 1]
            if c.isalnum() or c in "_.,":  # \w is str.isalnum() or "_"
                continue
        yield m
_DOCWORDS = (
    r"nghị định|nghị quyết|chỉ thị|pháp lệnh|kết luận|quyết định|kế hoạch|công văn|hướng dẫn|"
    r"quy định|thông tư|thông báo|chương trình|luật|điều|khoản|mục|chương|phụ lục|tờ trình|"
    r"báo cáo|văn bản|qđ|nq|kh|cv|tb"
)
# Context before the number (folded text, anchored at the end).
_BEFORE_EXCLUDE = [
    ("document-number", re.compile(rf"\b(?:{_DOCWORDS})\s*(?:số\s*)?:?\s*$|^\s*số\s*:?\s*$|\bsố\s*(?:hiệu\s*)?:\s*$")),
    ("date", re.compile(r"\b(?:ngày|tháng|năm|quý|từ ngày|đến ngày)\s*$")),
    ("ordinal", re.compile(r"\b(?:thứ|lần thứ|khóa|khoá|mức độ|mức|vùng|cấp độ|giai đoạn|đợt)\s*$")),
    ("name", re.compile(r"\b(?:quốc lộ|tỉnh lộ|tình lộ|huyện lộ|ql|đt|đường số|trung ương|covid\s*-?|"
                        r"tcvn|iso|tcvn iso|thôn|làng|xóm|ấp|bản|buôn|tổ dân phố|khu phố|tiểu khu|"
                        r"khu|tổ|phòng|lô|khoảnh|tiểu đoàn|sư đoàn|kênh|đài|hotline|điện thoại|"
                        r"sđt|đt:|fax|count:|view-count:|cms-view-count:)\s*$")),
    ("term", re.compile(r"\bchính quyền(?: địa phương)?\s*$")),
]
# One search for all exclusions before a number (named groups give the rule).
_BEFORE_ANY = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{rx.pattern})" for name, rx in _BEFORE_EXCLUDE))
# Every alternative ends the text: a match spans at most this many characters of single-spaced
# text, so the search starts there (scan.search_tail).
_BEFORE_ANY_WIDTH = longest_single_spaced_match(_BEFORE_ANY)
# The words its alternatives end with: most numbers follow none of them and need no search.
_BEFORE_ANY_ENDS = tail_endings(_BEFORE_ANY)

_AFTER_EXCLUDE = [
    ("document-number", re.compile(r"^(?:/\d{4})?[/-]\s?[A-ZĐ]{1,}[A-ZĐa-zđ]*|^/[A-ZĐa-z]")),
    ("date", re.compile(r"^/\d{1,2}/\d{2,4}\b|^/\d{4}\b|^\.\d{4}\b")),
    ("time", re.compile(r"^[:h]\d{2}\b")),
    ("period-phrase", re.compile(r"^\s*tháng\s*(?:đầu|cuối|năm|qua)\b|^\s*tháng\s*$", re.I)),
]
# The same rules as one pattern, tried once at the start of the text after a number: every rule
# is anchored there (^), so the first alternative that matches is the first rule that matches.
_AFTER_ANY = re.compile("|".join(
    f"(?P<{name.replace('-', '_')}>{'(?i:' if rx.flags & re.I else '(?:'}{rx.pattern}))"
    for name, rx in _AFTER_EXCLUDE))
_SECTION_START = re.compile(r"^\s*(?:#+\s*)?(?:\d+\.)*\d+[.)](?:\s|(?=[^\W\d_]))")
_QUALIFIERS = [
    ("approx", re.compile(r"\b(?:gần|hơn|trên|khoảng|xấp xỉ|trên dưới|chừng|tới gần|dưới)\s*$")),
    ("estimate", re.compile(r"\b(?:ước|ước đạt|ước tính|dự kiến)\s*$")),
]
_QUALIFIER_ENDS = [(name, rx, tail_endings(rx)) for name, rx in _QUALIFIERS]
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


# Unit compounds are compared with the folded text after a number: at most this many characters.
_UNIT_WINDOW = 24
assert max(map(len, COMPOUND_UNITS)) + 1 < _UNIT_WINDOW - 2  # see _read_unit on the folded line


def _read_unit(text: str, pos: int, ftext: str | None = None) -> tuple[str, int]:
    """The unit noun written after position pos: (unit, end offset). '' when there is none.

    ftext: fold(text) when it has text's length. Its slice then stands for fold() of the slice:
    they differ at most where a tone pair's look-around sees past the slice's ends, that is at
    its first character after a "q" (a unit never follows one) or its last two, which no
    compound reaches."""
    n = len(text)
    i = pos
    # glued unit: "1500m", "84,4%", "292.2km2"
    for g in _GLUED_BY_FIRST.get(text[i:i + 1].lower()[:1], ()):
        if text.startswith(g, i) or text[i:i + len(g)].lower() == g:
            j = i + len(g)
            if g == "%" or j >= n or not text[j].isalnum():
                return text[i:j], j
    if i < n and text[i].isalpha():
        return "", i  # glued unknown letters: an identifier ("30c", "22KV"), handled by caller
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "%":
        return "%", i + 1
    low = ftext[i:i + _UNIT_WINDOW] if ftext is not None else fold(text[i:i + _UNIT_WINDOW])
    for comp in _COMPOUND_BY_START.get(low[:2], ()):
        if low.startswith(comp) and (len(low) == len(comp) or not low[len(comp)].isalnum()):
            head = HEAD_OF_COMPOUND.get(comp)
            if head:
                return text[i:i + len(head)], i + len(head)
            j = i + len(comp)
            return text[i:j], j
    m = _WORD.match(text, i)
    if not m:
        return "", pos
    word = m.group(0)
    if fold(word) in NOT_UNITS:
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
    """Whether a line holds a digit (\\d): lines without one hold no quantity, and cite nothing.
    The regex is asked only when no ASCII digit is there: a one-character test is much cheaper."""
    return ("0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text
            or "6" in text or "7" in text or "8" in text or "9" in text or _ANY_DIGIT.search(text) is not None)


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
    ftext = folded if folded is not None else fold(text)
    unit_ftext = ftext if len(ftext) == len(text) else None
    spans: list[tuple[int, int]] = []  # sentence spans, found when the first mention needs them
    span_starts: list[int] = []
    quotes = [(m.start(), m.end()) for m in _QUOTES.finditer(text)] if ("“" in text or '"' in text) else []
    last_excluded_name_end = -10
    section = _SECTION_START.match(text)
    skip = explain.append if explain is not None else _no_explain  # (offset, token, rule)
    for m in _numbers(text):
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
        stripped = strip_tail(before)  # for the end-anchored tests below
        hit = (search_tail(_BEFORE_ANY, _BEFORE_ANY_WIDTH, before)
               if may_match_tail(_BEFORE_ANY_ENDS, before, stripped) else None)
        rule = hit.lastgroup.replace("_", "-") if hit else None
        if rule == "document-number" and not _SLASH_DASH.match(after):
            # kind words double as verbs ("hướng dẫn 03 lượt"): a unit noun after means a count
            u, _ = _read_unit(text, e, unit_ftext)
            if u and fold(u) not in ("ngày",):
                rule = None
        if rule is None and s > 1 and text[s - 1] == "/" and _ROMAN_TAIL.search(before[:-1]):
            rule = "date"  # "quý III/2021"
        if rule == "name" and _DECIMAL_HEAD.match(after):
            rule = None
        if rule is None and s - last_excluded_name_end < 6 and _LIST_TAIL.search(before):
            rule = "name"  # "thôn 1, 2, 3": the list continues a name
        if rule is None:
            hit = _AFTER_ANY.match(after)
            rule = hit.lastgroup.replace("_", "-") if hit else None
        if rule is None and _COLON_DIGIT.match(after):
            rule = "time"
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
        if _year_like(token) and (not unit or fold(unit) in ("năm",)) and not frac:
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
        # a range "250-300m": keep the first number, mark the qualifier
        qualifier = ""
        for qname, qrx, qends in _QUALIFIER_ENDS:
            if may_match_tail(qends, before, stripped) and qrx.search(before):
                qualifier = qname
                break
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
    _infer_units(text, out)
    _money_compounds(out)
    return out


def _infer_units(text: str, mentions: list[Mention]) -> None:
    """A bare number in a list takes the unit noun of the list ("trực tuyến: 113" after "552 hồ sơ")."""
    for i, m in enumerate(mentions):
        if m.unit or m.unit_normalized:
            continue
        if _SHARE_TAIL.search(fold(text[max(0, m.start - 20):m.start])):
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
            for comp in ("hồ sơ", "vụ việc", "đơn thư", "mô hình"):
                if comp in clause:
                    m.unit_normalized = comp if comp != "đơn thư" else "đơn"
                    m.unit_inferred = True
                    break


def _money_compounds(mentions: list[Mention]) -> None:
    """'10 tỷ 440 triệu 932 nghìn đồng': the parts before the final 'đồng' are money too."""
    for m in mentions:
        if fold(m.unit) in ("tỷ", "tỉ", "triệu", "nghìn", "ngàn", "tr"):
            m.unit_normalized = "VND"
