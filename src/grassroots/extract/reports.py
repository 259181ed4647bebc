"""Report metadata (one row of reports.csv) read from a cleaned report and its optional sidecar.

A Vietnamese administrative report opens with a header (issuing organ, "Số: 480/BC-UBND", the
place/date line "Kbang, ngày 30 tháng 10 năm 2020"), then "BÁO CÁO" and the title line, and closes
with "Trên đây là báo cáo ... của UBND huyện X./.", the distribution list ("Nơi nhận:") and the
signature block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / <name>"), sometimes followed by an annex.
Web pages (the dev corpus) have a headline instead; the same readers fall back to it.

Precedence: values read from the text come first; a sidecar field that is present and non-empty
wins, and a disagreement between the two is recorded in `notes`. Unit names are resolved with
`gazetteer.resolve_unit` (legacy codes and post-2025 names). Nothing here raises on odd input: a
text without recognisable metadata gives empty strings.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from grassroots import ruleset
from grassroots.clean import (
    is_footnote_line,  # one footnote rule, shared with cleaning
)
from grassroots.extract.gazetteer import level_of_type, resolve_unit, split_unit
from grassroots.matcher import PatternSet
from grassroots.tables import COLUMNS
from grassroots.text import accent_key, nfc

# reports.csv columns (DESIGN.md section 4), in order.
REPORT_FIELDS = tuple(COLUMNS["reports"][: COLUMNS["reports"].index("metadata_source")])
# Extra keys returned beside the columns.
EXTRA_FIELDS = ("metadata_source", "notes")
# Sidecar fields that may fill or override what the text says.
SIDECAR_FIELDS = (
    "title", "issuer", "admin_level", "locality", "district", "province",
    "period_label", "period_start", "period_end",
)

HEADER_LINES = 15  # the header (number, place/date, title) sits within the first lines

# --- character classes and unit phrases ---------------------------------------------------------

_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_UPPER = "A-Z" + "".join(c.upper() for c in _LOWER[3:])
_WORD = rf"[{_UPPER}][{_LOWER}{_UPPER}'’]*(?:-[{_LOWER}{_UPPER}]+)*"
# A proper name: capitalised words ("Triệu Sơn", "Kbang", "H'Mông") or a ward number ("phường 3").
_NAME = rf"(?:{_WORD}|\d{{1,2}}(?!\d))(?:[ ]{_WORD})*"


def _spelled(spelling: str) -> str:
    """A lexicon spelling as a pattern: any white space between its words, and "ủy" also in the
    old tone placement "uỷ"."""
    return r"\s+".join(re.escape(w).replace("ủy", "(?:ủy|uỷ)") for w in spelling.split())


def _either(spellings) -> str:
    """Spellings as one alternation, longest first, ignoring case."""
    return "(?i:" + "|".join(_spelled(s) for s in sorted(spellings, key=len, reverse=True)) + ")"


def _words_or_patterns(entries) -> str:
    """Lexicon entries (spellings, or {pattern: ...}) as one alternation."""
    return "|".join(e["pattern"] if isinstance(e, dict) else _spelled(e) for e in entries)


def _organ_spellings(organ: dict) -> str:
    """An organ of the lexicon as an alternation: its pattern, or its spellings."""
    return organ["pattern"] if "pattern" in organ else "|".join(map(_spelled, organ["spellings"]))


def _lookup_key(text: str) -> str:
    """How a matched organ, board or committee is looked up: lower case, single-spaced, "ủy"."""
    return " ".join(text.lower().split()).replace("uỷ", "ủy")


@dataclass(frozen=True)
class _Lexicon:
    """The unit and organ words of rules/lexicon.yml, and the patterns built from them."""

    organ: str  # any organ ("UBND", "Đảng ủy xã", ...): an alternation, ignoring case
    organ_names: tuple[tuple[re.Pattern, str], ...]  # each organ's spellings -> its name
    party_boards: dict[str, str]  # lookup key -> name ("ban dân vận" -> "Ban Dân vận")
    party_committees: dict[str, tuple[str, str]]  # lookup key -> (display, unit type)
    name_stops: frozenset[str]
    organ_unit: re.Pattern  # "UBND huyện Triệu Sơn", "Đảng ủy xã Ba Tô", "Ủy ban Nhân dân huyện"
    party_unit: re.Pattern  # "Huyện ủy Kbang", "Ban Dân vận Tỉnh ủy Gia Lai"
    unit: re.Pattern  # a bare unit mention: "xã Hoàng Khai", "huyện Yên Sơn"
    self_description: re.Pattern  # "Đồng Văn là một huyện vùng cao ..."
    scope: re.Pattern  # "toàn tỉnh", "trên địa bàn huyện" (no name after)
    nameless: re.Pattern  # "UBND tỉnh" with no name after
    district_after: re.Pattern  # ", huyện Y" right after a commune's name
    province_after: re.Pattern  # ", tỉnh Y" right after a unit's name
    province_any: re.Pattern  # "tỉnh Y" anywhere
    # What a line must hold for unit, organ_unit, party_unit, district_after (district_scans) and
    # province_any, province_after (province_scans): each pattern up to the name that ends it
    district_scans: PatternSet
    province_scans: PatternSet
    report_types: tuple[tuple[str, re.Pattern], ...]  # code -> what a title of that type names
    citation_start: re.Pattern  # a line that opens by citing a document ("Thực hiện Kế hoạch ...")
    signer_title: re.Pattern  # a signature block's title line ("PHÓ CHỦ TỊCH")


@functools.cache
def _lex() -> _Lexicon:
    lex = ruleset.load("lexicon")
    types = lex["unit_types"]
    spellings = {t["name"]: [t["name"], *t.get("spellings", [])] for t in types}
    any_type = _either(s for t in types for s in spellings[t["name"]])
    district_type = _either(s for t in types if t["level"] in ("district", "city") for s in spellings[t["name"]])
    province_type = _either(s for t in types if t["level"] == "province" for s in spellings[t["name"]])
    organ = "(?i:" + "|".join(map(_organ_spellings, lex["organs"])) + ")"
    organ_names = tuple((re.compile(_organ_spellings(o), re.I), o["name"]) for o in lex["organs"])
    committees = {_lookup_key(t["party_committee"]): (t["party_committee"][:1].upper() + t["party_committee"][1:],
                                                       t["name"])
                  for t in types if "party_committee" in t}
    boards = {_lookup_key(b): b for b in lex["party_boards"]}
    organ_unit = re.compile(rf"(?<!\w)(?P<organ>{organ})\s+(?P<type>{any_type})(?:\s+(?P<name>{_NAME}))?")
    party_unit = re.compile(
        rf"(?<!\w)(?P<pre>{_either(boards)}\s+)?(?P<porgan>{_either(committees)})\s+(?P<name>{_NAME})")
    unit = re.compile(rf"(?<!\w)(?P<type>{any_type})\s+(?P<name>{_NAME})")
    province_any = re.compile(rf"(?<!\w){province_type}\s+(?P<name>{_NAME})")
    district_after = re.compile(rf"\s*[,-]?\s*(?P<type>{district_type})\s+(?P<name>{_NAME})", re.I)
    province_after = re.compile(rf"\s*,?\s*{province_type}\s+(?P<name>{_NAME})")
    return _Lexicon(
        organ=organ, organ_names=organ_names, party_boards=boards, party_committees=committees,
        name_stops=frozenset(lex["name_stops"]), organ_unit=organ_unit, party_unit=party_unit, unit=unit,
        self_description=re.compile(
            rf"^(?P<name>{_NAME})\s+(?i:là\s+(?:một\s+)?)(?P<type>{any_type})\b"),
        scope=re.compile(rf"{_either(lex['scope_words'])}\s+(?P<type>{any_type})(?!\s+{_WORD})"),
        nameless=re.compile(rf"(?<!\w)(?:{organ})\s+(?P<type>{any_type})(?!\s+(?:{_NAME}))"),
        district_after=district_after, province_after=province_after, province_any=province_any,
        district_scans=PatternSet([re.compile(rf"(?<!\w){any_type}\s"),
                                   re.compile(rf"(?<!\w)(?:{organ})\s+{any_type}"),
                                   re.compile(rf"(?<!\w){_either(committees)}\s"),
                                   re.compile(rf"{district_type}\s", re.I)]),
        province_scans=PatternSet([re.compile(rf"(?<!\w){province_type}\s"), re.compile(rf"{province_type}\s")]),
        report_types=tuple((t["code"], re.compile(_words_or_patterns(t["names"]), re.I))
                           for t in lex["report_types"]),
        citation_start=re.compile(rf"^(?:{_words_or_patterns(lex['citation_openings'])})", re.I),
        signer_title=re.compile(
            rf"^(?:{_either_upper(lex['signer_titles']['deputy'])}\s+)?(?:{_either_upper(lex['signer_titles']['titles'])})"
            rf"\b[^{_LOWER}\d]{{0,40}}$"),
    )


def _either_upper(words) -> str:
    """Words as one alternation in capitals, as signature blocks print them."""
    return "|".join(_spelled(w.upper()) for w in sorted(words, key=len, reverse=True))


_SIG_PREFIX = re.compile(r"^(?:(?:TM|KT|TL|TUQ|Q)\s*[.:]|T/M|K/T)\s*\S")
_SIG_NOISE = re.compile(r"^[\[(]?\s*(?:đã\s+ký|ký|ký\s+tên|ký,?\s+ghi\s+rõ.*|ký\s+và\s+đóng\s+dấu.*|"
                        r"chữ\s+ký\s+số.*|đã\s+ký\s+và\s+đóng\s+dấu)\s*[\])]?\.?$", re.I)
_PERSON = re.compile(rf"^{_WORD}(?:\s+{_WORD}){{1,5}}$")

_MD = re.compile(r"^\s*#{1,6}\s*")


_STARS = re.compile(r"\*{1,3}")


def _clean(s: str) -> str:
    """A line without markdown heading marks, emphasis stars, or repeated spaces."""
    s = nfc(s or "")
    if "#" in s:
        s = _MD.sub("", s)
    if "*" in s:
        s = _STARS.sub("", s)
    # Most lines are already single-spaced: every whitespace character but " " is unprintable.
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    # str.split() splits on exactly the characters regex \s matches: same as re.sub(r"\s+", " ").strip()
    return " ".join(s.split())




def _line_texts(lines) -> list[str]:
    """Accept CleanLine objects or plain strings; drop footnotes and empty lines."""
    texts = [text for text in (getattr(line, "text", line) for line in lines or []) if isinstance(text, str)]
    if not _all_clean(texts):
        texts = [_clean(text) for text in texts]
    return [text for text in texts if text and not is_footnote_line(text)]


def _all_clean(texts: list[str]) -> bool:
    """Whether _clean leaves every text as it is, tested on all of them at once (lines from
    clean.clean_text usually pass): in NFC, no "#" or "*", printable, single-spaced, stripped.
    A text joined with line breaks is in NFC exactly when each part is (a line break never
    composes with its neighbours); a space at a part's start or end sits beside a break."""
    joined = "\n".join(texts)
    return (unicodedata.is_normalized("NFC", joined) and "#" not in joined and "*" not in joined
            and "  " not in joined and "\n " not in joined and " \n" not in joined
            and joined[:1] != " " and joined[-1:] != " " and "".join(texts).isprintable())


