"""Word .docx via python-docx.

Body order is kept: paragraphs and tables as they come (content controls opened).
* A paragraph is one line; a line break inside it (Shift+Enter) starts a new line of the same
  block; tabs become spaces.
* A table gives one line per row, its cells joined with " | " (a merged cell once); the text
  of a cell is its paragraphs joined with a space.
* Footnotes: the reference in the text becomes the footnote number in superscript digits
  ("... năm 2023¹"), and the footnotes follow the body on the last page as "¹ text" lines,
  the form the clean stage already recognises.
* Pages: a .docx has no reliable pagination, so the document is one page unless it holds
  explicit page breaks (a page-type break, or "page break before" on a paragraph), which
  start a new page. Word's "last rendered page break" marks are not used.
* Automatic list numbering ("1.", "a)" made by Word, not typed) is not in the text; deleted
  tracked changes and field codes are left out.
"""

from __future__ import annotations

from pathlib import Path

from grassroots.transcribe.core import Block, TranscribeError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
PAGE_BREAK = object()  # a marker among the blocks


def _run_text(p, pieces: list, refs: bool = True) -> None:
    """Text of one w:p into pieces; a page break is appended as PAGE_BREAK."""
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "footnoteReference", W + "noBreakHyphen"):
        tag = el.tag
        if tag == W + "t":
            pieces.append(el.text or "")
        elif tag == W + "tab":
            pieces.append(" ")
        elif tag == W + "noBreakHyphen":
            pieces.append("-")
        elif tag in (W + "br", W + "cr"):
            pieces.append(PAGE_BREAK if el.get(W + "type") == "page" else "\n")
        elif refs:
            pieces.append(str(el.get(W + "id", "")).translate(_SUPERSCRIPT))


def _paragraph_blocks(p) -> list:
    """One w:p -> [Block | PAGE_BREAK, ...]."""
    out: list = []
    ppr = p.find(W + "pPr")
    if ppr is not None:
        pbb = ppr.find(W + "pageBreakBefore")
        if pbb is not None and pbb.get(W + "val", "true") not in ("0", "false", "off"):
            out.append(PAGE_BREAK)
    pieces: list = []
    _run_text(p, pieces)
    text = ""
    for piece in pieces:
        if piece is PAGE_BREAK:
            if text.strip():
                out.append(Block(_tidy(text)))
            out.append(PAGE_BREAK)
            text = ""
        else:
            text += piece
    if text.strip():
        out.append(Block(_tidy(text)))
    return out


def _tidy(text: str) -> str:
    lines = [" ".join(s.split()) for s in text.split("\n")]
    return "\n".join(s for s in lines if s)


def _cell_text(tc) -> str:
    parts = []
    for p in tc.iter(W + "p"):
        pieces: list = []
        _run_text(p, pieces)
        parts.append("".join(x for x in pieces if x is not PAGE_BREAK))
    return " ".join(" ".join(parts).split())


def _table_blocks(tbl) -> list:
    out = []
    for tr in tbl.iterchildren(W + "tr"):
        cells = [_cell_text(tc) for tc in tr.iterchildren(W + "tc")]
        # a cell merged down (vMerge continue) is empty here; one spanning columns appears once
        row = " | ".join(cells)
        if any(cells):
            out.append(Block(row))
    return out


def _body_blocks(container) -> list:
    out: list = []
    for el in container.iterchildren():
        if el.tag == W + "p":
            out += _paragraph_blocks(el)
        elif el.tag == W + "tbl":
            out += _table_blocks(el)
        elif el.tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None:
                out += _body_blocks(content)
    return out


def _footnotes(document) -> list[Block]:
    from lxml import etree

    out = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            for fn in root.iterchildren(W + "footnote"):
                if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                pieces: list = []
                for p in fn.iter(W + "p"):
                    _run_text(p, pieces, refs=False)
                    pieces.append(" ")
                body = " ".join("".join(x for x in pieces if x is not PAGE_BREAK).split())
                if body:
                    out.append(Block(f"{str(fn.get(W + 'id', '')).translate(_SUPERSCRIPT)} {body}"))
    return out


def read_docx(path: Path) -> list[list[Block]]:
    """Pages of blocks of a .docx."""
    try:
        import docx
    except ImportError as e:  # a dependency of the package: only a broken install lacks it
        raise TranscribeError(path, "python-docx is not installed (run make setup)") from e
    try:
        document = docx.Document(str(path))
        blocks = _body_blocks(document.element.body)
        notes = _footnotes(document)
    except TranscribeError:
        raise
    except Exception as e:  # zip, XML and package errors of a damaged file
        raise TranscribeError(path, f"not a readable .docx file ({type(e).__name__}: {e})") from e
    pages: list[list[Block]] = [[]]
    for b in blocks:
        if b is PAGE_BREAK:
            pages.append([])  # as Word paginates: two breaks in a row leave an empty page
        else:
            pages[-1].append(b)
    pages[-1].extend(notes)
    if not any(pages):
        raise TranscribeError(path, "the document holds no text")
    return pages
