"""Every cleaned line of the seeds and the fixture corpora, with case and character variants:
the text that tests run the extraction patterns over."""

from __future__ import annotations

import functools
import random

from grassroots import clean
from grassroots.pipeline import rawio

from .conftest import DEV, FIXTURES, RAW


@functools.lru_cache(maxsize=1)
def corpus_lines() -> tuple[str, ...]:
    """Each line as cleaned, upper case, title case, swapped case, and with three odd characters
    inserted (dotless i, Kelvin sign, spaces and punctuation in odd places)."""
    texts = set()
    for folder in (RAW, DEV / "raw", FIXTURES / "heldout", FIXTURES / "heldout2", FIXTURES / "real-dev" / "raw"):
        for path in sorted(folder.rglob("*.txt")):
            text, encoding, _ = rawio.read_raw(path)
            texts.update(line.text for line in clean.clean_text(text, path.stem, encoding).lines)
    rng = random.Random(7)
    out = []
    for t in sorted(texts):
        out += [t, t.upper(), t.title(), t.swapcase()]
        chars = list(t)
        for _ in range(3):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(["ı", "K", " ", "/", "(", "\xa0", "ſ"]))
        out.append("".join(chars))
    return tuple(out)
