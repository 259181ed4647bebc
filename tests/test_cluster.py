"""Extraction on a Dask cluster: the same per-report function, selected by a scheduler address."""

import pytest

from grassroots.pipeline.stage_functions import extract

from .conftest import RAW

pytestmark = pytest.mark.slow


def test_dask_cluster_gives_the_same_tables_as_local_cores(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = extract(RAW, tmp_path / "i1", tmp_path / "local", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = extract(RAW, tmp_path / "i2", tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert remote.counts == local.counts and local.counts["indicators"] > 50
    for name in ("reports", "mentions", "indicators", "citations", "models", "errors"):
        assert (tmp_path / "dask" / f"{name}.csv").read_bytes() == (tmp_path / "local" / f"{name}.csv").read_bytes()
