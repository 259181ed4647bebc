"""Rules files are checked against their schema on load; errors name file, entry and field."""

from __future__ import annotations

import pytest

from grassroots import ruleset

SCHEMA = """
type: object
required: [indicators]
properties:
  indicators:
    type: array
    items:
      type: object
      required: [code, unit]
      properties:
        code: {type: string}
        unit: {type: string}
      additionalProperties: false
"""


def _write(tmp_path, body: str):
    (tmp_path / "schemas").mkdir(exist_ok=True)
    (tmp_path / "schemas" / "demo.schema.yml").write_text(SCHEMA, encoding="utf-8")
    (tmp_path / "demo.yml").write_text(body, encoding="utf-8")
    ruleset.load.cache_clear()


def test_a_good_file_loads(tmp_path):
    _write(tmp_path, "indicators:\n  - {code: petitions.resolved, unit: đơn}\n")
    assert ruleset.load("demo", tmp_path) == {"indicators": [{"code": "petitions.resolved", "unit": "đơn"}]}


def test_a_wrong_type_names_file_entry_and_field(tmp_path):
    _write(tmp_path, "indicators:\n  - {code: a.b, unit: x}\n  - {code: petitions.resolved, unit: 5}\n")
    with pytest.raises(ruleset.RulesError) as err:
        ruleset.load("demo", tmp_path)
    assert str(err.value).startswith("demo.yml: indicators[1] (petitions.resolved): field 'unit': 5 is not of type 'string'")


def test_an_unknown_field_is_refused(tmp_path):
    _write(tmp_path, "indicators:\n  - {code: a.b, unit: x, hint: y}\n")
    with pytest.raises(ruleset.RulesError, match=r"indicators\[0\] \(a.b\).*'hint' was unexpected"):
        ruleset.load("demo", tmp_path)


def test_invalid_yaml_gives_line_and_column(tmp_path):
    _write(tmp_path, "indicators:\n  - {code: a.b, unit: [x}\n")
    with pytest.raises(ruleset.RulesError, match=r"demo.yml: not valid YAML at line 2, column \d+"):
        ruleset.load("demo", tmp_path)
