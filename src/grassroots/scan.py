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
        return pattern.finditer(text)
    return match_at(pattern, text, word_starts(low, words))


def occurrences(text: str, word: str) -> list[int]:
    """Every position where `word` starts in text (overlapping ones included)."""
    found = []
    i = text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


def word_starts(low: str, words: tuple[str, ...]) -> list[int]:
    """Sorted positions where any of `words` starts in `low`."""
    return sorted({i for w in words for i in occurrences(low, w)})


def match_at(pattern: re.Pattern, text: str, starts, accept=None):
    """The matches of `pattern` tried at the sorted positions `starts` only, none overlapping the
    one before (as finditer gives them) when every match starts at one of them. accept(text, i):
    an optional cheap test that a match could start at i."""
    pos = 0
    for start in starts:
        if start >= pos and (accept is None or accept(text, start)):
            m = pattern.match(text, start)
            if m:
                yield m
                pos = m.end()


WHITE_RUN = re.compile(r"\s\s")


def longest_single_spaced_match(rx: re.Pattern) -> int:
    """The longest text ``rx`` can match when no two white-space characters are adjacent (then a
    repeat of white space alone takes at most one character). ValueError when there is no bound."""
    width = _max_width(_parser.parse(rx.pattern, rx.flags), True)
    if width == NO_BOUND:
        raise ValueError(f"{rx.pattern[:60]}...: no bound on the match length")
    return width


def search_tail(rx: re.Pattern, width: int, text: str) -> re.Match | None:
    """rx.search(text) for a pattern anchored at the end ($) whose matches are at most ``width``
    long on single-spaced text (longest_single_spaced_match): the search starts ``width``
    characters from the end. The characters before still count for \\b and look-behinds."""
    start = len(text) - width
    if start > 0 and not WHITE_RUN.search(text):
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


# --- what every match holds, and how wide it is ------------------------------------------------

def required_strings(rx: re.Pattern) -> tuple[str, ...]:
    """Strings at least one of which every match of rx contains (() when none is known, or when
    the pattern ignores case): a text holding none of them cannot match and needs no search."""
    if rx.flags & re.IGNORECASE:
        return ()
    return _seq_required(_parser.parse(rx.pattern, rx.flags))


def _seq_required(items) -> tuple[str, ...]:
    """required_strings of a parsed sequence. Every match passes through each item of the sequence:
    a run of plain characters is matched as written; a group (with no flags of its own) holds
    its content's required text; an alternation holds the required text of the branch taken, so
    it holds one of them when every branch has some. Repeats, classes and assertions add nothing.
    """
    found: list[tuple[str, ...]] = []
    run = ""
    for op, arg in items:
        if op is _parser.LITERAL:
            run += chr(arg)
            continue
        found.append((run,))
        run = ""
        if op is _parser.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            if not add_flags and not del_flags:
                found.append(_seq_required(sub))
        elif op is _parser.BRANCH:
            alternatives = [_seq_required(branch) for branch in arg[1]]
            if all(alternatives):
                found.append(tuple(dict.fromkeys(s for alt in alternatives for s in alt)))
    found.append((run,))
    found = [f for f in found if f and all(f)]
    # the most selective: the longest shortest string, then the fewest strings
    return max(found, key=lambda f: (min(map(len, f)), -len(f)), default=())


NO_BOUND = -1
_WHITE_ONLY = [(_parser.IN, [(_parser.CATEGORY, _parser.CATEGORY_SPACE)])]


def anchor_reach(rx: re.Pattern) -> tuple[str, int, int]:
    """(anchor, reach, reach on single-spaced text) of a pattern: the longest run of plain
    characters at its top level, and the most characters a match takes after that run (any text;
    text with no two white-space characters in a row), NO_BOUND when unbounded or unknown.

    Every match holds the anchor as written and ends at most `reach` characters after it, so a
    match that ends at or after position p holds the anchor at p - reach - len(anchor) or later.
    ("", NO_BOUND, NO_BOUND) when the pattern has no anchor or ignores case.
    """
    if rx.flags & re.IGNORECASE:
        return "", NO_BOUND, NO_BOUND
    items = list(_parser.parse(rx.pattern, rx.flags)) + [(None, None)]
    anchor, after, run = "", 0, ""
    for i, (op, arg) in enumerate(items):
        if op is _parser.LITERAL:
            run += chr(arg)
            continue
        if len(run) > len(anchor):
            anchor, after = run, i
        run = ""
    if not anchor:
        return "", NO_BOUND, NO_BOUND
    tail = items[after:-1]
    return anchor, _max_width(tail, False), _max_width(tail, True)


def _max_width(items, single_spaced: bool) -> int:
    """The most characters a parsed sequence matches (NO_BOUND: unbounded, or an item this does
    not know). On single-spaced text a repeat of white space alone matches at most one."""
    width = 0
    for op, arg in items:
        if op in (_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY):
            width += 1
        elif op in (_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT):  # they match no characters
            pass
        elif op is _parser.SUBPATTERN or op is _parser.BRANCH:
            subs = [arg[3]] if op is _parser.SUBPATTERN else arg[1]
            widths = [_max_width(sub, single_spaced) for sub in subs]
            if NO_BOUND in widths:
                return NO_BOUND
            width += max(widths)
        elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            _lo, hi, sub = arg
            if single_spaced and list(sub) == _WHITE_ONLY:
                width += 1
            elif hi == _parser.MAXREPEAT:
                return NO_BOUND
            else:
                inner = _max_width(sub, single_spaced)
                if inner == NO_BOUND:
                    return NO_BOUND
                width += hi * inner
        else:
            return NO_BOUND
    return width


def holds_any(text: str, strings: tuple[str, ...]) -> bool:
    """Whether text holds one of the strings."""
    for s in strings:
        if s in text:
            return True
    return False


def literal_prefix(rx: re.Pattern) -> str:
    """Characters every match of rx starts with: the plain characters that follow its leading
    look-arounds (which take no width), "" when there are none or the pattern ignores case."""
    prefix = ""
    if rx.flags & re.IGNORECASE:
        return prefix
    ops = list(_parser.parse(rx.pattern, rx.flags))
    i = 0
    while i < len(ops) and ops[i][0] in (_parser.ASSERT, _parser.ASSERT_NOT):
        i += 1
    while i < len(ops) and ops[i][0] is _parser.LITERAL:
        prefix += chr(ops[i][1])
        i += 1
    return prefix


def search_from(rx: re.Pattern, prefix: str, text: str, pos: int) -> re.Match | None:
    """rx.search(text, pos) for a pattern whose every match starts with `prefix`: rx is tried
    only where the prefix occurs. A pattern that opens with a look-behind is otherwise tried at
    every position; search returns the match at the first position where match succeeds, and
    each such position holds the prefix. Look-behinds still see the text before a position."""
    if not prefix:
        return rx.search(text, pos)
    i = text.find(prefix, pos)
    while i >= 0:
        m = rx.match(text, i)
        if m:
            return m
        i = text.find(prefix, i + 1)
    return None
