"""Execute a parameterised notebook with papermill and save it byte-identically.

papermill writes timestamps, durations and a random id for the injected cell; tqdm writes
timings to stderr. All of that is removed or fixed before the executed notebook is written
(atomically) to REPORTS_DIR/runs/, so two runs on the same inputs give the same bytes.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grassroots.pipeline.atomic import write_text

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROGRESS = re.compile(r"\r|\d+it/s|s/it\]|it \[\d")


class NotebookFailed(RuntimeError):
    """A cell raised. The message holds the failing cell's source and error; ``summary`` is one
    line (the notebook, the error, where the executed copy is) and ``errno`` the error number of an
    OSError (a full disk), else None."""

    def __init__(self, message: str, summary: str, errno: int | None = None):
        super().__init__(message)
        self.summary = summary
        self.errno = errno


def normalise(nb) -> None:
    """Strip volatile metadata and outputs from an executed notebook, in place."""
    nb.metadata.pop("widgets", None)
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in ("start_time", "end_time", "duration", "input_path", "output_path",
                    "environment_variables", "version", "exception"):
            pm.pop(key, None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                if _PROGRESS.search(text) or not text.strip():
                    continue  # progress bars carry timings (and end with a bare newline)
            kept.append(out)
        cell["outputs"] = kept


def failing_error(nb) -> tuple[str, str]:
    """(ename, evalue) of the first error output ("", "" when none was recorded)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return out.get("ename", ""), out.get("evalue", "")
    return "", ""


_ERRNO = re.compile(r"^\[Errno (\d+)\]")


