"""The workbook's structure: names, validation, protection, charts, speed guards."""

from __future__ import annotations

import inspect
import zipfile

import openpyxl
import pytest
import xlsxwriter.worksheet

from connect_share_learn.workbook.build import write_workbook
from connect_share_learn.workbook.fastsheet import FastWorksheet
from connect_share_learn.workbook.layout import layout_course

from helpers import default_toolkit, opened

TOOLKIT = default_toolkit()


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wb")
    return {cid: write_workbook(TOOLKIT, c, folder / f"{cid}.xlsx", capacity=50) for cid, c in TOOLKIT.courses.items()}


def test_xlsxwriter_private_methods_we_override_still_exist():
    base = xlsxwriter.worksheet.Worksheet
    assert list(inspect.signature(base._prepare_formula).parameters) == ["self", "formula", "expand_future_functions"]
    assert list(inspect.signature(base._write_cell).parameters) == ["self", "row", "col", "cell"]
    assert "self._write_cell(row_num, col_num, col_ref)" in inspect.getsource(base._write_rows)
    assert FastWorksheet._prepare_formula is not base._prepare_formula
    # FastWorksheet writes rows and spans itself, calling these as XlsxWriter's own loop does.
    assert list(inspect.signature(base._write_row).parameters) == ["self", "row", "spans", "row_info", "empty_row"]
    assert list(inspect.signature(base._write_empty_row).parameters) == ["self", "row", "spans", "row_info"]
    assert "span_index = int(row_num / 16)" in inspect.getsource(base._write_rows)
    assert 'spans[span_index] = f"{span_min}:{span_max}"' in inspect.getsource(base._calculate_spans)


def _sheet_xml(tmp_path, worksheet_class, name: str) -> bytes:
    """The first sheet's XML of a workbook holding every kind of row XlsxWriter writes."""
    book = xlsxwriter.Workbook(str(tmp_path / name))
    book.worksheet_class = worksheet_class
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, "code", bold)
    sheet.write_number(2, 3, 4.5)
    sheet.write_formula(3, 1, "=A1&\"x\"", None, "codex")
    sheet.write_blank(5, 7, None, bold)
    sheet.set_row(8, 30)  # a row with attributes only
    sheet.set_row(9, None, bold)
    sheet.write_boolean(9, 2, True)
    sheet.write_number(9, 5, 1 / 3)  # a number in a row with a format
    sheet.write_string(9, 6, "a <b> & c")
    sheet.set_column(10, 10, 12, book.add_format({"italic": True}))
    sheet.write_number(20, 10, 12345678901234567)  # in a column with a format
    sheet.write_string(21, 10, "column format")
    sheet.write_string(22, 10, "own format", bold)
    sheet.write_number(23, 2, -0.0)
    sheet.write_comment(12, 4, "a note")  # a row with a comment only
    sheet.write_string(40, 30, "far")  # another block of 16 rows, other spans
    sheet.write_comment(41, 2, "note beside")
    book.close()
    with zipfile.ZipFile(tmp_path / name) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_fast_worksheet_writes_the_bytes_xlsxwriter_writes(tmp_path):
    """FastWorksheet's own row loop writes every cell, row and span as stock XlsxWriter does."""
    assert _sheet_xml(tmp_path, FastWorksheet, "fast.xlsx") == _sheet_xml(tmp_path, xlsxwriter.worksheet.Worksheet,
                                                                            "stock.xlsx")


def test_a_shared_formula_column_is_written_as_excel_writes_one(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    book.worksheet_class = FastWorksheet
    sheet = book.add_worksheet()
    sheet.write_shared_column(1, 4, 2, "=A§*2", None, {3: 6.0})
    book.close()
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert ('<c r="C2"><f t="shared" ref="C2:C5" si="0">A2*2</f><v></v></c>' in xml
            and '<c r="C3"><f t="shared" si="0"/><v></v></c>' in xml
            and '<c r="C4"><f t="shared" si="0"/><v>6</v></c>' in xml
            and '<c r="C5"><f t="shared" si="0"/><v></v></c>' in xml)


def test_the_sizes_laid_out_so_far_are_read_from_xlsxwriter(tmp_path):
    """FastWorksheet reads XlsxWriter's row heights and column widths (for fitting text and pages)."""
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    book.worksheet_class = FastWorksheet
    sheet = book.add_worksheet()
    sheet.set_row(1, 30)
    sheet.set_row(2, 45, None, {"hidden": True})
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 20, None, {"hidden": True})
    assert sheet.rows_px(0, 3) == 20 + 40 + 0 + 20  # pixels: 15 points is 20
    assert sheet.cols_px(0, 2) == 75 + 0 + 64
    book.close()


