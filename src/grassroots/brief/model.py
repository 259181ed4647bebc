"""The brief's model of the processed tables: the selected reports (Report), their codebook
figures (Fig), the validation findings (Finding) and the rates computed from the figures
(Corpus.derived), read from PROCESSED_DIR's CSV files; any of them may be absent or empty."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from grassroots.codebook import Derived
from grassroots.codebook import load as load_codebook

MAX_TABLE_ROWS = 50         # reports per comparison table (more: the 25 highest and 25 lowest)
LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}
SEVERITY_RANK = {"error": 0, "failure": 0, "warning": 1, "info": 2}
CODE_RE = re.compile(r"\b[a-z]+\.[a-z_]+\b")

# Declared in the codebook (derived, per10k): computed rates first, then per 10,000 residents.
DERIVED: list[Derived] = list(load_codebook().derived)
DERIVED_BY_KEY = {d.key: d for d in DERIVED}


@dataclass(frozen=True)
class Fig:
    value: Decimal
    denominator: Decimal | None
    line: str
    quote: str
    surface: str
    mention: str = ""


@dataclass
class Report:
    id: str
    row: dict
    slug: str
    level: str
    months: int | None
    short: str
    label: str = ""
    partial: bool = False   # issued before its period ended: the figures cover part of it

    def get(self, key: str) -> str:
        return self.row.get(key, "") or ""


@dataclass
class Finding:
    n: int
    row: dict
    codes: tuple[str, ...]
    severity: str

    @property
    def report_id(self) -> str:
        return self.row.get("report_id", "") or ""


def read_table(path: Path) -> list[dict]:
    """A processed CSV as a list of dicts of strings; [] when the file is absent or empty."""
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v or "") for k, v in row.items() if k is not None} for row in csv.DictReader(fh)]


def _dec(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def slug_of(report_id: str) -> str:
    """An HTML id fragment for a report id (any file name); unchanged when already safe."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", report_id).strip("-")
    if slug != report_id or not slug:
        slug = f"{slug or 'r'}-{hashlib.sha256(report_id.encode('utf-8')).hexdigest()[:8]}"
    return slug


def _date_parts(text: str) -> tuple[int, ...]:
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text or "")
    return tuple(int(g) for g in m.groups() if g) if m else ()


def is_partial(issue_date: str, period_end: str) -> bool:
    """The report was issued before its period ended, compared at the issue date's precision
    ("2023-06" against "2023-06-30" is not before; "2020-10-30" against "2020-12-31" is)."""
    issued, end = _date_parts(issue_date), _date_parts(period_end)
    if not issued or not end:
        return False
    return issued < end[:len(issued)]


def _months(start: str, end: str) -> int | None:
    m1 = re.match(r"^(\d{4})-(\d{2})", start or "")
    m2 = re.match(r"^(\d{4})-(\d{2})", end or "")
    if not (m1 and m2):
        return None
    n = (int(m2.group(1)) - int(m1.group(1))) * 12 + int(m2.group(2)) - int(m1.group(2)) + 1
    return n if n > 0 else None


_PREFIXES = [("thành phố", "city"), ("thị xã", "town"), ("thị trấn", "township"), ("tp.", "city"),
             ("huyện", "district"), ("quận", "urban district"), ("phường", "ward"), ("xã", "commune"),
             ("tỉnh", "province")]


def split_locality(locality: str) -> tuple[str, str]:
    """("huyện Triệu Sơn") -> ("Triệu Sơn", "district")."""
    low = locality.lower()
    for vi, en in _PREFIXES:
        if low.startswith(vi + " "):
            return locality[len(vi) + 1:].strip(), en
    return locality.strip(), ""


