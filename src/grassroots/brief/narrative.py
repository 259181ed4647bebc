"""The briefs' key findings: a few sentences per report, written from the templates under
key_findings in codebook.yml (a new indicator gets a sentence by adding an entry there), and the
comparisons between reports at the same level with the same period length."""

from __future__ import annotations

import statistics
import string
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from grassroots import ruleset
from grassroots.brief.language import Lang
from grassroots.brief.model import DERIVED, DERIVED_BY_KEY, LEVEL_RANK, Corpus, Report
from grassroots.codebook import Codebook, CodebookError, Indicator
from grassroots.codebook import load as load_codebook

MAX_SENTENCE_REPORTS = 12   # above this, key findings are aggregated per comparable group

# Placeholders besides figure codes (documented in codebook.yml): for every entry, for an entry
# whose `when` is a figure, for one whose `when` is a rate.
_PLACEHOLDERS = {"Loc", "loc", "value"}
_FIGURE_PLACEHOLDERS = {"s"}
_RATE_PLACEHOLDERS = {"num", "den", "reported"}
_FIELDS = ("when", "vi", "en", "needs", "unless", "group", "cites")

# (report, figure codes) -> the citations [(label, href)] of those the report states
Cite = Callable[[Report, Iterable[str]], list]


@dataclass
class Sentence:
    text: str
    refs: list = field(default_factory=list)   # [(label, href)]
    pairs: list = field(default_factory=list)  # [(Report, codes)]: the figures it states
    flags: list = field(default_factory=list)  # [(label, href, title)]: their data-quality findings


@dataclass(frozen=True)
class KeyFinding:
    """One entry of key_findings in codebook.yml."""

    when: str
    vi: str
    en: str
    needs: tuple[str, ...]
    unless: tuple[str, ...]
    group: str
    cites: tuple[str, ...]


class _Formatter(string.Formatter):
    """str.format where a field name is a whole key: "{petitions.resolved}" names one figure."""

    def get_field(self, field_name, args, kwargs):
        return kwargs[field_name], field_name


_FORMATTER = _Formatter()


def read_key_findings(entries, cb: Codebook) -> tuple[KeyFinding, ...]:
    """The key_findings entries, each checked against the codebook's codes and rates; a
    CodebookError names the entry and the field at fault."""
    if not isinstance(entries, list):
        raise CodebookError("codebook.yml: key_findings must be a list of entries")
    known = set(cb.indicators) | set(DERIVED_BY_KEY)
    out, groups = [], []
    for i, spec in enumerate(entries):
        name = spec.get("when") if isinstance(spec, dict) else None
        where = f"codebook.yml: key_findings[{i}]" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(spec, dict):
            raise CodebookError(f"{where}: an entry is a mapping with when, vi and en")
        unknown = sorted(set(spec) - set(_FIELDS))
        missing = [key for key in ("when", "vi", "en") if key not in spec]
        if unknown or missing:
            raise CodebookError(f"{where}: unknown fields {unknown}, missing {missing}")
        for key in ("when", "vi", "en", "group"):
            if key in spec and not isinstance(spec[key], str):
                raise CodebookError(f"{where}: field '{key}' must be a string")
        lists = {}
        for key in ("needs", "unless", "cites"):
            value = spec.get(key, [])
            if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                raise CodebookError(f"{where}: field '{key}' must be a list of codes")
            lists[key] = tuple(value)
        when = spec["when"]
        for key, codes in (("when", (when,)), *lists.items()):
            for code in codes:
                if code not in known:
                    raise CodebookError(f"{where}: field '{key}': {code!r} is neither an indicator code "
                                        "nor a derived rate key")
        rate = DERIVED_BY_KEY.get(when)
        allowed = (_PLACEHOLDERS | (_RATE_PLACEHOLDERS if rate else _FIGURE_PLACEHOLDERS)
                   | {code for code in (when, *lists["needs"]) if code in cb.indicators})
        for lang in ("vi", "en"):
            try:
                names = [f for _, f, _, _ in _FORMATTER.parse(spec[lang]) if f is not None]
            except ValueError as exc:
                raise CodebookError(f"{where}: field '{lang}': {exc}") from None
            bad = sorted(set(names) - allowed)
            if bad:
                raise CodebookError(f"{where}: field '{lang}': unknown placeholders {bad} (allowed: "
                                    f"{sorted(allowed)}; a figure must be `when` or in `needs`)")
        group = spec.get("group", "")
        if group and group in groups and groups[-1] != group:
            raise CodebookError(f"{where}: field 'group': the entries of group {group!r} must follow each other")
        groups.append(group)
        cites = lists["cites"]
        if not cites:
            cites = tuple(dict.fromkeys(
                [*rate.num, *(c.lstrip("#") for c in rate.den), *([rate.after] if rate.after else [])]
                if rate else [when])) + lists["needs"]
        out.append(KeyFinding(when, spec["vi"], spec["en"], lists["needs"], lists["unless"], group, cites))
    return tuple(out)


# Checked on import: a codebook whose sentences name an unknown figure fails here, not mid-brief.
KEY_FINDINGS = read_key_findings(ruleset.load("codebook").get("key_findings", []), load_codebook())


