"""Read the rules an analyst edits: the YAML files in src/grassroots/rules/, each checked
against its schema (rules/schemas/<name>.schema.yml, JSON Schema written as YAML) when loaded.

    from grassroots import ruleset
    lexicon = ruleset.load("lexicon")   # a dict, already checked

A file that breaks its schema raises RulesError naming the file, the entry and the field, e.g.
``codebook.yml: indicators[12] (petitions.resolved): field 'unit': 5 is not of type 'string'``.
jsonschema (a well-kept validator) does the checking; the files are read with PyYAML's safe
loader. Each file is read and checked once per process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from grassroots.paths import RULES_DIR


class RulesError(ValueError):
    """A rules file that cannot be read or breaks its schema."""


def _read(path: Path):
    import yaml

    from grassroots.pipeline.rawio import load_yaml

    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(f"{path.name}: missing (expected at {path})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesError(f"{path.name}: not valid YAML{where}: {problem}") from None


def _entry_name(item) -> str:
    """What a list entry is called, for messages: its code, key, name or wrong form."""
    if isinstance(item, dict):
        for key in ("code", "key", "name", "wrong", "id"):
            if isinstance(item.get(key), str):
                return f" ({item[key]})"
    return ""


def _where(data, path) -> str:
    """'indicators[12] (petitions.resolved): field unit' for a jsonschema error path."""
    parts, node, fieldname = [], data, None
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
            try:
                node = node[step]
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(_entry_name(node))
        else:
            fieldname = step
            if isinstance(node, dict) and isinstance(node.get(step), (dict, list)):
                parts.append(("." if parts else "") + str(step))
                node = node.get(step)
                fieldname = None
            else:
                try:
                    node = node[step]
                except (KeyError, TypeError):
                    node = None
    entry = "".join(parts).lstrip(".")
    out = entry or "top level"
    if fieldname is not None:
        out += f": field '{fieldname}'"
    return out


def check(name: str, data, schema: dict) -> None:
    """Raise RulesError for the first place where data breaks schema (errors in document order)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RulesError(f"{name}.yml: {_where(data, err.absolute_path)}: {err.message}{more}")


@functools.cache
def load(name: str, rules_dir: Path = RULES_DIR):
    """rules/<name>.yml, checked against rules/schemas/<name>.schema.yml."""
    data = _read(rules_dir / f"{name}.yml")
    schema = _read(rules_dir / "schemas" / f"{name}.schema.yml")
    check(name, data, schema)
    return data
