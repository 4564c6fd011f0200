"""`csl demo`: the stored result of every formula of the example workbook is its true value."""

from __future__ import annotations

import math

import openpyxl
import pytest

from connect_share_learn.results import course_results
from connect_share_learn.workbook.example import synthetic_rows

from helpers import default_toolkit
from recalc import error_cells, formula_cells, named_values, recalculate_both, same_value

TOOLKIT = default_toolkit()


@pytest.mark.slow
def test_demo_stores_the_values_both_engines_compute(run, tmp_path):
    """Every formula cell of the example workbook is stored with the value LibreOffice and
    Gnumeric compute, so a viewer that does not recalculate shows the same numbers."""
    paths = []
    for course_id in ("foundation", "domestic_abuse"):
        out = tmp_path / f"{course_id}.xlsx"
        result = run("demo", "--course", course_id, "--out", out)
        assert result.exit_code == 0, result.output
        paths.append(out)
    for stored_path, engines in zip(paths, recalculate_both(paths, tmp_path / "recalculated")):
        course = TOOLKIT.courses[stored_path.stem]
        expected = course_results(TOOLKIT, course, synthetic_rows(TOOLKIT, course))
        assert expected["self_efficacy_t1_t2_n_pairs"] >= 10
        stored = named_values(stored_path)
        for name, value in expected.items():
            assert (value is None and stored[name] is None) or math.isclose(stored[name], value, rel_tol=1e-9), name
        cells = formula_cells(stored_path)
        a = openpyxl.load_workbook(stored_path, data_only=True)
        for engine in engines:
            b = openpyxl.load_workbook(engine, data_only=True)
            differ = [f"{sheet}!{ref}: stored {a[sheet][ref].value!r}, {engine.parent.name} {b[sheet][ref].value!r}"
                      for sheet, ref in cells if not same_value(a[sheet][ref].value, b[sheet][ref].value)]
            assert not differ, f"{stored_path.name}: {len(differ)} of {len(cells)} differ, e.g. {differ[:5]}"
        assert error_cells(engines[0]) == []
        assert "EXAMPLE" in str(a["Results"]["A1"].value)


def test_demo_rejects_an_unknown_course(run, tmp_path):
    result = run("demo", "--course", "nope", "--out", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "no course type 'nope'" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()
