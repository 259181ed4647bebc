"""Edit a copy of rules/ in a test: extraction then reads the copy instead of the package's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import yaml

from grassroots import ruleset

_LOAD = ruleset.load  # the real loader (the tests replace ruleset.load by one reading the copy)


def copied_rules(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """A fixture's body: copy rules/ into tmp_path, point ruleset.load at the copy, yield it.
    What extraction read from the rules is cached: the caches are cleared before and after."""
    from grassroots.paths import RULES_DIR

    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    monkeypatch.setattr(ruleset, "load", lambda name, rules_dir=None: _LOAD(name, copy))
    _clear_caches()
    yield copy
    monkeypatch.undo()
    _clear_caches()


def _clear_caches() -> None:
    from grassroots.extract import citations, gazetteer, indicators, mentions, models, reports

    _LOAD.cache_clear()
    for module in (citations, indicators, mentions, models, reports):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == module.__name__:
                value.cache_clear()
    # the gazetteer's unit types and what was resolved with them (its tables take a second to load)
    gazetteer._unit_types.cache_clear()
    gazetteer._resolve_given.cache_clear()


def edit(path: Path, change) -> None:
    """Apply change(data) to the YAML file at path; extraction reads it anew."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _clear_caches()
