"""From positioned lines of a page to paragraphs: shared by the PDF text layer and OCR.

Lines come in reading order (top to bottom; OCR: Tesseract's block order). A paragraph ends
where the next line is further down than the usual line pitch, where a line stops well short
of the right margin, where a new block starts (OCR), or where a list item ("- ", "a) ", "1. ")
follows a line ending in punctuation. Lines of a paragraph are joined with one space, except at
a word split by a hyphen at the line end ("chính quy-" + "ền" -> "chính quyền"; a hyphen before
a digit or capital is kept: "25-" + "NQ/TW" -> "25-NQ/TW"). Running headers and footers (the
same first or last lines on most pages, digits aside) and page-number lines are removed first.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

from grassroots.transcribe.core import Block


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf_sum: float = 0.0  # OCR: sum of word confidences
    n_words: int = 0  # OCR: words with a confidence
    block: int = 0  # OCR: Tesseract block number (a new block starts a paragraph)


EDGE_LINES = 2  # lines at the top and at the bottom of a page that can be header or footer
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—.(\[]*(trang|page|tr\.)?\s*\d{1,4}(\s*(/|of|trên)\s*\d{1,4})?[\s\-–—.)\]]*$", re.I)
_LIST_ITEM = re.compile(r"^([-–•+*]\s|([a-zđ]|[ivx]+|\d{1,2})[.)]\s)")
_TERMINAL = set('.!?;:…"”’»)]')


def _edge_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def remove_headers_footers(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop page-number lines and lines repeated at the top or bottom of most pages."""
    def edges(lines: list[Line]) -> list[int]:
        n = len(lines)
        return sorted(set(range(min(EDGE_LINES, n))) | set(range(max(0, n - EDGE_LINES), n)))

    counts: dict[str, int] = {}
    for lines in pages:
        for key in {_edge_key(lines[i].text) for i in edges(lines)}:
            counts[key] = counts.get(key, 0) + 1
    need = max(2, math.ceil(0.6 * len(pages)))
    repeated = {k for k, c in counts.items() if c >= need and k}
    out = []
    for lines in pages:
        drop = {i for i in edges(lines)
                if _PAGE_NUMBER.match(lines[i].text) or _edge_key(lines[i].text) in repeated}
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out


def join_lines(prev: str, nxt: str) -> str:
    """Join two lines of one paragraph, undoing a hyphenated word split."""
    if prev.endswith("\u00ad"):  # soft hyphen: always a split word
        return prev[:-1] + nxt
    if len(prev) >= 2 and prev.endswith("-") and prev[-2].isalnum():
        if prev[-2].isalpha() and nxt[:1].islower():
            return prev[:-1] + nxt  # a word split at the line end
        return prev + nxt  # a hyphenated token split after its hyphen: "25-" + "NQ/TW"
    return prev + " " + nxt


def paragraphs(lines: list[Line], ocr: bool = False) -> list[Block]:
    """Group the lines of one page into paragraphs (one Block each)."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    width = max(right - left, 1.0)
    steps = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if b.top > a.top]
    heights = [ln.bottom - ln.top for ln in lines]
    pitch = statistics.median(steps) if steps else statistics.median(heights) * 1.2
    pitch = min(pitch, statistics.median(heights) * 2.0)  # sparse pages: headings far apart
    blocks: list[Block] = []
    text, csum, n = lines[0].text.strip(), lines[0].conf_sum, lines[0].n_words

    def close():
        blocks.append(Block(text, (csum / n) if ocr and n else (0.0 if ocr else None), max(n, 1)))

    for prev, ln in zip(lines, lines[1:], strict=False):
        t = ln.text.strip()
        new = (
            ln.top - prev.top > pitch * 1.35
            or ln.top < prev.top - pitch * 0.5  # back up the page: a new column or block
            or prev.x1 < right - 0.12 * width
            or (ocr and ln.block != prev.block)
            or (_LIST_ITEM.match(t) is not None and text[-1:] in _TERMINAL)
        )
        if new:
            close()
            text, csum, n = t, ln.conf_sum, ln.n_words
        else:
            text = join_lines(text, t)
            csum += ln.conf_sum
            n += ln.n_words
    close()
    return blocks
