"""Stage 0, transcribe: fixtures built here from a seed text (no binaries in the repo).

A .docx (python-docx, with a table and a page break), a two-page text-layer PDF (fpdf2 with
DejaVuSans, a running header and a "Trang n/2" footer) and a scanned copy of that PDF (its
pages rasterised at 200 DPI and wrapped as an image-only PDF by Pillow) must give back the
numbers of the seed lines. OCR tests are slow and need tesseract with the vie model.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from grassroots.transcribe import (
    LOW_CONFIDENCE,
    TranscribeError,
    Transcript,
    cite,
    core,
    layout,
    locate,
    ocr,
    office,
    supported_suffixes,
    transcribe,
)

from .conftest import SEEDS

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core
SEED_LINES = 60


def _tesseract_ready() -> str | None:
    """Why OCR tests cannot run here, or None."""
    try:
        info = ocr.tesseract_info()
    except RuntimeError as e:
        return str(e)
    return None if info else "tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-vie)"


needs_ocr = pytest.mark.skipif(_tesseract_ready() is not None, reason=f"OCR: {_tesseract_ready()}")
needs_font = pytest.mark.skipif(not FONT.is_file(), reason=f"{FONT} missing (Debian: fonts-dejavu-core)")


def digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def seed_paragraphs() -> list[str]:
    raw = SEEDS["bato"].read_text(encoding="utf-8").splitlines()[:SEED_LINES]
    return [" ".join(line.replace("*", "").split()) for line in raw if line.strip()]


def indicators(text: str) -> dict[str, str]:
    """indicator -> value extracted from a text, as the extract stage does for a .txt."""
    from grassroots.extract import extract_text

    rows = extract_text("bato_2023h1_dvcq", text, "utf-8", None, "0" * 64)["indicators"]
    return {row["indicator"]: row["value"] for row in rows}


def seed_indicators() -> dict[str, str]:
    return indicators("\n\n".join(seed_paragraphs()) + "\n")


def recovered_share(expected: list[str], got: list[str]) -> float:
    """Share of the expected digit runs found, in order, in got."""
    sm = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()) / len(expected)


# ---------------------------------------------------------------- fixture builders

TABLE_AT = 12  # seed paragraphs TABLE_AT..TABLE_AT+3 go into a 2x2 table
BREAK_AT = 20  # a page break before this paragraph


def make_docx(target: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    paras = seed_paragraphs()
    d = docx.Document()
    for i, text in enumerate(paras):
        if TABLE_AT <= i < TABLE_AT + 4:
            if i == TABLE_AT:
                table = d.add_table(rows=2, cols=2)
                for k in range(4):
                    table.cell(k // 2, k % 2).text = paras[TABLE_AT + k]
            continue
        if i == BREAK_AT:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.add_paragraph(text)
    d.save(target)
    return target


def _pdf(split: int, size: float):
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("dejavu", size=8)
            self.cell(0, 5, "ỦY BAN NHÂN DÂN XÃ BA TÔ — Báo cáo dân vận chính quyền", align="C")
            self.ln(8)

        def footer(self):
            self.set_y(-12)
            self.set_font("dejavu", size=8)
            self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Report(format="A4")
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(True, margin=15)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("dejavu", size=size)
    for i, text in enumerate(seed_paragraphs()):
        if i == split:
            pdf.add_page()
            pdf.set_font("dejavu", size=size)
        pdf.multi_cell(0, size * 0.45, text, align="J")
        pdf.ln(size * 0.25)
    return pdf


PDF_SPLIT = 16  # page 1: paragraphs [:PDF_SPLIT], page 2: the rest
PDF_SIZE = 8.5


def make_text_pdf(target: Path) -> Path:
    pdf = _pdf(PDF_SPLIT, PDF_SIZE)
    assert pdf.pages_count == 2, "the fixture must be two pages: change PDF_SIZE or PDF_SPLIT"
    pdf.output(str(target))
    return target


def make_scanned_pdf(source: Path, target: Path, dpi: int = 200) -> Path:
    """Rasterise every page of source and wrap the images as an image-only PDF."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(source))
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    doc.close()
    images[0].save(target, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return target


def make_zero_page_pdf(target: Path) -> Path:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    target.write_bytes(bytes(out))
    return target


def make_encrypted_pdf(target: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(0, 6, seed_paragraphs()[3])
    pdf.output(str(target))
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("transcribe-fixtures")
    out = {"docx": make_docx(d / "seed.docx")}
    if FONT.is_file():
        out["pdf"] = make_text_pdf(d / "seed.pdf")
        out["scan"] = make_scanned_pdf(out["pdf"], d / "seed-scan.pdf")
    return out


# ---------------------------------------------------------------- API and small parts

def test_supported_suffixes():
    s = supported_suffixes()
    assert {".txt", ".docx", ".pdf", ".png", ".jpg", ".tif", ".doc", ".odt", ".rtf"} <= set(s)


def test_txt_passes_through(tmp_path):
    t = transcribe(SEEDS["bato"], cache_dir=tmp_path)
    raw = SEEDS["bato"].read_text(encoding="utf-8")
    assert t.text == raw and t.source_format == "txt"
    assert t.pages == [(1, t.n_lines)] and len(t.line_confidence) == t.n_lines
    assert not list(tmp_path.iterdir())  # .txt is never cached


def test_unsupported_and_missing(tmp_path):
    with pytest.raises(TranscribeError, match=r"^notes\.xls: unsupported file type \.xls"):
        transcribe(tmp_path / "notes.xls", None)
    with pytest.raises(TranscribeError, match=r"^gone\.pdf: cannot read the file"):
        transcribe(tmp_path / "gone.pdf", None)
    (tmp_path / "empty.docx").write_bytes(b"")
    with pytest.raises(TranscribeError, match=r"^empty\.docx: the file is empty"):
        transcribe(tmp_path / "empty.docx", None)


def test_page_map_locate_and_cite():
    t = core.assemble([[core.Block("a 1"), core.Block("b 2")], [], [core.Block("c\nd")]], "pdf-text", "x")
    assert t.text == "a 1\n\nb 2\n\n\n\nc\nd\n"
    assert t.pages == [(1, 4), (5, 6), (7, 8)]
    assert len(t.line_confidence) == t.n_lines == 8
    assert locate(t, 3) == (1, 3) and locate(t, 7) == (3, 1) and locate(t, 8) == (3, 2)
    assert cite(t, 7) == "page 3, line 7"
    with pytest.raises(ValueError):
        locate(t, 9)


def test_low_confidence_pages_are_listed():
    pages = [[core.Block("rõ", 95.0)], [core.Block("mờ", LOW_CONFIDENCE - 20)], []]
    t = core.assemble(pages, "pdf-ocr", "tesseract", ocr_pages={1, 2, 3})
    assert t.low_confidence_pages == [2, 3]
    assert t.line_confidence[0] == 95.0


def test_join_lines_dehyphenates_split_words_only():
    assert layout.join_lines("thực hiện chính quy-", "ền năm 2023") == "thực hiện chính quyền năm 2023"
    assert layout.join_lines("theo Nghị quyết số 25-", "NQ/TW ngày") == "theo Nghị quyết số 25-NQ/TW ngày"
    assert layout.join_lines("giai đoạn 2021-", "2030") == "giai đoạn 2021-2030"
    assert layout.join_lines("kinh tế -", "xã hội") == "kinh tế - xã hội"
    assert layout.join_lines("COVID-", "19") == "COVID-19"
    assert layout.join_lines("Trong 6 tháng", "đầu năm") == "Trong 6 tháng đầu năm"
    assert layout.join_lines("trans\u00ad", "cription") == "transcription"


def test_headers_footers_and_page_numbers_removed():
    words = ("Tổng số hồ sơ|trực tuyến|trực tiếp|đúng hạn|quá hạn|bưu chính|tiếp dân|đơn thư|"
             "đối thoại|mô hình|dân vận khéo|giám sát|phản biện|góp ý|kiểm tra").split("|")

    def page(n):
        body = [layout.Line(f"{words[(n - 1) * 5 + i]} {n}{i}", 50, 550, 100 + 12 * i, 110 + 12 * i) for i in range(5)]
        head = layout.Line("UBND XÃ BA TÔ", 200, 400, 40, 50)
        foot = layout.Line(f"Trang {n}", 280, 320, 800, 810)
        return [head, *body, foot]

    pages = layout.remove_headers_footers([page(1), page(2), page(3)])
    for n, lines in enumerate(pages, 1):
        assert [ln.text for ln in lines] == [f"{words[(n - 1) * 5 + i]} {n}{i}" for i in range(5)]
    # a lone page keeps its first line (no repetition to go by) but loses its page number
    (lone,) = layout.remove_headers_footers([page(1)])
    assert lone[0].text == "UBND XÃ BA TÔ" and lone[-1].text == "quá hạn 14"


# ---------------------------------------------------------------- .docx

def test_docx_numbers_table_and_page_break(built, tmp_path):
    t = transcribe(built["docx"], cache_dir=tmp_path)
    paras = seed_paragraphs()
    assert t.source_format == "docx" and t.engine.startswith("python-docx ")
    assert digits(t.text) == digits("\n".join(paras))
    rows = [ln for ln in t.text.splitlines() if " | " in ln]
    assert rows == [f"{paras[TABLE_AT]} | {paras[TABLE_AT + 1]}", f"{paras[TABLE_AT + 2]} | {paras[TABLE_AT + 3]}"]
    assert len(t.pages) == 2
    first, last = t.pages[1]
    page2 = "\n".join(t.text.splitlines()[first - 1:last])
    assert digits(page2) == digits("\n".join(paras[BREAK_AT:]))
    assert all(c is None for c in t.line_confidence) and t.low_confidence_pages == []


def test_docx_footnotes(tmp_path):
    """python-docx cannot write footnotes: add the part by hand, as Word lays it out."""
    import zipfile

    src = make_docx(tmp_path / "plain.docx")
    target = tmp_path / "notes.docx"
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    notes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {ns}>'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="1"><w:p><w:r><w:t>Theo Quyết định số 1256/QĐ-UBND.</w:t></w:r></w:p></w:footnote>'
             '</w:footnotes>')
    rel = ('<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/footnotes" Target="footnotes.xml"/>')
    ctype = ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.footnotes+xml"/>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", ctype.encode() + b"</Types>")
            elif item.filename == "word/document.xml":
                ref = b'<w:r><w:footnoteReference w:id="1"/></w:r></w:p>'
                data = data.replace(b"</w:p>", ref, 1)
            zout.writestr(item, data)
        zout.writestr("word/footnotes.xml", notes)
    t = transcribe(target, None)
    lines = t.text.splitlines()
    assert lines[-1] == "¹ Theo Quyết định số 1256/QĐ-UBND."
    assert lines[0].endswith("¹")