def _stated(corpus: Corpus, r: Report, key: str) -> bool:
    """The report states the figure, or the rate can be computed."""
    d = DERIVED_BY_KEY.get(key)
    return corpus.derived(r, d) is not None if d else corpus.fig(r, key) is not None


def _figure(lang: Lang, ind: Indicator, value: Decimal) -> str:
    """A figure inside a sentence: counts whole, money with its unit, percents as written."""
    if ind.kind == "money":
        return lang.money(value)
    if ind.kind == "percent":
        return lang.pct(value, None)
    return lang.num(value, 0 if ind.kind == "count" else ind.decimals)


def _placeholders(corpus: Corpus, r: Report, lang: Lang, kf: KeyFinding) -> dict[str, str]:
    out = {"Loc": lang.locality(r, capital=True), "loc": lang.locality(r)}
    for code in (kf.when, *kf.needs):
        if code in corpus.cb.indicators:
            out[code] = _figure(lang, corpus.cb.indicators[code], corpus.fig(r, code).value)
    rate = DERIVED_BY_KEY.get(kf.when)
    if rate:
        num, den = corpus.parts(r, rate)
        after = corpus.fig(r, rate.after) if rate.after else None
        value = corpus.derived(r, rate)
        out |= {"value": lang.num(value, 1) if rate.per10k else lang.pct(value),
                "num": lang.num(num, 0), "den": lang.num(den, 0),
                "reported": lang.t["reported_rate"].format(v=lang.pct(after.value, None)) if after else ""}
    else:
        out["value"] = out[kf.when]
        out["s"] = "s" if lang.code == "en" and corpus.fig(r, kf.when).value != 1 else ""
    return out


def report_sentences(corpus: Corpus, r: Report, lang: Lang, cite: Cite) -> list[Sentence]:
    """The report's key findings, one sentence per key_findings entry that applies."""
    out, done = [], set()
    for kf in KEY_FINDINGS:
        if kf.group in done or not _stated(corpus, r, kf.when):
            continue
        if not all(_stated(corpus, r, k) for k in kf.needs) or any(_stated(corpus, r, k) for k in kf.unless):
            continue
        if kf.group:
            done.add(kf.group)
        template = kf.vi if lang.code == "vi" else kf.en
        out.append(Sentence(_FORMATTER.vformat(template, (), _placeholders(corpus, r, lang, kf)), cite(r, kf.cites),
                            pairs=[(r, kf.cites)]))
    return out


def comparisons(corpus: Corpus, lang: Lang, cite: Cite) -> tuple[list[Sentence], list[Report]]:
    """Sentences comparing the rates of reports at the same level with the same period length,
    and the reports left uncompared (alone in their group, or of unknown level or period)."""
    c, t = corpus, lang.t
    groups: dict[tuple, list[Report]] = defaultdict(list)
    for r in c.reports:
        if not r.partial:   # a partial period is never compared with full periods
            groups[(r.level, r.months)].append(r)
    metrics = [d for d in DERIVED if d.compare]
    out, singles = [], []
    for (level, months), members in sorted(groups.items(), key=lambda kv: (LEVEL_RANK.get(kv[0][0], 9), -(kv[0][1] or 0))):
        if len(members) < 2 or not level or not months:
            singles += members
            continue
        group_label = lang.group(level, months)
        group_label = group_label[:1].upper() + group_label[1:]
        types = sorted({lang.report_type(r.get("report_type")) for r in members})
        for d in metrics:
            values = [(c.derived(r, d), r) for r in members]
            values = [(v, r) for v, r in values if v is not None]
            if len(values) < 2:
                continue
            metric = lang.derived_title(c.cb, d).lower() if d.per10k else f"{lang.formula(d)} ({t['computed']})"
            fmt = (lambda v: lang.num(v, 1)) if d.per10k else lang.pct
            if len(values) <= 6:
                text = t["cmp_list"].format(group=group_label, reports=lang.plural("n_reports", len(members)), metric=metric,
                                            values=", ".join(f"{r.short} {fmt(v)}" for v, r in values))
            else:
                ordered = sorted(values, key=lambda vr: (vr[0], vr[1].label))
                text = t["cmp_agg"].format(group=group_label, metric=metric, k=lang.num(Decimal(len(values)), 0),
                                           n=lang.num(Decimal(len(members)), 0),
                                           median=fmt(Decimal(statistics.median([v for v, _ in values]))),
                                           min=fmt(ordered[0][0]), min_loc=ordered[0][1].label,
                                           max=fmt(ordered[-1][0]), max_loc=ordered[-1][1].label)
            if len(types) > 1:
                text += t["report_types_differ"].format(types=", ".join(types))
            refs = []
            if len(values) <= 6:
                for _, r in values:
                    refs += cite(r, d.num[:1])
                stated = [r for _, r in values]
            else:   # an aggregated sentence states the lowest and the highest only: their flags travel
                stated = [ordered[0][1], ordered[-1][1]]
            out.append(Sentence(text, refs, pairs=[(r, corpus.derived_inputs(d)) for r in stated]))
    return out, singles
