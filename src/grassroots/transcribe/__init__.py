"""Stage 0, transcribe: PDF, Word, scanned and photographed reports in, traceable text out.

One call per raw file::

    t = transcribe(Path("data/raw/r01.pdf"), cache_dir=Path("data/interim/transcribe-cache"))
    t.text                 # one paragraph per line, a blank line between blocks (like the .txt corpus)
    t.pages                # [(first_line, last_line), ...] 1-based, one pair per page of the original
    cite(t, 57)            # "page 2, line 57"

Formats (``supported_suffixes()``):

* ``.txt``  passes through (UTF-8, one page).
* ``.docx`` python-docx: paragraphs and tables in body order, footnotes appended; see docx.py.
* ``.pdf``  pdfplumber for pages with a text layer (reading order, de-hyphenation, running
  headers/footers and page numbers removed); pages without one are rendered at 300 DPI and
  read by Tesseract ``vie``; see pdf.py and ocr.py.
* ``.png .jpg .jpeg .tif .tiff`` Tesseract ``vie`` (every TIFF frame is a page).
* ``.doc .odt .rtf`` LibreOffice headless converts to .docx, then as .docx; see office.py.

Every failure on a file raises ``TranscribeError(path, message)``; ``str(err)`` is one line
naming the file and the problem (a missing system tool names the Debian package to install).
"""

from __future__ import annotations

from grassroots.transcribe.core import (
    LOW_CONFIDENCE,
    TranscribeError,
    Transcript,
    cite,
    locate,
    supported_suffixes,
    transcribe,
)

__all__ = [
    "LOW_CONFIDENCE",
    "Transcript",
    "TranscribeError",
    "cite",
    "locate",
    "supported_suffixes",
    "transcribe",
]