def test_corrupt_docx(built, tmp_path):
    bad = tmp_path / "hỏng.docx"
    bad.write_bytes(built["docx"].read_bytes()[:3000])
    with pytest.raises(TranscribeError, match=r"^hỏng\.docx: not a readable \.docx file") as e:
        transcribe(bad, tmp_path / "cache")
    assert "\n" not in str(e.value)
    (tmp_path / "text.docx").write_text("plain text, not a zip", encoding="utf-8")
    with pytest.raises(TranscribeError, match=r"^text\.docx: not a readable \.docx file"):
        transcribe(tmp_path / "text.docx", None)


@needs_font
def test_docx_and_text_pdf_give_the_indicators_of_the_txt(built):
    expected = seed_indicators()
    assert len(expected) >= 10
    assert indicators(transcribe(built["docx"], None).text) == expected
    assert indicators(transcribe(built["pdf"], None).text) == expected


# ---------------------------------------------------------------- text-layer PDF

@needs_font
def test_text_pdf_numbers_page_map_headers(built, tmp_path):
    t = transcribe(built["pdf"], cache_dir=tmp_path)
    paras = seed_paragraphs()
    assert t.source_format == "pdf-text" and t.engine.startswith("pdfplumber ")
    assert digits(t.text) == digits("\n".join(paras))  # footer "Trang n/2" removed
    assert "ỦY BAN NHÂN DÂN XÃ BA TÔ" not in t.text  # running header removed
    assert len(t.pages) == 2
    lines = t.text.splitlines()
    page_text = ["\n".join(lines[a - 1:b]) for a, b in t.pages]
    assert digits(page_text[0]) == digits("\n".join(paras[:PDF_SPLIT]))
    assert digits(page_text[1]) == digits("\n".join(paras[PDF_SPLIT:]))
    # paragraphs rebuilt: every seed paragraph is one line of the transcript
    body = [ln for ln in lines if ln]
    assert body == paras
    assert t.pages[0][1] + 1 == t.pages[1][0] and t.pages[1][1] == t.n_lines
    assert cite(t, t.pages[1][0]) == f"page 2, line {t.pages[1][0]}"


