"""Legal and Party instruments cited in a report (citations.csv).

Every citation occurrence becomes a row: kind (Luật, Pháp lệnh, Nghị định, ...), number, year,
issuer code (NĐ-CP, PL-UBTVQH11, KL/TW ...), issue date when given, a canonical id, the words as
written and the raw line. Party document numbers repeat across Party terms, so a Party
instrument's identity is its number, issuer and date ("114-KL/TW@2015-07-14"), not the number
alone. Bare references ("Pháp lệnh 34") are resolved through the registry (rules/instruments.yml) when exactly one
registered instrument fits; a cited date that differs from the registry is noted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from grassroots import ruleset, tables
from grassroots.matcher import PatternSet

COLUMNS = tables.COLUMNS["citations"]


@dataclass(frozen=True)
class InstrumentKind:
    """A kind of instrument (rules/instruments.yml, kinds): its word and display names."""

    vi: str  # as reports write it, capitalised ("Nghị quyết"); also the Vietnamese display name
    en: str  # English display name ("Resolution")
    keep_bare_number: bool = False  # an unidentified bare number of this kind is still a citation


def instrument_kinds() -> tuple[InstrumentKind, ...]:
    """The kinds of instrument, in the order rules/instruments.yml declares them."""
    return _rules().kinds


@dataclass(frozen=True)
class _Rules:
    kinds: tuple[InstrumentKind, ...]
    by_word: dict[str, InstrumentKind]  # the kind word in lower case -> its kind
    party_organs: tuple[str, ...]
    registry: tuple[dict, ...]  # the instruments as written (values as strings)
    numbered: re.Pattern
    # What a line must hold for _NQTW, _NAMED_LAW and `numbered` to match, in that order: the
    # pattern itself; "Luật"; a kind word and then a digit before any of ",;.()" (Hyperscan
    # takes seconds to compile the last two patterns themselves, milliseconds for these).
    gates: PatternSet


_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9]*(?:\s?[-/&]\s?[A-ZĐ0-9][A-ZĐa-zđ0-9]*)*"


def _kind_words(kinds: tuple[InstrumentKind, ...]) -> str:
    """The kind words as one alternation, longest first, each first letter in either case."""
    words = sorted((k.vi for k in kinds), key=len, reverse=True)
    return "|".join(f"(?i:{re.escape(w[0])}){re.escape(w[1:])}" for w in words)


def _numbered(kinds: tuple[InstrumentKind, ...]) -> re.Pattern:
    """A numbered citation after a kind word: "Nghị định số 61/2018/NĐ-CP", "30c/NQ-CP",
    "114-KL/TW", "217, 218-QĐ/TW", "34" (bare)."""
    return re.compile(
        rf"(?<![\w/])(?P<kind>{_kind_words(kinds)})(?:\s+(?P<name>[^\d\s,;.()][^,;.()\d]{{0,60}}?))??\s+(?:số\s*:?\s*)?"
        rf"(?P<numbers>(?:\d+[a-z]?\s*,\s*)*\d+[a-z]?)"
        rf"(?:(?P<year>/\d{{4}})?(?P<sep>[/-])(?P<code>{_CODE}))?(?![\w/])")


_DATE_SLASH = re.compile(r"^\s*,?\s*ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"^\s*,?\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_NAMED_LAW = re.compile(r"(?<!\w)Luật\s+(?P<name>(?:[A-ZĐ][^\s,;.()]*|[a-zđ][^\s,;.()]*)(?:[\s,-]+[^\s,;.()\d]+){0,8}?)"
                        r"\s+(?:năm\s+(?P<year>\d{4})|số\s+(?P<num>\d+/\d{4}/QH\d+))")
_NQTW = re.compile(r"(?<!\w)Nghị quyết Trung ương\s+(?P<n>\d+)\s*\((?:khóa|khoá)\s+(?P<term>[IVXL]+)\)")
_WHITE = re.compile(r"\s+")


@functools.cache
def _rules() -> _Rules:
    data = ruleset.load("instruments")
    kinds = tuple(InstrumentKind(k["vi"], k["en"], k.get("keep_bare_number", False)) for k in data["kinds"])
    by_word = {k.vi.lower(): k for k in kinds}
    out = []
    for i, entry in enumerate(data["instruments"]):
        e = {k: str(v) for k, v in entry.items()}
        if e["kind"] not in {k.vi for k in kinds}:
            raise ruleset.RulesError(f"instruments.yml: instruments[{i}]: field 'kind': {e['kind']!r} is not "
                                     "one of the kinds declared under kinds")
        out.append(e)
    gates = PatternSet([_NQTW, re.compile(r"(?<!\w)Luật"),
                        re.compile(rf"(?<![\w/])(?:{_kind_words(kinds)})[^\d,;.()]*\d")])
    return _Rules(kinds, by_word, tuple(data["party_organs"]), tuple(out), _numbered(kinds), gates)


@functools.cache
def registry() -> tuple[dict, ...]:
    """The registered instruments (rules/instruments.yml, instruments), each with its canonical id."""
    return tuple(e | {"canonical_id": canonical_id(e["number"], e.get("year", ""), e["issuer_code"], e["issue_date"])}
                 for e in _rules().registry)


@functools.cache
def _registry_index() -> dict[tuple[str, str], list[dict]]:
    """Registry entries by (kind, number without leading zeros), in registry order."""
    index: dict[tuple[str, str], list[dict]] = {}
    for e in registry():
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
    return organ.startswith(_rules().party_organs) or organ.endswith("U")


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
    Cached: reports cite the same few instruments again and again."""
    hits = _registry_index().get((kind, number.lstrip("0") or "0"), ())
    return tuple(e for e in hits if not code or e["issuer_code"] == code)


def extract_citations(report_id: str, lines) -> list[dict]:
    rules = _rules()
    nqtw, named_law, numbered = range(3)  # the gates of rules.gates, in the order the patterns are tried
    rows: list[dict] = []
    for line in lines:
        text = line.text
        tried = rules.gates.candidates(text)
        if not tried:
            continue
        taken: list[tuple[int, int]] = []
        for m in _NQTW.finditer(text) if nqtw in tried else ():
            taken.append((m.start(), m.end()))
            rows.append(_row(report_id, line, m, "Nghị quyết", f"TW{m.group('n')}", "", "TW", "",
                             f"NQTW{m.group('n')}-khóa {m.group('term')}", "", ""))
        for m in _NAMED_LAW.finditer(text) if named_law in tried else ():
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
        for m in rules.numbered.finditer(text) if numbered in tried else ():
            if taken and any(a <= m.start() < b for a, b in taken):
                continue
            kind_word, name, code, year, numbers = m.group("kind", "name", "code", "year", "numbers")
            kind_rule = rules.by_word[kind_word.lower()]
            kind = kind_rule.vi
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
                        if kind_rule.keep_bare_number:
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
