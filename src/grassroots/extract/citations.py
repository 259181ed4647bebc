"""Legal and Party instruments cited in a report (citations.csv).

Every citation occurrence becomes a row: kind (Luật, Pháp lệnh, Nghị định, ...), number, year,
issuer code (NĐ-CP, PL-UBTVQH11, KL/TW ...), issue date when given, a canonical id, the words as
written and the raw line. Party document numbers repeat across Party terms, so a Party
instrument's identity is its number, issuer and date ("114-KL/TW@2015-07-14"), not the number
alone. Bare references ("Pháp lệnh 34") are resolved through legal_registry.yml when exactly one
registered instrument fits; a cited date that differs from the registry is noted.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

from grassroots import tables
from grassroots.extract.mentions import has_digit
from grassroots.paths import LEGAL_REGISTRY_FILE
from grassroots.pipeline.rawio import load_yaml
from grassroots.scan import literal_prefix, match_at, occurrences

KINDS = {
    "luật": "Luật", "pháp lệnh": "Pháp lệnh", "nghị định": "Nghị định", "nghị quyết": "Nghị quyết",
    "chỉ thị": "Chỉ thị", "kết luận": "Kết luận", "quyết định": "Quyết định", "kế hoạch": "Kế hoạch",
    "công văn": "Công văn", "hướng dẫn": "Hướng dẫn", "quy định": "Quy định", "thông tư": "Thông tư",
    "chương trình": "Chương trình", "thông báo": "Thông báo",
}
COLUMNS = tables.COLUMNS["citations"]

_KIND = r"(?P<kind>(?i:L)uật|(?i:P)háp lệnh|(?i:N)ghị định|(?i:N)ghị quyết|(?i:C)hỉ thị|(?i:K)ết luận|(?i:Q)uyết định|(?i:K)ế hoạch|(?i:C)ông văn|(?i:H)ướng dẫn|(?i:Q)uy định|(?i:T)hông tư|(?i:C)hương trình|(?i:T)hông báo)"
_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9]*(?:\s?[-/&]\s?[A-ZĐ0-9][A-ZĐa-zđ0-9]*)*"
# "số 61/2018/NĐ-CP", "30c/NQ-CP", "114-KL/TW", "217, 218-QĐ/TW", "34" (bare)
_NUMBERED = re.compile(
    rf"(?<![\w/]){_KIND}(?:\s+(?P<name>[^\d\s,;.()][^,;.()\d]{{0,60}}?))??\s+(?:số\s*:?\s*)?"
    rf"(?P<numbers>(?:\d+[a-z]?\s*,\s*)*\d+[a-z]?)"
    rf"(?:(?P<year>/\d{{4}})?(?P<sep>[/-])(?P<code>{_CODE}))?(?![\w/])",
)
_DATE_SLASH = re.compile(r"^\s*,?\s*ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"^\s*,?\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_NAMED_LAW = re.compile(r"(?<!\w)Luật\s+(?P<name>(?:[A-ZĐ][^\s,;.()]*|[a-zđ][^\s,;.()]*)(?:[\s,-]+[^\s,;.()\d]+){0,8}?)"
                        r"\s+(?:năm\s+(?P<year>\d{4})|số\s+(?P<num>\d+/\d{4}/QH\d+))")
_NQTW = re.compile(r"(?<!\w)Nghị quyết Trung ương\s+(?P<n>\d+)\s*\((?:khóa|khoá)\s+(?P<term>[IVXL]+)\)")
# the literal their matches start with, after the look-behind
_NAMED_LAW_START, _NQTW_START = literal_prefix(_NAMED_LAW), literal_prefix(_NQTW)
_PARTY_ORGANS = ("TW", "TU", "HU", "ĐU", "BDVTU", "BDVHU", "BCĐ", "QU", "TƯ")
_WHITE = re.compile(r"\s+")
# Every _NUMBERED match starts with one of these (lower-cased; the kind's capital is its only
# case-insensitive letter, and none of them has an odd case-insensitive equivalent).
_KIND_WORDS = tuple(KINDS)
# The kind words by a shared first part (stem), with one of the stem's characters: a line without
# the character has no stem, and one str.find per stem finds the words (_kind_starts). A test for
# one character is much cheaper than a search for a word.
_KIND_STEMS = (
    ("ậ", "luật", ("luật",)), ("p", "pháp lệnh", ("pháp lệnh",)), ("ị", "nghị", ("nghị định", "nghị quyết")),
    ("ỉ", "chỉ thị", ("chỉ thị",)), ("ế", "kế", ("kết luận", "kế hoạch")), ("q", "quy", ("quyết định", "quy định")),
    ("ă", "công văn", ("công văn",)), ("ẫ", "hướng dẫn", ("hướng dẫn",)), ("ô", "thông", ("thông tư", "thông báo")),
    ("ì", "chương trình", ("chương trình",)),
)
# What follows the start of a _NUMBERED match up to its first digit: no digit, no ",;.()" (the
# kind, white space, the name, "số", ":"), then the number's first digit.
_UP_TO_NUMBER = re.compile(r"[^\d,;.()]*+\d")


@functools.lru_cache(maxsize=2)
def registry(path: str = str(LEGAL_REGISTRY_FILE)) -> tuple[dict, ...]:
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
    out = []
    for entry in data["instruments"]:
        e = {k: str(v) for k, v in entry.items()}
        e["canonical_id"] = canonical_id(e["number"], e.get("year", ""), e["issuer_code"], e["issue_date"])
        out.append(e)
    return tuple(out)


@functools.lru_cache(maxsize=2)
def _registry_index(path: str = str(LEGAL_REGISTRY_FILE)) -> dict[tuple[str, str], list[dict]]:
    """Registry entries by (kind, number without leading zeros), in registry order."""
    index: dict[tuple[str, str], list[dict]] = {}
    for e in registry(path):
        index.setdefault((e["kind"], e["number"].lstrip("0") or "0"), []).append(e)
    return index


def _norm_code(code: str) -> str:
    if not code:
        return ""
    code = _WHITE.sub("", code)
    code = code.replace("ND-CP", "NĐ-CP").replace("QD-", "QĐ-")
    return code


def is_party(code: str) -> bool:
    organ = code.rsplit("/", 1)[-1] if "/" in code else ""
    return organ.startswith(_PARTY_ORGANS) or organ.endswith("U")


def canonical_id(number: str, year: str, code: str, issue_date: str) -> str:
    """A stable identity: "34/2007/PL-UBTVQH11"; "76/NQ-CP@2021-07-15"; "114-KL/TW@2015-07-14"."""
    if not code:
        return ""
    if is_party(code):
        base = f"{number}-{code}"
        return f"{base}@{issue_date}" if issue_date else base
    if year:
        return f"{number}/{year}/{code}"
    return f"{number}/{code}" + (f"@{issue_date}" if issue_date else "")


def _date_after(text: str) -> str:
    if "ngày" not in text:  # both date patterns hold the word
        return ""
    m = _DATE_SLASH.match(text) or _DATE_WORDS.match(text)
    if not m:
        return ""
    d, mo, y = map(int, m.groups())
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return ""


@functools.lru_cache(maxsize=4096)
def _registry_lookup(kind: str, number: str, code: str = "") -> tuple[dict, ...]:
    """Registry entries of that kind and number (and issuer code when given), in registry order.
    Cached: the registry is read once (registry() and _registry_index() are cached too)."""
    hits = _registry_index().get((kind, number.lstrip("0") or "0"), ())
    return tuple(e for e in hits if not code or e["issuer_code"] == code)


def _kind_starts(low: str) -> list[int]:
    """Where a kind word starts in the lower-cased line, in order (each word starts with its stem)."""
    starts = []
    for char, stem, words in _KIND_STEMS:
        if char not in low:
            continue
        starts += [i for i in occurrences(low, stem) if low.startswith(words, i)]
    starts.sort()
    return starts


def _numbered(text: str, low: str, starts: list[int]):
    """_NUMBERED.finditer(text), trying the pattern only at `starts` (_kind_starts(low)).

    Exact like scan.finditer_at (a match starts with a kind word, which lower() turns into one
    of _KIND_WORDS), and a start is skipped when no digit follows before one of ",;.()": every
    match holds one, and nothing before its number is a digit or one of those."""
    if len(low) != len(text):  # lower() changed the length: positions in `low` do not map to `text`
        return _NUMBERED.finditer(text)
    return match_at(_NUMBERED, text, starts, _UP_TO_NUMBER.match)


def extract_citations(report_id: str, lines) -> list[dict]:
    rows: list[dict] = []
    for line in lines:
        text = line.text
        if not has_digit(text):  # every citation pattern needs a digit (\d)
            continue
        low = text.lower()
        # and a kind word ("Nghị quyết Trung ương", "Luật" included)
        starts = _kind_starts(low)
        if not starts:
            continue
        taken: list[tuple[int, int]] = []
        # every _NQTW and _NAMED_LAW match starts with a literal (after a look-behind): a line
        # without it cannot match, and the pattern is tried only where it occurs
        for m in match_at(_NQTW, text, occurrences(text, _NQTW_START)):
            taken.append((m.start(), m.end()))
            rows.append(_row(report_id, line, m, "Nghị quyết", f"TW{m.group('n')}", "", "TW", "",
                             f"NQTW{m.group('n')}-khóa {m.group('term')}", "", ""))
        for m in match_at(_NAMED_LAW, text, occurrences(text, _NAMED_LAW_START)):
            if taken and any(a <= m.start() < b for a, b in taken):
                continue
            name = " ".join(m.group("name").split())
            if m.group("num"):
                number, year, code = m.group("num").split("/")
                canon = f"{number}/{year}/{code}"
            else:
                number, year, code, canon = "", m.group("year"), "", f"Luật {name} ({m.group('year')})"
            taken.append((m.start(), m.end()))
            rows.append(_row(report_id, line, m, "Luật", number, year, code, "", canon, "", ""))
        for m in _numbered(text, low, starts):
            if taken and any(a <= m.start() < b for a, b in taken):
                continue
            kind_word, name, code, year, numbers = m.group("kind", "name", "code", "year", "numbers")
            kind = KINDS[kind_word.lower()]
            if kind_word[0].islower() and "số" not in m.group(0):
                continue  # lowercase kind words are usually verbs or nouns in prose ("kế hoạch 20 ...")
            name = (name or "").strip()
            if name and not (kind == "Luật" and code):
                continue  # "Kế hoạch cải cách hành chính năm 2020": a description, not a citation
            code = _norm_code(code or "")
            year = (year or "").lstrip("/")
            end = m.end()
            issue = _date_after(text[end:end + 40])
            numbers = [n.strip() for n in numbers.split(",")]
            if not code and len(numbers) > 1:
                continue  # "Chỉ thị 15, 16" without a code: numbers only, handled one by one below
            for number in numbers:
                resolved, note = "", ""
                if not code:
                    hits = _registry_lookup(kind, number)
                    if len(hits) != 1:
                        if kind in ("Chỉ thị", "Nghị quyết", "Kế hoạch", "Quyết định", "Công văn"):
                            # a bare number of an instrument we cannot identify: kept, no identity
                            rows.append(_row(report_id, line, m, kind, number, "", "", issue, "", "", "bare number"))
                        continue
                    hit = hits[0]
                    code, year, resolved = hit["issuer_code"], hit.get("year", ""), "registry"
                    issue = issue or hit["issue_date"]
                    canon = hit["canonical_id"]
                    code_used = code
                    code = ""  # the next number in a list is resolved on its own
                    rows.append(_row(report_id, line, m, kind, number, year, code_used, issue, canon, resolved, note))
                    continue
                hits = _registry_lookup(kind, number, code)
                if len(hits) == 1 and issue and hits[0]["issue_date"] and issue != hits[0]["issue_date"] \
                        and (year or is_party(code)):
                    note = f"cited date {issue} differs from the registry ({hits[0]['issue_date']})"
                # numbers of coded documents restart every year: never borrow a registry date
                canon = canonical_id(number, year, code, issue)
                rows.append(_row(report_id, line, m, kind, number, year or _year_of(issue, code), code, issue,
                                 canon, resolved, note))
    return rows


def _year_of(issue: str, code: str) -> str:
    return issue[:4] if issue else ""


def _row(report_id, line, m, kind, number, year, code, issue, canon, resolved, note) -> dict:
    return {
        "report_id": report_id, "kind": kind, "number": number, "year": year, "issuer_code": code,
        "issue_date": issue, "canonical_id": canon, "surface": m.group(0).strip(),
        "line": line.raw_line_at(m.start()), "resolved_from": resolved, "note": note,
    }


def flag_dates_after_report(rows: list[dict], report_date: str) -> None:
    """Note citations dated after the report itself (a slip in the report or in the citation)."""
    if len(report_date) != 10:
        return  # partial report dates ("2021-01") are not precise enough to compare days
    for row in rows:
        if len(row["issue_date"]) == 10 and row["issue_date"] > report_date:
            extra = f"dated {row['issue_date']}, after the report itself ({report_date})"
            row["note"] = f"{row['note']}; {extra}" if row["note"] else extra
