"""Cleaning transcribed report text.

raw bytes -> decoded text -> Unicode NFC -> LF line endings -> transcription markup stripped
(emphasis, <sup>, stray page marks) -> footnotes split out -> paragraphs split by page breaks
joined -> declared OCR corrections (rules/ocr_corrections.yml, checked against its schema).

Every change that alters a character other than white space is logged as a correction with
the raw line it came from. The raw file is never written. The cleaned text keeps one paragraph
per line (blank line between paragraphs, headings kept as they are), followed by the footnotes;
a line map gives, for each cleaned line, the raw line of every stretch of it.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from grassroots import ruleset
from grassroots.matcher import PatternSet, one
from grassroots.paths import RULES_DIR
from grassroots.text import is_nfc, nfc

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


_SUP_TAG = re.compile(r"<(sup|sub)>(.*?)</\1>", re.I)
_SIMPLE_TAGS = re.compile(r"</?(?:b|i|u|em|strong)>|<br\s*/?>", re.I)
_PAGE_MARK_LY = re.compile(r"\s*\*ly\*\s*$")
_TRAILING_PARENS = re.compile(r"\){3,}\s*$")
_EMPHASIS = re.compile(r"(\*{1,3})(?=[^\s*])(.+?)(?<=[^\s*])\1")
_EMPTY_EMPHASIS = re.compile(r"^\s*\*{2,}\s*$")
_FOOTNOTE_MARK = re.compile(rf"(?<=[^\s{SUPERSCRIPT_DIGITS}])([{SUPERSCRIPT_DIGITS}]+)(?=[\s,;.:)]|$)")
FOOTNOTE_LINE = re.compile(rf"^\s*([{SUPERSCRIPT_DIGITS}]+|\[\^?\d+\]:?)\s+\S")


# Applied in this order to each stripped raw line, each until it no longer matches.
MARKUP_RULES = [
    Rule("page-mark", _PAGE_MARK_LY, ""),
    Rule("page-mark", _TRAILING_PARENS, ""),
    Rule("markup-sup", _SUP_TAG, lambda m: m.group(2)),
    Rule("markup-html", _SIMPLE_TAGS, ""),
    Rule("markup-emphasis", _EMPHASIS, lambda m: m.group(2)),
    Rule("markup-emphasis", re.compile(r"^\*{2,3}(?=[^\s*])"), ""),
    Rule("markup-emphasis", re.compile(r"(?<=[^\s*])\*{2,3}\s*$"), ""),
]
# Runs of spaces, tabs and no-break spaces that are not a single space: made one space.
_ODD_SPACES = re.compile(r"[ \t\xa0]{2,}|[\t\xa0]")
# The regexes run on each raw line: the markup rules, then _ODD_SPACES and _FOOTNOTE_MARK.
_LINE_RULES = PatternSet([rule.pattern for rule in MARKUP_RULES] + [_ODD_SPACES, _FOOTNOTE_MARK])
_SPACES_RULE, _MARK_RULE = len(MARKUP_RULES), len(MARKUP_RULES) + 1
_EMPHASIS_ANY = one(_EMPHASIS)


class _LineScan:
    """scan(text): which _LINE_RULES may match text. A line passes through several steps and most
    leave it as it is: the pre-filter runs once for each text that differs from the last one."""

    def __init__(self):
        self._text: str | None = None
        self._found: list[int] = []

    def __call__(self, text: str) -> list[int]:
        if text != self._text:
            self._text, self._found = text, _LINE_RULES.candidates(text)
        return self._found


@dataclass(frozen=True)
class OcrCorrection:
    wrong: str
    right: str
    reason: str
    pattern: re.Pattern  # `wrong` as a whole word (or words)
    literal: bool  # False: `wrong` is a regex and `right` a template (\1 ...)


@functools.cache
def load_ocr_corrections(rules_dir: Path = RULES_DIR) -> tuple[OcrCorrection, ...]:
    """rules_dir/ocr_corrections.yml, checked against its schema, in file order."""
    out = []
    for i, entry in enumerate(ruleset.load("ocr_corrections", rules_dir)["corrections"]):
        wrong, right = nfc(entry["wrong"]), nfc(entry["right"])
        body = wrong if entry.get("regex") else re.escape(wrong)
        try:
            pattern = re.compile(rf"(?<!\w){body}(?!\w)")
        except re.error as exc:
            raise ruleset.RulesError(f"ocr_corrections.yml: corrections[{i}] ({entry['wrong']}): field 'wrong': "
                                     f"not a valid regular expression: {exc}") from None
        out.append(OcrCorrection(wrong, right, entry["reason"].strip(), pattern, not entry.get("regex")))
    return tuple(out)


@functools.cache
def _ocr_matcher(rules_dir: Path = RULES_DIR) -> PatternSet:
    """Which OCR corrections may apply to a line."""
    return PatternSet([corr.pattern for corr in load_ocr_corrections(rules_dir)])


# --- the cleaner -----------------------------------------------------------------------------

def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF: line n of the result is line n of the raw file."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _nfc_line(line: str, lineno: int, log: list[Correction]) -> str:
    if is_nfc(line):
        return line
    fixed = nfc(line)
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


def is_footnote_line(text: str) -> bool:
    """Whether a stripped line is a footnote ("¹ Theo ...", "[2] ...")."""
    return FOOTNOTE_LINE.match(text) is not None


def _apply_markup(line: str, lineno: int, log: list[Correction], scan: _LineScan) -> str:
    """MARKUP_RULES in order, each on the line as the rules before left it."""
    pending = [k for k in scan(line) if k < len(MARKUP_RULES)]
    while pending:
        k = pending.pop(0)
        rule, changed = MARKUP_RULES[k], False
        while (m := rule.pattern.search(line)) is not None:
            old = m.group(0)
            new = rule.repl(m) if callable(rule.repl) else rule.repl
            if new == old:
                break
            log.append(Correction(lineno, old, new, rule.name))
            line = line[:m.start()] + new + line[m.end():]
            changed = True
        if changed:
            pending = [j for j in scan(line) if k < j < len(MARKUP_RULES)]
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
    t = text.lstrip().lstrip("*")
    return bool(t) and t[0].islower() and not _LIST_MARKER.match(t)


def clean_text(text: str, report_id: str = "", encoding: str = "utf-8") -> CleanResult:
    """Clean decoded report text. Pure function: same input, same output."""
    log: list[Correction] = []
    raw_lines = split_lines(text)
    paragraphs: list[CleanLine] = []
    footnotes: list[CleanLine] = []
    scan = _LineScan()
    for lineno, raw in enumerate(raw_lines, 1):
        if not raw:
            continue  # an empty raw line stays empty: blank lines only separate blocks (see below)
        line = _nfc_line(raw, lineno, log)
        # stripped first: the rules anchored at the line's ends must see its text there
        line = _apply_markup(line.strip(), lineno, log, scan)
        if _SPACES_RULE in scan(line):
            line = _ODD_SPACES.sub(" ", line)
        line = line.strip()
        if not line:
            continue  # blank lines only separate blocks (see below)
        if is_footnote_line(line):
            footnotes.append(CleanLine(line, [(0, lineno)]))
            continue
        marks = list(_FOOTNOTE_MARK.finditer(line)) if _MARK_RULE in scan(line) else []
        if marks:
            for m in reversed(marks):
                log.append(Correction(lineno, line[max(0, m.start() - 12): m.end()], line[max(0, m.start() - 12): m.start()], "footnote-mark"))
                line = line[: m.start()] + line[m.end():]
            line = _apply_markup(line, lineno, log, scan).strip()  # a mark may have hidden markup ("0**¹")
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
            _unwrap_emphasis(prev, log)  # before the next join is decided on prev's text
            continue
        joined.append(block)  # each block is its own object: joins extend it in place

    lines = joined + footnotes
    _apply_ocr_corrections(lines, log)
    log.sort(key=lambda c: c.line)
    return CleanResult(report_id, encoding, lines, log, n_footnotes=len(footnotes))


def _apply_ocr_corrections(lines: list[CleanLine], log: list[Correction]) -> None:
    """Apply the declared OCR corrections to each line, in file order, each to the line as the
    corrections before it left it."""
    corrections, matcher = load_ocr_corrections(), _ocr_matcher()
    for line in lines:
        pending = matcher.candidates(line.text)
        while pending:
            k = pending.pop(0)
            if _apply_ocr(line, log, corrections[k]):
                pending = [j for j in matcher.candidates(line.text) if j > k]


def _apply_ocr(line: CleanLine, log: list[Correction], corr: OcrCorrection) -> bool:
    """Apply one correction to every match in the line; whether it changed the line."""
    pos, changed = 0, False
    while (m := corr.pattern.search(line.text, pos)) is not None:
        new = corr.right if corr.literal else m.expand(corr.right)  # a regex entry's right is a template
        log.append(Correction(line.raw_line_at(m.start()), m.group(0), new, f"ocr: {corr.reason}"))
        line.replace(m.start(), m.end(), new)
        pos = m.start() + len(new)
        changed = True
    return changed


def _unwrap_emphasis(line: CleanLine, log: list[Correction]) -> None:
    """Emphasis opened on one raw line and closed on a later one ("*...¶...*") is whole only once
    the lines are joined: remove its two markers there (logged on the opening line). Emphasis
    within one raw line was removed before the join, so what is found here spans a join."""
    while _EMPHASIS_ANY.may_match(line.text):
        m = _EMPHASIS.search(line.text)
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
