"""The transcribe API: Transcript, TranscribeError, transcribe(), the page map and the cache."""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grassroots.text import nfc

# Mean word confidence (Tesseract's 0-100 scale) below which an OCR page is listed for review.
LOW_CONFIDENCE = 75.0

# Bumped whenever the text a format gives changes: old cache entries then stop matching.
CACHE_VERSION = "transcribe-1"

TEXT_SUFFIXES = (".txt",)
DOCX_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
OFFICE_SUFFIXES = (".doc", ".odt", ".rtf")


class TranscribeError(Exception):
    """A file that cannot be transcribed. ``str(err)`` is one line: "<file>: <problem>"."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        self.message = " ".join(str(message).split())  # one line, whatever the cause said
        super().__init__(f"{self.path.name}: {self.message}")


@dataclass
class Transcript:
    text: str
    pages: list[tuple[int, int]]  # (first_line, last_line), 1-based, one pair per page
    source_format: str  # txt|docx|pdf-text|pdf-ocr|image-ocr|doc|odt|rtf
    engine: str  # e.g. "pdfplumber 0.11.10", "tesseract 5.3.0 vie"
    line_confidence: list[float | None] = field(default_factory=list)  # per text line; None: not OCR
    low_confidence_pages: list[int] = field(default_factory=list)  # 1-based pages < LOW_CONFIDENCE

    @property
    def n_lines(self) -> int:
        return len(self.text.split("\n")) - (1 if self.text.endswith("\n") else 0)

    def to_json(self) -> dict:
        d = asdict(self)
        d["pages"] = [list(p) for p in self.pages]
        return d

    @classmethod
    def from_json(cls, d: dict) -> Transcript:
        return cls(
            text=d["text"],
            pages=[(int(a), int(b)) for a, b in d["pages"]],
            source_format=d["source_format"],
            engine=d["engine"],
            line_confidence=list(d["line_confidence"]),
            low_confidence_pages=[int(p) for p in d["low_confidence_pages"]],
        )


@dataclass
class Block:
    """One paragraph (or table row, heading ...) of a page; text may hold "\\n" (kept lines)."""

    text: str
    confidence: float | None = None  # OCR: mean word confidence (0-100)
    words: int = 1  # OCR: words behind that mean (weights the page mean)


def supported_suffixes() -> tuple[str, ...]:
    """File name endings transcribe() reads (lower case, with the dot)."""
    return TEXT_SUFFIXES + DOCX_SUFFIXES + PDF_SUFFIXES + IMAGE_SUFFIXES + OFFICE_SUFFIXES


def locate(transcript: Transcript, line: int) -> tuple[int, int]:
    """(page, line on that page), both 1-based, of a 1-based text line of the transcript."""
    firsts = [a for a, _ in transcript.pages]
    i = bisect.bisect_right(firsts, line) - 1
    if line < 1 or i < 0 or line > transcript.pages[-1][1]:
        raise ValueError(f"line {line} is outside the transcript (1..{transcript.pages[-1][1]})")
    return i + 1, line - firsts[i] + 1


def cite(transcript: Transcript, line: int) -> str:
    """"page P, line L": P the page of the original, L the text line of the transcript."""
    page, _ = locate(transcript, line)
    return f"page {page}, line {line}"


def assemble(pages: list[list[Block]], source_format: str, engine: str,
             ocr_pages: set[int] | None = None) -> Transcript:
    """Pages of blocks -> one text: a blank line between blocks and between pages.

    Every page gets at least one line (an empty page: one blank line); the blank line after a
    page belongs to that page, so the page ranges cover every line. Confidence per line is the
    block's (None on blank lines and pages read from a text layer). An OCR page (ocr_pages) whose
    mean word confidence is below LOW_CONFIDENCE, or that has no word, is listed as low."""
    lines: list[str] = []
    conf: list[float | None] = []
    ranges: list[tuple[int, int]] = []
    low: list[int] = []
    for number, blocks in enumerate(pages, 1):
        first = len(lines) + 1
        conf_sum = 0.0
        n_words = 0
        for j, block in enumerate(blocks):
            if j:
                lines.append("")
                conf.append(None)
            for sub in block.text.split("\n"):
                lines.append(nfc(sub))
                conf.append(block.confidence)
            if block.confidence is not None:
                conf_sum += block.confidence * block.words
                n_words += block.words
        if not blocks:
            lines.append("")
            conf.append(None)
        if number < len(pages):
            lines.append("")
            conf.append(None)
        ranges.append((first, len(lines)))
        if ocr_pages is not None and number in ocr_pages:
            mean = conf_sum / n_words if n_words else 0.0  # a page with no word is low
            if mean < LOW_CONFIDENCE:
                low.append(number)
    return Transcript("\n".join(lines) + "\n", ranges, source_format, engine, conf, low)


# ---------------------------------------------------------------- cache

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def cache_read(cache_dir: Path, key: str) -> Transcript | None:
    """The cached transcript for key, or None: a missing, unreadable or damaged entry is a miss."""
    entry = cache_dir / f"{key}.json"
    try:
        doc = json.loads(entry.read_bytes())
        if doc.get("key") != key or doc.get("sha256") != _sha256(_canonical(doc["transcript"])):
            return None
        return Transcript.from_json(doc["transcript"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def cache_write(cache_dir: Path, key: str, transcript: Transcript) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    body = transcript.to_json()
    doc = {"key": key, "sha256": _sha256(_canonical(body)), "transcript": body}
    fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=cache_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_canonical(doc))
        os.replace(tmp, cache_dir / f"{key}.json")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- dispatch

def _read_txt(path: Path, data: bytes) -> Transcript:
    for enc in ("utf-8-sig",) + (("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ()):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TranscribeError(path, "not UTF-8 text (legacy encodings are read by the clean stage)")
    # exactly as decoded: line endings, markup and a missing final newline are the clean stage's
    n = max(1, len(text.split("\n")) - (1 if text.endswith("\n") else 0))
    return Transcript(text, [(1, n)], "txt", "passthrough", [None] * n, [])


def transcribe(path: Path, cache_dir: Path | None = None) -> Transcript:
    """Transcribe one raw report. Same file content -> same Transcript (byte for byte).

    With cache_dir, the result is kept under the sha256 of the file content and the engine
    settings, so OCR runs once per content; a damaged cache entry is recomputed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in supported_suffixes():
        raise TranscribeError(path, f"unsupported file type {suffix or '(no suffix)'}; "
                                    f"supported: {' '.join(supported_suffixes())}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TranscribeError(path, f"cannot read the file ({e.strerror or e})") from e
    if suffix in TEXT_SUFFIXES:
        return _read_txt(path, data)
    if not data:
        raise TranscribeError(path, "the file is empty (0 bytes)")

    from grassroots.transcribe import engines

    key = None
    if cache_dir is not None:
        settings = engines.settings_id(suffix)
        key = _sha256(data) + "-" + _sha256(f"{CACHE_VERSION}|{suffix}|{settings}".encode())[:16]
        hit = cache_read(Path(cache_dir), key)
        if hit is not None:
            return hit
    transcript = engines.run(path, suffix)
    if key is not None:
        cache_write(Path(cache_dir), key, transcript)
    return transcript
