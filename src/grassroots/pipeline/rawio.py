"""Reading raw reports: listing, decoding, checksums, the manifest and sidecars.

Raw files are immutable. Decoding accepts UTF-8 (with or without BOM) and UTF-16 (with BOM, or
without BOM when the byte pattern makes it unambiguous); anything else is refused with an error
that names the file and the problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from grassroots.paths import MANIFEST_NAME

RAW_SUFFIXES = (".txt", ".md")
MAX_RAW_BYTES = 10 * 1024 * 1024  # a report transcription is usually well under 1 MB


class RawInputError(Exception):
    """A raw file that cannot be processed. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}")


class ManifestError(Exception):
    """Raw files differ from data/raw/MANIFEST.sha256."""


@dataclass(frozen=True)
class RawFile:
    report_id: str
    path: Path
    sha256: str
    size: int


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_raw(raw_dir: Path) -> list[Path]:
    """Raw report files in a directory, sorted by report id (any file name works)."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"RAW_DIR does not exist or is not a directory: {raw_dir}")
    files = [
        p
        for p in raw_dir.iterdir()
        if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: p.stem)


def report_id_of(path: Path) -> str:
    return path.stem


def decode(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode raw bytes; return (text, encoding name). Raise RawInputError otherwise."""
    if not data.strip():
        raise RawInputError(path, "file is empty (no text to process)")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise RawInputError(path, f"is a {kind} file, not a text transcription; export it as UTF-8 text")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf16 = _guess_utf16_nobom(data)
        if utf16:
            return _strict(data, utf16, path), utf16
        if b"\x00" in data:
            raise RawInputError(path, "contains NUL bytes: looks like a binary file, not a text transcription") from None
        legacy = _guess_cp1258(data)
        if legacy is not None:
            return legacy, "cp1258"
        raise RawInputError(
            path,
            f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}) and not UTF-16; "
            "re-save the transcription as UTF-8",
        ) from None
    if "\x00" in text:
        utf16 = _guess_utf16_nobom(data)
        if utf16:
            return _strict(data, utf16, path), utf16
        raise RawInputError(path, "contains NUL bytes: looks like a binary file, not a text transcription")
    return text, "utf-8"


_MAGIC = [
    (b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP/DOCX/XLSX"), (b"\xd0\xcf\x11\xe0", "legacy Office (DOC/XLS)"),
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"{\\rtf", "RTF"),
]

# Letters that only Vietnamese text uses (after NFC): a text in Windows-1258 decodes to these.
_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ") | {
    c for c in "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
}


def _guess_cp1258(data: bytes) -> str | None:
    """Decode Windows-1258 (Vietnamese legacy code page) when the result is clearly Vietnamese.

    Confidence test: after NFC composition, at least 30% of the words carry a Vietnamese-only
    letter and no C1 control characters appear. Otherwise the caller refuses the file.
    """
    import unicodedata

    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    if any("\x80" <= c <= "\x9f" for c in text):
        return None
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if len(words) < 5:
        return None
    vi = sum(1 for w in words if any(c.lower() in _VI_LETTERS for c in w))
    return text if vi / len(words) >= 0.3 else None