# --- document number and date ----------------------------------------------------------------------

_DOC_NO = re.compile(r"^Số\s*[:.]?\s*(?P<num>\S*\s*/\s*\S+|\S+)")
_PLACE_DATE = re.compile(
    r"(?P<place>[^\W\d_][^,;:\d]{0,40}?)\s*,\s*ngày\b(?P<rest>[^\n]{0,60})", re.I)


_DATE_WORDS = re.compile(
    r"^[\s.…_/-]*(?P<d>\d{1,2})?[\s.…_/-]*tháng[\s.…_/-]*(?P<m>\d{1,2})?[\s.…_/-]*năm[\s.…_/-]*(?P<y>\d{4})", re.I)
_DATE_SLASH = re.compile(r"^\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})")


def find_doc_number(lines: list[str]) -> str:
    """The printed document number ("480/BC-UBND", or "/BC-UBND" for an unnumbered draft)."""
    for text in lines[:HEADER_LINES]:
        m = _DOC_NO.match(text)
        if m:
            num = m.group("num").strip().rstrip(",;")
            if "/" in num or ("-" in num and any(c.isdigit() for c in num)):
                return num
    return ""


def parse_place_date(text: str) -> tuple[str, str]:
    """("Kbang", "2020-10-30") from "Kbang, ngày 30 tháng 10 năm 2020"; partial dates keep what is
    printed ("2021-01" when the day is blank, "2023" when day and month are blank)."""
    m = _PLACE_DATE.search(text)
    if not m:
        return "", ""
    rest = m.group("rest")
    d = _DATE_WORDS.match(rest) or _DATE_SLASH.match(rest)
    if not d:
        return "", ""
    # The place is the capitalised words just before the comma ("Số: 480/BC-UBND Kbang" -> "Kbang").
    words = m.group("place").split()
    keep: list[str] = []
    for w in reversed(words):
        if not (w[:1].isupper() or w.lower() in {"tp.", "tx."}) or len(keep) >= 4 \
                or "/" in w or any(c.isdigit() for c in w) or (w.isupper() and "-" in w):
            break
        keep.insert(0, w)
    place = " ".join(keep)
    y, mo, dd = int(d.group("y")), d.group("m"), d.group("d")
    if not 1900 <= y <= 2100:
        return place, ""
    if not mo or not 1 <= int(mo) <= 12:
        return place, f"{y:04d}"
    if not dd:
        return place, f"{y:04d}-{int(mo):02d}"
    try:
        return place, date(y, int(mo), int(dd)).isoformat()
    except ValueError:
        return place, f"{y:04d}-{int(mo):02d}"


