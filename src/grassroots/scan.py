"""Regex fast paths shared by the extractors, each exact: same matches as the plain regex.

Python's regex engine tries a pattern at every position of a text; these helpers let extraction
skip positions or patterns that cannot match, using facts read from the patterns themselves
(with the standard library's own pattern parser, so they stay right when a pattern changes).
tests/test_scanning.py checks each against the plain scan on every corpus line.
"""

from __future__ import annotations

import re
from re import _parser  # the stdlib's pattern parser (sre_parse), the same one re.compile uses


def finditer_at(pattern: re.Pattern, text: str, low: str, words: tuple[str, ...]):
    """pattern.finditer(text) for a pattern whose every match starts with one of `words` in the
    lower-cased line `low`: the pattern is tried only where a word starts, not at every position.

    Python's regex engine tries a pattern that opens with a look-behind or a case-insensitive
    group at every position of the line, which is slow. Each
    word must be what `low` holds wherever the pattern can match: mind that case-insensitive "i"
    also matches dotless "ı" and "s" the long "ſ", which lower() leaves as they are."""
    if len(low) != len(text):  # lower() changed the length: positions in `low` do not map to `text`
        yield from pattern.finditer(text)
        return
    starts = set()
    for w in words:
        i = low.find(w)
        while i >= 0:
            starts.add(i)
            i = low.find(w, i + 1)
    pos = 0
    for start in sorted(starts):
        if start >= pos:  # like finditer: no match overlaps the previous one
            m = pattern.match(text, start)
            if m:
                yield m
                pos = m.end()


def required_text(rx: re.Pattern) -> str:
    """Characters every match of rx contains: its longest run of plain characters outside any
    group, alternation or repeat ("" when it has none, or when the pattern ignores case), so
    that a text without them cannot match and needs no regex search."""
    best = run = ""
    if not rx.flags & re.IGNORECASE:
        for op, arg in _parser.parse(rx.pattern, rx.flags):
            run = run + chr(arg) if op is _parser.LITERAL else ""
            best = max(best, run, key=len)
    return best


_WHITE_RUN = re.compile(r"\s\s")


def longest_single_spaced_match(rx: re.Pattern) -> int:
    """The longest text ``rx`` can match when no two white-space characters are adjacent.

    Its white space must all be written \\s*: with no run of white space in the text each \\s*
    takes at most one character, so the pattern with \\s? in their place has the same matches,
    and its width is finite. ValueError when the pattern has another unbounded repeat.
    """
    variant = rx.pattern.replace(r"\s*", r"\s?")
    width = _parser.parse(variant, rx.flags).getwidth()[1]
    if width >= _parser.MAXREPEAT or "+" in variant or "*" in variant:
        raise ValueError(f"{rx.pattern[:60]}...: no bound on the match length")
    return width


def search_tail(rx: re.Pattern, width: int, text: str) -> re.Match | None:
    """rx.search(text) for a pattern anchored at the end ($) whose matches are at most ``width``
    long on single-spaced text (longest_single_spaced_match): the search starts ``width``
    characters from the end. The characters before still count for \\b and look-behinds."""
    start = len(text) - width
    if start > 0 and not _WHITE_RUN.search(text):
        return rx.search(text, start)
    return rx.search(text)
