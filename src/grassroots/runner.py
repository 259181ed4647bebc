"""Execute a parameterised notebook with papermill and save it byte-identically.

papermill writes timestamps, durations and a random id for the injected cell; tqdm writes
timings to stderr. All of that is removed or fixed before the executed notebook is written
(atomically) to REPORTS_DIR/runs/, so two runs on the same inputs give the same bytes.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from .atomic import write_text

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROGRESS = re.compile(r"\r|\d+it/s|s/it\]|it \[\d")


class NotebookFailed(RuntimeError):
    """A cell raised. The message holds the failing cell's source and error."""


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
                if _PROGRESS.search(text):
                    continue  # progress bars carry timings
            kept.append(out)
        cell["outputs"] = kept


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


def run_notebook(input_path: Path, output_path: Path, parameters: dict, cwd: Path | None = None) -> None:
    """Execute ``input_path`` with ``parameters``; write the normalised result to ``output_path``.

    Raises NotebookFailed (with the failing cell's source and traceback) when a cell raises;
    the executed notebook is still written so the error can be read in context.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    failure = None
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
                request_save_on_cell_execute=False,
            )
        except PapermillExecutionError:
            failure = True
        nb = nbformat.read(tmp_out, as_version=4)
    normalise(nb)
    write_text(output_path, nbformat.writes(nb) + "\n")
    if failure:
        raise NotebookFailed(f"{input_path.name}: {failing_cell_report(nb)}")


def main(argv: list[str] | None = None) -> int:
    """Run one notebook by hand: python -m grassroots.runner IN OUT [KEY=VALUE ...]."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m grassroots.runner IN.ipynb OUT.ipynb [KEY=VALUE ...]", file=sys.stderr)
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