# --- title and report type ---------------------------------------------------------------------

_BAO_CAO = re.compile(r"^BÁO\s+CÁO\b\s*[:.-]?\s*(?P<rest>.*)$")
_TITLE_SKIP = re.compile(
    r"^(?:Số\b|Ngày\s+đăng|cms-|Mặc\s+định|Cỡ\s+chữ|CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập|[-–—_*= ]+$)", re.I)
_ONLY_DATE = re.compile(r"^[\d/.: -]+$")
_FURNITURE_TAIL = re.compile(r"\s+(?:cms-publish-date|cms-view-count|Ngày\s+đăng|Mặc\s+định\s+Cỡ\s+chữ)\b.*$")


def find_title(lines: list[str]) -> tuple[str, int]:
    """The report's title and the index of its last line (-1 when none).

    Formal reports: the line(s) after a "BÁO CÁO" heading (or the rest of that line). Web texts
    without that heading: their first content line, when it reads like a headline.
    """
    for i, text in enumerate(lines[:HEADER_LINES]):
        m = _BAO_CAO.match(text)
        if not m:
            continue
        if m.group("rest"):
            title, j = m.group("rest"), i
        elif i + 1 < len(lines):
            title, j = lines[i + 1], i + 1
        else:
            return "", -1
        # A title broken over lines: the next line continues it when it starts in lower case.
        while j + 1 < len(lines) and j - i < 3 and re.match(rf"[{_LOWER}(]", lines[j + 1]) \
                and not re.match(r"\((?:kèm|dùng)", lines[j + 1], re.I):
            j += 1
            title = f"{title} {lines[j]}"
        return title.strip(), j
    for i, text in enumerate(lines[:4]):
        if _TITLE_SKIP.match(text) or _ONLY_DATE.match(text) or _PLACE_DATE.search(text):
            continue
        # A headline joined with the page's date/counter line by the cleaner: cut the furniture.
        text = _FURNITURE_TAIL.split(text)[0].strip()
        # A headline starts with a capital (or a number) and is not a long sentence.
        if re.match(rf"[{_UPPER}\d]", text) and len(text.split()) >= 2 and len(text) <= 200 \
                and (not text.endswith(".") or len(text) <= 80):
            return text, i
        break
    return "", -1


def classify_report(title: str) -> str:
    """A report type of the lexicon (qcdc, dan_van_chinh_quyen, dan_van) or other, by the earliest
    theme the title names (the type listed first among those named at one place)."""
    best = None
    for rank, (code, pat) in enumerate(_lex().report_types):
        m = pat.search(title or "")
        if m and (best is None or (m.start(), rank) < best[0]):
            best = ((m.start(), rank), code)
    return best[1] if best else ("other" if title else "")


