"""Cleaning transcribed report text.

raw bytes -> decoded text -> Unicode NFC -> LF line endings -> transcription markup stripped
(emphasis, <sup>, stray page marks) -> footnotes split out -> paragraphs split by page breaks
joined -> declared OCR corrections (ocr_corrections.yml).

Every change that alters a character other than white space is logged as a correction with
the raw line it came from. The raw file is never written. The cleaned text keeps one paragraph
per line (blank line between paragraphs, headings kept as they are), followed by the footnotes;
a line map gives, for each cleaned line, the raw line of every stretch of it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grassroots.paths import OCR_CORRECTIONS_FILE
from grassroots.pipeline.rawio import load_yaml
from grassroots.scan import literal_prefix, search_from

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

# Sentence-final characters: a paragraph ending in one of these is complete.
_TERMINAL = set('.!?;:…"”’»)]*')


@dataclass
class Correction:
    line: int
    original: str
    corrected: str
    rule: str


@dataclass
class CleanLine:
    """One cleaned line with anchors: (offset in this line, raw line number) breakpoints."""

    text: str
    anchors: list[tuple[int, int]]

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace text[start:end] by new; anchors after the change move with the text."""
        delta = len(new) - (end - start)
        self.text = self.text[:start] + new + self.text[end:]
        self.anchors = [(o if o <= start else max(start, o + delta), r) for o, r in self.anchors]

    def raw_line_at(self, offset: int) -> int:
        line = self.anchors[0][1]
        for off, raw in self.anchors:
            if off <= offset:
                line = raw
            else:
                break
        return line


@dataclass
class CleanResult:
    report_id: str
    encoding: str
    lines: list[CleanLine]  # paragraphs, headings and footnotes (no blank lines)
    corrections: list[Correction] = field(default_factory=list)
    n_footnotes: int = 0

    @property
    def text(self) -> str:
        return "\n\n".join(line.text for line in self.lines) + "\n"

    def linemap(self) -> list[list[list[int]]]:
        """Per cleaned-file line (blank lines included): [[offset, raw_line], ...]."""
        out: list[list[list[int]]] = []
        for i, line in enumerate(self.lines):
            if i:
                out.append([])
            out.append([[o, r] for o, r in line.anchors])
        return out


# --- rules -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    repl: object  # str or callable
    needs: str  # a literal every match contains: the rule is skipped on lines without it
    starts: bool = False  # every match starts with `needs`: the search starts at its first occurrence


_SUP_TAG = re.compile(r"<(sup|sub)>(.*?)</\1>", re.I)
_SIMPLE_TAGS = re.compile(r"</?(?:b|i|u|em|strong)>|<br\s*/?>", re.I)
_PAGE_MARK_LY = re.compile(r"\s*\*ly\*\s*$")
_TRAILING_PARENS = re.compile(r"\){3,}\s*$")
_EMPHASIS = re.compile(r"(\*{1,3})(?=[^\s*])(.+?)(?<=[^\s*])\1")
_EMPTY_EMPHASIS = re.compile(r"^\s*\*{2,}\s*$")
_FOOTNOTE_MARK = re.compile(rf"(?<=[^\s{SUPERSCRIPT_DIGITS}])([{SUPERSCRIPT_DIGITS}]+)(?=[\s,;.:)]|$)")
FOOTNOTE_LINE = re.compile(rf"^\s*([{SUPERSCRIPT_DIGITS}]+|\[\^?\d+\]:?)\s+\S")


def _markup_rules() -> list[Rule]:
    return [
        Rule("page-mark", _PAGE_MARK_LY, "", "*ly*"),
        Rule("page-mark", _TRAILING_PARENS, "", ")))", starts=True),
        Rule("markup-sup", _SUP_TAG, lambda m: m.group(2), "<", starts=True),
        Rule("markup-html", _SIMPLE_TAGS, "", "<", starts=True),
        Rule("markup-emphasis", _EMPHASIS, lambda m: m.group(2), "*", starts=True),
        Rule("markup-emphasis", re.compile(r"^\*{2,3}(?=[^\s*])"), "", "**", starts=True),
        Rule("markup-emphasis", re.compile(r"(?<=[^\s*])\*{2,3}\s*$"), "", "**", starts=True),
    ]


MARKUP_RULES = _markup_rules()


