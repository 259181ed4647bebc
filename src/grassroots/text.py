"""Text normalisation shared by cleaning and extraction: one place for each rule.

- `is_nfc` / `nfc`: Unicode NFC (composed letters), the form every cleaned line is in.
- `fold`: lower case with one tone-mark placement (old "hoà", "thuỷ" = new "hòa", "thủy"); it
  keeps the length of the text, so offsets in the folded text are offsets in the text.
- `FoldedLines`: fold() of each line of a report, computed once and shared by the extractors.
- `tidy`: NFC with runs of white space made one space, and stripped.
- `accent_key`: a comparison key that keeps diacritics but ignores case, spacing, punctuation
  and tone placement ("Hoà Bình" = "hòa-bình").
- `ascii_key`: a comparison key without diacritics ("Huyện Ba Tơ" -> "huyenbato").
"""

from __future__ import annotations

import re
import unicodedata


def is_nfc(text: str) -> bool:
    """Whether text is in Unicode NFC."""
    return unicodedata.is_normalized("NFC", text)


def nfc(text: str) -> str:
    """text in Unicode NFC."""
    return text if is_nfc(text) else unicodedata.normalize("NFC", text)


# Old-style tone placement -> new style. Only open syllables differ ("hoà"/"hòa", "thuỷ"/"thủy");
# "hoạch", "quý" do not.
_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# The keys, not after a "q" (the look-behind sits after the pair, so that the regex engine only
# tries the pattern where an "o" or "u" is), and not followed by a letter.
_OLD_TONES_RE = re.compile(r"(?:o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?<!q..)(?![^\W\d_])")


def _new_style(m: re.Match) -> str:
    return _OLD_TONES[m.group(0)]


def fold(text: str) -> str:
    """Lowercase and unify old/new tone placement (hoà = hòa, uỷ = ủy). Length-preserving."""
    return _OLD_TONES_RE.sub(_new_style, text.lower())


class FoldedLines:
    """fold() of each line's text, computed on first use and kept: every step of a report's
    extraction reads the same folded lines."""

    def __init__(self, lines):
        self._lines = lines
        self._folded: list[str | None] = [None] * len(lines)

    def __len__(self) -> int:
        return len(self._folded)

    def __getitem__(self, i: int) -> str:
        value = self._folded[i]
        if value is None:
            value = self._folded[i] = fold(self._lines[i].text)
        return value


_WHITE = re.compile(r"\s+")


def tidy(text: str) -> str:
    """NFC, each run of white space one space, no white space at either end."""
    return _WHITE.sub(" ", nfc(text or "")).strip()


_NOT_WORD = re.compile(r"[\W_]")


def accent_key(text: str) -> str:
    """Key with diacritics kept (case, spacing, punctuation and tone-placement style ignored)."""
    return _NOT_WORD.sub("", fold(nfc(text or "")))


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]")


def ascii_key(text: str) -> str:
    """Key without diacritics, case, spaces or punctuation: "Huyện Ba Tơ" -> "huyenbato"."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_ASCII_ALNUM.sub("", text.lower())
