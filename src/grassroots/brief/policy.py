"""The policy frame: the registry of legal and Party instruments (rules/instruments.yml, read
only), the citations matched to it (one entry per instrument, whatever the spelling of the
citation), the legal milestones of grassroots democracy, and each report's legal basis."""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots import ruleset

# The Law on Grassroots Democracy (10/2022/QH15, issued 10 November 2022) takes effect on
# 1 July 2023 (its Article 91); the Ordinance 34/2007/PL-UBTVQH11 governs periods before.
LAW_IN_FORCE = "2023-07-01"

# The milestones drawn on the timeline, by (kind, number, issuer code) in the registry: the
# grassroots-democracy line, then the mass-mobilisation ("dân vận chính quyền") instruments.
MILESTONES = (("Chỉ thị", "30", "CT/TW"), ("Pháp lệnh", "34", "PL-UBTVQH11"), ("Luật", "10", "QH15"),
              ("Nghị định", "59", "NĐ-CP"))
MASS_MOBILISATION = (("Nghị quyết", "25", "NQ/TW"), ("Kết luận", "114", "KL/TW"), ("Kết luận", "120", "KL/TW"))


def _num(number: str) -> str:
    """"04" -> "4"; "34/2007" -> "34" (the year is compared apart)."""
    return (number or "").split("/")[0].lstrip("0") or "0"


@dataclass
class Instrument:
    kind: str
    number: str
    issuer_code: str
    year: str = ""
    issue_date: str = ""
    title_vi: str = ""
    title_en: str = ""
    registered: bool = False
    name: str = ""                                    # as the citations table identifies it
    cited_dates: dict = field(default_factory=dict)   # cited date -> {report ids}
    reports: dict = field(default_factory=dict)       # report id -> first line

    @property
    def label(self) -> str:
        """"34/2007/PL-UBTVQH11", "120-KL/TW", "76/NQ-CP"."""
        if self.name:
            return self.name
        if not self.issuer_code:
            return " ".join(x for x in (self.kind, self.number, self.year) if x)
        if "/" in self.issuer_code:   # Party style: number-issuer
            return f"{self.number}-{self.issuer_code}"
        if self.year and self.kind in ("Luật", "Pháp lệnh", "Nghị định", "Thông tư") or \
                self.issuer_code.startswith(("PL-", "QH")) or "HĐND" in self.issuer_code:
            return f"{self.number}/{self.year}/{self.issuer_code}" if self.year else f"{self.number}/{self.issuer_code}"
        return f"{self.number}/{self.issuer_code}"

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def disagreements(self) -> list[tuple[str, list[str]]]:
        """Cited dates that differ from the registry's, with the reports citing them."""
        if not (self.registered and self.issue_date):
            return []
        return [(d, sorted(rids)) for d, rids in sorted(self.cited_dates.items()) if d and d != self.issue_date]


def registry() -> list[Instrument]:
    """The registered instruments of rules/instruments.yml (checked when loaded)."""
    data = ruleset.load("instruments")
    out = []
    for e in data.get("instruments", []) or []:
        e = {k: "" if v is None else str(v) for k, v in e.items()}
        out.append(Instrument(e.get("kind", ""), e.get("number", ""), e.get("issuer_code", ""),
                              e.get("year", "") or e.get("issue_date", "")[:4], e.get("issue_date", ""),
                              e.get("title_vi", ""), e.get("title_en", ""), registered=True))
    return out


def _key(kind: str, number: str, issuer: str) -> tuple[str, str, str]:
    return kind, _num(number), issuer


def cited_instruments(citations: list[dict]) -> list[Instrument]:
    """One Instrument per instrument cited: matched to the registry by kind, number and issuer
    (and year when both state one), else grouped by kind, number, issuer and year."""
    reg = {_key(i.kind, i.number, i.issuer_code): i for i in registry()}
    found: dict[tuple, Instrument] = {}
    for row in citations:
        kind, number, issuer = row.get("kind", ""), row.get("number", ""), row.get("issuer_code", "")
        year, date = row.get("year", ""), row.get("issue_date", "")
        hit = reg.get(_key(kind, number, issuer))
        if hit is not None and year and hit.year and year != hit.year and not hit.issue_date.startswith(year[:4]) \
                and not date:
            hit = None   # another instrument with the same number (another year)
        if hit is not None:
            key = ("reg", kind, _num(number), issuer)
            inst = found.setdefault(key, Instrument(hit.kind, hit.number, hit.issuer_code, hit.year, hit.issue_date,
                                                    hit.title_vi, hit.title_en, registered=True))
        else:
            if not issuer and not year:
                key = ("bare", kind, _num(number))
            else:
                key = ("cited", kind, _num(number), issuer, year)
            name = (row.get("canonical_id") or "").split("@")[0] or row.get("surface", "")
            inst = found.setdefault(key, Instrument(kind, number, issuer, year, date, name=name))
            if date and not inst.issue_date:
                inst.issue_date = date
        if date:
            inst.cited_dates.setdefault(date, set()).add(row.get("report_id", ""))
        inst.reports.setdefault(row.get("report_id", ""), row.get("line", ""))
    return list(found.values())


def legal_basis(period_start: str, period_end: str) -> str:
    """"ordinance" (the period ends before the 2022 law took effect), "law" (it starts on or
    after), "transition" (it spans the date), "" (unknown)."""
    if period_end and period_end[:10] < LAW_IN_FORCE:
        return "ordinance"
    if period_start and period_start[:10] >= LAW_IN_FORCE:
        return "law"
    if period_start and period_end:
        return "transition"
    return ""


def milestones() -> list[tuple[Instrument, str]]:
    """(instrument, role) for the timeline: role "qcdc" or "dan_van"."""
    reg = {_key(i.kind, i.number, i.issuer_code): i for i in registry()}
    out = []
    for keys, role in ((MILESTONES, "qcdc"), (MASS_MOBILISATION, "dan_van")):
        for kind, number, issuer in keys:
            inst = reg.get(_key(kind, number, issuer))
            if inst is not None:
                out.append((inst, role))
    return out