# --- period ------------------------------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NUM_WORDS = {"sáu": 6, "chín": 9, "ba": 3}
_YEAR = r"(?:19|20)\d{2}"
_PERIOD = re.compile(
    rf"(?P<range>(?i:giai\s+đoạn)\s+(?P<y1>{_YEAR})\s*[-–]\s*(?P<y2>{_YEAR}))"
    rf"|(?P<months>(?P<n>\d{{1,2}}|(?i:sáu|chín))\s+(?i:tháng)\s+(?P<pos>(?i:đầu|cuối))\s+(?i:năm)"
    rf"(?:\s+(?P<ym>{_YEAR}))?)"
    rf"|(?P<mrange>(?i:từ\s+tháng)\s+(?P<m1>\d{{1,2}})\s*[./-]\s*(?P<y1m>{_YEAR})\s+(?i:đến\s+tháng)\s+"
    rf"(?P<m2>\d{{1,2}})\s*[./-]\s*(?P<y2m>{_YEAR}))"
    rf"|(?P<quarter>(?i:quý)\s+(?P<q>IV|III|II|I|[1-4])(?![\w])(?:\s*(?:/|-|(?i:năm))\s*(?P<yq>{_YEAR}))?)"
    rf"|(?P<month>(?i:tháng)\s+(?P<mo>\d{{1,2}})(?:\s*(?:/|-|\.|(?i:năm))\s*(?P<yo>{_YEAR}))?(?![\d/]))"
    rf"|(?P<annual>(?i:năm)\s+(?P<ya>{_YEAR})(?!\d))"
)
# A year standing alone (not a date part, not a range like "2016 - 2021").
_BARE_YEAR = re.compile(rf"(?<![\d/.-])(?<![\d/.-] )(?P<y>{_YEAR})(?![\d/.-])(?!\s*[-–]\s*\d)")
# Any year, also one written into a later period phrase ("quý IV/2025").
_ANY_YEAR = re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?!\d)")
_EXPLICIT_RANGE = re.compile(
    r"[Tt]ừ\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})\s+đến\s+(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})")


def _bounds(kind: str, year: int, a: int = 0, b: int = 0) -> tuple[str, str]:
    if kind == "annual":
        return f"{year}-01-01", f"{year}-12-31"
    if kind == "range":
        return f"{a}-01-01", f"{b}-12-31"
    first, last = a, b  # months
    end = calendar.monthrange(year, last)[1]
    return f"{year}-{first:02d}-01", f"{year}-{last:02d}-{end:02d}"


def parse_period(text: str, fallback_year: str = "", context: str = "") -> dict:
    """The first period phrase of `text` (a title): start, end, label ('' each when none).

    A phrase without its year ("6 tháng đầu năm") takes the first year printed after it in the
    same text, then a year from `context` (the opening lines), then `fallback_year` (the issue
    date's year). A title with no period phrase but a bare year ("... 2020") means that year.
    """
    empty = {"period_start": "", "period_end": "", "period_label": ""}
    if not text:
        return empty
    m = _PERIOD.search(text)
    if not m:
        y = _BARE_YEAR.search(text)
        if y:
            year = int(y.group("y"))
            s, e = _bounds("annual", year)
            return {"period_start": s, "period_end": e, "period_label": f"năm {year}"}
        return empty
    phrase = re.sub(r"\s+", " ", m.group(0)).strip()
    if m.group("mrange"):
        (m1, y1), (m2, y2) = (int(m.group("m1")), int(m.group("y1m"))), (int(m.group("m2")), int(m.group("y2m")))
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y2, m2) < (y1, m1):
            return empty
        return {"period_start": f"{y1}-{m1:02d}-01",
                "period_end": f"{y2}-{m2:02d}-{calendar.monthrange(y2, m2)[1]:02d}", "period_label": phrase}
    if m.group("range"):
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if y2 < y1:
            return empty
        s, e = _bounds("range", 0, y1, y2)
        return {"period_start": s, "period_end": e, "period_label": phrase}
    year_txt = m.group("ym") or m.group("yq") or m.group("yo") or m.group("ya")
    label_year = ""
    if not year_txt:
        after = _ANY_YEAR.search(text, m.end())
        if after:
            year_txt = after.group("y")
        else:
            year_txt = _year_from_context(m, context) or fallback_year[:4]
        if year_txt:
            label_year = year_txt
    if not year_txt:
        return {"period_start": "", "period_end": "", "period_label": phrase}
    year = int(year_txt)
    if m.group("annual"):
        s, e = _bounds("annual", year)
    elif m.group("months"):
        n_txt = m.group("n").lower()
        n = _NUM_WORDS.get(n_txt) or int(n_txt)
        if not 1 <= n <= 12:
            return empty
        if m.group("pos").lower() == "đầu":
            s, e = _bounds("months", year, 1, n)
        else:
            s, e = _bounds("months", year, 13 - n, 12)
    elif m.group("quarter"):
        q = _ROMAN[m.group("q").lower()]
        s, e = _bounds("months", year, 3 * q - 2, 3 * q)
    else:
        mo = int(m.group("mo"))
        if not 1 <= mo <= 12:
            return empty
        s, e = _bounds("months", year, mo, mo)
    if label_year:
        phrase = f"{phrase} {label_year}" if phrase.lower().endswith("năm") else f"{phrase} năm {label_year}"
    return {"period_start": s, "period_end": e, "period_label": phrase}


def _year_from_context(m: re.Match, context: str) -> str:
    """The year of the same kind of phrase in the opening lines ("quý I" -> "quý I năm 2023")."""
    if not context:
        return ""
    for other in _PERIOD.finditer(context):
        if _kind(other) == _kind(m):
            y = other.group("ym") or other.group("yq") or other.group("yo")
            if y and _same_phrase(m, other):
                return y
    return ""


def _kind(m: re.Match) -> str:
    for k in ("range", "mrange", "months", "quarter", "month", "annual"):
        if m.group(k):
            return k
    return ""


def _same_phrase(a: re.Match, b: re.Match) -> bool:
    kind = _kind(a)
    if kind == "quarter":
        return _ROMAN[a.group("q").lower()] == _ROMAN[b.group("q").lower()]
    if kind == "month":
        return int(a.group("mo")) == int(b.group("mo"))
    if kind == "months":
        return a.group("n") == b.group("n") and a.group("pos").lower() == b.group("pos").lower()
    return False


