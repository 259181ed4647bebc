"""Which system packages a corpus needs: ``python -m grassroots.transcribe.needs DIR``.

Prints ``--ocr`` when DIR holds an image or a PDF with a page that has no text layer, and
``--office`` when it holds a .doc/.odt/.rtf file (the flags of
tools/install-system-packages.sh). .txt, .docx and text-layer PDFs need nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grassroots.transcribe.core import IMAGE_SUFFIXES, OFFICE_SUFFIXES, PDF_SUFFIXES


def pdf_needs_ocr(path: Path) -> bool:
    """Whether a PDF has a page without a text layer that shows an image (unreadable: True)."""
    from grassroots.transcribe.pdf import MIN_CHARS

    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                if sum(1 for c in page.chars if c["text"].strip()) < MIN_CHARS and page.images:
                    return True
                page.flush_cache()
        return False
    except Exception:
        return False  # a broken or encrypted PDF is reported by transcribe, not fixed by OCR


def needs(directory: Path) -> set[str]:
    flags: set[str] = set()
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES or ("--ocr" not in flags and suffix in PDF_SUFFIXES and pdf_needs_ocr(path)):
            flags.add("--ocr")
        elif suffix in OFFICE_SUFFIXES:
            flags.add("--office")
    return flags


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m grassroots.transcribe.needs DIR", file=sys.stderr)
        return 2
    print(" ".join(sorted(needs(Path(args[0])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
