"""The briefs' charts, drawn with matplotlib (Agg, no pyplot state) as self-contained SVG data
URIs whose bytes do not change between runs: a fixed svg.hashsalt, no date, ids renumbered."""

from __future__ import annotations

import base64
import io
import re
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from grassroots.brief.language import Lang
from grassroots.brief.model import DERIVED, Corpus, Report

# Okabe-Ito, a palette that stays distinguishable with the common colour-vision deficiencies.
OI = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
      "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}


@dataclass
class Chart:
    src: str
    alt: str
    title: str
    caption: str
    flags: list = None   # [(label, href, title)]: data-quality findings marked on the chart


# Charts are drawn 5 inches wide with no text under 9.5 pt: scaled down to a 400 px screen
# (about 380 px of figure) the smallest text stays above 9 px (tests/test_browser.py measures it).
FIG_W = 4.4
FONT = 10.0
FONT_SMALL = 9.5
WRAP = 52       # characters per line of a panel title


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WRAP)) or text


_SVG_ID = re.compile(r'id="([a-z][0-9a-f]{10})"')


def _svg_data_uri(fig) -> str:
    """The figure as an SVG data URI, byte-stable: fixed hash salt, no date, and matplotlib's
    content-hashed ids (clip paths, markers) renumbered in order of appearance, so that float
    noise in the last digit of a layout cannot change the bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue().decode("utf-8")
    mapping: dict[str, str] = {}
    for old in _SVG_ID.findall(svg):
        mapping.setdefault(old, f"{old[0]}{len(mapping):04d}")
    if mapping:
        svg = re.sub(r'(?<=id=")([a-z][0-9a-f]{10})(?=")|(?<=#)([a-z][0-9a-f]{10})(?=[)"])',
                     lambda m: mapping.get(m.group(0), m.group(0)), svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _rc() -> dict:
    return {"svg.hashsalt": "grassroots-brief", "svg.fonttype": "path", "font.family": "DejaVu Sans",
            "font.size": FONT, "axes.spines.top": False, "axes.spines.right": False,
            "axes.edgecolor": "#555555", "axes.titlesize": FONT, "legend.frameon": False,
            "xtick.labelsize": FONT_SMALL, "ytick.labelsize": FONT, "legend.fontsize": FONT_SMALL}


def _new_figure(n_rows: int, per_row: float):
    from matplotlib.figure import Figure

    height = min(0.75 + per_row * max(n_rows, 1), 60)
    fig = Figure(figsize=(FIG_W, height), dpi=96)
    fig.subplots_adjust(left=0.36, right=0.95)
    return fig


def _pct_axis(ax, lang: Lang) -> None:
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels([lang.pct(Decimal(v), 0) for v in (0, 25, 50, 75, 100)])
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def chart_rates(corpus: Corpus, reports: list[Report], lang: Lang, total: int, flags=None,
                max_flags: int | None = None) -> Chart | None:
    """Small multiples: one panel per computed rate, the same 0-100% axis in every panel; at most
    max_flags data-quality findings marked (the lowest numbers), the others counted in the caption."""
    series = [d for d in DERIVED if d.chart and any(corpus.derived(r, d) is not None for r in reports)]
    reports = [r for r in reports if any(corpus.derived(r, d) is not None for d in series)]
    if not series or not reports:
        return None
    import matplotlib

    colours = [OI["blue"], OI["orange"], OI["green"], OI["purple"], OI["vermillion"]]
    panels = [(d, [(r, corpus.derived(r, d)) for r in reports]) for d in series]
    # A fixed layout in inches (no constrained layout: its float noise would change the SVG's ids).
    row_in, title_line_in, gap_in, axis_in = 0.3, 0.2, 0.14, 0.35
    titles = []
    for d, rows in panels:
        formula = lang.formula(d)
        title = formula[:1].upper() + formula[1:]
        missing = [r for r, v in rows if v is None]
        if missing:
            names = ", ".join(r.label for r in missing[:3]) + (" …" if len(missing) > 3 else "")
            title += f" — {lang.t['not_reported']}: {names}"
        titles.append(title)
    title_ins = [0.12 + title_line_in * (_wrap(x).count("\n") + 1) for x in titles]
    heights = [row_in * max(1, sum(1 for _, v in rows if v is not None)) for _, rows in panels]
    fig_h = sum(h + ti + gap_in for h, ti in zip(heights, title_ins, strict=True)) + axis_in
    items, shown_flags = [], []
    every = {m[0]: m for d, rows in panels for r, v in rows if v is not None and flags
             for m in flags(r, corpus.derived_inputs(d))}
    ordered = sorted(every, key=lambda n: int(n) if n.isdigit() else 0)
    marked = set(ordered if max_flags is None else ordered[:max_flags])
    with matplotlib.rc_context(_rc()):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(FIG_W, fig_h), dpi=96)
        axes, top = [], 0.0
        for h, ti in zip(heights, title_ins, strict=True):
            top += ti
            axes.append(fig.add_axes((0.42, 1 - (top + h) / fig_h, 0.5, h / fig_h)))
            top += h + gap_in
        for j, (ax, (d, rows), title) in enumerate(zip(axes, panels, titles, strict=True)):
            present = [(r, v) for r, v in rows if v is not None]
            ax.set_title(_wrap(title), loc="left", x=-0.8, fontsize=FONT, pad=4)
            ys = range(len(present))
            ax.barh(list(ys), [float(v) for _, v in present], height=0.62, color=colours[j % len(colours)])
            for y, (_, v) in zip(ys, present, strict=True):
                ax.text(min(float(v), 100) + 1, y, lang.pct(v), va="center", ha="left", fontsize=FONT_SMALL)
            ax.set_yticks(list(ys))
            labels = []
            for r, _ in present:
                marks = [m for m in flags(r, corpus.derived_inputs(d)) if m[0] in marked] if flags else []
                for m in marks:
                    if m not in shown_flags:
                        shown_flags.append(m)
                labels.append(r.label + ("".join(f" ⚑{m[0]}" for m in marks)))
            ax.set_yticklabels(labels)
            ax.set_ylim(len(present) - 0.5, -0.6)
            _pct_axis(ax, lang)
            ax.set_xlim(0, 125)
            ax.set_xticks([0, 50, 100])
            ax.set_xticklabels([lang.pct(Decimal(v), 0) for v in (0, 50, 100)])
            if j < len(panels) - 1:
                ax.tick_params(axis="x", labelbottom=False)
            items.append(f"{title}: " + "; ".join(f"{lab} {lang.pct(v)}" for lab, (_, v) in zip(labels, present, strict=True)) + ".")
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(reports), total=total) if total > len(reports) else ""
    if len(ordered) > len(marked):
        more += lang.t["chart_more_flags"].format(n=lang.num(Decimal(len(ordered) - len(marked)), 0))
    shown_flags.sort(key=lambda m: int(m[0]) if m[0].isdigit() else 0)
    return Chart(src, lang.t["chart_rates_alt"].format(items=" ".join(items)), lang.t["chart_rates_title"],
                 lang.t["chart_rates_caption"] + more, shown_flags)


def chart_stacked(corpus: Corpus, reports: list[Report], lang: Lang, codes: list[str], names: list[str],
                  colours: list[str], key: str, total: int) -> Chart | None:
    """Shares of parts (of their sum) per report, 0-100%, e.g. dossier timeliness."""
    rows = []
    for r in reports:
        figs = [corpus.fig(r, c) for c in codes]
        if sum(1 for f in figs if f is not None) < 2:
            continue
        values = [f.value if f is not None else None for f in figs]
        s = sum((v for v in values if v is not None), Decimal(0))
        if s <= 0:
            continue
        rows.append((r, values, s))
    if not rows:
        return None
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = _new_figure(len(rows), 0.36)
        ax = fig.add_subplot(1, 1, 1)
        items = []
        for i, (r, values, s) in enumerate(rows):
            left = 0.0
            parts = []
            for j, v in enumerate(values):
                label = lang.t[names[j]]
                if v is None:
                    parts.append(f"{label} {lang.t['not_reported']}")
                    continue
                share = v / s * 100
                ax.barh(i, float(share), left=left, height=0.6, color=colours[j], label=label if i == 0 else None,
                        edgecolor="white", linewidth=0.5)
                if share >= 8:
                    ax.text(left + float(share) / 2, i, lang.pct(share, 0), va="center", ha="center", fontsize=FONT_SMALL,
                            color="white" if colours[j] in (OI["blue"], OI["vermillion"], OI["green"]) else "black")
                left += float(share)
                parts.append(f"{label} {lang.num(v, 0)} ({lang.pct(share)})")
            items.append(f"{r.label}: " + ", ".join(parts) + ".")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r.label for r, _, _ in rows])
        ax.invert_yaxis()
        _pct_axis(ax, lang)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(codes), fontsize=FONT_SMALL)
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(rows), total=total) if total > len(rows) else ""
    return Chart(src, lang.t[f"chart_{key}_alt"].format(items=" ".join(items)), lang.t[f"chart_{key}_title"],
                 lang.t[f"chart_{key}_caption"] + more)


MODEL_FIELDS = ["models.economic", "models.culture_social", "models.defense_security", "models.political_system"]


def chart_models(corpus: Corpus, reports: list[Report], lang: Lang, total: int) -> Chart | None:
    rows = [r for r in reports if any(corpus.fig(r, c) is not None for c in MODEL_FIELDS)]
    if not rows:
        return None
    import matplotlib

    colours = [OI["blue"], OI["orange"], OI["green"], OI["purple"]]
    top = max(float(corpus.fig(r, c).value) for r in rows for c in MODEL_FIELDS if corpus.fig(r, c) is not None)
    with matplotlib.rc_context(_rc()):
        k = len(MODEL_FIELDS)
        fig = _new_figure(len(rows), 0.24 * k + 0.3)
        ax = fig.add_subplot(1, 1, 1)
        bar_h = 0.8 / k
        items = []
        for i, r in enumerate(rows):
            parts = []
            for j, code in enumerate(MODEL_FIELDS):
                y = i + (j - (k - 1) / 2) * bar_h
                label = lang.t["fields"][code.split(".")[1]]
                f = corpus.fig(r, code)
                if f is None:
                    ax.text(top * 0.01, y, lang.t["not_reported"], va="center", fontsize=FONT_SMALL, color="#666666",
                            style="italic")
                    parts.append(f"{label} {lang.t['not_reported']}")
                    continue
                ax.barh(y, float(f.value), height=bar_h * 0.9, color=colours[j], label=label if i == 0 else None)
                ax.text(float(f.value) + top * 0.01, y, lang.num(f.value, 0), va="center", fontsize=FONT_SMALL)
                parts.append(f"{label} {lang.num(f.value, 0)}")
            items.append(f"{r.label}: " + ", ".join(parts) + ".")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r.label for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15 if top > 0 else 1)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.xaxis.set_major_formatter(_num_formatter(lang))
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=FONT_SMALL)
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(rows), total=total) if total > len(rows) else ""
    return Chart(src, lang.t["chart_models_alt"].format(items=" ".join(items)), lang.t["chart_models_title"],
                 lang.t["chart_models_caption"] + more)


def _num_formatter(lang: Lang):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: lang.num(Decimal(str(round(x, 6))), None if x != int(x) else 0))


def theme_charts(corpus: Corpus, theme: str, reports: list[Report], lang: Lang, total: int) -> list[Chart]:
    """The charts under a theme's comparison table (reports: those drawn, total: those with figures)."""
    if theme == "admin":
        chart = chart_stacked(corpus, reports, lang, ["admin.dossiers_resolved_early", "admin.dossiers_resolved_on_time",
                              "admin.dossiers_resolved_late"], ["early", "on_time", "late"],
                              [OI["blue"], OI["sky"], OI["vermillion"]], "time", total)
    elif theme == "mediation":
        chart = chart_stacked(corpus, reports, lang, ["mediation.successful", "mediation.unsuccessful",
                              "mediation.pending"], ["successful", "unsuccessful", "pending"],
                              [OI["green"], OI["vermillion"], OI["orange"]], "med", total)
    elif theme == "models":
        chart = chart_models(corpus, reports, lang, total)
    else:
        chart = None
    return [chart] if chart else []