def find_period(lines: list[str], title: str, title_end: int, issue_date: str) -> dict:
    """The period of the report's own title; the opening lines only when the title names none."""
    body = [t for t in lines[title_end + 1: title_end + 8] if not _lex().citation_start.match(t)]
    context = " ".join(body)
    period = parse_period(title, issue_date, context)
    # "(Từ ngày 15/12/2022 đến ngày 14/3/2023)" under the title gives the exact bounds.
    follow = lines[title_end + 1] if 0 <= title_end + 1 < len(lines) else ""
    rng = _EXPLICIT_RANGE.search(title) or (_EXPLICIT_RANGE.search(follow) if follow.startswith("(") else None)
    if rng:
        try:
            s = date(int(rng.group(3)), int(rng.group(2)), int(rng.group(1))).isoformat()
            e = date(int(rng.group(6)), int(rng.group(5)), int(rng.group(4))).isoformat()
            period.update(period_start=s, period_end=e)
            period["period_label"] = period["period_label"] or rng.group(0)
        except ValueError:
            pass
    if period["period_label"] or not context:
        return period
    # No period in the title (web texts): a period phrase that opens one of the first lines, as
    # in a news lede ("Trong tháng 4/2017, toàn tỉnh ..."). Phrases deeper in a sentence are too
    # often about something else (cited plans, comparisons with last year) to be trusted.
    for text in body[:3]:
        m = _PERIOD.search(text)
        if not m or m.start() > 60 or re.search(r"\bsố\s+\S*\d|\d{1,2}/\d{1,2}/\d{4}", text[:m.start()]):
            continue
        found = parse_period(text[m.start():], issue_date, context)
        if found["period_start"]:
            return found
    return period


# --- issuer, level, locality ---------------------------------------------------------------------

def _norm_organ(organ: str) -> str:
    """Canonical name of an organ (lexicon organs): "Ủy ban nhân dân" -> "UBND", "Đảng uỷ" ->
    "Đảng ủy"; an organ the lexicon does not name is kept as written (single-spaced)."""
    o = re.sub(r"\s+", " ", organ).strip()
    for spellings, name in _lex().organ_names:
        if spellings.fullmatch(o):
            return name
    return o


def _tidy_name(name: str | None) -> str:
    """Cut a captured name at the first unit/organ word and fix ALL-CAPS header names."""
    if not name:
        return ""
    words = []
    for w in name.split():
        if w.lower().strip(".,") in _lex().name_stops:
            break
        words.append(w)
    out = " ".join(words).strip(" .,;:-")
    if out.isupper() and len(out) > 2:
        out = out.title()
    return out


def _unit_from_match(m: re.Match, place: str = "", allow_nameless: bool = False) -> dict | None:
    """{"issuer", "type", "name", "organ"} from an _ORGAN_UNIT or _PARTY_UNIT match."""
    if "porgan" in m.groupdict() and m.group("porgan"):
        return _party_unit(m.group("pre"), m.group("porgan"), m.group("name"))
    return _organ_unit(m.group("organ"), m.group("type"), m.group("name"), place, allow_nameless)


def _party_unit(pre: str | None, porgan: str, name: str) -> dict | None:
    lex = _lex()
    porgan, ptype = lex.party_committees[_lookup_key(porgan)]
    name = _tidy_name(name)
    if not name:
        return None
    pre = lex.party_boards[_lookup_key(pre)] if pre else ""
    issuer = f"{pre + ' ' if pre else ''}{porgan} {name}"
    return {"issuer": issuer, "type": ptype, "name": name, "organ": porgan}


def _organ_unit(organ: str, utype: str, name: str | None, place: str = "",
                allow_nameless: bool = False) -> dict | None:
    utype = split_unit(utype)[0] or utype.lower()
    name = _tidy_name(name)
    if not name:
        if not (allow_nameless and place):
            return None
        name = place
    organ = _norm_organ(organ)
    return {"issuer": f"{organ} {utype} {name}", "type": utype, "name": name, "organ": organ}


def _titled(text: str) -> str:
    """ALL-CAPS header lines in title case so that names read as names."""
    return text.title() if text.isupper() else text


def _header_unit(lines: list[str], stop: int) -> tuple[dict | None, dict | None]:
    """Issuing unit and its superior from organ lines at the top ("UBND HUYỆN BA TƠ / UBND XÃ BA TÔ")."""
    found = []
    i = 0
    cut = max(0, min(stop, 8, len(lines)))
    while i < cut:
        text = lines[i]
        if not text.isupper() or _BAO_CAO.match(text) or re.match(r"^(CỘNG|ĐỘC)", text):
            i += 1
            continue
        cand = _titled(text)
        # "ỦY BAN NHÂN DÂN" on one line and "HUYỆN TRIỆU SƠN" on the next.
        if i + 1 < cut and lines[i + 1].isupper() and re.fullmatch(_lex().organ, cand, re.I):
            cand = f"{cand} {_titled(lines[i + 1])}"
            i += 1
        for pat in (_lex().party_unit, _lex().organ_unit):
            m = pat.search(cand)
            if m:
                unit = _unit_from_match(m)
                if unit:
                    found.append(unit)
                break
        i += 1
    if not found:
        return None, None
    return found[-1], (found[-2] if len(found) > 1 else None)


_SELF_REPORT = re.compile(r"^\s*(?:(?i:xin|kính|trân\s+trọng)\s+)?(?i:báo\s+cáo)")


