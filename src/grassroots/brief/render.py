"""Comparative briefs (vi, en) and REPORTS_DIR/index.html from the processed tables.

BriefBuilder gathers what one brief shows (tables, sentences, charts) as plain data for the
templates; build_briefs() writes the briefs, the index page and the data downloads; main() is
`python -m grassroots.brief` (both re-exported by the package).

notebooks/40-briefs.ipynb calls build_briefs() once (through pipeline.stage_functions.briefs); the pipeline expects
REPORTS_DIR/briefs/brief-vi.html, REPORTS_DIR/briefs/brief-en.html and REPORTS_DIR/index.html.

Design choice: DESIGN.md section 7 sketches nbconvert turning the executed notebook into HTML.
The briefs are instead rendered directly from Python with Jinja2 (templates/brief.html.j2,
autoescape on), inside the notebook's single package call. This gives full control over
self-containment (inline CSS, charts as base64 SVG data URIs, no script, no CDN), escaping of
report text, and determinism: no timestamps, no random ids, no machine paths. Charts are drawn
with matplotlib (Agg, no pyplot state) with a fixed svg.hashsalt and metadata {'Date': None};
the XLSX workbook is written with openpyxl and its zip re-packed with fixed timestamps. Two
runs on the same tables give the same bytes.

Inputs: reports.csv, indicators.csv, findings.csv, citations.csv, models.csv, errors.csv,
corrections.csv in PROCESSED_DIR; any of them may be absent or empty. Outputs are written
atomically. With many reports (10,000) the brief aggregates and ranks: tables show at most
MAX_TABLE_ROWS reports, charts MAX_CHART_REPORTS, and point to the full CSV/XLSX data.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from grassroots import tables as table_schema
from grassroots.brief import narrative, policy
from grassroots.brief.charts import chart_rates, theme_charts
from grassroots.brief.language import LANGS, TEXT, Lang, kind_name
from grassroots.brief.model import (
    DERIVED,
    LEVEL_RANK,
    MAX_TABLE_ROWS,
    SEVERITY_RANK,
    Corpus,
    Fig,
    Finding,
    Report,
    count_rows,
    listed,
)
from grassroots.brief.narrative import MAX_SENTENCE_REPORTS, Sentence
from grassroots.brief.reconcile import Reconciliation, reconcile
from grassroots.brief.workbook import TABLE_ORDER, XLSX_NAME, build_xlsx, xlsx_key, xlsx_plan
from grassroots.codebook import Derived, Indicator
from grassroots.paths import PACKAGE_DIR
from grassroots.pipeline.atomic import write_bytes

TEMPLATES_DIR = PACKAGE_DIR / "brief" / "templates"
MAX_CHART_REPORTS = 30      # reports per chart
MAX_FINDINGS = 300          # findings listed in the data-quality section
MAX_ERRORS = 100
MAX_INSTRUMENTS = 50
MAX_INSTRUMENT_MATRIX = 8   # reports side by side in the instruments table
MAX_MODELS = 100
MAX_SUMMARY_THRESHOLD = 10  # a per-theme summary (median, range) when more reports than this
MAX_RECONCILIATIONS = 10    # reconciliations listed in the data-quality section (plus those linked above)
MAX_THEME_CHECKS = 3        # reconciliations shown under a theme table
MAX_NAMED_REPORTS = 5       # reports named in one cell of the instruments table (more: "… and N more")
MAX_CHART_FLAGS = 10        # data-quality findings marked on the overview chart
MAX_TIMELINE_REPORTS = 10   # reports on the policy timeline
MAX_EXEC_RATES = 8          # stated-vs-recomputed rates in the executive summary (each kind)


# -------------------------------------------------------------------------------- elements

@dataclass
class Cell:
    text: str = ""
    cls: str = ""
    href: str = ""
    id: str = ""
    title: str = ""
    th: bool = False
    colspan: int = 1
    flags: list = field(default_factory=list)   # [(label, href, title)]


@dataclass
class Header:
    text: str
    sub: str = ""
    cls: str = ""


@dataclass
class Row:
    cells: list
    cls: str = ""


@dataclass
class Table:
    caption: str
    headers: list
    rows: list
    notes: list = field(default_factory=list)
    id: str = ""
    cls: str = ""
    parts: list = field(default_factory=list)   # print only: the table cut into narrower tables


PRINT_LEAD = 3      # columns repeated in every printed part (report, level, period)
PRINT_COLS = 5      # value columns per printed part: an A4 page holds them at 7.5 pt
MAX_PRINT_ROWS = 20  # a longer (ranked, capped) table prints as on screen, wrapped, not again in parts


def print_parts(tb: Table, caption: str) -> list[Table]:
    """A wide table as narrower tables for print, each repeating the leading columns; gap rows
    (one cell across the table) are kept whole."""
    n = len(tb.headers) - PRINT_LEAD
    if n <= PRINT_COLS + 1 or len(tb.rows) > MAX_PRINT_ROWS:
        return []
    k = -(-n // PRINT_COLS)
    per = -(-n // k)
    out = []
    for i in range(k):
        cols = list(range(PRINT_LEAD)) + list(range(PRINT_LEAD + i * per, min(PRINT_LEAD + (i + 1) * per, len(tb.headers))))
        rows = []
        for row in tb.rows:
            if len(row.cells) == 1:
                g = row.cells[0]
                rows.append(Row([Cell(g.text, cls=g.cls, colspan=len(cols))], cls=row.cls))
            else:
                rows.append(Row([row.cells[j] for j in cols], cls=row.cls))
        out.append(Table(caption.format(title=tb.caption, i=i + 1, k=k), [tb.headers[j] for j in cols], rows,
                         cls=tb.cls.replace("hidden-caption", "").strip()))
    return out



class Sources:
    """The figures the brief shows; each gets an anchor in the sources table."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.used: set[tuple[str, str]] = set()

    def href(self, report: Report, code: str) -> str:
        self.used.add((report.id, code))
        return f"#src-{report.slug}-{code}"



# --------------------------------------------------------------------------------- builder

