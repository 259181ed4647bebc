"""Everything extraction and cleaning produce on the seeds and the fixture corpora is what the
committed digests say (tests/fixtures/snapshot_digests.json, written by tools/snapshot.py).

A refactoring must leave them alone. A change that means to alter outputs regenerates the digests
and says in its commit what changed and why (docs/where-things-live.md)."""

from __future__ import annotations

import hashlib
import json
import sys

import pytest

from .conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "tools"))
try:
    import snapshot
finally:
    sys.path.remove(str(ROOT / "tools"))

DIGESTS = json.loads((FIXTURES / "snapshot_digests.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("corpus", sorted(snapshot.CORPORA))
def test_outputs_match_the_committed_digests(corpus):
    tables = snapshot.snapshot_corpus(snapshot.CORPORA[corpus])
    changed = [t for t, text in tables.items()
               if hashlib.sha256(text.encode("utf-8")).hexdigest() != DIGESTS[f"{corpus}/{t}"]]
    assert not changed, f"{corpus}: {changed} differ from tests/fixtures/snapshot_digests.json"
