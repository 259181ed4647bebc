"""PDF: pdfplumber for pages with a text layer, OCR (ocr.py) for pages without one.

A page whose text layer holds fewer than MIN_CHARS visible characters and that shows an image
is a scanned page: it is rendered with pypdfium2 at ocr.DPI and read by Tesseract. The text
layer is read line by line (pdfplumber's text lines, top to bottom), running headers, footers
and page numbers are dropped and lines are joined into paragraphs (layout.py). Multi-column
pages come out line by line across the columns (not handled).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grassroots.transcribe import ocr
from grassroots.transcribe.core import Block, TranscribeError
from grassroots.transcribe.layout import Line, paragraphs, remove_headers_footers

MIN_CHARS = 3


def _open_error(path: Path, e: Exception) -> TranscribeError:
    inner = e.args[0] if type(e).__name__ == "PdfminerException" and e.args else e
    name = type(inner).__name__
    e = inner if isinstance(inner, Exception) else e
    if "Password" in name or "Encrypt" in name or "password" in str(e).lower():
        return TranscribeError(path, "the PDF is encrypted and needs a password; save an "
                                     "unprotected copy")
    return TranscribeError(path, f"not a readable PDF ({name}: {e})")


def read_pdf(path: Path) -> tuple[list[list[Block]], set[int]]:
    """Pages of blocks, and the set of 1-based pages that were read by OCR."""
    import pdfplumber

    text_pages: dict[int, list[Line]] = {}
    scanned: list[int] = []
    try:
        with pdfplumber.open(path) as pdf:
            n = len(pdf.pages)
            if n == 0:
                raise TranscribeError(path, "the PDF has no pages")
            for number, page in enumerate(pdf.pages, 1):
                visible = sum(1 for c in page.chars if c["text"].strip())
                if visible < MIN_CHARS:
                    if page.images:
                        scanned.append(number)
                    text_pages[number] = []
                    continue
                text_pages[number] = [
                    Line(d["text"], d["x0"], d["x1"], d["top"], d["bottom"])
                    for d in page.extract_text_lines(layout=False, strip=True, return_chars=False)
                ]
                page.flush_cache()
    except TranscribeError:
        raise
    except Exception as e:
        raise _open_error(path, e) from e
    ocr_lines: dict[int, list[Line]] = {}
    if scanned:
        ocr.require_tesseract(path)
        import pypdfium2 as pdfium

        lock = threading.Lock()  # PDFium is not thread-safe: one page renders at a time

        def read(doc, number: int) -> list[Line]:
            with lock:
                page = doc[number - 1]
                image = page.render(scale=ocr.DPI / 72, grayscale=True).to_pil().convert("L")
                page.close()
            return ocr.ocr_image(path, image)  # Tesseract runs outside the lock

        try:
            doc = pdfium.PdfDocument(str(path))
            try:
                with ThreadPoolExecutor(max_workers=ocr.jobs(len(scanned))) as pool:
                    for number, lines in zip(scanned, pool.map(lambda k: read(doc, k), scanned), strict=True):
                        ocr_lines[number] = lines
            finally:
                doc.close()
        except TranscribeError:
            raise
        except Exception as e:
            raise _open_error(path, e) from e
    numbers = sorted(text_pages)
    # headers and footers are found among pages of the same kind (text layer, OCR)
    layer = remove_headers_footers([text_pages[k] for k in numbers if k not in ocr_lines])
    scans = remove_headers_footers([ocr_lines[k] for k in numbers if k in ocr_lines])
    pages: list[list[Block]] = []
    for k in numbers:
        if k in ocr_lines:
            pages.append(paragraphs(scans.pop(0), ocr=True))
        else:
            pages.append(paragraphs(layer.pop(0)))
    if not any(pages):
        raise TranscribeError(path, "no text found in the PDF (no text layer, and no page "
                                    "image that OCR could read)")
    return pages, set(ocr_lines)