class BriefBuilder:
    """Everything one brief (one language) shows, as plain data for the template."""

    def __init__(self, corpus: Corpus, lang: Lang, title: str, other_langs: list[str]):
        self.c = corpus
        self.lang = lang
        self.t = lang.t
        self.title = title or self.t["default_title"]
        self.other_langs = other_langs
        self.sources = Sources(corpus)
        self.listed_reports: set[str] = set()
        self.linked_recs: set[str] = set()   # reconciliations linked from above the data-quality section
        self._label_reports()
        self.recs = reconcile(corpus)

    def _label_reports(self) -> None:
        labels = {}
        for r in self.c.reports:
            r.label = f"{r.short} · {self.period(r)}"
            labels.setdefault(r.label, []).append(r)
        for label, reports in labels.items():
            if len(reports) > 1:
                for r in reports:
                    r.label = f"{label} ({r.id})"

    # ---- helpers
    def period(self, r: Report) -> str:
        """The period as written ("2020"), marked when the report covers part of it only."""
        return self.lang.period_short(r) + (self.t["partial_mark"] if r.partial else "")

    def partial_note(self, r: Report) -> str:
        return self.t["partial_note"].format(date=self.lang.date_phrase(r.get("issue_date")),
                                             end=self.lang.date(r.get("period_end")))

    def report_cell(self, r: Report) -> Cell:
        href = f"#rep-{r.slug}" if r.id in self.listed_reports else ""
        return Cell(r.label, th=True, href=href, cls="rowhead")

    def flags_for(self, r: Report, codes: Iterable[str]) -> list:
        out, seen = [], set()
        for code in codes:
            for f in self.c.findings_by_fig.get((r.id, code), []):
                if f.n not in seen:
                    seen.add(f.n)
                    out.append((str(f.n), f"#dq-{f.n}", self.message(f)))
        return out

    def flag_sentence(self, s: Sentence) -> None:
        seen = set()
        for r, codes in s.pairs:
            for flag in self.flags_for(r, codes):
                if flag[0] not in seen:
                    seen.add(flag[0])
                    s.flags.append(flag)
        s.flags.sort(key=lambda f: int(f[0]) if f[0].isdigit() else 0)

    def chart_flags(self, r: Report, codes: Iterable[str]) -> list:
        return self.flags_for(r, codes)

    def plain_number(self, text: str) -> str:
        """A bare number from findings.csv ("94.11") in the brief's style ("94,11"); other text as is."""
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text or ""):
            return self.lang.num(Decimal(text))
        return text

    def message(self, f: Finding) -> str:
        row = f.row
        key = "message_vi" if self.lang.code == "vi" else "message_en"
        return row.get(key) or row.get("message_en") or row.get("message_vi") or row.get("message") or row.get("check", "")

    def fig_cell(self, r: Report, code: str) -> Cell:
        ind = self.c.cb.indicators[code]
        f = self.c.fig(r, code)
        flags = self.flags_for(r, [code])
        if f is None:
            return Cell(self.t["not_reported"], cls="num nr" + (" flag" if flags else ""), flags=flags)
        return Cell(self.lang.fig(ind, f), cls="num" + (" flag" if flags else ""),
                    href=self.sources.href(r, code), flags=flags)

    def derived_cell(self, r: Report, d: Derived) -> Cell:
        value = self.c.derived(r, d)
        flags = self.flags_for(r, self.c.derived_inputs(d))
        title = self.lang.formula(d) if not d.per10k else ""
        if value is None:
            return Cell(self.t["cannot_compute"], cls="num computed na" + (" flag" if flags else ""), title=title, flags=flags)
        text = self.lang.num(value, 1) if d.per10k else self.lang.pct(value)
        return Cell(text, cls="num computed" + (" flag" if flags else ""), title=title, flags=flags)

    def named(self, labels: Iterable[str], most: int = MAX_NAMED_REPORTS) -> str:
        """Labels joined, at most `most` of them, then "… and N more reports"."""
        labels = list(labels)
        text = ", ".join(labels[:most])
        if len(labels) > most:
            text += self.t["and_more_reports"].format(n=self.lang.num(Decimal(len(labels) - most), 0))
        return text

    def links(self, names: list[str]) -> str:
        return ", ".join(f"{n}.csv" for n in names) + f", {XLSX_NAME}"

    # ---- reconciliation of totals with their parts
    def part_name(self, code: str) -> str:
        name = self.t["part_names"].get(code)
        return name if name else self.lang.title(self.c.cb.indicators[code]).lower()

    def reconciliation_text(self, rec: Reconciliation) -> str:
        lang, t = self.lang, self.t
        n = lambda v: lang.num(v, 0)  # noqa: E731
        names = t["reading_names"]
        readings = []
        for x in rec.readings:
            parts = " + ".join(f"{n(v)} {self.part_name(c)}" for c, v in x.parts)
            key = "rec_reading" if rec.likely is not None else "rec_reading_total"
            readings.append(t[key].format(name=names.get(x.check) or names[""], parts=parts, total=n(x.total)))
        joined = t["rec_and"].join(readings) if len(readings) <= 2 else ", ".join(readings)
        if rec.likely is not None:
            verb = t["rec_verb"]["1" if len(readings) == 1 else "2" if len(readings) == 2 else "many"]
            typo = t["rec_typo"].format(reported=n(rec.reported), likely=n(rec.likely)) if rec.one_digit else ""
            text = t["rec_likely"].format(reported=n(rec.reported), likely=n(rec.likely), readings=joined,
                                          verb=verb, typo=typo)
        else:
            text = t["rec_none"].format(reported=n(rec.reported), readings=joined)
        for i in rec.inside:
            f_part, f_host = self.c.fig(rec.report, i.part), self.c.fig(rec.report, i.host)
            ind_part, ind_host = self.c.cb.indicators[i.part], self.c.cb.indicators[i.host]
            text += " " + t["rec_inside"].format(pv=n(f_part.value), part=self.part_name(i.part), hv=n(f_host.value),
                                                 host=self.part_name(i.host), rest=n(i.rest), line=i.line,
                                                 pvu=lang.fig(ind_part, f_part, unit=True),
                                                 hvu=lang.fig(ind_host, f_host, unit=True))
        return text + " " + t["rec_kept"].format(reported=n(rec.reported))

    def reconciliations(self) -> list[dict]:
        out = []
        for rec in self.recs:
            flags = [(str(f.n), f"#dq-{f.n}", self.message(f)) for f in rec.findings]
            out.append({"id": rec.anchor, "who": rec.report.label, "text": self.reconciliation_text(rec),
                        "flags": flags, "report": rec.report.id})
        return out

    # ---- 0. executive summary
    def executive_summary(self, findings: dict, frame: dict) -> list[Sentence]:
        """A few observations across the reports, each comparing only like with like: reports at
        the same level with the same full period length, or a report's stated rate with the rate
        recomputed from its own counts; what is not comparable is said so."""
        c, lang, t = self.c, self.lang, self.t
        if not c.reports:
            return []
        out = []
        groups = Counter((r.level, r.months) for r in c.reports if not r.partial)
        partial = [r for r in c.reports if r.partial]
        scope = t["exec_scope"].format(
            reports=lang.plural("n_reports", len(c.reports)),
            groups="; ".join(t["exec_group"].format(reports=lang.plural("n_reports", n), group=lang.group(lv, m)[:1].lower() + lang.group(lv, m)[1:])
                             for (lv, m), n in sorted(groups.items(), key=lambda kv: (LEVEL_RANK.get(kv[0][0], 9), -(kv[0][1] or 0)))),
            partial=t["exec_partial"].format(list=self.named((r.label for r in partial), most=20)) if partial else "")
        out.append(Sentence(scope))
        if findings["comparisons"]:
            for s in findings["comparisons"][:3]:
                out.append(Sentence(t["exec_fair"].format(text=s.text), s.refs, s.pairs, s.flags))
        else:
            out.append(Sentence(t["exec_no_fair"]))
        # stated rates against the rates recomputed from the same report's counts
        # a stated rate is set beside a recomputed one only when they share a definition (they agree
        # within a point); otherwise the brief says the stated rate is not that rate
        items, pairs, apart = [], [], []
        for r in c.reports:
            by_after: dict[str, list] = {}
            for d in DERIVED:
                if d.after and not d.per10k and d.compare and c.derived(r, d) is not None and c.fig(r, d.after):
                    by_after.setdefault(d.after, []).append(d)
            for after, ds in by_after.items():
                stated = c.fig(r, after).value
                close = [d for d in ds if abs(c.derived(r, d) - stated) <= 1]
                for d in close or ds:
                    kept = items if close else apart
                    if len(kept) >= MAX_EXEC_RATES:   # only the rates shown; their flags travel with them
                        continue
                    num, den = c.parts(r, d)
                    fmt = dict(label=r.label, stated=lang.pct(stated, None), num=lang.num(num, 0), den=lang.num(den, 0),
                               value=lang.pct(c.derived(r, d)), formula=lang.formula(d))
                    kept.append(t["exec_rate_item" if close else "exec_rate_apart"].format(**fmt))
                    pairs.append((r, [after] + c.derived_inputs(d)))
        if items or apart:
            text = t["exec_rates"].format(items="; ".join(items)) if items else ""
            if apart:
                text = (text + " " if text else "") + t["exec_rates_apart"].format(items="; ".join(apart))
            s = Sentence(text, pairs=pairs)
            self.flag_sentence(s)
            out.append(s)
        for rec in self.recs[:3]:
            text = t["exec_reconcile"].format(label=rec.report.label,
                                              title=lang.title(c.cb.indicators[rec.code]).lower(),
                                              reported=lang.num(rec.reported, 0),
                                              likely=lang.num(rec.likely, 0) if rec.likely is not None else "?")
            out.append(Sentence(text, [(t["rec_check"], f"#{rec.anchor}")],
                                flags=[(str(f.n), f"#dq-{f.n}", self.message(f)) for f in rec.findings]))
        out.append(Sentence(frame["basis_summary"]))
        return out

    # ---- 1. scope
    def scope(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        reports = c.reports
        if not reports:
            return {"summary": t["no_reports"], "tables": [], "reports": None, "selected": ""}
        localities = {(r.get("province"), r.get("district"), r.get("locality") or r.id) for r in reports}
        provinces = {r.get("province") for r in reports if r.get("province")}
        dates = [r.get("issue_date") for r in reports if re.match(r"^\d{4}", r.get("issue_date"))]
        newest = max(dates) if dates else ""
        summary = t["scope_summary"].format(reports=lang.plural("n_reports", len(reports)),
                                            localities=lang.plural("n_localities", len(localities)),
                                            provinces=lang.plural("n_provinces", len(provinces)),
                                            date=lang.date_phrase(newest))
        if not newest:
            summary = summary.rsplit(".", 2)[0] + ". " + t["scope_no_date"]
        tables = []
        for key, dim, counter, fmt in (
            ("by_level", "col_level", Counter(r.level for r in reports), lang.level),
            ("by_period", "col_period", Counter(r.months for r in reports), lang.period_length),
            ("by_type", "col_type", Counter(r.get("report_type") for r in reports), lang.report_type),
            ("by_province", "col_province", Counter(r.get("province") for r in reports), lambda p: p or "—"),
        ):
            items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
            rows = [Row([Cell(fmt(k)), Cell(lang.num(Decimal(n), 0), cls="num")]) for k, n in items[:20]]
            notes = [t["truncated_plain"].format(shown=20, total=len(items), links="reports.csv")] if len(items) > 20 else []
            tables.append(Table(t[key], [Header(t[dim]), Header(t["count"], cls="num")], rows, notes, cls="compact"))
        shown = listed(reports)
        self.listed_reports = {r.id for r in shown}
        rows = []
        for r in shown:
            unit_2025 = ", ".join(x for x in (r.get("ward_2025"), r.get("province_2025")) if x) or "—"
            rows.append(Row([
                Cell(r.get("locality") or r.short, th=True, id=f"rep-{r.slug}", cls="rowhead",
                     flags=self.flags_for(r, [""])),  # findings on the report as a whole
                Cell(r.get("district") or "—"), Cell(r.get("province") or "—"), Cell(unit_2025),
                Cell(lang.level(r.level)), Cell(self.period(r), cls="partial" if r.partial else ""),
                Cell(lang.report_type(r.get("report_type"))),
                Cell(t["basis"][policy.legal_basis(r.get("period_start"), r.get("period_end"))]),
                Cell(lang.date(r.get("issue_date")) or "—"),
                Cell(r.get("doc_number") or "—"), Cell(r.id, cls="code"),
            ]))
        notes = []
        if len(reports) > len(shown):
            notes.append(t["truncated_plain"].format(shown=len(shown), total=len(reports), links=self.links(["reports"])))
        reports_table = Table(t["reports_table"], [Header(t[k]) for k in (
            "col_locality", "col_district", "col_province", "col_unit_2025", "col_level", "col_period", "col_type",
            "col_legal_basis", "col_issue_date", "col_doc", "col_report_id")], rows, notes, id="reports-table")
        selected = t["scope_selected"].format(ids=", ".join(c.selected_ids)) if c.selected_ids else ""
        return {"summary": summary, "tables": tables, "reports": reports_table, "selected": selected}

    # ---- 3. theme tables
    def theme_rank_key(self, theme: str, reporters: list[Report]):
        """The column that ranks a long table: its first computed rate, else its most stated figure."""
        for d in DERIVED:
            if d.theme == theme and not d.per10k and any(self.c.derived(r, d) is not None for r in reporters):
                return self.lang.derived_title(self.c.cb, d), (lambda r, d=d: self.c.derived(r, d))
        counts = Counter(code for r in reporters for code in self._theme_codes(theme) if self.c.fig(r, code))
        code = sorted(counts.items(), key=lambda kv: (-kv[1], self.c.cb.indicators[kv[0]].order))[0][0]
        return self.lang.title(self.c.cb.indicators[code]), (
            lambda r, code=code: self.c.fig(r, code).value if self.c.fig(r, code) else None)

    def _theme_codes(self, theme: str) -> list[str]:
        return [ind.code for ind in self.c.themes[theme]]

    def theme_rows(self, theme: str) -> tuple[list, list[str], list[Report]]:
        """(rows to show: Report or ("gap", n), notes, reporters)."""
        c = self.c
        codes = self._theme_codes(theme)
        reporters = [r for r in c.reports if any((r.id, code) in c.values for code in codes)]
        if len(c.reports) <= MAX_TABLE_ROWS:
            return list(c.reports), [], reporters
        key_title, key = self.theme_rank_key(theme, reporters)
        keyed = [(key(r), r) for r in reporters]
        ranked = sorted([(v, r) for v, r in keyed if v is not None], key=lambda vr: (-vr[0], vr[1].label, vr[1].id))
        missing = len(keyed) - len(ranked)
        notes = []
        half = MAX_TABLE_ROWS // 2
        if len(ranked) > MAX_TABLE_ROWS:
            rows = [r for _, r in ranked[:half]] + [("gap", len(ranked) - 2 * half)] + [r for _, r in ranked[-half:]]
            notes.append(self.t["truncated"].format(
                shown=self.lang.num(Decimal(MAX_TABLE_ROWS), 0), total=self.lang.num(Decimal(len(reporters)), 0),
                top=half, bottom=half, key=key_title, links=self.links(["indicators"])))
        else:
            rows = [r for _, r in ranked]
            notes.append(self.t["truncated_plain"].format(shown=self.lang.num(Decimal(len(rows)), 0),
                                                          total=self.lang.num(Decimal(len(reporters)), 0),
                                                          links=self.links(["indicators"])))
        if missing:
            notes.append(self.t["without_key"].format(n=self.lang.num(Decimal(missing), 0), key=key_title))
        return rows, notes, reporters

    def theme_section(self, theme: str) -> dict:
        c, lang, t = self.c, self.lang, self.t
        title = lang.theme_title(c.cb, theme)
        inds = [ind for ind in c.themes[theme] if ind.code in c.codes_reported]
        missing = [lang.title(ind) for ind in c.themes[theme] if ind.code not in c.codes_reported]
        out = {"id": f"theme-{theme}", "title": title, "table": None, "summary": None, "charts": [],
               "notes": [], "findings": [], "more_findings": "", "checks": []}
        if not inds or not c.reports:
            out["notes"].append(t["theme_empty"])
            return out
        rows_spec, notes, reporters = self.theme_rows(theme)
        shown = [r for r in rows_spec if isinstance(r, Report)]
        derived = [d for d in DERIVED if d.theme == theme and any(c.derived(r, d) is not None for r in shown)]
        columns: list = []
        for ind in inds:
            columns.append(ind)
            columns += [d for d in derived if d.after == ind.code and not d.per10k]
        columns += [d for d in derived if not d.after and not d.per10k]
        columns += [d for d in derived if d.after and d.after not in {i.code for i in inds} and not d.per10k]
        columns += [d for d in derived if d.per10k]
        headers = [Header(t["col_report"]), Header(t["col_level"]), Header(t["col_period"])]
        for col in columns:
            if isinstance(col, Indicator):
                sub = lang.unit(col.unit) if col.kind != "area" else t["area_unit"]
                headers.append(Header(lang.title(col), sub=sub, cls="num"))
            else:
                headers.append(Header(lang.derived_title(c.cb, col), sub=t["per10k"] if col.per10k else t["computed"],
                                      cls="num computed"))
        rows = []
        for spec in rows_spec:
            if not isinstance(spec, Report):
                rows.append(Row([Cell(t["gap_row"].format(n=lang.num(Decimal(spec[1]), 0)), colspan=len(headers),
                                      cls="gap")], cls="gap"))
                continue
            r = spec
            cells = [self.report_cell(r), Cell(lang.level(r.level)), Cell(self.period(r), cls="partial" if r.partial else "")]
            for col in columns:
                cells.append(self.fig_cell(r, col.code) if isinstance(col, Indicator) else self.derived_cell(r, col))
            rows.append(Row(cells))
        if missing:
            notes.append(t["not_in_any"].format(titles="; ".join(missing)))
        out["table"] = Table(title, headers, rows, notes, id=f"table-{theme}", cls="figures hidden-caption")
        out["table"].parts = print_parts(out["table"], t["print_part"])
        # findings concerning the figures in this table
        seen, flagged = set(), []
        for r in shown:
            for code in [ind.code for ind in inds]:
                for f in c.findings_by_fig.get((r.id, code), []):
                    if f.n not in seen:
                        seen.add(f.n)
                        flagged.append(f)
        flagged.sort(key=lambda f: f.n)
        out["findings"] = [(f.n, f"#dq-{f.n}", self.by_report_label(f), self.message(f)) for f in flagged[:20]]
        if len(flagged) > 20:
            out["more_findings"] = t["more_findings"].format(n=len(flagged) - 20)
        theme_codes = {ind.code for ind in inds}
        shown_ids = {r.id for r in shown}
        out["checks"] = [x for x, rec in zip(self.reconciliations(), self.recs, strict=True)
                         if rec.code in theme_codes and rec.report.id in shown_ids][:MAX_THEME_CHECKS]
        self.linked_recs.update(x["id"] for x in out["checks"])
        if len(c.reports) > MAX_SUMMARY_THRESHOLD:
            out["summary"] = self.theme_summary(theme, inds, [d for d in DERIVED if d.theme == theme])
        charts_reports = [r for r in shown][:MAX_CHART_REPORTS]
        total = len(reporters)
        out["charts"] = theme_charts(c, theme, charts_reports, lang, total)
        return out

    def by_report_label(self, f: Finding) -> str:
        r = self.c.by_id.get(f.report_id)
        return r.label if r else (f.report_id or "—")

    def theme_summary(self, theme: str, inds: list[Indicator], derived: list[Derived]) -> Table:
        c, lang, t = self.c, self.lang, self.t
        rows = []
        n_all = len(c.reports)
        for col in list(inds) + derived:
            if isinstance(col, Indicator):
                values = [c.fig(r, col.code).value for r in c.reports if c.fig(r, col.code) is not None]
                label = lang.title(col)

                def fmt(v, col=col):
                    return lang.fig(col, Fig(v, None, "", "", ""))
            else:
                values = [v for v in (c.derived(r, col) for r in c.reports) if v is not None]
                label = lang.derived_title(c.cb, col) + f" ({t['computed']})"

                def fmt(v, col=col):
                    return lang.num(v, 1) if col.per10k else lang.pct(v)
            if not values:
                continue
            med = statistics.median(values)
            rows.append(Row([Cell(label, th=True), Cell(f"{lang.num(Decimal(len(values)), 0)}/{lang.num(Decimal(n_all), 0)}", cls="num"),
                             Cell(fmt(Decimal(med)), cls="num"), Cell(fmt(min(values)), cls="num"),
                             Cell(fmt(max(values)), cls="num")]))
        return Table(t["theme_summary"].format(n=lang.num(Decimal(n_all), 0)),
                     [Header(t["col_indicator"]), Header(t["col_n"], cls="num"), Header(t["col_median"], cls="num"),
                      Header(t["col_min"], cls="num"), Header(t["col_max"], cls="num")], rows, cls="compact")

    # ---- 2. key findings
    def refs(self, r: Report, codes: Iterable[str]) -> list:
        out, seen = [], set()
        for code in codes:
            f = self.c.fig(r, code)
            if f is None:
                continue
            href = self.sources.href(r, code)
            label = self.t["line_ref"].format(line=f.line or "?")
            if label not in seen:
                seen.add(label)
                out.append((label, href))
        return out

    def findings_section(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        out = {"per_report": [], "comparisons": [], "intro": "", "not_compared": "", "chart": None, "partial": "",
               "no_comparison": ""}
        if not c.reports:
            return out
        if len(c.reports) <= MAX_SENTENCE_REPORTS:
            for r in c.reports:
                sentences = narrative.report_sentences(c, r, lang, self.refs) or [Sentence(t["nothing_headline"])]
                for s in sentences:
                    self.flag_sentence(s)
                head = f"{r.label} — {lang.level(r.level)}, {lang.report_type(r.get('report_type'))}"
                out["per_report"].append({"label": head, "href": f"#rep-{r.slug}" if r.id in self.listed_reports else "",
                                          "sentences": sentences,
                                          "note": self.partial_note(r) if r.partial else "",
                                          "checks": [x for x in self.reconciliations() if x["report"] == r.id]})
        else:
            out["intro"] = t["aggregate_intro"].format(n=lang.num(Decimal(len(c.reports)), 0), max=MAX_SENTENCE_REPORTS)
        # fair comparisons: same level and same period length
        out["comparisons"], singles = narrative.comparisons(c, lang, self.refs)
        for s in out["comparisons"]:
            self.flag_sentence(s)
        if not out["comparisons"]:
            out["no_comparison"] = t["no_comparison"]
        if singles and len(c.reports) <= MAX_SENTENCE_REPORTS:
            out["not_compared"] = t["not_compared"].format(list="; ".join(
                f"{r.label} ({lang.level(r.level)}, {lang.period_length(r.months)})" for r in singles))
        partial = [r for r in c.reports if r.partial]
        if partial:
            out["partial"] = t["partial_excluded"].format(list="; ".join(
                t["partial_item"].format(label=r.label, date=lang.date_phrase(r.get("issue_date")),
                                         end=lang.date(r.get("period_end"))) for r in partial[:20])
                + (" …" if len(partial) > 20 else ""))
        # the overview chart: reports with the most computed rates first
        series = [d for d in DERIVED if d.chart]
        have = [(sum(1 for d in series if c.derived(r, d) is not None), r) for r in c.reports]
        have = [(k, r) for k, r in have if k]
        if len(have) > MAX_CHART_REPORTS:
            chosen = {r.id for _, r in sorted(have, key=lambda kr: (-kr[0], kr[1].label, kr[1].id))[:MAX_CHART_REPORTS]}
            chart_reports = [r for _, r in have if r.id in chosen]
        else:
            chart_reports = [r for _, r in have]
        out["chart"] = chart_rates(c, chart_reports, lang, len(have), self.chart_flags, MAX_CHART_FLAGS)
        return out

    # ---- 5. data quality
    def quality(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        sev = Counter(f.severity or "—" for f in c.findings)
        sev_text = ", ".join(f"{t['severity'].get(s, s)}: {lang.num(Decimal(n), 0)}" for s, n in
                             sorted(sev.items(), key=lambda kv: (SEVERITY_RANK.get(kv[0], 3), kv[0])))
        summary = t["quality_summary"].format(findings=lang.plural("n_findings", len(c.findings)), sev=sev_text or "—",
                                              files=lang.plural("n_files_failed", len(c.errors)))
        rows = []
        for f in c.findings[:MAX_FINDINGS]:
            r = c.by_id.get(f.report_id)
            figs = []
            for code in f.codes:
                ind = c.cb.indicators.get(code)
                name = lang.title(ind) if ind else code
                if r is not None and c.fig(r, code) is not None:
                    figs.append(f"{name}: {lang.fig(ind, c.fig(r, code))}")
                    self.sources.href(r, code)
                else:
                    figs.append(name)
            report_cell = self.report_cell(r) if r else Cell(f.report_id or "—", th=True)
            report_cell.id = f"dq-{f.n}"
            report_cell.text = f"{f.n}. {report_cell.text}"
            rows.append(Row([
                report_cell,
                Cell(t["severity"].get(f.severity, f.severity or "—"), cls=f"sev sev-{re.sub(r'[^a-z]', '', f.severity) or 'none'}"),
                Cell(f.row.get("check", ""), cls="code"),
                Cell("; ".join(figs) or "—"),
                Cell(self.message(f)),
                Cell(self.plain_number(f.row.get("expected", ""))), Cell(self.plain_number(f.row.get("observed", ""))),
                Cell(f.row.get("lines", "")),
            ], cls="finding"))
        notes = []
        if len(c.findings) > MAX_FINDINGS:
            notes.append(t["truncated_plain"].format(shown=MAX_FINDINGS, total=len(c.findings), links=self.links(["findings"])))
        findings = Table(t["quality_findings"], [Header(t[k]) for k in (
            "col_report", "col_severity", "col_check", "col_figures", "col_message", "col_expected", "col_observed",
            "col_line")], rows, notes, id="findings-table") if rows else None
        erows = [Row([Cell(e.get("report_id", ""), cls="code", th=True), Cell(e.get("stage", "")),
                      Cell(e.get("error", ""))]) for e in c.errors[:MAX_ERRORS]]
        enotes = [t["truncated_plain"].format(shown=MAX_ERRORS, total=len(c.errors), links=self.links(["errors"]))] \
            if len(c.errors) > MAX_ERRORS else []
        errors = Table(t["quality_errors"], [Header(t["col_report_id"]), Header(t["col_stage"]), Header(t["col_error"])],
                       erows, enotes, id="errors-table", cls="hidden-caption") if erows else None
        recs = self.reconciliations()
        # the first MAX_RECONCILIATIONS (the executive summary links the first three), and every one
        # a theme table links to
        keep = {x["id"] for x in recs[:MAX_RECONCILIATIONS]} | self.linked_recs
        shown_recs = [x for x in recs if x["id"] in keep]
        rec_note = t["truncated_plain"].format(shown=lang.num(Decimal(len(shown_recs)), 0),
                                               total=lang.num(Decimal(len(recs)), 0),
                                               links=self.links(["findings"])) if len(recs) > len(shown_recs) else ""
        return {"summary": summary if (c.findings or c.errors) else t["quality_none"], "findings": findings,
                "reconciliations": shown_recs, "reconciliations_note": rec_note,
                "errors": errors, "errors_none": t["errors_none"] if not c.errors else ""}

    # ---- 6. caveats
    def caveats(self) -> list[str]:
        c, lang, t = self.c, self.lang, self.t
        out = []
        levels = sorted({r.level for r in c.reports}, key=lambda x: LEVEL_RANK.get(x, 9))
        periods = sorted({r.months for r in c.reports}, key=lambda m: -(m or 0))
        types = sorted({r.get("report_type") for r in c.reports})
        if len(levels) > 1:
            out.append(t["caveat_level"].format(levels=", ".join(lang.level(x) for x in levels)))
        if len(periods) > 1:
            out.append(t["caveat_period"].format(periods=", ".join(lang.period_length(m) for m in periods)))
        if len(types) > 1:
            out.append(t["caveat_type"].format(types=", ".join(lang.report_type(x) for x in types)))
        if c.reports and len(levels) == 1 and len(periods) == 1 and len(types) == 1:
            out.append(t["caveat_same_scope"])
        if any(code.startswith("petitions.") for code in c.codes_reported):
            out.append(t["caveat_denominators"])
        if "context.population" in c.codes_reported:
            out.append(t["caveat_population"])
        partial = [r for r in c.reports if r.partial]
        if partial:
            out.append(t["caveat_partial"].format(list="; ".join(r.label for r in partial[:20])))
        if any(r.level in ("district", "commune") for r in c.reports):
            out.append(t["caveat_2025"])
        out.append(t["caveat_extraction"])
        return out

    # ---- 7. instruments and models
    def instruments(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        frame = self.policy_frame()
        if not c.citations:
            return {"intro": t["instruments_none"], "table": None, **frame}
        insts = policy.cited_instruments(c.citations)
        ranked = sorted(insts, key=lambda i: (-len(i.reports), not i.registered, i.issue_date or "9999", i.label))
        citing = sorted({row["report_id"] for row in c.citations}, key=lambda rid: c.order.get(rid, 0))
        matrix = [c.by_id[rid] for rid in citing] if len(citing) <= MAX_INSTRUMENT_MATRIX else []
        headers = [Header(t["col_instrument"]), Header(t["col_kind"]), Header(t["col_title"]), Header(t["col_date"]),
                   Header(t["col_registry"]), Header(t["col_cited_by"], cls="num")] + \
                  [Header(r.label, cls="center") for r in matrix]
        rows = []
        for inst in ranked[:MAX_INSTRUMENTS]:
            differs = inst.disagreements()
            if not inst.registered:
                check, cls = t["registry_absent"], "nr"
            elif differs:
                check = "; ".join(t["registry_differs"].format(
                    cited=lang.date(d), reports=self.named(c.by_id[rid].label for rid in rids if rid in c.by_id),
                    date=lang.date(inst.issue_date)) for d, rids in differs)
                cls = "flag"
            else:
                check, cls = t["registry_ok"], ""
            cells = [Cell(inst.label, th=True, cls="code"), Cell(kind_name(inst.kind, lang.code)),
                     Cell(inst.title(lang.code) or "—", cls="" if inst.registered else "nr"),
                     Cell(lang.date(inst.issue_date) or "—", cls="date"), Cell(check, cls=cls),
                     Cell(lang.num(Decimal(len(inst.reports)), 0), cls="num")]
            for r in matrix:
                line = inst.reports.get(r.id)
                cells.append(Cell("✓ " + t["line_ref"].format(line=line) if line is not None else "·",
                                  cls="center" + ("" if line is not None else " nr")))
            rows.append(Row(cells))
        notes = [t["instruments_ranked"], t["instruments_dates"]]
        if len(ranked) > MAX_INSTRUMENTS:
            notes.append(t["truncated_plain"].format(shown=MAX_INSTRUMENTS, total=len(ranked), links=self.links(["citations"])))
        intro = t["instruments_intro"].format(instruments=lang.plural("n_instruments", len(ranked)),
                                              reports=lang.plural("n_reports", len(citing)))
        table = Table(t["sec_instruments"], headers, rows, notes, id="instruments-table")
        return {"intro": intro, "table": table, **frame}

    def policy_frame(self) -> dict:
        """The timeline of the reports against the legal milestones, and each report's legal basis."""
        c, lang, t = self.c, self.lang, self.t
        events = []   # (date, order, event, what)
        for inst, role in policy.milestones():
            what = f"{kind_name(inst.kind, lang.code)} {inst.label}: {inst.title(lang.code)}"
            events.append((inst.issue_date, 0, t["event_issued"] if role == "qcdc" else t["event_issued_dan_van"], what, ""))
            if (inst.kind, inst.number) == ("Luật", "10"):
                events.append((policy.LAW_IN_FORCE, 0, t["event_in_force"], what, ""))
        for r in c.reports[:MAX_TIMELINE_REPORTS]:
            if r.get("period_start"):
                what = t["event_period_what"].format(label=r.label, start=lang.date(r.get("period_start")),
                                                     end=lang.date(r.get("period_end")))
                events.append((r.get("period_start"), 1, t["event_period"], what, "report"))
            if r.get("issue_date"):
                events.append((r.get("issue_date"), 2, t["event_report_issued"], r.label, "report"))
        events.sort(key=lambda e: (e[0], e[1], e[3]))
        rows = [Row([Cell(lang.date(d), th=True, cls="rowhead date"), Cell(ev), Cell(what)], cls=kind)
                for d, _, ev, what, kind in events]
        timeline = Table(t["timeline_title"], [Header(t["col_date"]), Header(t["col_event"]), Header(t["col_what"])],
                         rows, [t["timeline_note"]], id="timeline-table", cls="timeline")
        if len(c.reports) > MAX_TIMELINE_REPORTS:
            timeline.notes.append(t["truncated_plain"].format(shown=MAX_TIMELINE_REPORTS, total=lang.num(Decimal(len(c.reports)), 0),
                                                              links=self.links(["reports"])))
        bases = Counter(policy.legal_basis(r.get("period_start"), r.get("period_end")) for r in c.reports)
        law_cited = [i for i in policy.cited_instruments(c.citations)
                     if i.registered and (i.kind, i.number.lstrip("0")) in (("Luật", "10"), ("Nghị định", "59"))]
        parts = [t["basis_count"].format(reports=lang.plural("n_reports", n), basis=t["basis"][b])
                 for b, n in sorted(bases.items(), key=lambda kv: ("ordinance", "transition", "law", "").index(kv[0]))]
        summary = t["basis_summary"].format(date=lang.date(policy.LAW_IN_FORCE), parts="; ".join(parts))
        summary += " " + (t["law_cited"].format(list=", ".join(i.label for i in law_cited)) if law_cited
                          else t["law_not_cited_before"] if set(bases) == {"ordinance"} else t["law_not_cited"])
        return {"timeline": timeline, "basis_summary": summary}

    def models(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        if not c.models:
            return {"intro": t["models_none"], "table": None, "fields": None}
        order = {r.id: i for i, r in enumerate(c.reports)}
        models = sorted(c.models, key=lambda m: (order.get(m["report_id"], 0), m.get("name", ""), m.get("line", "")))
        rows = []
        for m in models[:MAX_MODELS]:
            r = c.by_id[m["report_id"]]
            field_name = lang.t["fields"].get(m.get("field", ""), m.get("field", ""))
            rows.append(Row([self.report_cell(r), Cell(m.get("name", "")), Cell(m.get("owner", "")),
                             Cell(m.get("place", "")), Cell(field_name), Cell(m.get("line", ""), cls="num")]))
        notes = []
        if len(models) > MAX_MODELS:
            notes.append(t["truncated_plain"].format(shown=MAX_MODELS, total=len(models), links=self.links(["models"])))
        table = Table(t["sec_models"], [Header(t[k]) for k in ("col_report", "col_name", "col_owner", "col_place",
                                                                "col_field", "col_line")], rows, notes, id="models-table")
        fields = Counter(m.get("field", "") or "—" for m in models)
        ftable = Table(t["models_by_field"], [Header(t["col_field"]), Header(t["col_models"], cls="num")],
                       [Row([Cell(lang.t["fields"].get(k, k)), Cell(lang.num(Decimal(n), 0), cls="num")])
                        for k, n in sorted(fields.items(), key=lambda kv: (-kv[1], kv[0]))], cls="compact")
        intro = t["models_intro"].format(models=lang.plural("n_models", len(models)),
                                         reports=lang.plural("n_reports", len({m['report_id'] for m in models})))
        return {"intro": intro, "table": table, "fields": ftable}

    # ---- 8. provenance
    def sources_table(self) -> Table | None:
        c, lang, t = self.c, self.lang, self.t
        order = {r.id: i for i, r in enumerate(c.reports)}
        used = sorted(self.sources.used, key=lambda rc: (order.get(rc[0], 0), c.cb.indicators[rc[1]].order))
        if not used:
            return None
        rows = []
        for rid, code in used:
            r = c.by_id[rid]
            f = c.values[(rid, code)]
            ind = c.cb.indicators[code]
            quote = f.quote if len(f.quote) <= 600 else f.quote[:600] + "…"
            rows.append(Row([Cell(r.label, th=True, id=f"src-{r.slug}-{code}", cls="rowhead"),
                             Cell(lang.title(ind)), Cell(f.surface or "—", cls="num"),
                             Cell(lang.fig(ind, f, unit=True), cls="num"), Cell(f.line, cls="num"),
                             Cell(quote, cls="quote")]))
        return Table(t["sources_figures"], [Header(t[k]) for k in ("col_report", "col_indicator", "col_value_written",
                                                                    "col_value", "col_line", "col_quote")],
                     rows, id="sources-table", cls="sources")

    def provenance_reports(self, raw_checks: dict[str, str], sidecars: dict[str, dict]) -> Table | None:
        c, t = self.c, self.t
        if not c.reports:
            return None
        shown = [r for r in c.reports if r.id in self.listed_reports] or c.reports[:MAX_TABLE_ROWS]
        headers = [Header(t["col_report_id"]), Header(t["col_title"]), Header(t["col_issuer"]),
                   Header(t["col_sha"])]
        if raw_checks:
            headers.append(Header(t["col_raw_check"]))
        any_url = any(sidecars.get(r.id, {}).get("url") for r in shown)
        if any_url:
            headers.append(Header(t["col_url"]))
        rows = []
        for r in shown:
            cells = [Cell(r.id, th=True, cls="code"), Cell(r.get("title") or "—"), Cell(r.get("issuer") or "—"),
                     Cell(r.get("sha256") or "—", cls="code sha")]
            if raw_checks:
                state = raw_checks.get(r.id, "raw_absent")
                cells.append(Cell(t[state], cls="nr" if state != "raw_ok" else ""))
            if any_url:
                # shown as text, never as a link: the brief makes no request and has no outbound link
                cells.append(Cell(sidecars.get(r.id, {}).get("url", "") or "—", cls="code"))
            rows.append(Row(cells))
        notes = []
        if len(c.reports) > len(shown):
            notes.append(t["truncated_plain"].format(shown=len(shown), total=len(c.reports), links=self.links(["reports"])))
        return Table(t["sources_reports"], headers, rows, notes, id="raw-files-table")

    def methods(self) -> list[str]:
        c, lang, t = self.c, self.lang, self.t
        formulas = "; ".join(f"{lang.derived_title(c.cb, d)} = {lang.formula(d)}" for d in DERIVED if not d.per10k)
        out = [m.format(corrections=lang.num(Decimal(c.n_corrections), 0),
                        indicators=len(c.cb.indicators), themes=len(c.cb.themes), formulas=formulas)
               for m in t["methods"]]
        accuracy = {k: lang.num(Decimal(v), 3) for k, v in t["accuracy"].items()}
        out.insert(2, t["methods_accuracy"].format(**accuracy))
        out.insert(len(out) - 1, t["methods_reconcile"])
        out.insert(len(out) - 1, t["methods_comparable"])
        return out

    # ---- everything
    def context(self, raw_checks: dict[str, str], sidecars: dict[str, dict], version: str) -> dict:
        c, lang, t = self.c, self.lang, self.t
        scope = self.scope()
        themes = [self.theme_section(theme) for theme in c.cb.themes]
        findings = self.findings_section()
        quality = self.quality()
        instruments = self.instruments()
        summary = self.executive_summary(findings, instruments)
        models = self.models()
        provenance = self.provenance_reports(raw_checks, sidecars)
        sources = self.sources_table()  # last: collects every figure shown above
        dates = [r.get("issue_date") for r in c.reports if re.match(r"^\d{4}", r.get("issue_date"))]
        sections = [("summary", t["sec_summary"]), ("scope", t["sec_scope"]), ("findings", t["sec_findings"]), ("tables", t["sec_tables"]),
                    ("quality", t["sec_quality"]), ("caveats", t["sec_caveats"]),
                    ("instruments", t["sec_instruments"]), ("models", t["sec_models"]),
                    ("sources", t["sec_sources"]), ("methods", t["sec_methods"])]
        return {
            "lang": lang.code, "t": t, "title": self.title,
            "subtitle": t["subtitle"].format(reports=lang.plural("n_local_reports", len(c.reports))),
            "other_langs": [(code, f"brief-{code}.html", t["other_lang"]) for code in self.other_langs],
            "sections": sections, "scope": scope, "summary": summary, "findings": findings, "themes": themes,
            "quality": quality, "caveats": self.caveats(), "instruments": instruments, "models": models,
            "sources": sources, "provenance": provenance, "methods": self.methods(),
            "code_version": t["code_version"].format(v=version), "version": version,
            "newest": t["newest"].format(date=lang.date_phrase(max(dates))) if dates else "",
            "css": _css(),
        }



# -------------------------------------------------------------------------------- outputs

def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _css() -> str:
    return (TEMPLATES_DIR / "brief.css").read_text(encoding="utf-8")


def _raw_checks(raw_dir: Path | None, corpus: Corpus) -> tuple[dict[str, str], dict[str, dict]]:
    """Compare each report's raw file with the sha256 in reports.csv; read sidecar urls."""
    if raw_dir is None or not raw_dir.is_dir():
        return {}, {}
    from grassroots.pipeline import rawio
    from grassroots.pipeline.rawio import RAW_SUFFIXES, sha256_file

    files = {}
    for p in sorted(raw_dir.iterdir()):
        if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith("."):
            files.setdefault(p.stem, p)
    checks, sidecars = {}, {}
    # Only the reports the provenance table lists are checked (no need to hash 10,000 files).
    for r in listed(corpus.reports):
        path = files.get(r.id)
        if path is None:
            checks[r.id] = "raw_absent"
            continue
        checks[r.id] = "raw_ok" if sha256_file(path) == r.get("sha256") else "raw_differs"
        try:
            url = rawio.read_sidecar(path).get("url")
        except rawio.RawInputError:  # a bad sidecar is reported by extraction, not here
            url = None
        if url:
            sidecars[r.id] = {"url": url}
    return checks, sidecars


def _publish_tables(present: list[Path], reports_dir: Path, emit) -> None:
    """Copy the processed CSVs to data/, cells a spreadsheet would run as formulas neutralised, and
    remove the data files an earlier run of this stage wrote and this one does not (only those:
    the stage's record says which; grassroots.pipeline.published)."""
    from grassroots.pipeline.published import published_csv, remove_unlisted

    for p in present:
        emit(f"data/{p.name}", published_csv(p.read_bytes()))
    remove_unlisted(reports_dir, "data/", {f"data/{p.name}" for p in present} | {f"data/{XLSX_NAME}"})


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


@dataclass
class BriefResult:
    files: list[tuple[str, int]]

    def as_rows(self) -> list[dict]:
        return [{"file": name, "bytes": size} for name, size in self.files]


def _split_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,\n]", value) if p.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _about(table: str, lang: str) -> str:
    """What a published table holds (rules/tables.yml), for the index's list of downloads."""
    declared = table_schema.TABLES.get(table) if table in TABLE_ORDER else None
    return getattr(declared, lang) if declared else ""


def build_briefs(processed_dir: Path, reports_dir: Path, raw_dir: Path | None = None, report_ids="",
                 langs="vi,en", title: str = "") -> BriefResult:
    """Render REPORTS_DIR/briefs/brief-<lang>.html, REPORTS_DIR/index.html and REPORTS_DIR/data/."""
    from grassroots.pipeline.corpus import code_version

    processed_dir, reports_dir = Path(processed_dir), Path(reports_dir)
    langs = _split_list(langs) or list(LANGS)
    bad = [lang for lang in langs if lang not in LANGS]
    if bad:
        raise ValueError(f"LANGS must be among {', '.join(LANGS)}; got {', '.join(bad)}")
    langs = list(dict.fromkeys(langs))
    from grassroots.pipeline.corpus import LARGE_CORPUS, progress_bar

    corpus = Corpus(processed_dir, _split_list(report_ids))
    # large corpora: a bar over the steps (tables and workbook, then each language's brief)
    progress = progress_bar(1 + len(langs), "briefs", enabled=len(corpus.reports) >= LARGE_CORPUS)
    version = code_version()
    raw_checks, sidecars = _raw_checks(Path(raw_dir) if raw_dir else None, corpus)
    env = _env()
    written: list[tuple[str, int]] = []

    def emit(rel: str, data: bytes) -> None:
        write_bytes(reports_dir / rel, data)
        written.append((rel, len(data)))

    # data downloads: the processed CSVs, copied byte for byte, and one workbook
    present = sorted((p for p in processed_dir.glob("*.csv") if not p.name.startswith(".")),
                     key=lambda p: (TABLE_ORDER.index(p.stem) if p.stem in TABLE_ORDER else 99, p.stem))
    tables_info, xlsx_note = [], []
    digest = hashlib.sha256(f"xlsx:{version}\n".encode())
    for p in present:
        data = p.read_bytes()
        digest.update(p.name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        tables_info.append({"name": p.stem, "href": f"data/{p.name}", "rows": count_rows(p),
                            "size": _human_size(len(data)), "about_vi": _about(p.stem, "vi"),
                            "about_en": _about(p.stem, "en")})
    _publish_tables(present, reports_dir, emit)
    data_dir = reports_dir / "data"
    key = digest.hexdigest()
    xlsx_path = data_dir / XLSX_NAME
    if xlsx_key(xlsx_path) == key:  # same tables, same code: the workbook is already right
        data = xlsx_path.read_bytes()
        written.append((f"data/{XLSX_NAME}", len(data)))
        xlsx_note = xlsx_plan(present, processed_dir, load=False)[1]
    else:
        sheets, xlsx_note = xlsx_plan(present, processed_dir)
        readme = ["grassroots: processed tables / bảng số liệu đã xử lý",
                  f"code version / phiên bản mã: {version}",
                  "values: one row per report, one column per indicator (blank = not reported) / "
                  "mỗi báo cáo một dòng, mỗi chỉ tiêu một cột (trống = không báo cáo)"] + xlsx_note
        emit(f"data/{XLSX_NAME}", build_xlsx(sheets, readme, key))

    progress.update()
    template = env.get_template("brief.html.j2")
    for code in langs:
        builder = BriefBuilder(corpus, Lang(code), title, [o for o in langs if o != code])
        html = template.render(**builder.context(raw_checks, sidecars, version))
        emit(f"briefs/brief-{code}.html", html.encode("utf-8"))
        progress.update()
    progress.close()

    dates = [r.get("issue_date") for r in corpus.reports if re.match(r"^\d{4}", r.get("issue_date"))]
    sizes = dict(written)
    index = env.get_template("index.html.j2").render(
        title_vi=title or TEXT["vi"]["default_title"], title_en=title or TEXT["en"]["default_title"],
        tv=TEXT["vi"], te=TEXT["en"],
        briefs=[{"lang": code, "href": f"briefs/brief-{code}.html", "label": TEXT[code]["lang_name"],
                 "size": _human_size(sizes[f"briefs/brief-{code}.html"])} for code in langs],
        tables=tables_info, xlsx={"href": f"data/{XLSX_NAME}", "size": _human_size(sizes[f"data/{XLSX_NAME}"]),
                                  "notes": xlsx_note},
        n_reports_vi=Lang("vi").plural("index_reports", len(corpus.reports)),
        n_reports_en=Lang("en").plural("index_reports", len(corpus.reports)),
        version=version,
        newest_vi=Lang("vi").date_phrase(max(dates)) if dates else "",
        newest_en=Lang("en").date_phrase(max(dates)) if dates else "",
        css=_css())
    emit("index.html", index.encode("utf-8"))
    return BriefResult(sorted(written))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from grassroots.paths import display_path, resolve_dir

    parser = argparse.ArgumentParser(prog="python -m grassroots.brief", description=__doc__.splitlines()[0])
    parser.add_argument("--processed", default=None, help="PROCESSED_DIR (default data/processed)")
    parser.add_argument("--reports", default=None, help="REPORTS_DIR (default reports)")
    parser.add_argument("--raw", default=None, help="RAW_DIR (default data/raw)")
    parser.add_argument("--ids", default="", help="comma-separated report ids (default: all)")
    parser.add_argument("--langs", default="vi,en")
    parser.add_argument("--title", default="")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    reports_dir = resolve_dir(args.reports, "REPORTS_DIR")
    try:
        result = build_briefs(resolve_dir(args.processed, "PROCESSED_DIR"), reports_dir,
                              resolve_dir(args.raw, "RAW_DIR"), args.ids, args.langs, args.title)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, size in result.files:
        print(f"{display_path(reports_dir / name)}\t{size}")
    return 0

