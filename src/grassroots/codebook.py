"""Load and check the codebook (codebook.yml): the one declaration of indicators.

    python -m grassroots.codebook docs/codebook.md   # regenerate the analysts' reference
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grassroots import ruleset, tables
from grassroots.paths import CODEBOOK_FILE

CODE_RE = re.compile(r"^[a-z]+\.[a-z_]+$")


class CodebookError(ruleset.RulesError):
    """A codebook that passes its schema but not the checks that need the whole file."""


@dataclass(frozen=True)
class Rule:
    units: tuple[str, ...]
    before: tuple[re.Pattern, ...]
    after: tuple[re.Pattern, ...]
    sentence: re.Pattern | None
    not_before: re.Pattern | None
    not_after: re.Pattern | None
    max_gap: int
    gap_numbers: bool
    denominator_required: bool
    prefer: bool = False
    take: str = "value"
    both: bool = False
    attached_ok: bool = False
    shared: bool = False


@dataclass(frozen=True)
class Indicator:
    code: str
    theme: str
    title_vi: str
    title_en: str
    unit: str
    kind: str
    description: str
    decimals: int
    denominator: str
    constraints: dict
    rules: tuple[Rule, ...] = field(repr=False)
    order: int = 0


@dataclass(frozen=True)
class Derived:
    """A rate the briefs compute: sum(num) / sum(den) * 100. '#code' is that figure's X/Y
    denominator. per10k: figure / context.population * 10,000."""

    key: str
    num: tuple[str, ...]
    den: tuple[str, ...]
    vi: str
    en: str
    formula_vi: str
    formula_en: str
    after: str = ""
    per10k: bool = False
    chart: bool = False     # drawn in the resolution-rate chart
    compare: bool = True    # compared between reports in the key findings

    @property
    def theme(self) -> str:
        return self.key.split(".")[0]


@dataclass(frozen=True)
class Codebook:
    version: int
    themes: dict
    indicators: dict[str, Indicator]
    relations: tuple[dict, ...]
    units: dict = field(default_factory=dict)  # unit noun -> (English plural, singular)
    derived: tuple[Derived, ...] = ()  # computed rates, then the per-10,000-residents figures

    def by_theme(self) -> dict[str, list[Indicator]]:
        out: dict[str, list[Indicator]] = {t: [] for t in self.themes}
        for ind in self.indicators.values():
            out[ind.theme].append(ind)
        return out


# In codebook patterns "[^.;]" means "within the clause": a point between digits ("6.930") is a
# thousands separator, not a full stop, so it is allowed.
_CLAUSE = r"(?:[^.;]|(?<=\d)\.(?=\d))"


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern.replace("[^.;]", _CLAUSE))
    except re.error as exc:
        raise CodebookError(f"{where}: bad regex {pattern!r}: {exc}") from None


def _default_constraints(kind: str) -> dict:
    if kind == "percent":
        return {"min": 0, "max": 100}
    if kind in ("count",):
        return {"min": 0, "integer": True}
    return {"min": 0}


@functools.lru_cache(maxsize=4)
def load(path: str | Path = CODEBOOK_FILE) -> Codebook:
    """The codebook at path (codebook.yml of a rules directory), checked against that directory's
    schemas/codebook.schema.yml (grassroots.ruleset: structure and types), then here for what needs
    the whole file: themes declared, codes known, regexes that compile, units named in English."""
    path = Path(path)
    data = ruleset.load(path.stem, path.parent)
    defaults = data.get("defaults", {})
    themes = data["themes"]
    indicators: dict[str, Indicator] = {}
    for order, (code, spec) in enumerate(data["indicators"].items()):
        where = f"codebook {code}"
        if not CODE_RE.match(code):
            raise CodebookError(f"{where}: codes are <theme>.<name> in lowercase")
        theme = code.split(".")[0]
        if theme not in themes:
            raise CodebookError(f"{where}: theme {theme!r} is not declared under themes")
        rules = []
        for i, r in enumerate(spec["rules"]):
            rw = f"{where} rule {i + 1}"
            if not r.get("before") and not r.get("after"):
                raise CodebookError(f"{rw}: needs before or after cues")
            rules.append(Rule(
                units=tuple(str(u) for u in r.get("units", [])),
                before=tuple(_compile(p, rw) for p in r.get("before", [])),
                after=tuple(_compile(p, rw) for p in r.get("after", [])),
                sentence=_compile(r["sentence"], rw) if r.get("sentence") else None,
                not_before=_compile(r["not_before"], rw) if r.get("not_before") else None,
                not_after=_compile(r["not_after"], rw) if r.get("not_after") else None,
                max_gap=int(r.get("max_gap", defaults.get("max_gap", 40))),
                gap_numbers=bool(r.get("gap_numbers", False)),
                denominator_required=bool(r.get("denominator_required", False)),
                prefer=bool(r.get("prefer", False)),
                shared=bool(r.get("shared", False)),
                take=str(r.get("take", "value")),
                both=bool(r.get("both", False)),
                attached_ok=bool(r.get("attached_ok", False)),
            ))
        constraints = _default_constraints(spec["kind"]) | dict(spec.get("constraints", {}))
        indicators[code] = Indicator(
            code=code, theme=theme, title_vi=spec["title_vi"], title_en=spec["title_en"],
            unit=str(spec["unit"]), kind=spec["kind"], description=" ".join(str(spec["description"]).split()),
            decimals=int(spec.get("decimals", 0 if spec["kind"] in ("count", "money") else 1)),
            denominator=spec.get("denominator", defaults.get("denominator", "none")),
            constraints=constraints, rules=tuple(rules), order=order,
        )
    relations = tuple(data.get("relations", []))
    for rel in relations:
        for key in ("total", "left", "rate", "numerator"):
            codes = [rel[key]] if key in rel else []
            for c in codes:
                if c not in indicators:
                    raise CodebookError(f"relation {rel.get('id')}: unknown code {c}")
        for key in ("parts", "right", "denominators", "optional_parts", "require_parts", "total_optional", "when"):
            for entry in rel.get(key, []):
                for c in str(entry).split("+"):  # "a+b": a denominator reading made of two codes
                    if c != "denominator" and c not in indicators:
                        raise CodebookError(f"relation {rel.get('id')}: unknown code {c}")
    units = {str(k): (str(v[0]), str(v[1])) for k, v in (data.get("units") or {}).items()}
    missing = sorted({i.unit for i in indicators.values() if i.kind == "count"} - set(units))
    if missing:
        raise CodebookError(f"units: no English name for {missing}")
    derived = _derived(data, indicators)
    return Codebook(int(data.get("version", 1)), themes, indicators, relations, units, derived)


_DERIVED_REQUIRED = {"key", "numerator", "denominator", "title_vi", "title_en", "formula_vi", "formula_en"}


def _derived(data: dict, indicators: dict[str, Indicator]) -> tuple[Derived, ...]:
    """The `derived` rates and the `per10k` figures, every code checked against the indicators."""
    out = []
    for spec in data.get("derived") or []:
        where = f"derived {spec.get('key')}"
        missing = _DERIVED_REQUIRED - set(spec)
        if missing:
            raise CodebookError(f"{where}: missing {sorted(missing)}")
        key = str(spec["key"])
        if not CODE_RE.match(key) or key in indicators or key.split(".")[0] not in {i.theme for i in indicators.values()}:
            raise CodebookError(f"{where}: the key must be a new <theme>.<name> of a declared theme")
        num, den = tuple(map(str, spec["numerator"])), tuple(map(str, spec["denominator"]))
        for code in num + den + ((str(spec["after"]),) if spec.get("after") else ()):
            if code.removeprefix("#") not in indicators:
                raise CodebookError(f"{where}: unknown code {code}")
        out.append(Derived(key, num, den, str(spec["title_vi"]), str(spec["title_en"]),
                           str(spec["formula_vi"]), str(spec["formula_en"]), after=str(spec.get("after", "")),
                           chart=bool(spec.get("chart", False)), compare=bool(spec.get("compare", True))))
    for code in data.get("per10k") or []:
        if code not in indicators or "context.population" not in indicators:
            raise CodebookError(f"per10k: unknown code {code}")
        out.append(Derived(f"{code}.per10k", (code,), ("context.population",),
                           "", "", "", "", per10k=True))
    keys = [d.key for d in out]
    if len(set(keys)) != len(keys):
        raise CodebookError("derived: a key is declared twice")
    return tuple(out)


def markdown(cb: Codebook | None = None) -> str:
    """docs/codebook.md: what every figure means (codebook.yml) and the output tables (tables.yml)."""
    cb = cb or load()
    out = [
        "# Codebook / Bộ mã chỉ tiêu",
        "",
        "Generated from `src/grassroots/rules/codebook.yml` and `tables.yml` by `make docs`; do not edit by hand.",
        "Units: counts in their unit noun; money in VND (multipliers applied); percent as a number",
        "(84.4 for \"84,4 %\"); area in km2 (ha / 100). `X/Y` figures keep Y as the denominator.",
        "",
    ]
    for theme, inds in cb.by_theme().items():
        t = cb.themes[theme]
        out += [f"## {t['title_en']} / {t['title_vi']} (`{theme}`)", "",
                "| code | tiếng Việt | English | unit | definition |", "|---|---|---|---|---|"]
        for ind in inds:
            desc = ind.description.replace("|", "\\|")
            out.append(f"| `{ind.code}` | {ind.title_vi} | {ind.title_en} | {ind.unit} | {desc} |")
        out.append("")
    out += ["## Relations checked by validation / Các quan hệ được kiểm tra", ""]
    for rel in cb.relations:
        if rel["kind"] == "sum":
            desc = f"`{rel['total']}` = " + " + ".join(f"`{p}`" for p in rel["parts"])
        elif rel["kind"] == "le":
            desc = f"`{rel['left']}` ≤ " + " + ".join(f"`{p}`" for p in rel["right"])
        else:
            desc = f"`{rel['rate']}` ≈ `{rel['numerator']}` / (" + " or ".join(f"`{d}`" for d in rel["denominators"]) + ")"
        if rel.get("total_optional"):
            desc += " (the total read with and without " + ", ".join(f"`{c}`" for c in rel["total_optional"]) + ")"
        note = " ".join(str(rel.get("note", "")).split())
        out.append(f"- **{rel['id']}**: {desc}" + (f". {note}" if note else ""))
    out += ["", "## Rates computed by the briefs / Các tỷ lệ do bản tóm tắt tính", "",
            "sum(numerator) / sum(denominator) × 100; `#code` is that figure's own X/Y denominator.", "",
            "| key | tiếng Việt | English | formula |", "|---|---|---|---|"]
    for d in cb.derived:
        if not d.per10k:
            formula = " + ".join(f"`{c}`" for c in d.num) + " / " + " + ".join(f"`{c}`" for c in d.den)
            out.append(f"| `{d.key}` | {d.vi} | {d.en} | {formula} |")
    per10k = [f"`{d.num[0]}`" for d in cb.derived if d.per10k]
    if per10k:
        out += ["", "Per 10,000 residents (`context.population`): " + ", ".join(per10k) + "."]
    out += ["", *tables.markdown()]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from grassroots.pipeline.atomic import write_text

    target = Path(argv[0]) if argv else Path("docs/codebook.md")
    write_text(target, markdown())
    print("wrote", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
