"""The declarations an analyst edits (codebook.yml, tables.yml, findings_messages.yml): checked
against their schemas on load, and one edit reaches everything that reads them."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from grassroots import codebook, ruleset, tables
from grassroots.paths import RULES_DIR
from grassroots.validate import validate_corpus
from grassroots.validate.findings import Messages
from grassroots.validate.suites import build_suites

from .conftest import ROOT

MEDIATORS = {
    "title_vi": "Số hòa giải viên",
    "title_en": "Mediators",
    "unit": "người",
    "kind": "count",
    "description": "Grassroots mediators (hòa giải viên) on the mediation teams.",
    "rules": [{"units": ["người", ""], "after": [r"^\s*hòa giải viên"]}],
}


@pytest.fixture()
def rules(tmp_path):
    """A copy of src/grassroots/rules that a test may edit."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    return copy


def edit(rules_dir, name: str, change) -> None:
    path = rules_dir / f"{name}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ruleset.load.cache_clear()  # each file is read once per process


def test_a_new_indicator_reaches_the_codebook_the_suites_the_docs_and_validation(rules, tmp_path):
    edit(rules, "codebook", lambda data: data["indicators"].update({"mediation.mediators": MEDIATORS}))
    cb = codebook.load(rules / "codebook.yml")

    ind = cb.indicators["mediation.mediators"]
    assert (ind.theme, ind.unit, ind.constraints) == ("mediation", "người", {"min": 0, "integer": True})
    assert ind.rules[0].after[0].pattern == r"^\s*hòa giải viên"
    assert ind in cb.by_theme()["mediation"]

    # the suites validation runs, built from this codebook: code, unit, integer and range
    exps = build_suites(cb)
    codes = next(e for e in exps["indicators"]["expectations"] if e["meta"]["check"] == "indicators.code")
    assert "mediation.mediators" in codes["kwargs"]["value_set"]
    unit = [e for e in exps["indicators"]["expectations"] if e["meta"]["check"] == "indicators.unit"
            and "mediation.mediators" in e["kwargs"]["row_condition"]["parameter"]]
    assert [e["kwargs"]["value_set"] for e in unit] == [["người"]]
    integer = next(e for e in exps["indicators"]["expectations"] if e["meta"]["check"] == "indicators.integer")
    assert "mediation.mediators" in integer["kwargs"]["row_condition"]["parameter"]
    ranges = [e for e in exps["indicator_values"]["expectations"] if e["meta"]["check"] == "indicators.range"
              and "mediation.mediators" in e["kwargs"]["row_condition"]["parameter"]]
    assert [(e["kwargs"]["min_value"], e["kwargs"].get("max_value")) for e in ranges] == [(0, None)]

    # the docs generator
    assert "| `mediation.mediators` | Số hòa giải viên | Mediators | người |" in codebook.markdown(cb)
    assert "mediation.mediators" not in codebook.markdown()

    # an indicators row with the new code: written by the table writer, accepted by validation
    # with this codebook, refused (indicators.code) with the stock one
    processed = tmp_path / "processed"
    shutil.copytree(ROOT / "data" / "processed", processed)
    row = {"report_id": "kbang_2020_qcdc", "indicator": "mediation.mediators", "value": "63", "denominator": "",
           "unit": "người", "mention_id": "", "line": "9", "quote": "9 tổ hòa giải với 63 hòa giải viên",
           "surface": "63", "qualifier": "", "parse_rule": "strict"}
    with open(processed / "indicators.csv", "a", encoding="utf-8") as fh:
        fh.write(tables.csv_rows("indicators", [row]))
    written = pd.read_csv(processed / "indicators.csv", dtype=str, keep_default_na=False)
    assert written.iloc[-1].to_dict() == row

    with_code = validate_corpus(processed, codebook=cb, write=False)
    stock = validate_corpus(processed, write=False)
    assert not (with_code.findings["indicators"] == "mediation.mediators").any()
    refused = stock.findings[stock.findings["indicators"] == "mediation.mediators"]
    assert list(refused["check"]) == ["indicators.code"]
    assert refused.iloc[0]["message_en"] == "Indicator code 'mediation.mediators' (line 9) is not in the codebook (codebook.yml)."


def test_the_codebook_schema_accepts_key_findings(rules):
    entries = [{"when": "reception.persons", "vi": "Tiếp {value} người.", "en": "{value} persons received.",
                "compare": ["petitions.received"], "note": "any extra field: a string or a list of strings"},
               {"when": "mediation.cases.per10k", "vi": "…", "en": "…"}]
    edit(rules, "codebook", lambda data: data.update(key_findings=entries))
    assert ruleset.load("codebook", rules)["key_findings"] == entries
    codebook.load(rules / "codebook.yml")


@pytest.mark.parametrize(("entry", "message"), [
    ({"when": "reception.persons", "vi": "…"}, r"key_findings\[0\]: 'en' is a required property"),
    ({"when": "reception.persons", "vi": "…", "en": "…", "order": 3}, r"key_findings\[0\]: field 'order': 3 is not valid"),
])
def test_a_bad_key_finding_is_named(rules, entry, message):
    edit(rules, "codebook", lambda data: data.update(key_findings=[entry]))
    with pytest.raises(ruleset.RulesError, match=message):
        codebook.load(rules / "codebook.yml")


