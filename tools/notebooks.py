"""The thin notebooks: each tools/nbNN.py declares NAME and CELLS (parameters, calls into
grassroots, display; no logic in cells). tools/nbgen.py writes them to notebooks/."""

import importlib
from pathlib import Path

NOTEBOOKS = {}
for path in sorted(Path(__file__).parent.glob("nb[0-9][0-9].py")):
    module = importlib.import_module(path.stem)
    NOTEBOOKS[module.NAME] = module.CELLS
