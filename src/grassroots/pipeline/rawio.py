"""Reading raw reports: listing, decoding, checksums, the manifest and sidecars.

Raw files are immutable and opened read-only, never through a symbolic link, and only when they
are regular files (a FIFO, a device or a directory named like a report is refused, never opened
for reading). Decoding accepts UTF-8 (with or without BOM) and UTF-16 (with BOM, or without BOM
when the byte pattern makes it unambiguous); anything else is refused with an error that names
the file and the problem. So is a report over one of the LIMITS, checked before extraction.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grassroots.paths import MANIFEST_NAME

RAW_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIXES = (".yml", ".yaml")

# Per-report limits, checked before extraction (the one declaration: the pipeline reads them from
# here). Extraction time and memory grow faster than linearly with the numbers in one sentence and
# with the length of a line, so a report over a limit is refused with an errors.csv row rather
# than allowed to take the run down. The seeds and every test corpus are far below each one
# (largest: 35 KB, 180 lines, lines of 1,900 characters, 57 numbers in a line, sidecars of 700 bytes).
LIMITS = {
    "bytes": 10 * 1024 * 1024,  # a report transcription is usually well under 1 MB
    "lines": 200_000,
    "line_chars": 20_000,
    "numbers_per_line": 1_000,
    "numbers_per_sentence": 1_000,
    "sentence_chars": 50_000,  # a sentence is a table cell (mentions, indicators): CSV readers stop at 131,072
    "sidecar_bytes": 64 * 1024,
    "sidecar_nodes": 10_000,  # YAML nodes once aliases are expanded (a 600-byte alias bomb has billions)
}


class RawInputError(Exception):
    """A raw file that cannot be processed. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}")


class ManifestError(Exception):
    """Raw files differ from data/raw/MANIFEST.sha256."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The checksum of a regular file, opened as read_regular opens it (no link, FIFO or device)."""
    h = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISLNK, "a symbolic link"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path):
    """Open a regular file read-only: never through a symbolic link, never blocking (a FIFO is
    refused, not read). Raises RawInputError naming the file."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RawInputError(path, "is a symbolic link; links are not followed (copy the file into "
                                      "RAW_DIR instead)") from None
        if exc.errno == errno.EACCES:
            raise RawInputError(path, "cannot be read (permission denied)") from None
        raise RawInputError(path, f"cannot be read ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RawInputError(path, f"is {_kind(mode)}, not a file; only regular files are read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file (open_regular), refused when over ``limit`` bytes."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        size = max(size, len(data))
        raise RawInputError(path, f"{what} is {_size(size)}, over the {_size(limit)} limit"
                                  + (" for one report (a report is usually under 1 MB: split concatenated "
                                     "reports into one file each)" if what == "file" else ""))
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB" if n >= 2**10 else f"{n} bytes"


# --- listing ---------------------------------------------------------------------------------

@dataclass
class Listing:
    """What a raw folder holds: the reports to read (sorted by report id) and, per file that cannot
    be a report, a problem {report id: message naming the file(s)} for errors.csv."""

    reports: list[Path] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def printable_name(name: str) -> str:
    """A file name as it can be shown and written to a CSV: bytes that are not UTF-8 and control
    characters (a newline) escaped."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in name)


def _name_problem(name: str) -> str | None:
    if printable_name(name) != name:
        return ("file name is not valid UTF-8" if any("\udc80" <= c <= "\udcff" for c in name)
                else "file name contains a control character") + "; rename the file"
    return None


def id_key(report_id: str) -> str:
    """Report ids that name the same report: Unicode (NFC) and case variants are one id."""
    return unicodedata.normalize("NFC", report_id).casefold()


