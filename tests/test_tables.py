"""Rows of every table are formatted one way (tables.csv_rows): as the csv module writes them."""

from __future__ import annotations

import csv
import io

from grassroots.tables import COLUMNS, csv_rows


def test_csv_rows_are_what_the_csv_module_writes_for_every_column():
    full = {c: f"v{i}" for i, c in enumerate(COLUMNS["models"])} | {"quote": 'a "b", c\nd', "line": 7}
    sparse = {"report_id": "r1", "name": None}  # missing columns and None: empty fields
    for rows in ([full], [full, sparse], [sparse], []):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([[r.get(c, "") for c in COLUMNS["models"]] for r in rows])
        assert csv_rows("models", rows) == buf.getvalue()
    assert csv_rows("models", [sparse]) == "r1" + "," * (len(COLUMNS["models"]) - 1) + "\n"