@needs_font
def test_encrypted_pdf(tmp_path):
    pdf = make_encrypted_pdf(tmp_path / "khoá.pdf")
    with pytest.raises(TranscribeError, match=r"^khoá\.pdf: the PDF is encrypted"):
        transcribe(pdf, tmp_path / "cache")


def test_zero_page_and_broken_pdf(tmp_path):
    with pytest.raises(TranscribeError, match=r"^zero\.pdf: the PDF has no pages"):
        transcribe(make_zero_page_pdf(tmp_path / "zero.pdf"), None)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    with pytest.raises(TranscribeError, match=r"^broken\.pdf: "):
        transcribe(tmp_path / "broken.pdf", None)


# ---------------------------------------------------------------- OCR

@pytest.mark.slow
@needs_ocr
@needs_font
def test_scanned_pdf_ocr_recovers_numbers_and_is_deterministic(built, tmp_path, capsys):
    cache = tmp_path / "cache"
    start = time.perf_counter()
    t = transcribe(built["scan"], cache_dir=cache)
    first_run = time.perf_counter() - start
    paras = seed_paragraphs()
    expected = digits("\n".join(paras))
    share = recovered_share(expected, digits(t.text))
    with capsys.disabled():
        print(f"\n[transcribe] scanned 2-page PDF: OCR {first_run:.1f} s, "
              f"{share:.1%} of {len(expected)} seed numbers recovered, "
              f"page confidences low: {t.low_confidence_pages}")
    assert t.source_format == "pdf-ocr" and "tesseract" in t.engine and " vie " in t.engine
    assert share >= 0.95
    assert len(t.pages) == 2
    lines = t.text.splitlines()
    page1 = "\n".join(lines[t.pages[0][0] - 1:t.pages[0][1]])
    assert recovered_share(digits("\n".join(paras[:PDF_SPLIT])), digits(page1)) >= 0.95
    assert len(t.line_confidence) == t.n_lines
    assert all((c is None) == (ln == "") for c, ln in zip(t.line_confidence, lines, strict=True))
    assert t.low_confidence_pages == []
    expected = seed_indicators()
    got = indicators(t.text)
    right = sum(got.get(k) == v for k, v in expected.items())
    with capsys.disabled():
        print(f"[transcribe] scanned PDF indicators: {right}/{len(expected)} with the .txt's values")
    assert right >= 0.95 * len(expected)

    entries = list(cache.glob("*.json"))
    assert len(entries) == 1
    start = time.perf_counter()
    again = transcribe(built["scan"], cache_dir=cache)  # a cache hit
    assert time.perf_counter() - start < 2.0
    assert again.text.encode() == t.text.encode() and again == t

    shutil.rmtree(cache)
    fresh = transcribe(built["scan"], cache_dir=None)  # no cache at all: OCR again
    assert fresh.text.encode() == t.text.encode() and fresh == t