def _self_reference(lines: list[str], start: int, place: str) -> dict | None:
    """"UBND xã Ba Tô báo cáo ...", "Ủy ban Nhân dân huyện báo cáo ..." in the opening lines."""
    lex = _lex()
    for text in lines[start: start + 6]:
        for pat in (lex.organ_unit, lex.party_unit):
            for m in pat.finditer(text):
                if _SELF_REPORT.match(text[m.end():]):
                    unit = _unit_from_match(m, place, allow_nameless=True)
                    if unit:
                        return unit
    return None


def _closing_reference(lines: list[str], place: str) -> dict | None:
    """"Trên đây là báo cáo ... của UBND huyện Triệu Sơn./." or "UBND xã Ba Tô kính báo cáo./."."""
    lex = _lex()
    for text in reversed(lines[-40:]):
        if re.match(r"(?i)trên\s+đây", text):
            hits = [m for pat in (lex.organ_unit, lex.party_unit) for m in pat.finditer(text)]
            hits.sort(key=lambda m: m.start())
            for m in reversed(hits):
                unit = _unit_from_match(m, place, allow_nameless=True)
                if unit:
                    return unit
        for pat in (lex.organ_unit, lex.party_unit):
            m = pat.search(text)
            if m and re.match(r"\s*(?i:kính\s+|xin\s+|trân\s+trọng\s+)?báo\s+cáo\s*[./]", text[m.end():]):
                unit = _unit_from_match(m, place, allow_nameless=True)
                if unit:
                    return unit
    return None


def _mentioned_unit(lines: list[str], title_idx: int) -> dict | None:
    """A unit named in the title or the opening sentences of a web text, outside citations."""
    window = lines[max(0, title_idx): max(0, title_idx) + 4] if title_idx >= 0 else lines[:4]
    lex = _lex()
    for text in window:
        if lex.citation_start.match(text):
            continue
        for pat in (lex.organ_unit, lex.party_unit):
            for m in pat.finditer(text):
                after = text[m.end(): m.end() + 12].lower()
                before = text[max(0, m.start() - 30): m.start()]
                if after.lstrip().startswith("về việc") or re.search(r"\d{4}\s+của\s*$", before):
                    continue  # "... ngày 06/6/2023 của UBND huyện X về việc ...": a cited document
                unit = _unit_from_match(m)
                if unit:
                    return unit
        # A page that describes its unit: "Đồng Văn là một huyện vùng cao ...".
        m = lex.self_description.match(text)
        if m and _tidy_name(m.group("name")):
            utype = split_unit(m.group("type"))[0]
            return {"issuer": "", "type": utype, "name": _tidy_name(m.group("name")), "organ": ""}
        for m in lex.unit.finditer(text):
            name = _tidy_name(m.group("name"))
            if name:
                utype = split_unit(m.group("type"))[0]
                return {"issuer": "", "type": utype, "name": name, "organ": ""}
    return None


def _level_only(lines: list[str], title: str) -> str:
    """Level from "toàn tỉnh", "trên địa bàn huyện" or an unnamed "UBND tỉnh" in the title."""
    counts: dict[str, int] = {}
    for text in lines[:12]:
        for m in _lex().scope.finditer(text):
            lvl = level_of_type(split_unit(m.group("type"))[0])
            if lvl:
                counts[lvl] = counts.get(lvl, 0) + 1
    if counts:
        return max(sorted(counts), key=lambda k: counts[k])
    m = _lex().nameless.search(title or "")
    return level_of_type(split_unit(m.group("type"))[0]) if m else ""


def _lines_with(lines: list[str], scans: PatternSet) -> list[list[str]]:
    """For each pattern of scans, the lines (in order) where it may match."""
    out: list[list[str]] = [[] for _ in range(len(scans))]
    for text in lines:
        for i in scans.candidates(text):
            out[i].append(text)
    return out


def _after_unit(lines: list[str], unit: dict, pattern: re.Pattern, with_type: bool):
    """Matches of `pattern` right after each mention of the unit ("xã X" + ", huyện Y")."""
    name = unit["name"]
    lname, ltype = name.lower(), unit.get("type", "").lower()
    for text in lines:
        low = text.lower()
        start = low.find(lname)
        while start >= 0:
            ok = True
            if with_type:
                head = low[:start].rstrip()
                ok = head.endswith(ltype) and (len(head) == len(ltype) or not head[-len(ltype) - 1].isalnum())
            if ok and (start == 0 or not low[start - 1].isalnum()):
                m = pattern.match(text, start + len(name))
                if m:
                    yield m
            start = low.find(lname, start + 1)


def _parent_district(lines: list[str], unit: dict) -> tuple[str, list[str]]:
    """The district of a commune and weaker candidates.

    Returns (district, candidates): the district is "huyện Y" from "xã X, huyện Y", else the most
    cited "UBND huyện Y" (the superior organ); candidates add every district named in the text, most
    frequent first, for the gazetteer to confirm (a commune lies in exactly one of them).
    """
    if not unit.get("name"):
        return "", []
    lex = _lex()
    with_unit, with_organ_unit, with_party_unit, with_district_after = _lines_with(lines, lex.district_scans)
    bare: dict[str, int] = {}
    for text in with_unit:
        for m in lex.unit.finditer(text):
            key = _bare_district(m.group("type"), m.group("name"))
            if key:
                bare[key] = bare.get(key, 0) + 1
    weak = sorted(bare, key=lambda k: (-bare[k], k))
    for m in _after_unit(with_district_after, unit, lex.district_after, with_type=True):
        return f"{split_unit(m.group('type'))[0]} {_tidy_name(m.group('name'))}", weak
    counts: dict[str, int] = {}
    for text in with_organ_unit:
        for m in lex.organ_unit.finditer(text):
            key = _organ_district(m.group("organ"), m.group("type"), m.group("name"))
            if key:
                counts[key] = counts.get(key, 0) + 1
    for text in with_party_unit:
        for m in lex.party_unit.finditer(text):
            key = _party_district(m.group("pre"), m.group("porgan"), m.group("name"))
            if key:
                counts[key] = counts.get(key, 0) + 1
    best = max(sorted(counts), key=lambda k: counts[k]) if counts else ""
    return best, weak


