"""One matching layer: which of many regexes can match a text, found in one pass.

Extraction runs many Python regexes (cue phrases, exclusions, citation and metadata patterns)
over every line of every report; most lines match none of them. A `PatternSet` compiles the
same patterns once more into a Hyperscan database in *prefilter* mode and scans a text with all
of them at once. Hyperscan's prefilter mode is documented to report a superset of the matches
(a pattern may be reported where the exact regex then finds nothing, never the reverse), so a
pattern it does not report for a text is skipped without changing any result. The exact match
is always Python's `re`: the pre-filter only decides what not to try.

Why Hyperscan (measured on this corpus, 2026-12-02): one scan of a 300-character line with all
patterns of a set takes about 2-3 µs whatever their number; it accepts the patterns as written
(look-arounds, Unicode classes, case-insensitive Vietnamese letters), where RE2 rejects
look-arounds and an Aho-Corasick automaton needs literals that would have to be read out of the
patterns by hand or with `re`'s private parser. A pattern Hyperscan cannot compile even in
prefilter mode is never skipped (it is a candidate for every text): slower, never wrong.

The one rule for callers: ask about exactly the string the regex will be run on. A pattern
anchored with ^ or $ that matches a slice of a line need not match the whole line, so gate the
slice, not the line.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Sequence

import hyperscan

_BASE_FLAGS = (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER
               | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY)


def _hs_flags(rx: re.Pattern) -> int:
    flags = _BASE_FLAGS
    if rx.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if rx.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    if rx.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    return flags


_EMPTY_MIN = re.compile(r"(?<!\\)\{,(\d+)\}")


def _drop_end_anchors(pattern: str) -> str:
    """The pattern without its end-of-text anchors ($, \\Z), outside character classes.

    Hyperscan 5.4 (python-hyperscan 0.9.1) loses matches of some end-anchored patterns when they
    share a database with others: [r"x\\s*$", r"\\*\\*$"] reports nothing for "**I. A**", though
    r"\\*\\*$" alone matches. Dropping an anchor can only add matches, so the pre-filter stays a
    superset of the exact regex (tests/test_matcher.py checks every PatternSet on every corpus line)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            if not in_class and pattern[i + 1] == "Z":
                i += 2
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
        elif ch == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif ch == "$":
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _hs_expression(rx: re.Pattern) -> bytes:
    """The pattern in the dialect Hyperscan reads (PCRE), as a pre-filter: without end anchors
    (_drop_end_anchors), and with Python's {,n} written {0,n} (PCRE reads "{,n}" as literal text);
    the rest of what the rules use is written the same way in both. Escapes PCRE lacks (\\u,
    \\N{...}) fail to compile, and the pattern is then tried everywhere."""
    pattern = _drop_end_anchors(_EMPTY_MIN.sub(r"{0,\1}", rx.pattern))
    if rx.flags & re.VERBOSE:
        pattern = "(?x)" + pattern
    return pattern.encode("utf-8")


def _compiles(rx: re.Pattern) -> bool:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[_hs_expression(rx)], ids=[0], elements=1, flags=[_hs_flags(rx)])
    except hyperscan.error:
        return False
    return True


ALL_SETS: weakref.WeakSet = weakref.WeakSet()  # every set built in this process (tests check them all)


class PatternSet:
    """Regexes that are tried on the same texts; `candidates(text)` names those that may match.

    patterns: the compiled Python regexes, in the order callers want candidates back.
    """

    def __init__(self, patterns: Sequence[re.Pattern]):
        self.patterns = tuple(patterns)
        ALL_SETS.add(self)
        ok = [i for i, rx in enumerate(self.patterns) if _compiles(rx)]
        # Patterns Hyperscan cannot read are candidates for every text.
        self.always = tuple(i for i in range(len(self.patterns)) if i not in set(ok))
        self._db = None
        if ok:
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(expressions=[_hs_expression(self.patterns[i]) for i in ok], ids=ok,
                             elements=len(ok), flags=[_hs_flags(self.patterns[i]) for i in ok])
            self._scratch = hyperscan.Scratch(self._db)
            self._local = threading.local()  # a scratch space serves one scan at a time

    def _thread_scratch(self) -> hyperscan.Scratch:
        """This thread's scratch space (Hyperscan's scratch must not be shared by concurrent
        scans: threads of one process, e.g. Dask workers with threads, each get a clone)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = (self._scratch if threading.current_thread() is threading.main_thread()
                                             else self._scratch.clone())
        return scratch

    def __len__(self) -> int:
        return len(self.patterns)

    def candidates(self, text: str | bytes) -> list[int]:
        """Indexes (sorted) of the patterns that may match somewhere in text; a pattern left out
        has no match in text. text: the string itself, or its UTF-8 bytes when the caller asks
        several sets about one text."""
        found = list(self.always)
        if self._db is not None:
            data = text.encode("utf-8") if isinstance(text, str) else text
            self._db.scan(data, match_event_handler=_collect, context=found, scratch=self._thread_scratch())
            found.sort()
        return found

    def may_match(self, text: str | bytes) -> bool:
        """Whether any pattern of the set may match somewhere in text."""
        if self.always:
            return True
        if self._db is None:
            return False
        data = text.encode("utf-8") if isinstance(text, str) else text
        hit: list[int] = []
        try:
            self._db.scan(data, match_event_handler=_stop_at_first, context=hit, scratch=self._thread_scratch())
        except hyperscan.ScanTerminated:  # the first match stopped the scan
            pass
        return bool(hit)

    def finditer(self, index: int, text: str) -> Iterable[re.Match]:
        """patterns[index].finditer(text), or nothing when the pre-filter rules a match out."""
        if index in self.always or (self._db is not None and index in self.candidates(text)):
            return self.patterns[index].finditer(text)
        return ()


def _collect(pattern_id: int, _start: int, _end: int, _flags: int, found: list[int]) -> None:
    found.append(pattern_id)


def _stop_at_first(pattern_id: int, _start: int, _end: int, _flags: int, hit: list[int]) -> bool:
    hit.append(pattern_id)
    return True  # a true return value stops the scan


def one(rx: re.Pattern) -> PatternSet:
    """A set of one pattern: `one(rx).may_match(text)` before `rx.search(text)`."""
    return PatternSet([rx])