@pytest.mark.parametrize("course_id", sorted(TOOLKIT.courses))
def test_data_names_and_their_header_row(workbooks, course_id):
    wb = opened(workbooks[course_id])
    course = TOOLKIT.courses[course_id]
    layouts = layout_course(TOOLKIT, course, 50)
    for tp, lay in layouts.items():
        sheet, ref = next(iter(wb.defined_names[f"{tp}_data"].destinations))
        ws = wb[sheet]
        first = ref.replace("$", "").split(":")[0]
        top_row = ws[first].row
        ids = [c.value for c in ws[top_row - 1]][: len(lay.inputs)]
        assert ids == lay.inputs
        assert ids[0] == "code"
        expected_items = [i.id for s in TOOLKIT.scales_at(course, tp) for i in s.items]
        assert [i for i in ids if i in expected_items] == expected_items
    for name in ("codebook_items", "codebook_scales", "course_title", "course_start_date"):
        assert name in wb.defined_names
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["csl_course"] == course_id and props["csl_spec_hash"] == TOOLKIT.spec_hash


def test_names_are_lower_case_and_listed_in_the_codebook(workbooks):
    wb = opened(workbooks["domestic_abuse"])
    names = set(wb.defined_names)
    assert all(n == n.lower() for n in names)
    listed = {r[0].value for r in wb["Codebook"].iter_rows() if r[0].value}
    assert {n for n in names if not n.startswith("_")} <= listed
    assert {"self_efficacy_t1_t2_d", "attitudes_t0_t1_p", "self_efficacy_baseline_mean", "t0_data"} <= names


def test_validation_protection_and_unlocked_inputs(workbooks):
    wb = opened(workbooks["foundation"])
    ws = wb["Start (t1)"]
    assert ws.protection.sheet
    lay = layout_course(TOOLKIT, TOOLKIT.courses["foundation"], 50)["t1"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    column = openpyxl.utils.get_column_letter(lay.col("se_1") + 1)
    se1 = rules[f"{column}4:{column}53"]
    # Any whole number of the 0–100 range, not only the printed steps of 10 (a 75 is an answer).
    assert se1.type == "whole" and se1.errorStyle in (None, "stop")  # stop is the default
    assert (se1.formula1, se1.formula2) == ("0", "100")
    att1 = rules[[r for r in rules if r.startswith(openpyxl.utils.get_column_letter(lay.col("att_1") + 1) + "4")][0]]
    assert att1.type == "whole" and (att1.formula1, att1.formula2) == ("1", "5")
    assert se1.prompt == TOOLKIT.scales["self_efficacy"].items[0].text
    assert ws.column_dimensions[column].protection.locked is False  # typed cells are unlocked
    score_col = lay.score_cols["self_efficacy"] + 1
    assert ws.cell(4, score_col).protection.locked is True
    assert ws.cell(4, score_col).value.startswith("=IF(COUNTIFS(")


def test_charts_are_native_and_point_at_cells(workbooks):
    with zipfile.ZipFile(workbooks["foundation"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 7
        xml = [z.read(c).decode() for c in charts]
        assert all("'Workings'!" in x or "Participants!" in x for x in xml)
        assert any("<c:errBars>" in x for x in xml)  # the means with their 95% CI


def test_user_text_is_never_a_formula(tmp_path):
    course = TOOLKIT.courses["foundation"]
    rows = {"t1": [{"code": "=1+1", "com_useful": "=HYPERLINK(\"x\")"}], "t2": [{"code": "+SUM(A1)", "com_useful": "=2"}], "t3": []}
    path = write_workbook(TOOLKIT, course, tmp_path / "x.xlsx", capacity=20, rows=rows)
    ws = openpyxl.load_workbook(path)["Start (t1)"]
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s"


def test_capacity_limits(tmp_path):
    with pytest.raises(ValueError):
        write_workbook(TOOLKIT, TOOLKIT.courses["foundation"], tmp_path / "x.xlsx", capacity=5001)


def test_entry_sheet_headings_carry_the_printed_questionnaires_numbers(workbooks):
    """The typist finds question N of the paper questionnaire under "N. …" on the entry sheet."""
    from connect_share_learn.questionnaires import items_asked

    wb = opened(workbooks["foundation"])
    course = TOOLKIT.courses["foundation"]
    for tp, lay in layout_course(TOOLKIT, course, 50).items():
        ws = wb[lay.sheet]
        for number, row in enumerate(items_asked(TOOLKIT, course, tp), start=1):
            col = lay.col(row.item) + 1
            assert ws.cell(3, col).value == row.item
            assert ws.cell(2, col).value.startswith(f"{number}. "), (tp, row.item, ws.cell(2, col).value)