class Corpus:
    """The selected reports and everything the brief says about them."""

    def __init__(self, processed_dir: Path, report_ids: list[str] | None = None):
        self.cb = load_codebook()
        self.themes = self.cb.by_theme()
        all_reports = read_table(processed_dir / "reports.csv")
        by_id = {r.get("report_id", ""): r for r in all_reports if r.get("report_id")}
        if report_ids:
            unknown = [rid for rid in report_ids if rid not in by_id]
            if unknown:
                known = ", ".join(sorted(by_id)[:20]) or "(none)"
                raise ValueError(f"REPORT_IDS not in reports.csv: {', '.join(unknown)}; known ids include: {known}")
            rows = [by_id[rid] for rid in dict.fromkeys(report_ids)]
        else:
            rows = list(by_id.values())
        self.selected_ids = list(dict.fromkeys(report_ids)) if report_ids else []
        self.reports: list[Report] = []
        for row in rows:
            rid = row["report_id"]
            level = row.get("admin_level", "") if row.get("admin_level", "") in LEVEL_RANK else ""
            short, _ = split_locality(row.get("locality", "") or "")
            self.reports.append(Report(rid, row, slug_of(rid), level,
                                       _months(row.get("period_start", ""), row.get("period_end", "")),
                                       short or row.get("district", "") or row.get("province", "") or rid,
                                       partial=is_partial(row.get("issue_date", ""), row.get("period_end", ""))))
        self.reports.sort(key=lambda r: (LEVEL_RANK.get(r.level, 9), -(r.months or 0), r.get("province"),
                                         r.short, r.get("period_start"), r.id))
        ids = {r.id for r in self.reports}
        self.by_id = {r.id: r for r in self.reports}

        self.values: dict[tuple[str, str], Fig] = {}
        for row in read_table(processed_dir / "indicators.csv"):
            rid, code = row.get("report_id", ""), row.get("indicator", "")
            if rid not in ids or code not in self.cb.indicators:
                continue
            value = _dec(row.get("value", ""))
            if value is None or (rid, code) in self.values:
                continue
            self.values[(rid, code)] = Fig(value, _dec(row.get("denominator", "")), row.get("line", ""),
                                           row.get("quote", ""), row.get("surface", ""), row.get("mention_id", ""))
        self.codes_reported = {code for _, code in self.values}

        findings = [f for f in read_table(processed_dir / "findings.csv")
                    if not f.get("report_id") or f.get("report_id") in ids]
        findings.sort(key=lambda f: (SEVERITY_RANK.get(f.get("severity", "").lower(), 3), f.get("report_id", ""),
                                     f.get("check", ""), f.get("indicators", ""), f.get("lines", "")))
        self.findings = [Finding(i + 1, f, tuple(c for c in dict.fromkeys(CODE_RE.findall(f.get("indicators", "")))),
                                 f.get("severity", "").lower()) for i, f in enumerate(findings)]
        self.findings_by_fig: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        self.findings_by_report: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            self.findings_by_report[f.report_id].append(f)
            for code in f.codes or ("",):  # "" = the report as a whole
                self.findings_by_fig[(f.report_id, code)].append(f)

        # every number found in the text, by (report, line): the evidence a reconciliation reads
        self.mentions: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for m in read_table(processed_dir / "mentions.csv"):
            if m.get("report_id") in ids:
                self.mentions[(m["report_id"], m.get("line", ""))].append(m)

        errors = read_table(processed_dir / "errors.csv")
        if report_ids:
            errors = [e for e in errors if e.get("report_id") in set(report_ids)]
        self.errors = errors
        self.citations = [c for c in read_table(processed_dir / "citations.csv") if c.get("report_id") in ids]
        self.models = [m for m in read_table(processed_dir / "models.csv") if m.get("report_id") in ids]
        corrections = processed_dir / "corrections.csv"
        self.n_corrections = count_rows(corrections) if corrections.is_file() else 0
        self.order = {r.id: i for i, r in enumerate(self.reports)}
        self._derived: dict[tuple[str, str], Decimal | None] = {}

    def fig(self, report: Report, code: str) -> Fig | None:
        return self.values.get((report.id, code))

    def derived(self, report: Report, d: Derived) -> Decimal | None:
        key = (report.id, d.key)
        if key not in self._derived:
            self._derived[key] = self._compute(report, d)
        return self._derived[key]

    def _compute(self, report: Report, d: Derived) -> Decimal | None:
        parts = self.parts(report, d)
        if parts is None or parts[1] == 0:
            return None
        return parts[0] / parts[1] * (Decimal(10000) if d.per10k else Decimal(100))

    def parts(self, report: Report, d: Derived) -> tuple[Decimal, Decimal] | None:
        """The rate's summed numerator and denominator; None when a figure is not stated."""
        num = [self.values.get((report.id, c)) for c in d.num]
        if any(f is None for f in num):
            return None
        total_num = sum((f.value for f in num), Decimal(0))
        den = Decimal(0)
        for c in d.den:
            if c.startswith("#"):
                f = self.values.get((report.id, c[1:]))
                if f is None or f.denominator is None:
                    return None
                den += f.denominator
            else:
                f = self.values.get((report.id, c))
                if f is None:
                    return None
                den += f.value
        return total_num, den

    def derived_inputs(self, d: Derived) -> list[str]:
        return list(d.num) + [c.lstrip("#") for c in d.den]


def listed(reports: list[Report]) -> list[Report]:
    """The reports listed by name in the scope and provenance tables: all, or the newest 50."""
    if len(reports) <= MAX_TABLE_ROWS:
        return list(reports)
    return sorted(reports, key=lambda r: (r.get("issue_date"), r.id), reverse=True)[:MAX_TABLE_ROWS]


def count_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)

