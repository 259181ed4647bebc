"""Dispatch by suffix, and the engine names and settings that key the cache."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from grassroots.transcribe import ocr, office
from grassroots.transcribe.core import (
    DOCX_SUFFIXES,
    IMAGE_SUFFIXES,
    OFFICE_SUFFIXES,
    PDF_SUFFIXES,
    TranscribeError,
    Transcript,
    assemble,
)


def _v(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _tesseract_id() -> str:
    try:
        info = ocr.tesseract_info()
    except RuntimeError:
        return "tesseract-no-vie"
    return f"tesseract {info[1]} {info[2]}" if info else "tesseract-missing"


def settings_id(suffix: str) -> str:
    """Everything besides the file content that decides the transcript of a suffix."""
    if suffix in DOCX_SUFFIXES:
        return f"python-docx {_v('python-docx')}"
    if suffix in OFFICE_SUFFIXES:
        return f"python-docx {_v('python-docx')} libreoffice {office.version()}"
    if suffix in PDF_SUFFIXES:
        return (f"pdfplumber {_v('pdfplumber')} pdfminer {_v('pdfminer.six')} "
                f"pypdfium2 {_v('pypdfium2')} {_tesseract_id()} {ocr.DPI} {ocr.PSM}")
    return f"pillow {_v('pillow')} {_tesseract_id()} {ocr.DPI} {ocr.PSM}"


def run(path: Path, suffix: str) -> Transcript:
    if suffix in DOCX_SUFFIXES:
        from grassroots.transcribe.docx import read_docx

        return assemble(read_docx(path), "docx", f"python-docx {_v('python-docx')}")
    if suffix in OFFICE_SUFFIXES:
        pages = office.read_office(path)
        return assemble(pages, suffix[1:], f"libreoffice {office.version()} + python-docx {_v('python-docx')}")
    if suffix in PDF_SUFFIXES:
        from grassroots.transcribe.pdf import read_pdf

        pages, ocred = read_pdf(path)
        if not ocred:
            return assemble(pages, "pdf-text", f"pdfplumber {_v('pdfplumber')}")
        engine = f"pypdfium2 {_v('pypdfium2')} + {ocr.engine_name()}"
        if len(ocred) < len(pages):
            engine = f"pdfplumber {_v('pdfplumber')} + {engine}"
        return assemble(pages, "pdf-ocr", engine, ocr_pages=ocred)
    if suffix in IMAGE_SUFFIXES:
        pages = ocr.read_image(path)
        return assemble(pages, "image-ocr", ocr.engine_name(), ocr_pages=set(range(1, len(pages) + 1)))
    raise TranscribeError(path, f"unsupported file type {suffix}")
