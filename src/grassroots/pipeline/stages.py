"""The stage table: the one declaration of the pipeline's stages.

A stage has one name, used everywhere (a hyphen in a name would be an underscore in Python):

    make target       make <name>                    (Makefile; tests/test_stages.py checks it)
    driver argument   python -m grassroots.pipeline <name>
    notebook          notebooks/<NN>-<name>.ipynb    (written by tools/nbgen.py from this table)
    stage function    grassroots.pipeline.stage_functions.<name>

The notebook's parameters are the stage's directories and parameters below, and nothing else:
its first cells turn them into paths and call the stage function with them (directories in
order, then the parameters as keyword arguments in lower case).

Inputs and outputs are files: "raw:*" every file of RAW_DIR, "processed:", "reports:" a file in
PROCESSED_DIR or REPORTS_DIR, "repo:" a glob in the repository. The driver fingerprints a stage's
inputs to decide whether it is up to date, and checks that its outputs exist.

    python -m grassroots.pipeline.stages     prints the table (`make help`; standard library only)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

FUNCTIONS_MODULE = "grassroots.pipeline.stage_functions"

_TABLES = ("reports", "mentions", "indicators", "citations", "models", "errors")


@dataclass(frozen=True)
class Stage:
    number: int  # the notebook's prefix: 2, 3, 4 as in the four-stage layout (1 was cleaning, now in extract)
    name: str
    summary: str  # one line for `make help`
    dirs: tuple[str, ...]  # directory parameters, in the order the stage function takes them
    params: tuple[tuple[str, str], ...]  # further parameters: (NAME, default as a Python literal)
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    preload: str  # code its kernel runs while earlier stages execute (notebook.KernelPool): imports, loads

    @property
    def notebook(self) -> str:
        return f"{self.number}0-{self.name}.ipynb"

    @property
    def function(self) -> str:
        return self.name.replace("-", "_")


STAGES = (
    Stage(2, "extract", "clean and extract every raw report -> the tidy tables and corrections.csv",
          ("RAW_DIR", "INTERIM_DIR", "PROCESSED_DIR"), (("SCHEDULER", '""'), ("WORKERS", "0")),
          ("raw:*",),
          tuple(f"processed:{t}.csv" for t in _TABLES) + ("processed:corrections.csv",),
          "import pandas\nimport grassroots.pipeline.stage_functions\nfrom grassroots.extract import warm_up\nwarm_up()"),
    Stage(3, "validate", "Great Expectations suites over the tables -> findings.csv (STRICT=1: fail on any failure)",
          ("PROCESSED_DIR",), (),
          tuple(f"processed:{t}.csv" for t in _TABLES),
          ("processed:findings.csv", "processed:validation_summary.csv"),
          "import pandas\nimport great_expectations\nimport grassroots.validate"),
    Stage(4, "briefs", "HTML briefs (vi, en), reports/index.html and the tables to download",
          ("PROCESSED_DIR", "REPORTS_DIR", "RAW_DIR"), (("REPORT_IDS", '""'), ("LANGS", '"vi,en"'), ("TITLE", '""')),
          ("processed:*.csv", "raw:*"),
          ("reports:briefs/brief-vi.html", "reports:briefs/brief-en.html", "reports:index.html"),
          "import pandas\nimport jinja2\nimport matplotlib.figure\nimport matplotlib.backends.backend_svg\n"
          "import grassroots.brief"),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


def stage(name: str) -> Stage:
    return STAGES[STAGE_NAMES.index(name)]


def describe() -> str:
    """The table as text: name, notebook, function, inputs -> outputs."""
    lines = ["  Stages (make <stage> runs the stages up to it; make all runs every one):"]
    for s in STAGES:
        lines.append(f"  {s.name:<12} {s.summary}")
        lines.append(f"  {'':<12}   notebooks/{s.notebook}, {FUNCTIONS_MODULE.rsplit('.', 1)[1]}.{s.function}"
                     f"({', '.join(d.lower() for d in s.dirs)}"
                     + "".join(f", {p.lower()}={p}" for p, _ in s.params) + ")")
        lines.append(f"  {'':<12}   in: {' '.join(s.inputs)}")
        lines.append(f"  {'':<12}   out: {' '.join(s.outputs)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe())
    sys.exit(0)
