"""The stage table (grassroots.pipeline.stages) against the Makefile, the notebooks, the stage
functions and the driver; the extract stage's outputs and cache; STRICT."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
import subprocess
import sys

import nbformat
import pandas as pd

from grassroots import clean
from grassroots.pipeline import rawio, stage_functions, stages
from grassroots.pipeline.driver import stage_params, strict_problems
from grassroots.pipeline.fingerprints import Dirs, stage_fingerprint

from .conftest import RAW, ROOT


def test_every_stage_has_a_make_target_of_its_name_that_runs_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    declared = re.search(r"^STAGES := (.*)$", makefile, re.M).group(1).split()
    assert tuple(declared) == stages.STAGE_NAMES
    assert re.search(r"^\$\(STAGES\): setup\n\t@\$\(PIPELINE\) \$@$", makefile, re.M)
    for name in stages.STAGE_NAMES:  # no second rule for a stage name
        assert not re.search(rf"^{name}:", makefile, re.M), name
    assert "clean-text" not in makefile and re.search(r"^clean: ", makefile, re.M)


def test_the_notebooks_are_the_stage_tables():
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert names == sorted(s.notebook for s in stages.STAGES) == ["20-extract.ipynb", "30-validate.ipynb",
                                                                   "40-briefs.ipynb"]
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "nbgen.py"), "--check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr  # committed notebooks are what the generator writes


def test_a_notebooks_parameters_cell_is_its_only_input():
    for stage in stages.STAGES:
        nb = nbformat.read(ROOT / "notebooks" / stage.notebook, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1
        assigned = [node.targets[0].id for node in ast.parse(params[0].source).body]
        assert assigned == list(stage.dirs) + [name for name, _ in stage.params]
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for word in ("environ", "getenv", "resolve_dir", "STRICT"):
            assert word not in code, (stage.notebook, word)
        assert f"result = {stage.function}(" in code


def test_stage_functions_take_what_the_table_gives_them():
    for stage in stages.STAGES:
        fn = getattr(stage_functions, stage.function)
        sig = inspect.signature(fn).parameters
        names = [d.lower() for d in stage.dirs] + [p.lower() for p, _ in stage.params]
        assert list(sig)[:len(names)] == names, stage.name
        for name, default in stage.params:
            assert sig[name.lower()].default == ast.literal_eval(default), (stage.name, name)


def test_the_driver_gives_each_notebook_its_declared_parameters_only(tmp_path):
    dirs = Dirs(tmp_path / "raw", tmp_path / "i", ROOT / "data" / "processed", tmp_path / "r")
    settings = {"SCHEDULER": "tcp://host:8786", "WORKERS": 2}
    assert stage_params(stages.stage("extract"), dirs, settings) == {
        "RAW_DIR": str(tmp_path / "raw"), "INTERIM_DIR": str(tmp_path / "i"), "PROCESSED_DIR": "data/processed",
        "SCHEDULER": "tcp://host:8786", "WORKERS": 2}
    assert stage_params(stages.stage("validate"), dirs, settings) == {"PROCESSED_DIR": "data/processed"}


def test_a_stage_fingerprint_follows_its_declared_inputs(tmp_path):
    processed = tmp_path / "p"
    processed.mkdir()
    for name in ("reports", "indicators"):
        (processed / f"{name}.csv").write_text("report_id\nx\n", encoding="utf-8")
    dirs = Dirs(RAW, tmp_path / "i", processed, tmp_path / "r")
    validate = stages.stage("validate")
    before = stage_fingerprint(validate, dirs, {}, "raw")
    (processed / "corrections.csv").write_text("not an input of validate\n", encoding="utf-8")
    assert stage_fingerprint(validate, dirs, {}, "raw") == before
    (processed / "indicators.csv").write_text("report_id\ny\n", encoding="utf-8")
    assert stage_fingerprint(validate, dirs, {}, "raw") != before
    briefs = stages.stage("briefs")
    before = stage_fingerprint(briefs, dirs, {}, "raw")
    assert stage_fingerprint(briefs, dirs, {}, "raw, changed") != before  # briefs read RAW_DIR too


def test_extract_writes_cleanings_corrections_once_per_corpus(tmp_path):
    summary = stage_functions.extract(RAW, tmp_path / "i", tmp_path / "p", workers=1)
    assert not summary.errors and summary.extracted == 3
    rows = []
    for path in rawio.list_raw(RAW):
        text, encoding, _ = rawio.read_raw(path)
        rows += clean.corrections_rows(clean.clean_text(text, path.stem, encoding))
    expected = pd.DataFrame(rows).sort_values(["report_id", "line", "rule", "original"], kind="stable")
    expected.to_csv(tmp_path / "expected.csv", index=False, lineterminator="\n", encoding="utf-8")
    assert (tmp_path / "p" / "corrections.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert summary.counts["corrections"] == len(expected) > 10
    for spec in stages.stage("extract").outputs:
        assert (tmp_path / "p" / spec.split(":", 1)[1]).exists(), spec


def test_the_extract_cache_follows_what_extract_reads(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("kbang_2020_qcdc.txt", "kbang_2020_qcdc.yml"):
        shutil.copy(RAW / name, raw / name)
    stage_functions.extract(raw, tmp_path / "i", tmp_path / "p", workers=1)
    first = (tmp_path / "p" / "reports.csv").read_text(encoding="utf-8")
    assert "Kbang" in first
    sidecar = raw / "kbang_2020_qcdc.yml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + "title: Báo cáo đã sửa\n", encoding="utf-8")
    stage_functions.extract(raw, tmp_path / "i", tmp_path / "p", workers=1)  # same cache directory
    assert "Báo cáo đã sửa" in (tmp_path / "p" / "reports.csv").read_text(encoding="utf-8")
    text = raw / "kbang_2020_qcdc.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("QCDG", "QCDX"), encoding="utf-8")
    stage_functions.extract(raw, tmp_path / "i", tmp_path / "p", workers=1)
    assert "QCDG,QCDC" not in (tmp_path / "p" / "corrections.csv").read_text(encoding="utf-8")


def test_strict_reads_the_problem_tables_of_the_stages_run_only(tmp_path):
    processed = tmp_path / "p"
    processed.mkdir()
    (processed / "errors.csv").write_text("report_id,stage,error\n", encoding="utf-8")
    (processed / "findings.csv").write_text(
        "report_id,check,severity,message_en\nkb,petitions.sum,error,parts exceed the total\n"
        "kb,note,info,for information\n", encoding="utf-8")
    dirs = Dirs(RAW, tmp_path / "i", processed, tmp_path / "r")
    assert strict_problems(stages.STAGES[:1], dirs) == []  # `make extract STRICT=1`: findings not its own
    assert strict_problems(stages.STAGES, dirs) == ["expectation failed: kb: parts exceed the total"]
    (processed / "errors.csv").write_text("report_id,stage,error\nx,read,x.txt: file is empty\n", encoding="utf-8")
    assert strict_problems(stages.STAGES[:1], dirs) == ["report failed: x: x.txt: file is empty"]