def failing_cell_report(nb) -> str:
    """The source and error of the first cell that raised, as plain text."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                tb = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                return (
                    f"cell {i} failed:\n--- source ---\n{cell.source}\n--- error ---\n"
                    f"{out.get('ename')}: {out.get('evalue')}\n{tb}"
                )
    return "a cell failed (no error output recorded)"


@dataclass
class _Warm:
    km: object  # jupyter_client AsyncKernelManager with a started kernel
    client: object  # blocking client that sent the warm-up request
    msg_id: str


class KernelPool:
    """Kernels started ahead of the notebooks that will run, each importing its notebook's modules.

    A stage's kernel start and its imports (Great Expectations alone takes about 3 s) then
    overlap the execution of the stages before it, on the other core. The warm-up runs silently
    and outside the history (no execution count, no output), and ``take`` waits for it to finish
    before the notebook's first cell, so the executed notebook is the same as with a fresh kernel.
    """

    def __init__(self, startup_timeout: float = 120):
        self._warm: dict[str, _Warm] = {}
        self.timeout = startup_timeout

    def start(self, key: str, cwd: Path, code: str, nice: int = 0) -> None:
        """Start a kernel for ``key`` in ``cwd`` and have it run ``code`` (imports, loads).

        nice: CPU priority below the current process while it waits its turn, so that kernels
        needed later do not slow down the notebook running now (restored by ``take`` where the
        operating system allows it).
        """
        from jupyter_client import BlockingKernelClient
        from jupyter_client.utils import run_sync

        km = kernel_manager()
        run_sync(km.start_kernel)(cwd=str(cwd))
        if nice:
            _renice(km, nice)
        client = BlockingKernelClient(**km.get_connection_info(session=True))
        client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        msg_id = client.execute(code or "pass", silent=True, store_history=False, allow_stdin=False)
        self._warm[key] = _Warm(km, client, msg_id)

    def take(self, key: str):
        """The warmed kernel manager for ``key`` (its warm-up finished), or None to start afresh."""
        import queue
        import time

        from jupyter_client.utils import run_sync

        warm = self._warm.pop(key, None)
        if warm is None:
            return None
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                try:
                    reply = warm.client.get_shell_msg(timeout=1.0)
                except queue.Empty:
                    if time.monotonic() > deadline or not run_sync(warm.km.is_alive)():
                        raise TimeoutError(f"kernel for {key} did not warm up") from None
                    continue
                if reply["parent_header"].get("msg_id") == warm.msg_id:
                    break
        except Exception:  # noqa: BLE001 - a kernel that did not come up: the notebook starts its own
            warm.client.stop_channels()
            _stop(warm.km)
            return None
        warm.client.stop_channels()
        _renice(warm.km, 0)
        return warm.km

    def shutdown(self, km=None) -> None:
        """Stop one kernel (after its notebook ran) or, with no argument, every one not taken."""
        if km is not None:
            _stop(km)
            return
        for key in list(self._warm):
            warm = self._warm.pop(key)
            warm.client.stop_channels()
            _stop(warm.km)


def kernel_manager():
    """A manager for a local python3 kernel that talks over Unix sockets (IPC) rather than TCP on
    localhost: nothing listens on a network port, and the kernel does not warn that TCP traffic
    is unencrypted. The sockets and connection file sit in Jupyter's runtime directory and are
    removed when the kernel shuts down. TCP where Unix sockets are missing (Windows)."""
    import os
    import uuid

    from jupyter_client import AsyncKernelManager

    if os.name != "posix":
        return AsyncKernelManager(kernel_name="python3")
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    # short names: a socket path must stay under about 100 characters; the process id lets
    # remove_stale_kernel_files tell the files of a killed run
    name = runtime / f"gr-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{name}-ipc",
                              connection_file=f"{name}.json")


def remove_stale_kernel_files(own: bool = False) -> int:
    """Remove the connection files and sockets that kernels of killed runs left in Jupyter's
    runtime directory (named gr-<pid of the run>-...: those whose run is gone), and with ``own``
    those of this process too (at its end, when an interrupt cut a kernel's shutdown short)."""
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    removed = 0
    for path in runtime.glob("gr-*-*") if runtime.is_dir() else ():
        pid = path.name.split("-")[1]
        if pid.isdigit() and ((own and int(pid) == os.getpid()) or not _alive(int(pid))):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _renice(km, nice: int) -> None:
    """Set a kernel's CPU priority relative to this process. Only where it can be set back (root,
    or an RLIMIT_NICE that allows it): elsewhere an unprivileged process cannot raise a priority
    again, and the stage, with its worker processes, would run for ever at the lower one."""
    import os

    pid = getattr(km.provisioner, "pid", None)
    if pid is None or not hasattr(os, "setpriority") or (nice and not _can_restore_priority()):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
    except OSError:
        pass


def _can_restore_priority() -> bool:
    """Whether a process of this user may get this process's priority back after a lower one."""
    import os

    try:
        import resource

        if os.geteuid() == 0:
            return True
        soft, _hard = resource.getrlimit(resource.RLIMIT_NICE)  # the floor is 20 - soft
        return soft == resource.RLIM_INFINITY or 20 - soft <= os.getpriority(os.PRIO_PROCESS, 0)
    except (ImportError, AttributeError, OSError):
        return False


def run_notebook(input_path: Path, output_path: Path, parameters: dict, cwd: Path | None = None,
                 km=None) -> None:
    """Execute ``input_path`` with ``parameters``; write the normalised result to ``output_path``.

    km: an already started kernel (from KernelPool.take) to run in; default: a new kernel.
    Raises NotebookFailed (with the failing cell's source and traceback) when a cell raises;
    the executed notebook is still written so the error can be read in context.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    failure = None
    own = km is None
    if own:
        km = kernel_manager()  # nbclient starts it in cwd; this function stops it
    with tempfile.TemporaryDirectory(prefix="grassroots-run-") as tmp:
        tmp_out = Path(tmp) / output_path.name
        try:
            pm.execute_notebook(
                str(input_path),
                str(tmp_out),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(cwd or input_path.parent),
                log_output=False,
                stderr_file=sys.stderr,  # progress bars and warnings reach the terminal as they come
                request_save_on_cell_execute=False,
                km=km,
            )
        except PapermillExecutionError:
            failure = True
        finally:
            if own:
                _stop(km)
        nb = nbformat.read(tmp_out, as_version=4)
    normalise(nb)
    write_text(output_path, nbformat.writes(nb) + "\n")
    if failure:
        ename, evalue = failing_error(nb)
        code = _ERRNO.match(evalue)
        summary = (f"notebooks/{input_path.name} failed: {ename}: {evalue.splitlines()[0] if evalue else ''} "
                   f"(the executed notebook: {output_path})")
        raise NotebookFailed(f"{input_path.name}: {failing_cell_report(nb)}", summary,
                             int(code.group(1)) if code else None)


def _stop(km) -> None:
    from jupyter_client.utils import run_sync

    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
        else:
            run_sync(km.cleanup_resources)()  # connection file and sockets of a kernel that died
    except Exception:  # noqa: BLE001 - stopping is best effort; the run's result stands
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one notebook by hand: python -m grassroots.pipeline.notebook IN OUT [KEY=VALUE ...]."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m grassroots.pipeline.notebook IN.ipynb OUT.ipynb [KEY=VALUE ...]", file=sys.stderr)
        return 2
    params = dict(a.split("=", 1) for a in argv[2:])
    try:
        run_notebook(Path(argv[0]), Path(argv[1]), params)
    except NotebookFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
