"""Problems a tester found in `csl analyse`, kept fixed."""

from __future__ import annotations

import re
import zipfile

from connect_share_learn.analyse.returned import read_returned
from connect_share_learn.workbook.build import write_workbook

from helpers import default_toolkit

TOOLKIT = default_toolkit()
COURSE = TOOLKIT.courses["foundation"]


def _rows(n):
    return {"t1": [{"code": f"AB{i:02d}C", **{f"se_{k}": 50 for k in range(1, 10)}} for i in range(n)],
            "t2": [], "t3": []}


def test_a_workbook_that_lost_its_names_counts_only_typed_rows(tmp_path):
    original = write_workbook(TOOLKIT, COURSE, tmp_path / "w.xlsx", capacity=30, rows=_rows(5))
    stripped = tmp_path / "no-names.xlsx"
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(stripped, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<definedNames>.*</definedNames>", b"", data, flags=re.S)
            dst.writestr(info, data)
    result = read_returned(stripped, "no-names.xlsx", TOOLKIT)
    assert not result.refused
    assert (result.rows_used, result.rows_left_out) == (5, 0)


def test_a_code_typed_in_an_answer_column_never_reaches_the_quality_report(tmp_path):
    rows = _rows(3)
    rows["t1"].append({"code": None, "se_1": "ZQ77X", **{f"se_{k}": 50 for k in range(2, 10)}})
    path = write_workbook(TOOLKIT, COURSE, tmp_path / "w.xlsx", capacity=30, rows=rows)
    result = read_returned(path, "w.xlsx", TOOLKIT)
    assert result.problems
    assert not any("ZQ77X" in str(p.value) for p in result.problems)
