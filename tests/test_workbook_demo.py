"""`csl demo`: the stored results of the example workbook are the true values."""

from __future__ import annotations

import math

import openpyxl

from connect_share_learn.results import course_results
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.workbook.example import synthetic_rows

from recalc import error_cells, named_values, recalculate

TOOLKIT = load_toolkit()


def test_demo_stores_the_values_libreoffice_computes(run, tmp_path):
    paths = []
    for course_id in ("foundation", "domestic_abuse"):
        out = tmp_path / f"{course_id}.xlsx"
        result = run("demo", "--course", course_id, "--out", out)
        assert result.exit_code == 0, result.output
        paths.append(out)
    recalculated = recalculate(paths, tmp_path / "recalculated")
    for stored_path, recalc_path in zip(paths, recalculated):
        course = TOOLKIT.courses[stored_path.stem]
        stored, fresh = named_values(stored_path), named_values(recalc_path)
        expected = course_results(TOOLKIT, course, synthetic_rows(TOOLKIT, course))
        assert expected["self_efficacy_t1_t2_n_pairs"] >= 10
        for name, value in expected.items():
            for got in (stored[name], fresh[name]):
                assert (value is None and got is None) or math.isclose(got, value, rel_tol=1e-9), name
        # Every stored result of the entry sheets and the Matched sheet (worked out in Python)
        # equals the recalculated one.
        a = openpyxl.load_workbook(stored_path, data_only=True)
        b = openpyxl.load_workbook(recalc_path, data_only=True)
        first_rows = {s: 4 for s in a.sheetnames if s.endswith(")")} | {"Matched": 6}
        assert a["Matched"].max_column >= 15
        for sheet, first_row in first_rows.items():
            for row_a, row_b in zip(a[sheet].iter_rows(min_row=first_row, max_row=40, values_only=True),
                                    b[sheet].iter_rows(min_row=first_row, max_row=40, values_only=True)):
                for x, y in zip(row_a, row_b):
                    x, y = (None if x == "" else x), (None if y == "" else y)
                    if isinstance(x, float) or isinstance(y, float):
                        assert x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (sheet, row_a[0])
                    else:
                        assert x == y, (sheet, row_a[0], x, y)
        assert error_cells(recalc_path) == []
        assert "EXAMPLE" in str(a["Results"]["A1"].value)


def test_demo_rejects_an_unknown_course(run, tmp_path):
    result = run("demo", "--course", "nope", "--out", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "no course type 'nope'" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()
