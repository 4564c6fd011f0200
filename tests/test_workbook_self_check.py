"""The self-check inside every workbook: silent where every formula is calculated as stats.py
does, a red warning on "Start here", "Summary" and "Results" where one is not."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from connect_share_learn.workbook.build import write_workbook
from connect_share_learn.workbook.self_check import FAILURES, write_self_check
from connect_share_learn.workbook.words import wording

from helpers import default_toolkit
from recalc import named_values, recalculate_both

TOOLKIT = default_toolkit()
WARNING_CELLS = (("Start here", "A5"), ("Summary", "A5"), ("Results", "A5"))


def _sheet_part(path, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(title)}" sheetId="\d+" (?:state="hidden" )?r:id="(rId\d+)"', book).group(1)
    return "xl/" + re.search(rf'Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)


def _set_number(path, out, title: str, ref: str, value: float) -> None:
    """A copy of the workbook with one constant of one sheet changed (as a broken engine would
    misread it), everything else byte for byte."""
    part = _sheet_part(path, title)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                xml, n = re.subn(rf'(<c r="{ref}"[^>]*><v>)[^<]*(</v>)', rf"\g<1>{value}\g<2>", data.decode())
                assert n == 1, f"{ref} is not a number cell of {title}"
                data = xml.encode()
            dst.writestr(info, data)


@pytest.mark.slow
def test_the_self_check_is_silent_in_both_engines_and_fires_when_a_canary_is_changed(tmp_path):
    written = write_workbook(TOOLKIT, TOOLKIT.courses["foundation"], tmp_path / "real.xlsx", capacity=20)
    # The first made-up answer (row 2, the column after the code in K) read as 2 instead of 1.
    _set_number(written, tmp_path / "mutated.xlsx", "Workings", "L2", 2)
    assert openpyxl.load_workbook(written)["Workings"]["L2"].value == 1
    (real_lo, real_gn), (bad_lo, bad_gn) = recalculate_both([written, tmp_path / "mutated.xlsx"], tmp_path / "out")
    message = wording()["self_check_warning"]
    for path in (real_lo, real_gn):
        assert named_values(path)[FAILURES] == 0, path
        wb = openpyxl.load_workbook(path, data_only=True)
        assert all(wb[sheet][ref].value in (None, "") for sheet, ref in WARNING_CELLS), path
    for path in (bad_lo, bad_gn):
        assert named_values(path)[FAILURES] > 0, path
        wb = openpyxl.load_workbook(path, data_only=True)
        assert [wb[sheet][ref].value for sheet, ref in WARNING_CELLS] == [message] * len(WARNING_CELLS), path


def test_the_canaries_cover_every_formula_idiom(tmp_path):
    """Each kind of formula the workbook relies on has at least one canary."""
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    write_self_check(book.add_worksheet(), 0, 0)
    book.close()
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    formulas = " ".join(c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str))
    for function in ("UPPER(TRIM(", "FIND(MID(", "SUBSTITUTE(", "COUNTIF(", "COUNTIFS(", "SUMIFS(", "AVERAGEIFS(",
                     "MATCH(", "INDEX(", "SUMSQ(", "STDEV(", "VAR(", "COVAR(", "TDIST(", "TINV(", "FIXED(", "ROUND("):
        assert function in formulas, function