def test_a_codebook_error_names_the_entry_and_field(rules):
    edit(rules, "codebook", lambda data: data["indicators"]["mediation.cases"].update(kind="tally"))
    with pytest.raises(ruleset.RulesError, match=r"codebook.yml: indicators.mediation.cases: field 'kind': 'tally' is not one of"):
        codebook.load(rules / "codebook.yml")
    edit(rules, "codebook", lambda data: data["indicators"]["mediation.cases"].update(kind="count", unit="khẩu"))
    with pytest.raises(codebook.CodebookError, match=r"units: no English name for \['khẩu'\]"):
        codebook.load(rules / "codebook.yml")


def test_every_message_in_both_languages(rules):
    messages = Messages(rules)
    assert messages.both("at_line", line=33) == (" (dòng 33)", " (line 33)")
    edit(rules, "findings_messages", lambda data: data["unit"].pop("en"))
    with pytest.raises(ruleset.RulesError, match=r"findings_messages.yml: unit: 'en' is a required property"):
        Messages(rules)


def test_both_languages_use_the_same_placeholders(rules):
    edit(rules, "findings_messages", lambda data: data["period"].update(en="The period ends before it starts ({start})."))
    with pytest.raises(ruleset.RulesError, match=r"findings_messages.yml: period: the languages use different placeholders"):
        Messages(rules)


def test_the_table_declaration(rules):
    t, types = tables.load()
    assert t["indicators"].key == ["report_id", "indicator"]
    assert t["reports"].types["sha256"] == types["sha256"]
    assert tables.COLUMNS["findings"][-1] == "lines"
    edit(rules, "tables", lambda data: data["tables"]["mentions"].update(key=["report_id", "mention"]))
    with pytest.raises(ruleset.RulesError, match=r"tables.yml: tables.mentions: field 'key': \['mention'\] not in its columns"):
        tables.load(rules)
    edit(rules, "tables", lambda data: (data["tables"]["mentions"].update(key=["report_id", "mention_id"]),
                                        data["types"]["year"].update(pattern="^(\\d{4}$")))
    with pytest.raises(ruleset.RulesError, match=r"tables.yml: types.year: field 'pattern': missing \)"):
        tables.load(rules)


def test_docs_list_every_output_table():
    text = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    for name, table in tables.TABLES.items():
        assert f"### `{name}.csv`: {table.en} / {table.vi}" in text
        assert all(f"| `{c}`" in text for c in table.columns)


@pytest.mark.slow
def test_a_new_indicator_is_one_yaml_entry_through_the_whole_pipeline(tmp_path):
    """One codebook entry and one key_findings entry, added to a copy of the package, and nothing
    else: `pipeline all` on the seeds extracts the figure, validates it, and both briefs show it in
    their tables and key findings; the docs generator lists it."""
    import os
    import subprocess
    import sys

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    rules = root / "src" / "grassroots" / "rules"
    donors = {"title_vi": "Số đơn vị ủng hộ phòng, chống dịch", "title_en": "Units donating to the COVID-19 response",
              "unit": "đơn vị", "kind": "count", "description": "Organisations that donated to the COVID-19 response.",
              "rules": [{"units": ["đơn vị"], "after": [r"^\s*ủng hộ phòng"]}]}
    sentence = {"when": "democracy.covid_donors", "vi": "{Loc} có {value} đơn vị ủng hộ phòng, chống dịch.",
                "en": "In {loc}, {value} organisations donated to the COVID-19 response."}
    edit(rules, "codebook", lambda data: (data["indicators"].update({"democracy.covid_donors": donors}),
                                          data["key_findings"].append(sentence)))
    env = dict(os.environ, PYTHONPATH=str(root / "src"), RAW_DIR=str(ROOT / "data" / "raw"),
               INTERIM_DIR=str(tmp_path / "i"), PROCESSED_DIR=str(tmp_path / "p"), REPORTS_DIR=str(tmp_path / "r"),
               STRICT="0", JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="Agg", IPYTHONDIR=str(tmp_path / "ipy"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jc"), JUPYTER_DATA_DIR=str(tmp_path / "jd"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "jr"), MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run([sys.executable, "-m", "grassroots.pipeline", "all", "--force"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

    indicators = pd.read_csv(tmp_path / "p" / "indicators.csv", dtype=str, keep_default_na=False)
    got = indicators[indicators["indicator"] == "democracy.covid_donors"]
    assert got[["report_id", "value", "unit", "line"]].values.tolist() == [["kbang_2020_qcdc", "90", "đơn vị", "35"]]
    assert "Đã có 90 đơn vị ủng hộ phòng, chống dịch" in got.iloc[0]["quote"]
    findings = pd.read_csv(tmp_path / "p" / "findings.csv", dtype=str, keep_default_na=False)
    assert not (findings["indicators"] == "democracy.covid_donors").any()  # the suites know the code

    en = (tmp_path / "r" / "briefs" / "brief-en.html").read_text(encoding="utf-8")
    vi = (tmp_path / "r" / "briefs" / "brief-vi.html").read_text(encoding="utf-8")
    assert "Units donating to the COVID-19 response" in en and "90 organisations donated to the COVID-19 response." in en
    assert "Số đơn vị ủng hộ phòng, chống dịch" in vi and "có 90 đơn vị ủng hộ phòng, chống dịch." in vi

    docs = subprocess.run([sys.executable, "-c", "from grassroots import codebook; print(codebook.markdown())"],
                          env=env, capture_output=True, text=True, check=True).stdout
    assert "| `democracy.covid_donors` | Số đơn vị ủng hộ phòng, chống dịch | Units donating to the COVID-19 response | đơn vị |" in docs
