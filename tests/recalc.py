"""Recalculating generated workbooks in LibreOffice and reading the results back."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from connect_share_learn import office

ERROR_VALUES = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")


def needs_libreoffice():
    """Skip with a reason when LibreOffice is missing, unless CI requires it."""
    if office.soffice() is None:
        if os.environ.get("CSL_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("CSL_REQUIRE_LIBREOFFICE=1 but LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run this test")


def recalculate(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula and save it as xlsx."""
    needs_libreoffice()
    return office.convert(paths, out_dir, to="xlsx")


def named_values(path: Path) -> dict[str, object]:
    """Every single-cell defined name → its (recalculated) value; blanks read as None."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, defined in wb.defined_names.items():
        dests = list(defined.destinations)
        if len(dests) != 1:
            continue
        sheet, ref = dests[0]
        if ":" in ref:
            continue
        value = wb[sheet][ref.replace("$", "")].value
        out[name] = None if value == "" else value
    return out


def error_cells(path: Path) -> list[str]:
    """Every cell (on any sheet but the hidden chart data) showing an error value."""
    wb = openpyxl.load_workbook(path, data_only=True)
    found = []
    for ws in wb.worksheets:
        if ws.title == "Workings":  # chart data: NA() keeps gaps out of line charts
            continue
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(ERROR_VALUES):
                    found.append(f"{ws.title}!{c.coordinate}={c.value}")
    return found