# The district keys the scans count, cached: a report names the same few units again and again,
# and the key is a pure function of the match's groups (the same code as _unit_from_match).

@functools.lru_cache(maxsize=4096)
def _bare_district(utype: str, name: str) -> str:
    u_type, name = split_unit(utype)[0], _tidy_name(name)
    return f"{u_type} {name}" if name and level_of_type(u_type, name) == "district" else ""


@functools.lru_cache(maxsize=4096)
def _organ_district(organ: str, utype: str, name: str | None) -> str:
    u = _organ_unit(organ, utype, name)
    return f"{u['type']} {u['name']}" if u and level_of_type(u["type"], u["name"]) == "district" else ""


@functools.lru_cache(maxsize=4096)
def _party_district(pre: str | None, porgan: str, name: str) -> str:
    u = _party_unit(pre, porgan, name)
    return f"{u['type']} {u['name']}" if u and level_of_type(u["type"], u["name"]) == "district" else ""


def _parent_province(lines: list[str], unit: dict) -> str:
    """The province named beside the unit ("huyện X, tỉnh Y"), else the most cited "tỉnh Y"."""
    lex = _lex()
    with_province, with_province_after = _lines_with(lines, lex.province_scans)
    if unit.get("name"):
        for m in _after_unit(with_province_after, unit, lex.province_after, with_type=False):
            return _tidy_name(m.group("name"))
    counts: dict[str, int] = {}
    for text in with_province:
        for m in lex.province_any.finditer(text):
            name = _tidy_name(m.group("name"))
            if name:
                counts[name] = counts.get(name, 0) + 1
    return max(sorted(counts), key=lambda k: counts[k]) if counts else ""


# --- signature -------------------------------------------------------------------------------------

_ANY_LOWER = re.compile(f"[{_LOWER}]")


def _is_sig_title(text: str) -> bool:
    # the cheap tests first: every test is pure, so their order does not change the result
    return len(text) <= 80 and bool(_SIG_PREFIX.match(text) or _lex().signer_title.match(text)) \
        and not _ANY_LOWER.search(text)


def find_signature(lines: list[str]) -> tuple[str, str, str]:
    """(signer, signer_title, signing organ line) from the last signature block of the text.

    The block is a run of capitalised title lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "KT.CHỦ TỊCH",
    "PHÓ CHỦ TỊCH") followed by a personal name; an annex after it is ignored.
    """
    fallback = ("", "", "")
    i = len(lines) - 1
    while i >= 0:
        if not _is_sig_title(lines[i]):
            i -= 1
            continue
        end = i
        while i - 1 >= 0 and _is_sig_title(lines[i - 1]) and end - i < 4:
            i -= 1
        block = [_tidy_sig(t) for t in lines[i: end + 1]]
        organ = next((t for t in block if re.match(r"^(?:TM\.|T/M)", t)), "")
        signer = ""
        for text in lines[end + 1: end + 4]:
            if _SIG_NOISE.match(text):
                continue
            name = text.title() if text.isupper() else text
            if _PERSON.match(name):
                signer = name
            break
        if signer:
            return signer, ", ".join(block), organ
        if not fallback[1]:
            fallback = ("", ", ".join(block), organ)
        i -= 1
    return fallback


def _tidy_sig(text: str) -> str:
    """"KT.CHỦ TỊCH" -> "KT. CHỦ TỊCH" (one space after the abbreviation's dot)."""
    return re.sub(r"^(TM|KT|TL|TUQ|Q|T/M|K/T)\s*[.:]\s*", r"\1. ", text).strip()


# --- reading the text ------------------------------------------------------------------------------

def read_text_metadata(lines: list[str]) -> dict:
    """Everything the text itself says (no sidecar, no gazetteer); '' where it says nothing."""
    out = {k: "" for k in (
        "doc_number", "title", "report_type", "issuer", "admin_level", "locality", "district",
        "province", "period_start", "period_end", "period_label", "issue_date", "signer",
        "signer_title")}
    if not lines:
        return out
    out["doc_number"] = find_doc_number(lines)
    place, place_idx = "", -1
    for i, text in enumerate(lines[:HEADER_LINES]):
        if len(text) > 80:
            continue  # a place-date line is short; a long one is body text citing a dated document
        p, d = parse_place_date(text)
        if d:
            place, place_idx, out["issue_date"] = p, i, d
            break
    title, title_end = find_title(lines)
    out["title"] = title
    out["report_type"] = classify_report(title)
    out.update(find_period(lines, title, title_end, out["issue_date"]))
    out["signer"], out["signer_title"], sig_organ = find_signature(lines)

    # The issuing unit, most explicit source first.
    header_stop = min(i for i in (place_idx, title_end, HEADER_LINES) if i >= 0)
    unit, superior = _header_unit(lines, header_stop)
    unit = unit or _self_reference(lines, max(title_end, 0), place) \
        or _closing_reference(lines, place) or _mentioned_unit(lines, title_end if title_end >= 0 else 0)
    if unit is None and place and sig_organ:
        # Only the signature's organ ("TM. ỦY BAN NHÂN DÂN") and the place name: the gazetteer
        # decides the unit type from the name.
        g = resolve_unit(place)
        utype = g.get("ward_type") or g.get("district_type") or ("tỉnh" if g.get("province") else "")
        if g["resolved"] and utype:
            organ = _norm_organ(re.sub(r"^(?:TM\.|T/M\.?)\s*", "", sig_organ).title())
            unit = {"issuer": f"{organ} {utype} {place}", "type": utype, "name": place, "organ": organ}
    if unit:
        out["issuer"] = unit["issuer"]
        out["locality"] = f"{unit['type']} {unit['name']}".strip()
        out["admin_level"] = level_of_type(unit["type"], unit["name"])
    else:
        out["admin_level"] = _level_only(lines, title)
    if unit and out["admin_level"] == "commune":
        out["district"], out["_district_candidates"] = _parent_district(lines, unit)
        if superior and level_of_type(superior["type"], superior["name"]) == "district":
            out["district"] = f"{superior['type']} {superior['name']}"
    elif unit and out["admin_level"] == "district":
        out["district"] = out["locality"]
    if unit and out["admin_level"] == "province":
        out["province"] = unit["name"]
    elif unit:
        out["province"] = _parent_province(lines, unit)
    return out