def _strict(data: bytes, encoding: str, path) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RawInputError(path, f"declares {encoding} but does not decode: {exc.reason}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _guess_utf16_nobom(data: bytes) -> str | None:
    """UTF-16 without BOM: ASCII-heavy text has NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    n = len(even)
    if odd.count(0) > 0.3 * n and even.count(0) < 0.05 * n:
        return "utf-16-le"
    if even.count(0) > 0.3 * n and odd.count(0) < 0.05 * n:
        return "utf-16-be"
    return None


def read_raw(path: Path) -> tuple[str, str, bytes]:
    """Read and decode one raw file: (text, encoding, raw bytes)."""
    size = path.stat().st_size
    if size > MAX_RAW_BYTES:
        raise RawInputError(
            path,
            f"file is {size / 2**20:.0f} MB, over the {MAX_RAW_BYTES // 2**20} MB limit for one report "
            "(a report is usually under 1 MB: split concatenated reports into one file each)",
        )
    data = path.read_bytes()
    text, enc = decode(data, path)
    return text, enc, data


# --- YAML ------------------------------------------------------------------------------------

# PyYAML's C parser (libyaml, in its wheels) reads the same documents into the same objects about
# ten times faster than the pure-Python one; the latter stays the fallback where libyaml is missing.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """yaml.safe_load(text), with the C parser when PyYAML has it."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


# --- sidecars --------------------------------------------------------------------------------

SIDECAR_FIELDS = (
    "original_file", "title", "issuer", "admin_level", "locality", "district", "province",
    "period_label", "period_start", "period_end", "url", "retrieved", "licence",
)


def read_sidecar(path: Path) -> dict:
    """The optional <report_id>.yml beside a raw file, as a dict of strings ({} if absent)."""
    side = path.with_suffix(".yml")
    if not side.exists():
        return {}
    try:
        data = load_yaml(side.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RawInputError(side, f"sidecar is not valid YAML ({first})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RawInputError(side, "sidecar must be a YAML mapping of field: value")
    return {str(k): ("" if v is None else str(v)) for k, v in data.items()}


# --- manifest --------------------------------------------------------------------------------

_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (.+)$")


def manifest_files(raw_dir: Path) -> list[Path]:
    """Files the manifest covers: every raw text and sidecar."""
    return sorted(
        (p for p in raw_dir.iterdir() if p.is_file() and p.suffix.lower() in RAW_SUFFIXES + (".yml", ".yaml")
         and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def write_manifest(raw_dir: Path) -> Path:
    """Record the checksum of every raw file (`make manifest`): a deliberate addition."""
    from grassroots.pipeline.atomic import write_text

    lines = [f"{sha256_file(p)}  {p.name}" for p in manifest_files(raw_dir)]
    target = raw_dir / MANIFEST_NAME
    write_text(target, "\n".join(lines) + "\n")
    return target


def read_manifest(raw_dir: Path) -> dict[str, str] | None:
    target = raw_dir / MANIFEST_NAME
    if not target.exists():
        return None
    entries = {}
    for n, line in enumerate(target.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = _MANIFEST_LINE.match(line)
        if not m:
            raise ManifestError(f"{target.name} line {n} is not '<sha256>  <file name>': {line[:80]!r}")
        entries[m.group(2)] = m.group(1)
    return entries


def _compare_manifest(raw_dir: Path) -> dict[str, str]:
    """{file name: "changed" | "missing" | "new"} for every file that differs from the manifest."""
    entries = read_manifest(raw_dir)
    if entries is None:
        return {}
    present = {p.name: p for p in manifest_files(raw_dir)}
    status = {}
    for name, digest in sorted(entries.items()):
        if name not in present:
            status[name] = "missing"
        elif sha256_file(present[name]) != digest:
            status[name] = "changed"
    for name in sorted(set(present) - set(entries)):
        status[name] = "new"
    return status


_PROBLEM = {
    "changed": f"changed since {MANIFEST_NAME} was written (raw files must never be edited; restore it, "
               "or run `make manifest` if the change is deliberate)",
    "missing": f"listed in {MANIFEST_NAME} but missing",
    "new": f"not in {MANIFEST_NAME} (run `make manifest` to record a deliberate addition)",
}


def check_manifest(raw_dir: Path) -> list[str]:
    """Every difference between raw_dir and its manifest, one message each ([] when they agree
    or when there is no manifest)."""
    return [f"{name}: {_PROBLEM[kind]}" for name, kind in _compare_manifest(raw_dir).items()]


def changed_since_manifest(raw_dir: Path) -> dict[str, str]:
    """Reports whose raw text or sidecar changed since the manifest: {report_id: problem}.

    These reports are refused (an error row each) while the rest of the corpus is processed;
    files merely new to the manifest are processed.
    """
    return {Path(name).stem: f"{name}: {_PROBLEM[kind]}"
            for name, kind in _compare_manifest(raw_dir).items() if kind == "changed"}