@dataclass(frozen=True)
class OcrCorrection:
    wrong: str
    right: str
    reason: str
    pattern: re.Pattern
    literal: bool
    hint: str
    prefix: str  # a literal every match starts with ("" if none is known): see scan.search_from


@functools.lru_cache(maxsize=4)
def load_ocr_corrections(path: str = str(OCR_CORRECTIONS_FILE)) -> tuple[OcrCorrection, ...]:
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, entry in enumerate(data.get("corrections", [])):
        missing = {"wrong", "right", "reason"} - set(entry)
        if missing:
            raise ValueError(f"{Path(path).name}: entry {i + 1} lacks {sorted(missing)}")
        wrong = unicodedata.normalize("NFC", str(entry["wrong"]))
        right = unicodedata.normalize("NFC", str(entry["right"]))
        body = wrong if entry.get("regex") else re.escape(wrong)
        pattern = re.compile(rf"(?<!\w){body}(?!\w)")
        if entry.get("regex") and not entry.get("hint"):
            raise ValueError(f"{Path(path).name}: regex entry {i + 1} needs a `hint` literal")
        hint = unicodedata.normalize("NFC", str(entry.get("hint") or wrong))
        out.append(OcrCorrection(wrong, right, str(entry["reason"]).strip(), pattern, not entry.get("regex"), hint,
                                 literal_prefix(pattern)))
    return tuple(out)


# --- the cleaner -----------------------------------------------------------------------------