# --- merging with the sidecar ------------------------------------------------------------------------

def _same(field: str, a: str, b: str) -> bool:
    """Whether a text value and a sidecar value say the same thing."""
    if field == "title":
        def key(s):
            s = re.sub(r"^\s*báo\s+cáo\s*:?\s*", "", s, flags=re.I)
            return accent_key(s)
        return key(a) == key(b)
    if field in ("locality", "district", "province"):
        (ta, na), (tb, nb) = split_unit(a), split_unit(b)
        return accent_key(na) == accent_key(nb) and (not ta or not tb or ta == tb)
    if field == "issuer":
        return accent_key(_norm_issuer(a)) == accent_key(_norm_issuer(b))
    return accent_key(a) == accent_key(b)


def _norm_issuer(s: str) -> str:
    m = _lex().organ_unit.search(s)
    if m:
        s = s[:m.start("organ")] + _norm_organ(m.group("organ")) + s[m.end("organ"):]
    return s


def extract_metadata(report_id: str, lines, sidecar: dict, raw_sha256: str, n_chars: int) -> dict:
    """One reports.csv row for a report, plus `metadata_source` and `notes`.

    lines: the cleaned lines (CleanResult.lines; plain strings work too); sidecar: the parsed
    <report_id>.yml ({} when absent). Text first, explicit sidecar values win, disagreements noted.
    """
    notes: list[str] = []
    try:
        text_meta = read_text_metadata(_line_texts(lines))
    except ruleset.RulesError:  # a broken rules file is not an odd report: it stops extraction
        raise
    except Exception as exc:  # a metadata reader must never stop the pipeline on odd input
        text_meta = read_text_metadata([])
        notes.append(f"text metadata unreadable ({type(exc).__name__}: {exc})")
    side = {k: str(v).strip() for k, v in (sidecar or {}).items() if v is not None and str(v).strip()}

    meta = dict(text_meta)
    used_text = used_side = False
    for field in SIDECAR_FIELDS:
        t, s = text_meta.get(field, ""), side.get(field, "")
        if t:
            used_text = True
        if s:
            used_side = True
            if t and not _same(field, t, s):
                notes.append(f"{field}: text {t!r}, sidecar {s!r} (sidecar kept)")
            meta[field] = s
    if side.get("title") and not meta.get("report_type"):
        meta["report_type"] = classify_report(side["title"])
    if meta["admin_level"] not in ("province", "district", "commune"):
        meta["admin_level"] = ""
    if meta["admin_level"] == "district" and not meta["district"]:
        meta["district"] = meta["locality"]

    # Unit codes and post-2025 names from the gazetteer.
    g = {"province_code": "", "district_code": "", "ward_code": "", "province_2025": "", "ward_2025": ""}
    if meta["locality"] or meta["province"]:
        level = meta["admin_level"] or ("province" if not meta["locality"] else "")
        r = resolve_unit(meta["locality"] or meta["province"], meta["district"], meta["province"], level)
        if not r["resolved"] and meta["admin_level"] == "commune" and not side.get("district"):
            # A commune name shared by several communes: try the districts the text names.
            for cand in text_meta.get("_district_candidates", []):
                r2 = resolve_unit(meta["locality"], cand, meta["province"], level)
                if r2["resolved"] and "not found in the given" not in r2["note"]:
                    r = r2
                    meta["district"] = cand
                    notes.append(f"district {cand!r} taken from a mention in the text (gazetteer-confirmed)")
                    break
        for k in ("province_code", "district_code", "ward_code", "province_2025"):
            g[k] = r.get(k, "") or ""
        if r.get("ward_2025"):
            g["ward_2025"] = f"{r.get('ward_2025_type', '')} {r['ward_2025']}".strip()
        if r.get("province") and not meta["province"]:
            meta["province"] = r["province"]
        elif r.get("province") and not _same("province", meta["province"], r["province"]):
            notes.append(f"province: given {meta['province']!r}, gazetteer places the unit in {r['province']!r}")
        if r.get("district") and not meta["district"] and meta["admin_level"] == "commune":
            meta["district"] = f"{r.get('district_type', '')} {r['district']}".strip()
        if not meta["admin_level"] and r.get("resolved"):
            meta["admin_level"] = ("commune" if r.get("ward") else "district" if r.get("district") else "province")
        if r.get("note"):
            notes.append(f"gazetteer: {r['note']}")

    row = {
        "report_id": report_id,
        "sha256": raw_sha256 or "",
        **{k: meta.get(k, "") or "" for k in (
            "doc_number", "title", "report_type", "issuer", "admin_level", "locality", "district",
            "province")},
        **g,
        **{k: meta.get(k, "") or "" for k in (
            "period_start", "period_end", "period_label", "issue_date", "signer", "signer_title")},
        "n_chars": n_chars,
    }
    row = {k: row[k] for k in REPORT_FIELDS}
    row["metadata_source"] = "text+sidecar" if used_text and used_side else ("sidecar" if used_side else "text")
    row["notes"] = "; ".join(notes)
    return row