@pytest.mark.slow
@needs_ocr
def test_image_ocr_and_blank_image(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    if not FONT.is_file():
        pytest.skip(f"{FONT} missing")
    font = ImageFont.truetype(str(FONT), 40)
    im = Image.new("L", (2000, 400), 255)
    ImageDraw.Draw(im).text((60, 120), "Tổng số hồ sơ tiếp nhận: 552 hồ sơ; trực tuyến: 113 hồ sơ", font=font, fill=0)
    png = tmp_path / "ảnh.png"
    im.save(png, dpi=(300, 300))
    cache = tmp_path / "cache"
    t = transcribe(png, cache)
    assert t.source_format == "image-ocr" and digits(t.text) == ["552", "113"]
    assert t.pages == [(1, 1)] and t.line_confidence[0] > LOW_CONFIDENCE
    (entry,) = cache.glob("*.json")
    entry.write_bytes(entry.read_bytes().replace(b"552", b"553", 1))
    assert transcribe(png, cache) == t  # a damaged entry is a miss: OCR again, entry rewritten
    assert b"552" in entry.read_bytes() and transcribe(png, cache) == t

    blank = tmp_path / "trắng.png"
    Image.new("L", (1200, 1600), 255).save(blank)
    with pytest.raises(TranscribeError, match=r"^trắng\.png: no text found in the image"):
        transcribe(blank, tmp_path / "cache")
    Image.new("L", (1200, 1600), 255).save(tmp_path / "trống.pdf", format="PDF", resolution=150)
    with pytest.raises(TranscribeError, match=r"^trống\.pdf: no text found in the PDF"):
        transcribe(tmp_path / "trống.pdf", None)
    (tmp_path / "fake.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(TranscribeError, match=r"^fake\.jpg: not a readable image"):
        transcribe(tmp_path / "fake.jpg", None)


# ---------------------------------------------------------------- missing system tools

def test_missing_tesseract_names_the_debian_package(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(ocr, "tesseract_info", lambda: None)
    png = tmp_path / "scan.png"
    Image.new("L", (100, 100), 255).save(png)
    with pytest.raises(TranscribeError, match=r"^scan\.png: needs OCR but tesseract is not installed: "
                                              r"install the Debian packages tesseract-ocr tesseract-ocr-vie"):
        transcribe(png, None)


def test_missing_vie_model_names_the_debian_package(tmp_path, monkeypatch):
    from PIL import Image

    def no_vie():
        raise RuntimeError("Tesseract has no Vietnamese model: install the Debian package tesseract-ocr-vie")

    monkeypatch.setattr(ocr, "tesseract_info", no_vie)
    png = tmp_path / "scan.png"
    Image.new("L", (100, 100), 255).save(png)
    with pytest.raises(TranscribeError, match=r"^scan\.png: .*tesseract-ocr-vie"):
        transcribe(png, None)


def test_missing_libreoffice_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    for suffix in (".doc", ".odt", ".rtf"):
        f = tmp_path / f"old{suffix}"
        f.write_bytes(b"{\\rtf1 x}")
        with pytest.raises(TranscribeError, match=rf"^old\{suffix}: .*LibreOffice.*libreoffice-writer-nogui"):
            transcribe(f, None)


def test_install_script_reports_missing_packages():
    script = Path(__file__).resolve().parents[1] / "tools" / "install-system-packages.sh"
    out = subprocess.run(["bash", str(script), "--check", "--ocr"], capture_output=True, text=True)
    ready = _tesseract_ready() is None
    assert out.returncode == (0 if ready else 1), out.stdout + out.stderr
    assert ("present: " if ready else "missing Debian packages: ") in out.stdout
    assert "tesseract-ocr-vie" in out.stdout
    out = subprocess.run(["bash", str(script), "--check"], capture_output=True, text=True)
    assert out.returncode == 0 and "no system package needed" in out.stdout


def test_transcript_round_trips_json():
    t = Transcript("a\n", [(1, 1)], "pdf-ocr", "tesseract", [91.5], [])
    assert Transcript.from_json(t.to_json()) == t


@needs_font
def test_corpus_needs(built, tmp_path):
    from grassroots.transcribe.needs import needs

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS["bato"], corpus / "a.txt")
    shutil.copy(built["docx"], corpus / "b.docx")
    shutil.copy(built["pdf"], corpus / "c.pdf")
    assert needs(corpus) == set()  # .txt, .docx and a text-layer PDF need no system package
    shutil.copy(built["scan"], corpus / "d.pdf")
    assert needs(corpus) == {"--ocr"}
    (corpus / "e.rtf").write_bytes(b"{\\rtf1 x}")
    assert needs(corpus) == {"--ocr", "--office"}


needs_office = pytest.mark.skipif(office.soffice() is None,
                                  reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)")


@pytest.mark.slow
@needs_office
def test_doc_odt_rtf_via_libreoffice(built, tmp_path):
    """The .docx fixture saved by LibreOffice as .odt, .rtf and .doc reads back the same."""
    reference = transcribe(built["docx"], None)
    for fmt in ("odt", "rtf", "doc"):
        subprocess.run([office.soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                        "--headless", "--convert-to", fmt, "--outdir", str(tmp_path), str(built["docx"])],
                       check=True, capture_output=True, timeout=180)
        t = transcribe(tmp_path / f"seed.{fmt}", tmp_path / "cache")
        assert t.source_format == fmt and t.engine.startswith("libreoffice ")
        assert digits(t.text) == digits(reference.text)
        assert t.pages == reference.pages
    broken = tmp_path / "hỏng.doc"
    broken.write_bytes((tmp_path / "seed.doc").read_bytes()[:3000])
    with pytest.raises(TranscribeError, match=r"^hỏng\.doc: LibreOffice could not convert it"):
        transcribe(broken, None)