def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF: line n of the result is line n of the raw file."""
    if "\r" not in text:
        return text.split("\n")  # the common case, without the regex
    return re.split(r"\r\n|\r|\n", text)


def _nfc_line(line: str, lineno: int, log: list[Correction]) -> str:
    if unicodedata.is_normalized("NFC", line):
        return line
    fixed = unicodedata.normalize("NFC", line)
    raw_tokens, new_tokens = line.split(), fixed.split()
    changed = [(a, b) for a, b in zip(raw_tokens, new_tokens, strict=False) if a != b]
    log.append(
        Correction(
            lineno,
            " ".join(a for a, _ in changed[:8]) + (" …" if len(changed) > 8 else ""),
            " ".join(b for _, b in changed[:8]) + (" …" if len(changed) > 8 else ""),
            "unicode-nfc",
        )
    )
    return fixed


_SPACES = re.compile(r"[ \t\u00a0]+")
_SUPERSCRIPT = re.compile(f"[{SUPERSCRIPT_DIGITS}]")
_FOOTNOTE_STARTS = frozenset(SUPERSCRIPT_DIGITS + "[")  # the first character of a FOOTNOTE_LINE


def is_footnote_line(text: str) -> bool:
    """Whether a stripped line is a footnote ("¹ Theo ...", "[2] ..."): the first-character test
    spares the regex on every other line."""
    return text[:1] in _FOOTNOTE_STARTS and FOOTNOTE_LINE.match(text) is not None


def _lines_holding(text: str, chars: list[str]) -> set[int]:
    """Numbers of the lines of text (split on LF, counted from 1) that hold one of chars."""
    positions = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            positions.append(i)
            i = text.find(c, i + 1)
    positions.sort()
    out = set()
    lineno, last = 1, 0
    for i in positions:
        lineno += text.count("\n", last, i)
        last = i
        out.add(lineno)
    return out


def _apply_markup(line: str, lineno: int, log: list[Correction]) -> str:
    if "*" not in line and "<" not in line and ")))" not in line:
        return line  # fast path: every rule needs one of these, and most lines carry none
    for rule in MARKUP_RULES:
        i = line.find(rule.needs)
        while i >= 0:
            m = rule.pattern.search(line, i if rule.starts else 0)  # no match starts before i
            if not m:
                break
            old = m.group(0)
            new = rule.repl(m) if callable(rule.repl) else rule.repl
            if new == old:
                break
            log.append(Correction(lineno, old, new, rule.name))
            start, end = m.span()
            line = line[:start] + new + line[end:]
            i = line.find(rule.needs)
    if _EMPTY_EMPHASIS.match(line):
        log.append(Correction(lineno, line.strip(), "", "markup-emphasis"))
        line = ""
    return line


_NUMBERED = re.compile(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*\S")
_INNER_CLAUSE = re.compile(r"[.:;]\s+\S")


def is_heading(text: str) -> bool:
    """A heading: markdown "#", a short numbered title with one clause, or a short all-caps line."""
    t = text.strip()
    if t.startswith("#"):
        return True
    if _NUMBERED.match(t) and len(t) <= 200 and not _INNER_CLAUSE.search(t):
        return True
    if len(t) >= 120:
        return False
    has_letter = False
    for c in t:  # every letter upper case, and at least one letter
        if c.isalpha():
            if not c.isupper():
                return False
            has_letter = True
    return has_letter


def _ends_open(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and t[-1] not in _TERMINAL


_LIST_MARKER = re.compile(r"^([a-zđ]|[ivx]+)[.)]\s")


def _starts_continuation(text: str) -> bool:
    """A block that continues the paragraph before it: it starts in lower case (behind an
    emphasis marker, which cleaning removes), and not with a list marker ("a) ", "ii. ")."""
    first = text[:1]
    if not (first.islower() or first == "*" or first.isspace()):
        return False  # the cheap test first: most blocks start otherwise
    t = text.lstrip().lstrip("*")
    return bool(t) and t[0].islower() and not _LIST_MARKER.match(t)


def clean_text(text: str, report_id: str = "", encoding: str = "utf-8") -> CleanResult:
    """Clean decoded report text. Pure function: same input, same output."""
    log: list[Correction] = []
    raw_lines = split_lines(text)
    paragraphs: list[CleanLine] = []
    footnotes: list[CleanLine] = []
    # Whole-text pre-checks let the per-line steps below be skipped on most reports. A text in NFC
    # has every line in NFC (a line break never composes with its neighbours), and then a line can
    # only hold markup characters or superscript digits that the raw text holds.
    # Each step below leaves a line made of characters the line held (or white space), so the
    # line numbers of the raw characters tell which lines can hold superscript digits at all.
    normalized = unicodedata.is_normalized("NFC", text)
    markup = not normalized or "*" in text or "<" in text or ")))" in text
    odd_spaces = not normalized or "\t" in text or "\u00a0" in text
    if normalized and "\r" not in text:  # raw_lines is text.split("\n")
        superscript_lines = _lines_holding(text, [d for d in SUPERSCRIPT_DIGITS if d in text])
    else:
        superscript_lines = range(1, len(raw_lines) + 1)  # every line is searched
    for lineno, raw in enumerate(raw_lines, 1):
        if not raw:
            continue  # an empty raw line stays empty: blank lines only separate blocks (see below)
        line = raw if normalized else _nfc_line(raw, lineno, log)
        if markup and ("*" in line or "<" in line or ")))" in line):  # every markup rule needs one
            # stripped first: the rules anchored at the line's ends must see its text there
            line = _apply_markup(line.strip(), lineno, log)
        if "  " in line or (odd_spaces and ("\t" in line or "\u00a0" in line)):
            line = _SPACES.sub(" ", line)  # runs of spaces, tabs and no-break spaces -> one space
        line = line.strip()
        if not line:
            continue  # blank lines only separate blocks (see below)
        # The line is stripped: a footnote line starts with a superscript digit or "[".
        if is_footnote_line(line):
            footnotes.append(CleanLine(line, [(0, lineno)]))
            continue
        if lineno in superscript_lines and _SUPERSCRIPT.search(line):
            marks = list(_FOOTNOTE_MARK.finditer(line))
            for m in reversed(marks):
                log.append(Correction(lineno, line[max(0, m.start() - 12): m.end()], line[max(0, m.start() - 12): m.start()], "footnote-mark"))
                line = line[: m.start()] + line[m.end():]
            if marks and markup:
                line = _apply_markup(line, lineno, log).strip()  # a mark may have hidden markup ("0**¹")
            if not line:
                continue
        paragraphs.append(CleanLine(line, [(0, lineno)]))

    # Group consecutive non-blank lines into paragraphs only where markdown would (it does not
    # here: a single newline inside a block is kept as its own line, e.g. signature blocks).
    # The cheapest test (does the block start in lower case?) comes first.
    joined: list[CleanLine] = []
    for block in paragraphs:
        if (
            joined
            and _starts_continuation(block.text)
            and _ends_open(joined[-1].text)
            and not is_heading(joined[-1].text)
        ):
            prev = joined[-1]
            sep = "" if prev.text.endswith("-") else " "
            if is_footnote_line(prev.text + sep + block.text):
                joined.append(block)  # the join would make a footnote line ("¹" + "a" = "¹ a")
                continue
            tail = prev.text[-30:]
            head = block.text[:30]
            offset = len(prev.text) + len(sep)
            # adjacent raw lines: a soft wrap; lines apart (blank lines, a page mark): a page break
            adjacent = block.anchors[0][1] == prev.anchors[-1][1] + 1
            prev.text = prev.text + sep + block.text
            prev.anchors.extend((offset + o, r) for o, r in block.anchors)
            rule = "soft-wrap-join" if adjacent else "page-break-join"
            log.append(Correction(block.anchors[0][1], f"{tail}¶{head}", f"{tail}{sep}{head}", rule))
            if markup and "*" in block.text:
                _unwrap_emphasis(prev, log)  # before the next join is decided on prev's text
            continue
        joined.append(block)  # each block is its own object: joins extend it in place

    lines = joined + footnotes
    _apply_ocr_corrections(lines, log)
    log.sort(key=lambda c: c.line)
    return CleanResult(report_id, encoding, lines, log, n_footnotes=len(footnotes))


def _apply_ocr_corrections(lines: list[CleanLine], log: list[Correction]) -> None:
    """Apply the declared OCR corrections, each to the lines holding its literal (`hint`).

    A correction is tried on a line when its hint occurs in the line as it was before any OCR
    correction; on one line the corrections apply in file order. Each raw line belongs to a single
    cleaned line, so the log (sorted by raw line, stably) does not depend on the order of lines."""
    texts = [line.text for line in lines]
    whole = "\n".join(texts)
    starts = list(itertools.accumulate([len(t) + 1 for t in texts], initial=0))  # offset of each line in `whole`
    todo: dict[int, list[OcrCorrection]] = {}  # line index -> corrections, in file order
    found: dict[str, list[int]] = {}  # hint -> indexes of the lines holding it
    for corr in load_ocr_corrections():
        if "\n" in corr.hint:
            continue  # no line holds a line break
        where = found.get(corr.hint)
        if where is None:
            where = found[corr.hint] = []
            i = whole.find(corr.hint)
            while i >= 0:
                k = bisect.bisect_right(starts, i) - 1
                where.append(k)
                # next occurrence on a later line: this line is already listed
                i = whole.find(corr.hint, starts[k + 1])
        for k in where:
            todo.setdefault(k, []).append(corr)
    for k in sorted(todo):
        _apply_ocr(lines[k], log, todo[k])


def _apply_ocr(line: CleanLine, log: list[Correction], corrections) -> None:
    for corr in corrections:
        pos = 0
        while True:
            m = search_from(corr.pattern, corr.prefix, line.text, pos)
            if not m:
                break
            new = corr.right if corr.literal else m.expand(corr.right)  # a regex entry's right is a template
            raw_line = line.raw_line_at(m.start())
            log.append(Correction(raw_line, m.group(0), new, f"ocr: {corr.reason}"))
            line.replace(m.start(), m.end(), new)
            pos = m.start() + len(new)


def _unwrap_emphasis(line: CleanLine, log: list[Correction]) -> None:
    """Emphasis opened on one raw line and closed on a later one ("*...¶...*") is whole only once
    the lines are joined: remove its two markers there (logged on the opening line). Emphasis
    within one raw line was removed before the join, so what is found here spans a join."""
    while True:
        i = line.text.find("*")
        if i < 0:
            return
        m = _EMPHASIS.search(line.text, i)  # every match starts with "*"
        if not m:
            return
        log.append(Correction(line.raw_line_at(m.start()), m.group(0), m.group(2), "markup-emphasis"))
        line.replace(m.end(2), m.end(), "")  # the closing marker first: the offsets before it hold
        line.replace(m.start(1), m.end(1), "")


def corrections_rows(result: CleanResult) -> list[dict]:
    return [
        {
            "report_id": result.report_id,
            "line": c.line,
            "original": c.original,
            "corrected": c.corrected,
            "rule": c.rule,
        }
        for c in result.corrections
    ]


def linemap_json(result: CleanResult, raw_sha256: str) -> str:
    return json.dumps(
        {"report_id": result.report_id, "raw_sha256": raw_sha256, "lines": result.linemap()},
        ensure_ascii=False,
        separators=(",", ":"),
    ) + "\n"