def scan_raw(raw_dir: Path) -> Listing:
    """List RAW_DIR without reading a file (lstat only). Report files (.txt, .md, any case) that
    are regular files with a usable, unique name are to be read; every other entry named like a
    report or a sidecar is a problem: links, FIFOs, devices and directories, hidden files, names
    that are not UTF-8 or hold control characters, two files for one report id (x.txt and x.md,
    x.txt and X.txt, composed and decomposed accents), and sidecars with no report beside them.
    Other files (MANIFEST.sha256, README) are not looked at."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"RAW_DIR does not exist or is not a directory: {raw_dir}")
    groups: dict[str, list[tuple[Path, str | None]]] = {}  # id key -> report files (and their problem)
    sidecars: list[tuple[Path, str | None]] = []
    for entry in sorted(os.scandir(raw_dir), key=lambda e: e.name):
        path = Path(entry.path)
        suffix = path.suffix.lower()
        if suffix not in RAW_SUFFIXES + SIDECAR_SUFFIXES:
            continue
        problem = _name_problem(entry.name)
        if problem is None and entry.name.startswith("."):
            problem = "hidden file (its name starts with a dot); rename it to have it read"
        if problem is None and suffix in RAW_SUFFIXES:
            mode = entry.stat(follow_symlinks=False).st_mode
            if not stat.S_ISREG(mode):
                problem = f"is {_kind(mode)}, not a file; only regular files are read as reports"
        if suffix in RAW_SUFFIXES:
            groups.setdefault(id_key(printable_name(path.stem)), []).append((path, problem))
        else:
            sidecars.append((path, problem))
    refused: dict[str, tuple[str, str]] = {}  # id key -> (report id, message): one per id
    reports: dict[str, Path] = {}
    for key, group in groups.items():
        path, problem = group[0]
        if len(group) > 1:
            names = " and ".join(printable_name(p.name) for p, _ in group)
            refused[key] = (printable_name(path.stem), f"{names}: these files would all be report "
                                                        f"{printable_name(path.stem)!r}; rename all but one")
        elif problem:
            refused[key] = (printable_name(path.stem), f"{printable_name(path.name)}: {problem}")
        else:
            reports[key] = path
    for side, problem in sidecars:
        key = id_key(printable_name(side.stem))
        if key in refused:
            continue  # the report already has its row
        report = reports.pop(key, None)
        if problem is None and report is not None and side.stem == report.stem and side.suffix in SIDECAR_SUFFIXES:
            reports[key] = report
            continue
        if problem is None:
            problem = ("not read: a sidecar is named exactly as its report, <report>.yml beside <report>.txt or .md"
                       + (f" ({report.name} is not read either)" if report is not None else ""))
        refused[key] = (printable_name((report or side).stem), f"{printable_name(side.name)}: {problem}")
    return Listing(sorted(reports.values(), key=lambda p: p.stem), dict(refused.values()))


def list_raw(raw_dir: Path) -> list[Path]:
    """Raw report files in a directory, sorted by report id (any usable file name works)."""
    return scan_raw(raw_dir).reports


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
    if _is_mojibake(text):
        raise RawInputError(path, "looks like UTF-8 text that was read as Latin-1 and saved again "
                                  "(mojibake such as 'Ã¡' for 'á'); re-save the original as UTF-8")
    return text, "utf-8"


def _is_mojibake(text: str) -> bool:
    """UTF-8 decoded as Latin-1 (or Windows-1252) and saved as UTF-8: every character fits one byte of
    that code page and the bytes are UTF-8 text beyond ASCII. Vietnamese always has letters beyond
    Latin-1 (ạ, ơ, ư, đ), so a real report never passes both tests."""
    if text.isascii():
        return False
    for codepage in ("latin-1", "cp1252"):
        try:
            text.encode(codepage).decode("utf-8")
        except UnicodeError:
            continue
        return True
    return False


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
    """Read and decode one raw file: (text, encoding, raw bytes), within the LIMITS."""
    data = read_regular(path, LIMITS["bytes"])
    text, enc = decode(data, path)
    check_limits(text, path)
    return text, enc, data


# a number, a blank line (ends a sentence and a line), a line break, or the end of a sentence
_COUNTED = re.compile(r"(\d+)|(\n[ \t\r]*\n)|(\n)|([.!?](?=\s|$))")
_DIGIT_RUNS = re.compile(r"\d+")  # as many as _COUNTED's numbers: a bound for the whole text


def check_limits(text: str, path: Path | str) -> None:
    """Refuse a text over a limit on lines, line length, sentence length or numbers in one line or
    sentence (one linear scan; see LIMITS). A sentence ends at . ! or ? before a space, or at a
    blank line: extraction joins the lines of a sentence."""
    lines = text.count("\n") + 1
    if lines > LIMITS["lines"]:
        raise RawInputError(path, f"has {lines:,} lines, over the limit of {LIMITS['lines']:,} for one report")
    longest = max(map(len, text.split("\n")))
    if longest > LIMITS["line_chars"]:
        raise RawInputError(path, f"has a line of {longest:,} characters, over the limit of "
                                  f"{LIMITS['line_chars']:,} (is the text one line without breaks?)")
    if (len(text) <= LIMITS["sentence_chars"]
            and len(_DIGIT_RUNS.findall(text)) <= min(LIMITS["numbers_per_line"], LIMITS["numbers_per_sentence"])):
        return  # no sentence can be longer than the text, no line or sentence hold more numbers than it
    line_no, in_line, in_sentence, sentence_start = 1, 0, 0, 0
    for m in _COUNTED.finditer(text):
        if m.group(1):
            in_line += 1
            in_sentence += 1
            if in_line > LIMITS["numbers_per_line"]:
                raise RawInputError(path, f"line {line_no} has over {LIMITS['numbers_per_line']:,} numbers, "
                                          "the limit for one line")
            if in_sentence > LIMITS["numbers_per_sentence"]:
                raise RawInputError(path, f"a sentence ending after line {line_no} has over "
                                          f"{LIMITS['numbers_per_sentence']:,} numbers, the limit for one sentence")
            continue
        if m.group(3):
            line_no += 1
            in_line = 0
            continue
        _check_sentence(m.start() - sentence_start, line_no, path)
        in_sentence, sentence_start = 0, m.end()
        if m.group(2):
            line_no += m.group(0).count("\n")
            in_line = 0
    _check_sentence(len(text) - sentence_start, line_no, path)


def _check_sentence(chars: int, line_no: int, path: Path | str) -> None:
    if chars > LIMITS["sentence_chars"]:
        raise RawInputError(path, f"a sentence ending at line {line_no} has {chars:,} characters, over the limit "
                                  f"of {LIMITS['sentence_chars']:,} (are sentence ends missing?)")


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


def sidecar_of(path: Path) -> Path | None:
    """The sidecar beside a report file: <report id>.yml or .yaml (None when there is none).
    Raises RawInputError when both exist."""
    found = [p for p in (path.with_suffix(s) for s in SIDECAR_SUFFIXES) if os.path.lexists(p)]
    if len(found) > 1:
        raise RawInputError(found[0], f"and {found[1].name} are both sidecars of {path.name}; keep one")
    return found[0] if found else None


def read_sidecar(path: Path) -> dict:
    """The optional sidecar beside a raw file, as a dict of strings ({} if absent)."""
    return load_sidecar(path)[0]


def load_sidecar(path: Path) -> tuple[dict, str]:
    """(the sidecar's fields as strings, its sha256 or "-" when there is none).

    A sidecar is a flat mapping of field: value. Refused (RawInputError naming it, with a line and
    column where YAML gives one): over LIMITS["sidecar_bytes"], invalid YAML, aliases that expand to
    more than LIMITS["sidecar_nodes"] nodes, a value that is a list or a mapping, an invalid date.
    """
    side = sidecar_of(path)
    if side is None:
        return {}, "-"
    data = read_regular(side, LIMITS["sidecar_bytes"], "sidecar")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RawInputError(side, f"sidecar is not valid UTF-8 (byte {data[exc.start]:#04x} at offset "
                                  f"{exc.start})") from None
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, sha256_bytes(data)
        if not isinstance(node, yaml.MappingNode):
            raise RawInputError(side, "sidecar must be a YAML mapping of field: value")
        if _expanded_size(node, LIMITS["sidecar_nodes"]) > LIMITS["sidecar_nodes"]:
            raise RawInputError(side, f"sidecar expands (through YAML aliases) to over "
                                      f"{LIMITS['sidecar_nodes']:,} values; a sidecar is a flat list of fields")
        fields = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            try:
                value = loader.construct_object(value_node, deep=True)
            except ValueError as exc:  # a timestamp YAML cannot build, such as 2023-13-45
                raise RawInputError(side, f"sidecar field {key!r} at line {value_node.start_mark.line + 1} "
                                          f"is not a valid date ({exc})") from None
            if isinstance(value, (list, dict, set)):
                raise RawInputError(side, f"sidecar field {key!r} at line {value_node.start_mark.line + 1} "
                                          f"must be a single value, not a {type(value).__name__}")
            fields[key] = "" if value is None else str(value)
    except yaml.YAMLError as exc:
        raise RawInputError(side, f"sidecar is not valid YAML ({_yaml_problem(exc)})") from None
    finally:
        loader.dispose()
    return fields, sha256_bytes(data)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark is not None else problem


def _expanded_size(root, limit: int) -> int:
    """How many nodes a YAML node graph has once its aliases are expanded, counted without
    expanding them (each node's size once); stops counting past ``limit``. A recursive alias
    counts as over the limit."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, closing = stack.pop()
        children = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                    else node.value if isinstance(node, yaml.SequenceNode) else [])
        if closing:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > limit:
                return sizes[id(node)]
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            return limit + 1
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


# --- manifest --------------------------------------------------------------------------------

_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (.+)$")


def manifest_files(raw_dir: Path) -> list[Path]:
    """Files the manifest covers: every raw text and sidecar that is a regular file (not a link)
    with a usable name (UTF-8, no control character: one line of the manifest each)."""
    return sorted(
        (Path(e.path) for e in os.scandir(raw_dir)
         if Path(e.name).suffix.lower() in RAW_SUFFIXES + SIDECAR_SUFFIXES and not e.name.startswith(".")
         and _name_problem(e.name) is None and e.is_file(follow_symlinks=False)),
        key=lambda p: p.name,
    )


def write_manifest(raw_dir: Path) -> Path:
    """Record the checksum of every raw file (`make manifest`): a deliberate addition. Files the
    manifest cannot cover (see manifest_files) are named on stderr and left out."""
    import sys

    from grassroots.pipeline.atomic import write_text

    covered = manifest_files(raw_dir)
    for problem in scan_raw(raw_dir).problems.values():
        print(f"manifest: not recorded: {problem}", file=sys.stderr)
    lines = [f"{sha256_file(p)}  {p.name}" for p in covered]
    target = raw_dir / MANIFEST_NAME
    write_text(target, "\n".join(lines) + "\n")
    return target


def read_manifest(raw_dir: Path) -> dict[str, str] | None:
    target = raw_dir / MANIFEST_NAME
    if not os.path.lexists(target):
        return None
    try:
        text = read_regular(target, 64 * 2**20, "manifest").decode("utf-8")
    except RawInputError as exc:
        raise ManifestError(str(exc)) from None
    except UnicodeDecodeError:
        raise ManifestError(f"{target.name} is not UTF-8 text") from None
    entries = {}
    for n, line in enumerate(text.splitlines(), 1):
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
