"""Recalculating generated workbooks in two independent engines, LibreOffice and Gnumeric,
and reading the results back."""

from __future__ import annotations

import functools
import math
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange

from connect_share_learn import office, stats
from connect_share_learn.results import answers, course_results
from connect_share_learn.workbook.build import write_workbook
from connect_share_learn.workbook.layout import FIRST_ROW, layout_course
from connect_share_learn.workbook.self_check import FAILURES

from helpers import needs

ERROR_VALUES = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")


def recalculate(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula and save it as xlsx."""
    needs("libreoffice")
    return office.convert(paths, out_dir, to="xlsx")


def recalculate_gnumeric(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open each workbook in Gnumeric, recalculate every formula and save it as xlsx."""
    needs("gnumeric")
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(path: Path) -> Path:
        out = out_dir / path.name
        subprocess.run(["ssconvert", "--recalc", str(path), str(out)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=600, check=False)
        assert out.exists() and out.stat().st_size > 0, f"Gnumeric did not convert {path.name}"
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, paths))


def recalculate_both(paths: list[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each workbook recalculated by LibreOffice and by Gnumeric (at the same time)."""
    needs("libreoffice")
    needs("gnumeric")
    with ThreadPoolExecutor(max_workers=1) as pool:
        gnumeric = pool.submit(recalculate_gnumeric, paths, out_dir / "gnumeric")
        libreoffice = recalculate(paths, out_dir / "libreoffice")
        return list(zip(libreoffice, gnumeric.result()))


def same_value(a, b) -> bool:
    """Two engines' results agree: blanks alike, numbers to 1e-9, everything else exactly."""
    a, b = (None if a == "" else a), (None if b == "" else b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@dataclass(frozen=True)
class Cells:
    """Every stored cell of a workbook, read once: what the checks below look at.

    ``sheets`` maps a sheet's title to {(row, column): (value, data type)} in reading order, as
    openpyxl reads them; ``merged`` gives, per sheet, the cells a merged range covers (a full
    openpyxl load shows them blank); ``names`` is every single-cell defined name → (sheet, cell).
    """

    sheets: dict[str, dict[tuple[int, int], tuple[object, str]]]
    merged: dict[str, frozenset[tuple[int, int]]]
    names: dict[str, tuple[str, str]]

    def value(self, sheet: str, ref: str):
        """The value a full openpyxl load shows in ``sheet!ref`` (None for a blank or merged-over cell)."""
        row, column = coordinate_to_tuple(ref.replace("$", ""))
        if (row, column) in self.merged[sheet]:
            return None
        return self.sheets[sheet].get((row, column), (None, "n"))[0]


def read_cells(path: Path, data_only: bool = True) -> Cells:
    """Every cell of ``path``: its stored results with ``data_only``; else where its formulas are,
    each formula cell holding "=" (of type "f") rather than its text. A file is read once however
    many checks look at it, and again only when it changes."""
    stat = path.stat()
    return _read_cells(str(path.resolve()), stat.st_mtime_ns, stat.st_size, data_only)


@functools.lru_cache(maxsize=32)
def _read_cells(path: str, _mtime: int, _size: int, data_only: bool) -> Cells:
    # openpyxl's own sheet parser, as a full load uses it, without building a Cell (with its
    # style) for every cell: the checks read each workbook several times, and a full load cost
    # about 1.7 s a workbook.
    wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    sheets, merged = {}, {}
    for ws in wb.worksheets:
        with ws._get_source() as source:
            parser = (WorkSheetParser if data_only else _FormulaPlaces)(
                source, ws._shared_strings, data_only=data_only, epoch=wb.epoch,
                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            sheets[ws.title] = {(c["row"], c["column"]): (c["value"], c["data_type"])
                                for _, row in parser.parse() for c in row}
            covered = set()
            for merge in (parser.merged_cells.mergeCell if parser.merged_cells else []):
                cells = CellRange(merge.ref)
                covered.update(cell for cell in cells.cells if cell != (cells.min_row, cells.min_col))
            merged[ws.title] = frozenset(covered)
    names = {}
    for name, defined in wb.defined_names.items():
        dests = list(defined.destinations)
        if len(dests) == 1 and ":" not in dests[0][1]:
            names[name] = dests[0]
    wb.close()
    return Cells(sheets, merged, names)


class _FormulaPlaces(WorkSheetParser):
    """openpyxl's sheet parser, telling where the formulas are without writing out each copy of a
    shared formula (that translation was half the time of reading a workbook's formulas)."""

    def parse_formula(self, element):
        return "="


def formula_cells(path: Path) -> list[tuple[str, str]]:
    """(sheet, cell) of every formula in a workbook as written."""
    return [(sheet, get_column_letter(column) + str(row))
            for sheet, cells in read_cells(path, data_only=False).sheets.items()
            for (row, column), (value, data_type) in cells.items()
            if data_type == "f" or (isinstance(value, str) and value.startswith("="))]


def engine_differences(written: Path, one: Path, other: Path) -> list[str]:
    """Every formula cell of ``written`` whose value differs between two recalculated copies."""
    cells = formula_cells(written)
    assert cells, f"{written.name} has no formulas"
    a, b = read_cells(one), read_cells(other)
    return [f"{sheet}!{ref}: {a.value(sheet, ref)!r} vs {b.value(sheet, ref)!r}" for sheet, ref in cells
            if not same_value(a.value(sheet, ref), b.value(sheet, ref))]


def named_values(path: Path) -> dict[str, object]:
    """Every single-cell defined name → its (recalculated) value; blanks read as None."""
    cells = read_cells(path)
    out = {}
    for name, (sheet, ref) in cells.names.items():
        value = cells.value(sheet, ref)
        out[name] = None if value == "" else value
    return out


def error_cells(path: Path) -> list[str]:
    """Every cell (on any sheet but the hidden chart data) showing an error value."""
    cells = read_cells(path)
    found = []
    for sheet, stored in cells.sheets.items():
        if sheet == "Workings":  # chart data: NA() keeps gaps out of line charts
            continue
        for (row, column), (value, data_type) in sorted(stored.items()):
            if (row, column) in cells.merged[sheet]:
                continue
            # An error value, not a typed text that reads like one (a code typed as "#N/A").
            if data_type == "e" or (data_type == "s" and isinstance(value, str) and value.startswith("Err:")):
                found.append(f"{sheet}!{get_column_letter(column)}{row}={value}")
    return found


# ---------------------------------------------------------------------------------------------
# Real workbooks, filled, recalculated in both engines and compared with stats.py

CAPACITY = 40


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_workbooks(cases: list[tuple[str, dict]], tmp_path, toolkit) -> list[tuple[Path, Path]]:
    """Write, recalculate in both engines and compare; ``cases`` are (course id, rows) pairs.
    Returns each case's (LibreOffice, Gnumeric) copies."""
    paths = []
    for k, (course_id, rows) in enumerate(cases):
        path = tmp_path / f"case{k:02d}_{course_id}.xlsx"
        write_workbook(toolkit, toolkit.courses[course_id], path, capacity=CAPACITY, rows=rows)
        paths.append(path)
    recalculated = recalculate_both(paths, tmp_path / "recalculated")
    for written, engines, (course_id, rows) in zip(paths, recalculated, cases):
        course = toolkit.courses[course_id]
        expected = course_results(toolkit, course, rows)
        for path in engines:
            got = named_values(path)
            assert any(v is not None for v in got.values()), f"{path}: nothing was recalculated"
            missing = sorted(set(expected) - set(got))
            assert not missing, f"{path}: names missing from the workbook: {missing[:5]}"
            wrong = [(name, expected[name], got[name]) for name in expected if not close(expected[name], got[name])]
            assert not wrong, f"{path}: {len(wrong)} statistics differ, e.g. {wrong[:5]}"
            check_row_scores(path, course, rows, toolkit)
            assert error_cells(path) == [], path
            assert got[FAILURES] == 0, f"{path}: the self-check fails"
        differ = engine_differences(written, *engines)
        assert not differ, f"{written.name}: {len(differ)} formula cells differ between LibreOffice and Gnumeric, e.g. {differ[:5]}"
    return recalculated


def check_row_scores(path, course, rows, toolkit):
    cells = read_cells(path)
    for tp, lay in layout_course(toolkit, course, CAPACITY).items():
        stored = cells.sheets[lay.sheet]
        for r, row in enumerate(rows[tp]):
            for scale in lay.scales:
                if not scale.scored:
                    continue
                want = stats.score(scale, toolkit.format_of(scale), answers(scale, row))
                got = stored.get((FIRST_ROW + 1 + r, lay.score_cols[scale.id] + 1), (None, "n"))[0]
                got = None if got == "" else got
                assert close(want, got), f"{lay.sheet} row {r + FIRST_ROW + 1} {scale.id}: {want} != {got}"
