"""The briefs (grassroots.brief) rendered from a small hand-made set of processed tables.

tests/fixtures/brief_tables/ holds four reports: two district reports for a full year (fair to
compare), a commune half-year report and a commune full-year report whose id, title, quote,
model name and finding contain HTML ("<script>", "<b>", "<i>") that must come out as text.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grassroots.brief import build_briefs
from grassroots.brief.model import slug_of
from grassroots.brief.workbook import XLSX_NAME

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "tests" / "fixtures" / "brief_tables"


class _Page(HTMLParser):
    """Collects ids, internal links, resource references and tables (cell texts and classes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.imgs: list[dict] = []
        self.tables: dict[str, list[list[tuple[str, str]]]] = {}
        self._table: str | None = None
        self._cell: list | None = None
        self._depth = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src", "action", "data", "poster"):
            if key in a and a[key] is not None:
                (self.links if key == "href" else self.resources).append(a[key])
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.imgs.append(a)
        if tag == "table":
            self._table = a.get("id", f"table{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = ["", a.get("class", "") or ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append((self._cell[0].strip(), self._cell[1]))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def row_of(page: _Page, table: str, start: str) -> list[tuple[str, str]]:
    rows = [r for r in page.tables[table] if r and r[0][0].startswith(start)]
    assert rows, f"no row starting {start!r} in {table}"
    return rows[0]


def header_of(page: _Page, table: str) -> list[str]:
    return [text for text, _ in page.tables[table][0]]


def cell(page: _Page, table: str, start: str, column_prefix: str) -> tuple[str, str]:
    head = header_of(page, table)
    idx = next(i for i, h in enumerate(head) if h.startswith(column_prefix))
    return row_of(page, table, start)[idx]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("reports")
    result = build_briefs(TABLES, out)
    html = {lang: (out / "briefs" / f"brief-{lang}.html").read_text(encoding="utf-8") for lang in ("vi", "en")}
    return {"dir": out, "result": result, "html": html, "page": {k: parse(v) for k, v in html.items()},
            "index": (out / "index.html").read_text(encoding="utf-8")}


def test_outputs_exist(rendered):
    out = rendered["dir"]
    for rel in ("briefs/brief-vi.html", "briefs/brief-en.html", "index.html", f"data/{XLSX_NAME}",
                "data/reports.csv", "data/indicators.csv", "data/findings.csv"):
        assert (out / rel).is_file(), rel
    rows = rendered["result"].as_rows()
    assert {"file": "briefs/brief-vi.html", "bytes": (out / "briefs/brief-vi.html").stat().st_size} in rows
    assert all(not r["file"].startswith("/") for r in rows)


def test_key_figures_formatted_per_language(rendered):
    vi, en = rendered["html"]["vi"], rendered["html"]["en"]
    # Triệu Sơn resolved 143 of 147 eligible petitions (97.3%); the report says 97%
    assert "Huyện Triệu Sơn đã giải quyết 143/147 đơn đủ điều kiện xử lý (97,3%; báo cáo ghi 97%)" in vi
    assert "Triệu Sơn district resolved 143 of 147 eligible petitions (97.3%; the report states 97%)" in en
    assert "784.000.000 đồng" in vi and "784,000,000 VND" in en
    assert "11.796.900.000 đồng" in vi and "11,796,900,000 VND" in en
    assert "92,4%" in vi and "92.4%" in en  # mediation 146/158
    assert "1.842,43 km²" in vi and "1,842.43 km²" in en
    # the newest report's date comes from issue_date, not the clock
    assert "ngày 20/12/2024" in vi and "on 20 December 2024" in en
    # computed rate beside the reported one, in the petitions table
    page = rendered["page"]["en"]
    assert cell(page, "table-petitions", "Triệu Sơn", "Petitions resolved, reported rate")[0] == "97%"
    assert cell(page, "table-petitions", "Triệu Sơn", "Resolved / eligible")[0] == "97.3%"
    assert cell(page, "table-petitions", "Triệu Sơn", "Resolved / received")[0] == "91.7%"
    assert cell(page, "table-petitions", "Triệu Sơn", "Petitions resolved")[0] == "143/147"
    # per 10,000 residents only where the population is known (Kbang: 60,208)
    assert cell(page, "table-petitions", "Kbang", "Petitions received per 10,000")[0].startswith("6.6")
    assert cell(page, "table-petitions", "Triệu Sơn", "Petitions received per 10,000")[0] == "—"
    vpage = rendered["page"]["vi"]
    assert cell(vpage, "table-petitions", "Kbang", "Tổng số đơn thư tiếp nhận trên 10.000 dân")[0].startswith("6,6")


def test_not_reported_is_never_zero(rendered):
    for lang, word in (("vi", "không báo cáo"), ("en", "not reported")):
        page = rendered["page"][lang]
        head = header_of(page, "table-petitions")
        text, cls = row_of(page, "table-petitions", "Kbang")[head.index(
            "Đơn đủ điều kiện xử lýđơn" if lang == "vi" else "Petitions eligiblepetitions")]
        assert text == word and "nr" in cls
        # Triệu Sơn reports no mediation at all: every mediation cell says so
        row = row_of(page, "table-mediation", "Triệu Sơn")
        assert [t for t, c in row[3:] if "computed" not in c] == [word] * len([c for _, c in row[3:] if "computed" not in c])
        # a real zero stays a zero
    page = rendered["page"]["en"]
    assert cell(page, "table-admin", "Ba Tô", "Dossiers resolved on time")[0] == "0"


def test_report_text_is_escaped(rendered):
    for html in list(rendered["html"].values()) + [rendered["index"]]:
        assert "<script" not in html.lower()
        assert "<b>thử</b>" not in html and "<i>." not in html
    vi = rendered["html"]["vi"]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in vi  # the quote
    assert "Mô hình &lt;script&gt;alert(1)&lt;/script&gt;" in vi  # the model name
    assert "Thiếu số hiệu văn bản &lt;i&gt;." in vi  # the finding's message
    assert "anphu 2024 &lt;draft&gt;" in vi  # the report id
    assert rendered["page"]["vi"].scripts == 0


def test_self_contained_no_internet(rendered):
    for name, html in list(rendered["html"].items()) + [("index", rendered["index"])]:
        page = parse(html)
        for ref in page.resources:
            assert ref.startswith("data:image/svg+xml;base64,"), (name, ref[:80])
        for ref in page.links:
            assert not re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", ref, re.I), (name, ref)
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
        assert "@import" not in html and "url(" not in html
        assert "http://" not in html and "https://" not in html


def test_internal_links_resolve(rendered):
    for lang in ("vi", "en"):
        page = rendered["page"][lang]
        fragments = [link[1:] for link in page.links if link.startswith("#")]
        assert fragments
        missing = sorted({f for f in fragments if f not in page.ids})
        assert not missing, missing
        # each figure cell leads to its report, line and quote
        anchor = f"src-{slug_of('trieuson_2020')}-petitions.resolved"
        assert f"#{anchor}" in page.links
        src = row_of(page, "sources-table", "Triệu Sơn")
        assert src[0][0].startswith("Triệu Sơn")
        row = next(r for r in page.tables["sources-table"] if "143/147 đơn" in [t for t, _ in r])
        assert [t for t, _ in row][4] == "49" and "Đã giải quyết 143/147 đơn" in row[5][0]


def test_findings_marked_and_listed(rendered):
    vi_page, en_page = rendered["page"]["vi"], rendered["page"]["en"]
    text, cls = cell(en_page, "table-petitions", "Kbang", "Petitions resolved, reported rate")
    assert "flag" in cls and text.startswith("94.11%⚑")
    text, cls = cell(vi_page, "table-petitions", "Kbang", "Tỷ lệ giải quyết đơn (báo cáo)")
    assert "flag" in cls and text.startswith("94,11%⚑")
    text, cls = cell(en_page, "table-admin", "Ba Tô", "Dossiers receiveddossiers")
    assert "flag" in cls
    vi, en = rendered["html"]["vi"], rendered["html"]["en"]
    assert "Tỷ lệ báo cáo 94,11% khác tỷ lệ tính từ số đếm" in vi
    assert "Reported rate 94.11% differs from the rate computed from counts" in en
    assert "Reported rate 94.11%" not in vi
    finding_rows = en_page.tables["findings-table"][1:]
    assert len(finding_rows) == 3
    assert finding_rows[0][1][0] == "error"  # ordered by severity
    # errors.csv rows (files that could not be read)
    assert "broken_file.txt: file is empty" in en
    assert "broken_file" in [r[0][0] for r in en_page.tables["errors-table"][1:]]


def test_comparisons_only_where_fair(rendered):
    en = rendered["html"]["en"]
    # Kbang (issued 30/10/2020 for the year 2020) covers part of its year: it is not compared with
    # Triệu Sơn's full year, and the brief says why
    assert "District reports covering a full year" not in en
    assert "Left out of full-period comparisons, because issued before the period ended: Kbang · 2020" in en
    # the two commune reports differ in period length: no comparison between them
    assert "Commune reports" not in en
    assert "Not compared (no other report at the same level with the same period length)" in en
    for caveat in ("The reports come from several levels", "The periods differ in length",
                   "The report types differ"):
        assert caveat in en


def test_instruments_models_provenance(rendered):
    page = rendered["page"]["en"]
    row = row_of(page, "instruments-table", "34/2007/PL-UBTVQH11")
    assert row[5][0] == "2" and row[1][0] == "Ordinance"
    assert row[2][0] == "Ordinance on exercising democracy in communes, wards and townships"
    assert "Dân vận khéo trong phát triển kinh tế vườn đồi" in rendered["html"]["en"]
    raw = page.tables["raw-files-table"]
    assert any("c" * 64 in t for r in raw for t, _ in r)
    from grassroots.pipeline.corpus import code_version

    assert code_version() in rendered["html"]["en"] and code_version() in rendered["index"]


def test_charts_have_alt_text(rendered):
    for lang in ("vi", "en"):
        imgs = rendered["page"][lang].imgs
        assert len(imgs) >= 3
        for img in imgs:
            assert img["src"].startswith("data:image/svg+xml;base64,")
            assert len(img.get("alt", "")) > 40
    alts = " ".join(i["alt"] for i in rendered["page"]["vi"].imgs)
    assert "97,3%" in alts
    assert "The chart shows" not in rendered["html"]["en"]  # every report fits in the charts


def test_index_offers_briefs_and_data(rendered):
    page = parse(rendered["index"])
    for href in ("briefs/brief-vi.html", "briefs/brief-en.html", f"data/{XLSX_NAME}", "data/reports.csv",
                 "data/indicators.csv", "data/findings.csv", "data/citations.csv", "data/models.csv",
                 "data/errors.csv"):
        assert href in page.links, href
    out = rendered["dir"]
    for name in ("reports", "indicators", "findings", "citations", "models", "errors"):
        assert (out / "data" / f"{name}.csv").read_bytes() == (TABLES / f"{name}.csv").read_bytes()


def test_no_machine_paths(rendered):
    out = rendered["dir"]
    for path in [out / "index.html", *(out / "briefs").glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert str(out) not in text and str(TABLES) not in text and str(ROOT) not in text


def _tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_byte_identical_double_render(tmp_path, rendered):
    a, b = tmp_path / "a", tmp_path / "b"
    build_briefs(TABLES, a)
    build_briefs(TABLES, b)
    assert _tree(a) == _tree(b) == _tree(rendered["dir"])
    before = _tree(a)
    build_briefs(TABLES, a)  # rerun into the same place (the workbook is reused when unchanged)
    assert _tree(a) == before


def test_byte_identical_across_processes(tmp_path, rendered):
    """Another interpreter with another hash seed renders the same bytes (the SVG charts too)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "grassroots.brief", "--processed", str(TABLES), "--reports", str(out),
                    "--raw", str(tmp_path / "no-raw")], check=True, env=env, capture_output=True, cwd=ROOT)
    assert _tree(out) == _tree(rendered["dir"])


def test_xlsx_deterministic_and_safe(tmp_path, rendered):
    import openpyxl

    data = (rendered["dir"] / "data" / XLSX_NAME).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core
    # a text starting with "=" stays text, never a formula
    evil = tmp_path / "tables"
    shutil.copytree(TABLES, evil)
    with open(evil / "models.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["kbang_2020", "=HYPERLINK(\"x\")", "", "", "", "1", "q"])
    build_briefs(evil, tmp_path / "out", langs="en")
    wb = openpyxl.load_workbook(tmp_path / "out" / "data" / XLSX_NAME)
    assert wb.sheetnames[:3] == ["README", "reports", "values"]
    cells = [c for row in wb["models"].iter_rows() for c in row if c.value == "=HYPERLINK(\"x\")"]
    assert cells and cells[0].data_type == "s"
    values = wb["values"]
    head = [c.value for c in values[1]]
    row = next(r for r in values.iter_rows(values_only=True) if r[0] == "trieuson_2020")
    assert row[head.index("inspection.recovered")] == 784000000
    assert row[head.index("mediation.cases")] in (None, "")


def test_absent_and_empty_tables(tmp_path):
    only = tmp_path / "only"
    only.mkdir()
    for name in ("reports", "indicators"):
        shutil.copy(TABLES / f"{name}.csv", only / f"{name}.csv")
    (only / "findings.csv").write_text("", encoding="utf-8")  # empty file, not even a header
    build_briefs(only, tmp_path / "out")
    en = (tmp_path / "out" / "briefs" / "brief-en.html").read_text(encoding="utf-8")
    assert "Validation has recorded no finding" in en
    assert "No cited instrument has been extracted" in en
    assert "No model is named in models.csv" in en
    # nothing at all: still a valid brief that says so
    empty = tmp_path / "empty"
    empty.mkdir()
    build_briefs(empty, tmp_path / "out2")
    assert "No report is in scope." in (tmp_path / "out2" / "briefs" / "brief-en.html").read_text(encoding="utf-8")


def test_parameters(tmp_path):
    build_briefs(TABLES, tmp_path / "one", report_ids="trieuson_2020, kbang_2020", langs="en", title="Hai huyện")
    assert not (tmp_path / "one" / "briefs" / "brief-vi.html").exists()
    en = (tmp_path / "one" / "briefs" / "brief-en.html").read_text(encoding="utf-8")
    assert "<title>Hai huyện</title>" in en
    assert "Ba Tô" not in en.split('id="sources"')[0]
    assert "This brief covers 2 reports" in en
    with pytest.raises(ValueError, match="not in reports.csv"):
        build_briefs(TABLES, tmp_path / "two", report_ids="nope")
    with pytest.raises(ValueError, match="LANGS"):
        build_briefs(TABLES, tmp_path / "three", langs="fr")


def _synthetic(tmp_path: Path, n: int, findings: bool = False) -> Path:
    """n reports made from the fixture's, with perturbed figures (and, with findings, each
    report with the data-quality findings and citations of the report it was made from)."""
    out = tmp_path / f"p{n}"
    out.mkdir()
    for name in ("citations", "models", "findings", "errors"):
        shutil.copy(TABLES / f"{name}.csv", out / f"{name}.csv")
    with open(TABLES / "reports.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols, reports = reader.fieldnames, list(reader)
    with open(TABLES / "indicators.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        icols, inds = reader.fieldnames, list(reader)
    rows, irows = [], []
    for i in range(n):
        base = reports[i % 3]  # the three ordinary reports
        rid = f"{base['report_id']}_{i:04d}"
        rows.append(dict(base, report_id=rid, locality=f"{base['locality']} {i}"))
        for row in inds:
            if row["report_id"] == base["report_id"]:
                value = row["value"]
                if row["unit"] not in ("%", "VND", "km2") and value.isdigit():
                    value = str(int(value) + i % 7)
                irows.append(dict(row, report_id=rid, value=value))
    tables = [("reports", cols, rows), ("indicators", icols, irows)]
    if findings:
        for name in ("findings", "citations"):
            with open(TABLES / f"{name}.csv", encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                fcols, frows = reader.fieldnames, list(reader)
            copied = [dict(row, report_id=f"{base['report_id']}_{i:04d}") for i in range(n)
                      for base in [reports[i % 3]] for row in frows if row["report_id"] == base["report_id"]]
            tables.append((name, fcols, copied))
    for name, c, r in tables:
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=c, lineterminator="\n")
            w.writeheader()
            w.writerows(r)
    return out


def test_many_reports_are_aggregated_and_capped(tmp_path):
    processed = _synthetic(tmp_path, 240)
    build_briefs(processed, tmp_path / "out", langs="en")
    html = (tmp_path / "out" / "briefs" / "brief-en.html").read_text(encoding="utf-8")
    page = parse(html)
    assert len(page.tables["reports-table"]) - 1 == 50
    body = page.tables["table-petitions"][1:]
    assert len(body) == 51  # 25 highest, a gap row, 25 lowest
    assert "more reports" in body[25][0][0]
    assert "the 25 highest and 25 lowest" in html
    assert "aggregated per group" in html
    assert "median" in html
    assert len(html) < 2_000_000   # a table longer than MAX_PRINT_ROWS is not written again in parts for print
    assert not [f for f in (link[1:] for link in page.links if link.startswith("#")) if f not in page.ids]


def test_brief_size_is_capped_with_many_flagged_reports(tmp_path):
    """Past MAX_TABLE_ROWS reports, with findings on every report: flags travel only with the
    figures a sentence states (an aggregated comparison: its lowest and highest), long tables are
    not written again in parts for print, lists of reports and reconciliations are cut short with
    a pointer to the data. Before these caps the 240-report brief was 2.13 MB (vi) and 2.01 MB
    (en), and 9.5-10.7 MB at 1,000 synthetic reports."""
    processed = _synthetic(tmp_path, 240, findings=True)
    build_briefs(processed, tmp_path / "out", langs="vi,en")
    for code, bound in (("vi", 2_000_000), ("en", 1_900_000)):
        html = (tmp_path / "out" / "briefs" / f"brief-{code}.html").read_text(encoding="utf-8")
        assert len(html.encode("utf-8")) < bound, (code, len(html.encode("utf-8")))
        assert 'class="print-parts"' not in html   # 51-row tables print as on screen
        for item in re.findall(r"<li>(.*?)</li>", html, re.S):
            assert item.count('class="flag-mark"') <= 20, item[:200]
        page = parse(html)
        assert not [f for f in (link[1:] for link in page.links if link.startswith("#")) if f not in page.ids]


def test_notebook_is_thin_and_in_sync():
    """The briefs notebook is what the stage table generates: parameters, one call, displays."""
    import sys

    from grassroots.pipeline.stages import stage

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from nbgen import render
    finally:
        sys.path.remove(str(ROOT / "tools"))
    b = stage("briefs")
    assert (ROOT / "notebooks" / b.notebook).read_text(encoding="utf-8") == render(b)
    assert dict(b.params) == {"REPORT_IDS": '""', "LANGS": '"vi,en"', "TITLE": '""'}
    assert (ROOT / "notebooks" / b.notebook).read_text(encoding="utf-8").count("= briefs(") == 1


def test_a_new_key_finding_needs_no_python(tmp_path, monkeypatch):
    """One more key_findings entry in the codebook gives its sentence, with its source line."""
    from grassroots.brief import narrative
    from grassroots.codebook import load as load_codebook
    from grassroots.paths import CODEBOOK_FILE
    from grassroots.pipeline.rawio import load_yaml

    entries = load_yaml(CODEBOOK_FILE.read_text(encoding="utf-8"))["key_findings"]
    entries.append({"when": "context.population", "needs": ["context.area"],
                    "vi": "{Loc} có {value} người trên {context.area} km².",
                    "en": "{Loc} has {value} residents on {context.area} km²."})
    monkeypatch.setattr(narrative, "KEY_FINDINGS", narrative.read_key_findings(entries, load_codebook()))
    build_briefs(TABLES, tmp_path)
    vi = (tmp_path / "briefs" / "brief-vi.html").read_text(encoding="utf-8")
    en = (tmp_path / "briefs" / "brief-en.html").read_text(encoding="utf-8")
    assert "Huyện Kbang có 60.208 người trên 1.842,43 km²." in vi
    assert "Kbang district has 60,208 residents on 1,842.43 km²." in en
    assert en.count("residents on") == 1  # only Kbang states its population
    page = parse(en)
    assert f"#src-{slug_of('kbang_2020')}-context.population" in page.links  # cited: line 9
    assert row_of(page, "sources-table", "Kbang")  # and listed among the sources
    assert any(r[1][0] == "Population" and r[4][0] == "9" for r in page.tables["sources-table"][1:])


def test_key_findings_entries_are_checked():
    from grassroots.brief.narrative import read_key_findings
    from grassroots.codebook import CodebookError
    from grassroots.codebook import load as load_codebook

    cb = load_codebook()
    with pytest.raises(CodebookError, match=r"key_findings\[0\] \(petitions\.nowhere\): field 'when': "
                                            r"'petitions\.nowhere' is neither"):
        read_key_findings([{"when": "petitions.nowhere", "vi": "{value}", "en": "{value}"}], cb)
    with pytest.raises(CodebookError, match=r"key_findings\[0\] \(models\.total\): field 'en': unknown "
                                            r"placeholders \['models\.collective'\]"):
        read_key_findings([{"when": "models.total", "vi": "{value}", "en": "{value} {models.collective}"}], cb)
    with pytest.raises(CodebookError, match=r"key_findings\[0\] \(models\.total\): field 'vi': unknown "
                                            r"placeholders \['num'\]"):  # {num} belongs to rates
        read_key_findings([{"when": "models.total", "vi": "{num}", "en": "{value}"}], cb)
    (kf,) = read_key_findings([{"when": "admin.rate_online", "vi": "{num}/{den}", "en": "{value}"}], cb)
    assert kf.cites == ("admin.dossiers_received_online", "admin.dossiers_received")  # the rate's figures


def test_a_message_missing_a_language_is_named(tmp_path):
    from grassroots import ruleset
    from grassroots.paths import RULES_DIR

    (tmp_path / "schemas").mkdir()
    shutil.copy(RULES_DIR / "schemas" / "brief_messages.schema.yml", tmp_path / "schemas")
    text = (RULES_DIR / "brief_messages.yml").read_text(encoding="utf-8")
    line = '  en: "Sources and provenance"\n'
    assert text.count(line) == 1
    (tmp_path / "brief_messages.yml").write_text(text.replace(line, ""), encoding="utf-8")
    with pytest.raises(ruleset.RulesError, match=r"^brief_messages\.yml: sec_sources: 'en' is a required property"):
        ruleset.load("brief_messages", tmp_path)


# ------------------------------------------------------------------ the seed briefs (data/processed)

SEED = ROOT / "data" / "processed"


def _text(html: str) -> str:
    """The page's visible words: tags and the stylesheet dropped, entities decoded, spaces joined."""
    import html as htmllib

    body = html.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("seed")
    build_briefs(SEED, out, ROOT / "data" / "raw")
    html = {lang: (out / "briefs" / f"brief-{lang}.html").read_text(encoding="utf-8") for lang in ("vi", "en")}
    return {"dir": out, "html": html, "text": {k: _text(v) for k, v in html.items()},
            "page": {k: parse(v) for k, v in html.items()}}


def test_seed_words(seed):
    """lượt tiếp công dân are citizen visits; xử lý về kinh tế is an economic sanction, not money
    recovered; money in billions/millions; English plurals agree with their numbers."""
    en, vi = seed["text"]["en"], seed["text"]["vi"]
    assert "Kbang district received 89 citizen visits." in en
    assert "Citizen visits received" in en and "session" not in en.lower()
    assert "economic sanctions of 784 million VND" in en and "recovered 784" not in en
    assert "xử lý về kinh tế 784 triệu đồng" in vi
    assert "contributed 11.8 billion VND (funds mobilised from the people" in en
    assert "11,8 tỷ đồng" in vi and "11.796.900.000 đồng" in vi   # the full figure stays in the sources table
    assert "This brief covers 3 reports from 3 localities in 3 provinces." in en


def test_seed_singular(tmp_path):
    build_briefs(SEED, tmp_path, report_ids="kbang_2020_qcdc", langs="en")
    en = _text((tmp_path / "briefs" / "brief-en.html").read_text(encoding="utf-8"))
    assert "This brief covers 1 report from 1 locality in 1 province." in en
    assert "1 reports" not in en and "1 localities" not in en
    assert "1 report in the briefs." in _text((tmp_path / "index.html").read_text(encoding="utf-8"))


def test_seed_partial_period(seed):
    """Kbang (issued 30/10/2020 for the year 2020) is partial: marked, explained, not compared."""
    en, vi = seed["text"]["en"], seed["text"]["vi"]
    assert "Kbang · 2020 (partial period)" in en and "Kbang · 2020 (chưa trọn kỳ)" in vi
    assert "Partial period: issued on 30 October 2020, before its period ended (31 December 2020)" in en
    assert "Left out of full-period comparisons, because issued before the period ended: Kbang · 2020" in en
    assert "Triệu Sơn · 2020 (partial" not in en and "Ba Tô · H1 2023 (partial" not in en
    comparisons = en.split("Comparisons between reports", 1)[1].split("3. Comparison tables", 1)[0]
    assert "Kbang 40.0%" not in comparisons and "Kbang" not in comparisons.split("Left out of", 1)[0]
    assert cell(seed["page"]["en"], "reports-table", "huyện Kbang", "Period")[0] == "2020 (partial period)"


def test_seed_zero_is_zero(seed):
    """Every 0 in indicators.csv is shown as 0 in its theme table, never as "not reported"."""
    from grassroots.codebook import load as load_codebook

    cb = load_codebook()
    with open(SEED / "indicators.csv", encoding="utf-8", newline="") as fh:
        zeros = [r for r in csv.DictReader(fh) if r["value"] in ("0", "0.0")]
    assert len(zeros) >= 2   # Ba Tô's dossiers resolved on time, Kbang's strikes
    starts = {"bato_2023h1_dvcq": "Ba Tô", "kbang_2020_qcdc": "Kbang", "trieuson_2020_dvcq": "Triệu Sơn"}
    for lang in ("vi", "en"):
        page = seed["page"][lang]
        for z in zeros:
            ind = cb.indicators[z["indicator"]]
            title = ind.title_vi if lang == "vi" else ind.title_en
            text, cls = cell(page, f"table-{ind.theme}", starts[z["report_id"]], title)
            assert text.split("⚑")[0] == "0" and "nr" not in cls.split(), (z["indicator"], text)


def test_seed_reconciliation(seed):
    """Ba Tô's 552 dossiers: channels and outcomes both give 522; the postal dossier is inside the
    408 in person (line 33: 407 + 1) and is not counted twice; 552 is kept as reported."""
    en, vi = seed["text"]["en"], seed["text"]["vi"]
    sentence = ("552 is likely 522: the channels (113 online + 408 in person + 1 carried over) and the outcomes "
                "(520 resolved + 2 pending) both give 522; 552 and 522 differ by one digit.")
    assert sentence in en
    assert "The 1 dossier by post is not added again: line 33 details the 408 dossiers in person as 407 in person + 1 by post." in en
    assert "The brief keeps 552 as reported." in en
    assert "552 có lẽ là 522" in vi and "Bản tin giữ 552 như báo cáo ghi." in vi
    assert "113 online + 408 in person + 1 by post" not in en    # never the double count (523)
    html = seed["html"]["en"]
    assert 'id="rec-bato_2023h1_dvcq-admin.dossiers_received"' in html
    # the flags travel with the figure: headline sentence, theme table, chart caption
    headline = re.search(r"<li>Ba Tô commune received 552 dossiers[^\n]*</li>", html).group(0)
    assert 'href="#dq-1"' in headline and 'href="#dq-2"' in headline
    text, cls = cell(seed["page"]["en"], "table-admin", "Ba Tô", "Dossiers receiveddossiers")
    assert text.startswith("552⚑") and "flag" in cls
    kbang = re.search(r"<li>Kbang district resolved 16 of 40 petitions received[^\n]*</li>", html).group(0)
    assert 'href="#dq-4"' in kbang
    figcaption = re.search(r"<figcaption><strong>Resolution rates[^\n]*</figcaption>", html).group(0)
    assert 'href="#dq-4"' in figcaption


def test_one_digit_apart():
    from decimal import Decimal

    from grassroots.brief.reconcile import one_digit_apart

    assert one_digit_apart(Decimal(552), Decimal(522))
    assert one_digit_apart(Decimal(512), Decimal(152))   # two digits swapped
    assert not one_digit_apart(Decimal(552), Decimal(523)) and not one_digit_apart(Decimal(52), Decimal(522))


def test_seed_policy_frame(seed):
    en, vi = seed["text"]["en"], seed["text"]["vi"]
    page = seed["page"]["en"]
    rows = [r[0][0] for r in page.tables["instruments-table"][1:]]
    assert rows.count("120-KL/TW") == 1 and len(rows) == len(set(rows))
    assert cell(page, "instruments-table", "120-KL/TW", "Title")[0] == "Further improving the grassroots democracy regulation"
    assert cell(page, "instruments-table", "120-KL/TW", "Date")[0] == "7 January 2016"
    # a cited date that differs from the registry is shown as such, never as the instrument's date
    assert cell(page, "instruments-table", "114-KL/TW", "Date")[0] == "14 July 2015"
    assert cell(page, "instruments-table", "114-KL/TW", "Registry check")[0] == \
        "Triệu Sơn · 2020 cites it as of 14 July 2017; registry: 14 July 2015"
    assert "Triệu Sơn · 2020 ghi ngày 14/07/2017; danh mục: 14/07/2015" in vi
    # the timeline: the legal milestones, the law's entry into force, and the reports in order
    timeline = [(r[0][0], r[2][0]) for r in page.tables["timeline-table"][1:]]
    whats = [w for _, w in timeline]
    for needle in ("Directive 30-CT/TW", "Ordinance 34/2007/PL-UBTVQH11", "Law 10/2022/QH15",
                   "Decree 59/2023/NĐ-CP", "Conclusion 114-KL/TW"):
        assert any(w.startswith(needle) for w in whats), needle
    assert ("1 July 2023", "Law 10/2022/QH15: Law on Grassroots Democracy") in timeline
    assert whats.index("Ba Tô · H1 2023") < whats.index("Law 10/2022/QH15: Law on Grassroots Democracy", 10)
    assert "3 reports in the Ordinance 34/2007 era" in en
    assert cell(page, "reports-table", "xã Ba Tô", "Legal basis")[0] == "Ordinance 34/2007 era"


def test_seed_executive_summary(seed):
    html, en = seed["html"]["en"], seed["text"]["en"]
    assert html.index('id="summary"') < html.index('id="scope"')
    summary = en.split("Executive summary", 2)[2].split("1. Scope", 1)[0]
    assert "Partial period, kept out of comparisons: Kbang · 2020 (partial period)." in summary
    assert "the brief compares no rates across reports" in summary
    # stated rates beside recomputed ones only with the same definition; Kbang's 94.11% is not 16/40
    assert "Triệu Sơn · 2020: stated 97%, recomputed 143/147 = 97.3% (petitions resolved / eligible)" in summary
    assert "143/156" not in summary
    assert "Kbang · 2020 (partial period) states 94.11%, while petitions resolved / received is 16/40 = 40.0%" in summary
    assert "dossiers received of 552 disagrees with its parts, which give 522" in summary
    assert "3 reports in the Ordinance 34/2007 era" in summary
    assert "Tóm tắt" in seed["text"]["vi"]


def test_seed_methods_note(seed):
    en, vi = seed["text"]["en"], seed["text"]["vi"]
    methods = en.split("9. Methods note", 1)[1]
    assert "real-text development part precision 0.963, recall 0.695" in methods
    assert "sealed real part (never used during development) precision 0.910, recall 0.651" in methods
    assert "precision 0,963, recall 0,695" in vi and "precision 0,910, recall 0,651" in vi
    assert "Not comparable:" in methods and "Computed rates:" in methods
    # the numbers are data in the catalogue, not computed when the brief is rendered
    from grassroots.brief.language import TEXT

    assert TEXT["en"]["accuracy"] == {"dev_precision": "0.963", "dev_recall": "0.695",
                                      "sealed_precision": "0.910", "sealed_recall": "0.651"}


def test_seed_reconciliation_in_theme_table(seed):
    admin = seed["html"]["en"].split('id="theme-admin"', 1)[1].split("<section", 1)[0]
    assert "552 is likely 522" in admin and 'href="#rec-bato_2023h1_dvcq-admin.dossiers_received"' in admin
