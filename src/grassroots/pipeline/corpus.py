"""Corpus-level machinery: code version, per-report content cache, parallel map, errors.

Per-report work is cached by content: the key is the raw file's sha256 plus the code version
(a hash of the package's source and declaration files), so adding one report to a corpus
re-processes only that report, and any code change re-processes everything.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grassroots.paths import PACKAGE_DIR


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """sha256 (16 hex) over the package's .py and .yml files, by relative path."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".yml", ".j2", ".css", ".tpl") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class ReportError:
    report_id: str
    stage: str
    error: str

    def row(self) -> dict:
        return {"report_id": self.report_id, "stage": self.stage, "error": self.error}


# --- per-report cache --------------------------------------------------------------------------

def cache_file(cache_dir: Path, stage: str, report_id: str) -> Path:
    # Report ids can be any file name; hash them for a safe, flat cache file name.
    digest = hashlib.sha256(report_id.encode("utf-8")).hexdigest()[:20]
    return cache_dir / "cache" / stage / f"{digest}.json"


def cache_put_blocks(cache_dir: Path, stage: str, report_id: str, key: str,
                     blocks: dict[str, tuple[int, bytes]]) -> None:
    """Cache named blocks of UTF-8 text with a count each (a report's CSV rows per table) as they are.

    The file is one JSON header line (report id, key, per block its name, count and length in
    bytes, and a CRC-32 of all of that and the body) and then the blocks: no escaping of the bulk.

    Written in place, not through a temporary file and a rename: on this kind of disk the rename
    cost as much as the rest of a report's caching. The entry does not need to be atomic because
    it is checked when read: a write cut short, a torn write or two writers mixing give a body
    whose length or CRC does not match, and the report is simply extracted again.
    """
    body = b"".join(data for _, data in blocks.values())
    header = {"report_id": report_id, "key": key,
              "blocks": [[name, count, len(data)] for name, (count, data) in blocks.items()]}
    header["crc32"] = _crc(header, body)
    path = cache_file(cache_dir, stage, report_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + body)


def cache_get_blocks(cache_dir: Path, stage: str, report_id: str, key: str) -> dict[str, tuple[int, bytes]] | None:
    """What cache_put_blocks stored under this key, or None (missing, other key, damaged)."""
    try:
        with open(cache_file(cache_dir, stage, report_id), "rb") as fh:
            header = json.loads(fh.readline())
            body = fh.read()
    except (OSError, ValueError):  # JSON and UTF-8 errors are ValueErrors
        return None
    if (not isinstance(header, dict) or header.get("key") != key or header.get("report_id") != report_id
            or header.get("crc32") != _crc(header, body)):
        return None
    if not isinstance(header.get("blocks"), list):
        return None
    out, pos = {}, 0
    for block in header["blocks"]:
        if not (isinstance(block, list) and len(block) == 3 and isinstance(block[0], str)
                and all(type(n) is int and n >= 0 for n in block[1:])):
            return None
        name, count, length = block
        out[name] = (count, body[pos:pos + length])
        pos += length
    return out if pos == len(body) else None


def _crc(header: dict, body: bytes) -> int:
    """CRC-32 of a cache entry: its header (but the CRC itself) and its body, so that a change to
    either, the block lengths included, makes the entry a miss."""
    fields = {k: v for k, v in header.items() if k != "crc32"}
    return zlib.crc32(body, zlib.crc32(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")))


# --- progress ----------------------------------------------------------------------------------

LARGE_CORPUS = 1000  # reports: from this size on, corpus-wide steps show a progress bar


def progress_bar(total: int, desc: str, enabled: bool = True):
    """A tqdm bar for corpus work (disabled: a bar whose update and close do nothing).

    In JupyterLab with ipywidgets it is a widget. Otherwise it is text on stderr: the terminal,
    or, inside a notebook run by the pipeline, the kernel's stderr, which the runner echoes to the
    terminal as it arrives (and drops from the saved notebook, as bars carry timings). tqdm.auto
    alone would warn with a machine path where ipywidgets is missing.
    """
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=total, desc=desc, mininterval=1.0, disable=not enabled)


# --- parallel map ------------------------------------------------------------------------------

def default_workers() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def parallel_imap(func: Callable, items: Iterable, workers: int | None = None, desc: str = "",
                  scheduler: str | None = None, chunksize: int = 8):
    """Map ``func`` over ``items`` lazily and in order, on all cores (or a Dask cluster).

    scheduler: a dask.distributed address such as "tcp://host:8786" (default: local processes);
    the same per-report function then runs on the cluster's workers.
    Results are yielded in input order as they arrive, so a caller can stream them to disk.
    Progress is shown with tqdm (terminal and notebook) when there are many items.
    """
    items = list(items)
    progress = progress_bar(len(items), desc, enabled=len(items) >= 200)
    try:
        if scheduler:
            from distributed import Client

            with Client(scheduler) as client:
                batch = 256  # bounded memory: at most `batch` results in flight
                for i in range(0, len(items), batch):
                    futures = client.map(func, items[i:i + batch], pure=False)
                    for fut in futures:
                        yield fut.result()
                        progress.update()
            return
        workers = workers or default_workers()
        if workers <= 1 or len(items) < 4:
            for item in items:
                yield func(item)
                progress.update()
            return
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(chunksize, len(items) // (workers * 4) or 1))
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"),
                                 initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
            for result in pool.map(func, items, chunksize=chunk):
                yield result
                progress.update()
    finally:
        progress.close()


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end the worker when the process that started it is gone (killed runs
    would otherwise leave workers blocked on their queues for ever)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def parallel_map(func: Callable, items: Iterable, workers: int | None = None, desc: str = "",
                 scheduler: str | None = None, chunksize: int = 8) -> list:
    """parallel_imap collected into a list."""
    return list(parallel_imap(func, items, workers, desc, scheduler, chunksize))
