"""Recalculating generated workbooks in two independent engines, LibreOffice and Gnumeric,
and reading the results back."""

from __future__ import annotations

import math
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl

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


def formula_cells(path: Path) -> list[tuple[str, str]]:
    """(sheet, cell) of every formula in a workbook as written."""
    wb = openpyxl.load_workbook(path, read_only=True)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                    found.append((ws.title, c.coordinate))
    wb.close()
    return found


def engine_differences(written: Path, one: Path, other: Path) -> list[str]:
    """Every formula cell of ``written`` whose value differs between two recalculated copies."""
    cells = formula_cells(written)
    assert cells, f"{written.name} has no formulas"
    a = openpyxl.load_workbook(one, data_only=True)
    b = openpyxl.load_workbook(other, data_only=True)
    return [f"{sheet}!{ref}: {a[sheet][ref].value!r} vs {b[sheet][ref].value!r}" for sheet, ref in cells
            if not same_value(a[sheet][ref].value, b[sheet][ref].value)]


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
                # An error value, not a typed text that reads like one (a code typed as "#N/A").
                if c.data_type == "e" or (c.data_type == "s" and isinstance(c.value, str) and c.value.startswith("Err:")):
                    found.append(f"{ws.title}!{c.coordinate}={c.value}")
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
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    for tp, lay in layout_course(toolkit, course, CAPACITY).items():
        sheet = wb[lay.sheet]
        values = list(sheet.iter_rows(min_row=FIRST_ROW + 1, max_row=FIRST_ROW + len(rows[tp]), values_only=True))
        for r, row in enumerate(rows[tp]):
            for scale in lay.scales:
                if not scale.scored:
                    continue
                want = stats.score(scale, toolkit.format_of(scale), answers(scale, row))
                got = values[r][lay.score_cols[scale.id]]
                got = None if got == "" else got
                assert close(want, got), f"{lay.sheet} row {r + FIRST_ROW + 1} {scale.id}: {want} != {got}"
