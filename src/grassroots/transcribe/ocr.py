"""OCR with the Tesseract command line (Debian: tesseract-ocr, tesseract-ocr-vie).

Pages are rendered at DPI (300) in grey, read with ``tesseract IMAGE stdout -l vie --psm 3
--dpi 300 tsv`` with OMP_THREAD_LIMIT=1 (one thread: the same image gives the same words),
and the TSV words (with their 0-100 confidences) are grouped into lines and paragraphs by
layout.py. The confidence of a text line is the mean of its words' confidences.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grassroots.transcribe.core import Block, TranscribeError
from grassroots.transcribe.layout import Line, paragraphs, remove_headers_footers

DPI = 300
LANG = "vie"
PSM = "3"
TIMEOUT = 300  # seconds for one page
# Pages OCRed at once (each Tesseract on one thread). GRASSROOTS_OCR_JOBS=1 when files are
# already transcribed in parallel. The words do not depend on it.
OCR_JOBS_ENV = "GRASSROOTS_OCR_JOBS"


def jobs(n_pages: int) -> int:
    try:
        wanted = int(os.environ.get(OCR_JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    return max(1, min(n_pages, wanted if wanted > 0 else (os.cpu_count() or 1)))


@functools.lru_cache(maxsize=1)
def tesseract_info() -> tuple[str, str, str] | None:
    """(executable, version, sha256 of the vie model) or None when tesseract is missing.

    Raises RuntimeError (a one-line message naming the Debian package) when tesseract is there
    without the Vietnamese model."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    first = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "tesseract ?"
    version = first.split()[-1]
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60)
    listing = langs.stdout + langs.stderr
    if LANG not in listing.split():
        raise RuntimeError("Tesseract has no Vietnamese model: install the Debian package "
                           "tesseract-ocr-vie (tools/install-system-packages.sh --ocr)")
    model_sha = "?"
    for line in listing.splitlines():
        if '"' in line:  # List of available languages in "/usr/share/tesseract-ocr/5/tessdata/"
            model = Path(line.split('"')[1]) / f"{LANG}.traineddata"
            if model.is_file():
                model_sha = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    return exe, version, model_sha


def require_tesseract(path: Path) -> tuple[str, str, str]:
    try:
        info = tesseract_info()
    except RuntimeError as e:
        raise TranscribeError(path, str(e)) from e
    if info is None:
        raise TranscribeError(path, "needs OCR but tesseract is not installed: install the Debian "
                                    "packages tesseract-ocr tesseract-ocr-vie "
                                    "(tools/install-system-packages.sh --ocr)")
    return info


def engine_name() -> str:
    info = tesseract_info()
    return f"tesseract {info[1]} {LANG} {DPI}dpi psm{PSM}" if info else "tesseract (missing)"


def ocr_image(path: Path, image) -> list[Line]:
    """Lines of one page image (a PIL image), in Tesseract's reading order."""
    exe = require_tesseract(path)[0]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="grassroots-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, format="PNG")
        try:
            out = subprocess.run(
                [exe, str(png), "stdout", "-l", LANG, "--psm", PSM, "--dpi", str(DPI), "tsv"],
                capture_output=True, env=env, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise TranscribeError(path, f"tesseract took more than {TIMEOUT} s on a page") from e
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TranscribeError(path, f"tesseract failed ({err[-1] if err else out.returncode})")
    return parse_tsv(out.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Line]:
    lines: dict[tuple[int, int, int], Line] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        word = (row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not word or conf < 0:
            continue
        x0, top = float(row["left"]), float(row["top"])
        x1, bottom = x0 + float(row["width"]), top + float(row["height"])
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        ln = lines.get(key)
        if ln is None:
            lines[key] = Line(word, x0, x1, top, bottom, conf, 1, key[0])
        else:
            ln.text += " " + word
            ln.x0, ln.x1 = min(ln.x0, x0), max(ln.x1, x1)
            ln.top, ln.bottom = min(ln.top, top), max(ln.bottom, bottom)
            ln.conf_sum += conf
            ln.n_words += 1
    return list(lines.values())  # dicts keep Tesseract's order


def ocr_pages(path: Path, images) -> list[list[Block]]:
    """Pages of blocks from page images (an iterable of PIL images)."""
    images = list(images)
    with ThreadPoolExecutor(max_workers=jobs(len(images))) as pool:
        pages = list(pool.map(lambda im: ocr_image(path, im), images))
    return [paragraphs(lines, ocr=True) for lines in remove_headers_footers(pages)]


def read_image(path: Path) -> list[list[Block]]:
    """Pages of blocks of a .png/.jpg/.tif file (every frame of a TIFF is a page)."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    require_tesseract(path)
    try:
        with Image.open(path) as im:
            frames = [ImageOps.exif_transpose(f.copy()).convert("L") for f in ImageSequence.Iterator(im)]
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as e:
        raise TranscribeError(path, f"not a readable image ({type(e).__name__}: {e})") from e
    pages = ocr_pages(path, frames)
    if not any(pages):
        raise TranscribeError(path, "no text found in the image (blank page, or too faint or "
                                    "small for OCR)")
    return pages
