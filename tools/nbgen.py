"""Write the thin notebooks from the stage table, without outputs, with stable ids.

    python tools/nbgen.py          (re)writes notebooks/<NN>-<stage>.ipynb for every stage
    python tools/nbgen.py --check  exits 1 when a committed notebook differs from what it would write

Each notebook: its introduction, the parameters cell (the stage's directories and parameters from
src/grassroots/pipeline/stages.py: its only input), one cell that turns the directories into paths
and calls the stage function, then the display cells of tools/notebooks.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from grassroots.paths import DEFAULTS
from grassroots.pipeline.stages import FUNCTIONS_MODULE, STAGES, Stage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from notebooks import NOTEBOOKS  # noqa: E402 - tools/ is not a package


def stage_cells(stage: Stage) -> list[tuple[str, str]]:
    """The cells the stage table defines: parameters, then paths and the stage function's call."""
    params = ["# Parameters (papermill overrides these; relative paths are taken from the repository root)"]
    params += [f'{name} = "{DEFAULTS[name]}"' for name in stage.dirs]
    params += [f"{name} = {default}" for name, default in stage.params]
    args = [name.lower() for name in stage.dirs] + [f"{name.lower()}={name}" for name, _ in stage.params]
    call = ["from grassroots.paths import repo_path", f"from {FUNCTIONS_MODULE} import {stage.function}", ""]
    call += [f"{name.lower()} = repo_path({name})" for name in stage.dirs]
    call += [f"result = {stage.function}({', '.join(args)})"]
    return [("params", "\n".join(params)), ("code", "\n".join(call))]


def build(stage: Stage) -> nbformat.NotebookNode:
    intro, display = NOTEBOOKS[stage.name]
    cells = [("md", intro)] + stage_cells(stage) + display
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"c{i:02d}"
        nb.cells.append(cell)
    return nb


def render(stage: Stage) -> str:
    return nbformat.writes(build(stage)) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for stage in STAGES:
        path = ROOT / "notebooks" / stage.notebook
        text = render(stage)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print("wrote", path.relative_to(ROOT))
    extra = sorted({p.name for p in (ROOT / "notebooks").glob("*.ipynb")} - {s.notebook for s in STAGES})
    for name in stale + extra:
        print(f"notebooks/{name}: {'not a stage of the table' if name in extra else 'differs from tools/nbgen.py'}",
              file=sys.stderr)
    return 1 if stale or extra else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
