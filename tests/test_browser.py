"""The briefs in a real browser: headless Chromium (Debian's /usr/bin/chromium) via Playwright.

Each brief is opened from disk with JavaScript disabled. The test records console errors and
every network request (none is allowed except the file itself and data: URIs), checks that key
figures are visible, that a phone-sized viewport does not scroll the page sideways (wide tables
scroll inside their wrappers), and that the page prints. Screenshots go to the test's tmp_path
(never into the repository); their paths are printed (pytest -s shows them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.brief import build_briefs

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "tests" / "fixtures" / "brief_tables"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (`make browser` installs it)"),
]

EXPECTED = {
    "vi": ["97,3%", "143/147", "784.000.000 đồng", "không báo cáo", "Tỷ lệ báo cáo 94,11%",
           "<script>alert('x')</script>", "Chất lượng dữ liệu"],
    "en": ["97.3%", "143 of 147 eligible petitions", "784,000,000 VND", "not reported",
           "Reported rate 94.11%", "<script>alert('x')</script>", "Data quality"],
}


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-reports")
    build_briefs(TABLES, out)
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, viewport: dict):
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    requests, console_errors, failures = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("requestfailed", lambda r: failures.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return context, page, requests, console_errors, failures


def _only_local(requests: list[str], path: Path) -> list[str]:
    return [u for u in requests if u != path.as_uri() and not u.startswith("data:")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_brief_in_browser(browser, reports_dir, tmp_path, lang):
    path = reports_dir / "briefs" / f"brief-{lang}.html"
    context, page, requests, errors, failures = _open(browser, path, {"width": 1280, "height": 900})
    try:
        text = page.inner_text("body")
        for needle in EXPECTED[lang]:
            assert needle in text, needle
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        # every chart is an image that decoded, with alt text
        imgs = page.evaluate("Array.from(document.images).map(i => [i.naturalWidth, i.alt.length])")
        assert len(imgs) >= 3 and all(w > 0 and n > 40 for w, n in imgs), imgs
        shot = tmp_path / f"brief-{lang}-desktop.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")
        pdf = tmp_path / f"brief-{lang}.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4")
        assert pdf.stat().st_size > 10_000
    finally:
        context.close()
    assert not _only_local(requests, path), requests
    assert not failures and not errors, (failures, errors)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_brief_on_a_phone(browser, reports_dir, tmp_path, lang):
    path = reports_dir / "briefs" / f"brief-{lang}.html"
    context, page, requests, errors, _ = _open(browser, path, {"width": 390, "height": 844})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
        wraps = page.evaluate("Array.from(document.querySelectorAll('.table-wrap')).filter("
                              "w => w.scrollWidth > w.clientWidth).length")
        assert wraps >= 1  # wide tables scroll inside their wrappers
        shot = tmp_path / f"brief-{lang}-phone.png"
        page.screenshot(path=str(shot), full_page=False)
        print(f"\nscreenshot: {shot}")
    finally:
        context.close()
    assert not _only_local(requests, path) and not errors


def test_index_in_browser(browser, reports_dir, tmp_path):
    path = reports_dir / "index.html"
    context, page, requests, errors, _ = _open(browser, path, {"width": 1024, "height": 800})
    try:
        hrefs = page.evaluate("Array.from(document.links).map(a => a.getAttribute('href'))")
        for href in hrefs:
            assert (reports_dir / href).is_file(), href
        assert "briefs/brief-vi.html" in hrefs and "data/grassroots-tables.xlsx" in hrefs
        shot = tmp_path / "index.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")
    finally:
        context.close()
    assert not _only_local(requests, path) and not errors


# ------------------------------------------------------------------ the seed briefs (data/processed)

SEED = ROOT / "data" / "processed"
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)   # A4 width less the 12 mm side margins of @page


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed-reports")
    build_briefs(SEED, out, ROOT / "data" / "raw")
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_seed_font_is_not_a_serif_fallback(browser, seed_dir, lang):
    """The inline stylesheet is not HTML-escaped: its quoted font names reach the browser."""
    for path in (seed_dir / "briefs" / f"brief-{lang}.html", seed_dir / "index.html"):
        context, page, *_ = _open(browser, path, {"width": 1280, "height": 900})
        try:
            family = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert family.startswith("system-ui") and '"Segoe UI"' in family, family
            assert "serif" not in family.replace("sans-serif", ""), family
        finally:
            context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_seed_tables_fit_an_a4_page(browser, seed_dir, lang):
    """In print emulation at the A4 content width no table is wider than the page, the computed
    columns included (wide theme tables print as parts that repeat the report columns)."""
    path = seed_dir / "briefs" / f"brief-{lang}.html"
    context, page, *_ = _open(browser, path, {"width": A4_CONTENT_PX, "height": 1100})
    try:
        page.emulate_media(media="print")
        tables = page.evaluate("""Array.from(document.querySelectorAll('table'))
            .filter(t => t.getClientRects().length)
            .map(t => [t.id || t.caption.textContent, Math.ceil(t.getBoundingClientRect().right),
                       t.querySelectorAll('th.computed').length])""")
        assert len(tables) > 10
        wide = [(name, right) for name, right, _ in tables if right > A4_CONTENT_PX]
        assert not wide, wide
        assert sum(n for *_, n in tables) > 0   # computed columns are printed, not dropped
        body = page.inner_text("body")
        assert ("phần 1/2" if lang == "vi" else "part 1 of 2") in body
    finally:
        context.close()


def _svg_min_font_pt(src: str) -> tuple[float, float]:
    """(smallest text size in pt, SVG width in pt) of a matplotlib SVG data URI: with text as
    paths, each glyph group is scaled by font size / 100."""
    import base64
    import re

    svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', svg).group(1))
    scales = [float(s) for s in re.findall(r"scale\(([0-9.]+) -[0-9.]+\)", svg)]
    assert scales, "no text in the chart"
    return min(scales) * 100, width


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_seed_charts_readable_at_400px(browser, seed_dir, lang):
    path = seed_dir / "briefs" / f"brief-{lang}.html"
    context, page, *_ = _open(browser, path, {"width": 400, "height": 900})
    try:
        imgs = page.evaluate("Array.from(document.images).map(i => [i.src, i.getBoundingClientRect().width])")
        assert len(imgs) >= 3
        for src, shown in imgs:
            font_pt, width_pt = _svg_min_font_pt(src)
            px = font_pt * shown / width_pt   # pt in the SVG's user space, scaled to the shown width
            assert px >= 9, (font_pt, width_pt, shown, px)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_seed_numbers_right_aligned(browser, seed_dir, lang):
    """Under a numeric header every cell is right-aligned, "not reported" and "—" included."""
    path = seed_dir / "briefs" / f"brief-{lang}.html"
    context, page, *_ = _open(browser, path, {"width": 1280, "height": 900})
    try:
        cells = page.evaluate("""Array.from(document.querySelectorAll('table.figures')).flatMap(t => {
            const heads = Array.from(t.querySelectorAll('thead th'));
            return Array.from(t.querySelectorAll('tbody tr')).flatMap(tr => Array.from(tr.children)
              .filter((c, i) => heads[i] && heads[i].classList.contains('num'))
              .map(c => [c.textContent, getComputedStyle(c).textAlign]));
        })""")
        nr = "không báo cáo" if lang == "vi" else "not reported"
        assert any(text.startswith(nr) for text, _ in cells)
        assert any(text[:1].isdigit() for text, _ in cells)
        bad = [(text, align) for text, align in cells if align != "right"]
        assert not bad, bad[:5]
    finally:
        context.close()
