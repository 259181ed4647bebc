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


# White space and these characters may follow the last letter of a match (stripped before the check).
_TAIL_STRIP = ":-"


def _is_strippable_class(items) -> bool:
    """A character class that only holds white space or _TAIL_STRIP characters."""
    return all((op is _parser.CATEGORY and arg is _parser.CATEGORY_SPACE)
               or (op is _parser.LITERAL and (chr(arg).isspace() or chr(arg) in _TAIL_STRIP))
               for op, arg in items)


def _strippable(items) -> bool:
    """Whether every text this sequence matches consists of strippable characters only."""
    for op, arg in items:
        if op is _parser.AT:
            continue
        if op is _parser.LITERAL and (chr(arg).isspace() or chr(arg) in _TAIL_STRIP):
            continue
        if op is _parser.IN and _is_strippable_class(arg):
            continue
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT) and _strippable(arg[2]):
            continue
        if op is _parser.SUBPATTERN and _strippable(arg[-1]):
            continue
        return False
    return True


def _endings(items: list) -> set[str] | None:
    """The literal letters every match of the sequence ends with, once trailing strippable
    characters are removed: a set of alternatives, or None when a match may end otherwise."""
    for idx in range(len(items) - 1, -1, -1):
        op, arg = items[idx]
        if op is _parser.AT or (op is not _parser.LITERAL and _strippable([items[idx]])):
            continue
        if op is _parser.LITERAL:
            ch = chr(arg)
            if ch.isspace() or ch in _TAIL_STRIP:
                continue
            run, j = ch, idx - 1
            while j >= 0 and items[j][0] is _parser.LITERAL:
                prev = chr(items[j][1])
                if prev.isspace() or prev in _TAIL_STRIP:
                    break
                run, j = prev + run, j - 1
            return {run}
        if op is _parser.IN:
            if all(o is _parser.LITERAL for o, _ in arg):
                chars = {chr(a) for _, a in arg}
                return None if any(c.isspace() or c in _TAIL_STRIP for c in chars) else chars
            return None
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            low, _high, sub = arg
            inner = _endings(list(sub))
            if inner is None:
                return None
            if low > 0:
                return inner
            rest = _endings(items[:idx])  # the repeat may be absent
            return None if rest is None else inner | rest
        if op is _parser.SUBPATTERN:
            return _endings(items[:idx] + list(arg[-1]))
        if op is _parser.BRANCH:
            out: set[str] = set()
            for branch in arg[1]:
                found = _endings(items[:idx] + list(branch))
                if found is None:
                    return None
                out |= found
            return out
        return None
    return None  # the whole sequence may match strippable characters only


def tail_endings(rx: re.Pattern) -> tuple[str, ...] | None:
    """Endings that every match of ``rx`` has once white space, ":" and "-" at its end are
    stripped (the literal letters its alternatives end with), or None when that cannot be read
    from the pattern (case-insensitive, classes, ...). With them, `may_match_tail` rules out most
    texts for a pattern anchored at the end without running the regex."""
    if rx.flags & re.IGNORECASE:
        return None
    found = _endings(list(_parser.parse(rx.pattern, rx.flags)))
    return tuple(sorted(found)) if found else None


def strip_tail(text: str) -> str:
    """text without the white space, ":" and "-" at its end (white space as \\s reads it:
    str.isspace, which is what rstrip() strips)."""
    text = text.rstrip()
    while text and text[-1] in _TAIL_STRIP:
        text = text.rstrip(_TAIL_STRIP).rstrip()
    return text


def may_match_tail(endings: tuple[str, ...] | None, text: str, stripped: str | None = None) -> bool:
    """False only when no match of the pattern can end ``text``: stripped of trailing white space,
    ":" and "-", the text must end with one of the pattern's `tail_endings`.

    stripped: strip_tail(text), when the caller has it (several patterns tested on one text)."""
    if endings is None:
        return True
    return (strip_tail(text) if stripped is None else stripped).endswith(endings)
