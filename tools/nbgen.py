"""Write a thin notebook from a list of (kind, source) cells, without outputs, with stable ids.

Used to (re)generate notebooks/*.ipynb so that their JSON is tidy and reviewable:
    python tools/nbgen.py   (regenerates every notebook declared in tools/notebooks.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
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


def main() -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from notebooks import NOTEBOOKS

    for name, cells in NOTEBOOKS.items():
        path = ROOT / "notebooks" / name
        path.write_text(nbformat.writes(build(cells)) + "\n", encoding="utf-8")
        print("wrote", path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
