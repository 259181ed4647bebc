"""Notebook runs through papermill and the Makefile on fixture directories outside the repo."""

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from grassroots.pipeline import stages
from grassroots.pipeline.notebook import KernelPool, NotebookFailed, run_notebook

from .conftest import DEV, RAW, ROOT

pytestmark = pytest.mark.slow


def make(*args, env_extra=None, check=True):
    env = dict(os.environ)
    env.update(env_extra or {})
    proc = subprocess.run(["make", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def bare_corpus(tmp_path):
    """Bare .txt files, no sidecars, no manifest, awkward names (spaces, quotes, semicolons, Vietnamese)."""
    d = tmp_path / "in put"
    d.mkdir()
    shutil.copy(RAW / "kbang_2020_qcdc.txt", d / "Kbang báo cáo 2020.txt")
    shutil.copy(RAW / "trieuson_2020_dvcq.txt", d / "trieu son; it's 2020.txt")
    shutil.copy(DEV / "raw" / "d12.txt", d / "d12.txt")
    return d


def test_extract_notebook_on_a_fixture_dir_is_byte_identical_across_runs(bare_corpus, tmp_path):
    stage = stages.stage("extract")
    params = {"RAW_DIR": str(bare_corpus), "INTERIM_DIR": str(tmp_path / "interim"),
              "PROCESSED_DIR": str(tmp_path / "processed")}
    out = tmp_path / "reports" / "runs" / stage.notebook
    run_notebook(ROOT / "notebooks" / stage.notebook, out, params)
    tables = {p.name: p.read_bytes() for p in (tmp_path / "processed").glob("*.csv")}
    nb1 = out.read_bytes()
    assert set(tables) == {spec.split(":", 1)[1] for spec in stage.outputs}
    corrections = tables["corrections.csv"]
    assert b"QCDG,QCDC" in corrections and "Kbang báo cáo 2020".encode() in corrections
    nb = nbformat.reads(nb1.decode(), as_version=4)
    assert "start_time" not in nb.metadata.get("papermill", {})
    assert [c["id"] for c in nb.cells][:3] == ["cell-000", "cell-001", "cell-002"]
    # second run: from cache, in a kernel started ahead and warmed by the pipeline's kernel pool;
    # the executed notebook must be the same bytes as with a fresh kernel
    pool = KernelPool()
    pool.start(stage.name, ROOT / "notebooks", stage.preload)
    km = pool.take(stage.name)
    assert km is not None and km.has_kernel
    try:
        run_notebook(ROOT / "notebooks" / stage.notebook, out, params, km=km)
    finally:
        pool.shutdown(km)
    assert {p.name: p.read_bytes() for p in (tmp_path / "processed").glob("*.csv")} == tables
    assert out.read_bytes() == nb1


def test_kernel_pool_gives_nothing_for_a_stage_it_did_not_start_and_stops_the_rest():
    pool = KernelPool()
    assert pool.take("validate") is None  # the notebook then starts its own kernel
    pool.start("briefs", ROOT / "notebooks", "import json")
    warm = pool._warm["briefs"].km
    pool.shutdown()
    assert not warm.has_kernel and pool.take("briefs") is None


def test_kernels_listen_on_unix_sockets_that_are_removed_afterwards():

    if os.name != "posix":
        pytest.skip("Unix sockets only")
    pool = KernelPool()
    pool.start("briefs", ROOT / "notebooks", "import json")
    km = pool.take("briefs")
    files = [Path(km.connection_file)] + [Path(f"{km.ip}-{port}") for port in (km.shell_port, km.iopub_port)]
    assert km.transport == "ipc" and all(f.exists() for f in files)
    pool.shutdown(km)
    assert not any(f.exists() for f in files)


def test_a_kernel_that_dies_while_warming_up_is_given_up_quickly():
    import time

    pool = KernelPool(startup_timeout=60)
    pool.start("extract", ROOT / "notebooks", "import os\nos._exit(3)")
    dead = pool._warm["extract"].km
    t0 = time.monotonic()
    assert pool.take("extract") is None  # the stage then starts a kernel of its own
    assert time.monotonic() - t0 < 20
    assert not Path(dead.connection_file).exists()  # its connection file and sockets are removed


def test_make_extract_with_absolute_dirs_outside_the_repo(bare_corpus, tmp_path):
    out = tmp_path / "out dir"
    args = ["extract", f"RAW_DIR={bare_corpus}", f"PROCESSED_DIR={out}", f"INTERIM_DIR={tmp_path / 'interim'}",
            f"REPORTS_DIR={tmp_path / 'reports'}"]
    proc = make(*args)
    assert "no MANIFEST.sha256" in proc.stderr
    indicators = (out / "indicators.csv").read_text(encoding="utf-8")
    assert "Kbang báo cáo 2020,context.population,60208," in indicators
    assert "d12,context.households,16516," in indicators
    reports = (out / "reports.csv").read_text(encoding="utf-8")
    assert "trieu son; it's 2020" in reports
    snapshot = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    again = make(*args)
    assert "[extract] up to date" in again.stdout
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == snapshot


def test_a_failing_cell_fails_with_its_source_and_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                   "language_info": {"name": "python"}}
    nb.cells = [nbformat.v4.new_code_cell("RAW_DIR = 'x'"), nbformat.v4.new_code_cell("1 / 0  # the broken cell")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    src = tmp_path / "broken.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(NotebookFailed) as info:
        run_notebook(src, tmp_path / "out.ipynb", {"RAW_DIR": "y"})
    message = str(info.value)
    assert "1 / 0  # the broken cell" in message and "ZeroDivisionError" in message
    assert (tmp_path / "out.ipynb").exists()


def test_make_help_lists_every_target_and_the_stage_table():
    out = make("help").stdout
    for target in ("all", "setup", "test", "bench", "manifest", "lab", "reproduce", "clean") + stages.STAGE_NAMES:
        assert f" {target} " in out, target
    for stage in stages.STAGES:
        assert f"notebooks/{stage.notebook}, stage_functions.{stage.function}(" in out


def test_committed_notebooks_have_no_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), path.name


def test_outputs_carry_no_machine_paths():
    processed = ROOT / "data" / "processed"
    for path in processed.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text and "/tmp/" not in text, path.name
    assert Path(processed).exists()
