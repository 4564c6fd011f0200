"""The "Start here" sheet: how to enter data, the colour legend and the course details, on one
printed page. Its title and subtitle follow the course details as they are typed."""

from __future__ import annotations

import datetime as dt

from connect_share_learn import __version__
from connect_share_learn.workbook import printing

WIDTHS = (30, 72)


def write(book, sh):
    st, w = book.st, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    sh.hide_gridlines(2)
    book.banner(sh)
    title = book.details["course_title"]
    blank, suffix = w["start_title_blank"], w["start_title"].replace("{course}", "")
    book.formula(sh, 1, 0, f'=IF(course_title="","{_quoted(blank)}",course_title&"{_quoted(suffix)}")', st.title,
                 w["start_title"].format(course=title) if title else blank)
    book.formula(sh, 2, 0, '=course_partnership&""', st.subtitle, book.details["course_partnership"] or "")
    book.text(sh, 3, 0, w["start_intro"].strip(), st.text, 1)
    book.self_check_warning(sh, 4, 1)
    sh.write_string(5, 0, w["steps_title"], st.subtitle)
    sheet_list = ", ".join(lay.sheet for lay in book.layouts.values())
    row = 6
    for i, step in enumerate(w["steps"], start=1):
        sh.write_string(row, 0, f"{i}.", st.plain)
        book.text(sh, row, 1, step.format(sheets=sheet_list), st.text)
        row += 1
    row += 1
    sh.write_string(row, 0, w["legend_title"], st.subtitle)
    for label, fmt in ((w["legend_input"], st.legend_input), (w["legend_calc"], st.legend_calc),
                       (w["legend_problem"], st.legend_problem)):
        row += 1
        sh.write_string(row, 0, "", fmt)
        book.text(sh, row, 1, label, st.text)
    row += 2
    sh.write_string(row, 0, w["details_title"], st.subtitle)
    for name, label in w["details"].items():
        row += 1
        sh.write_string(row, 0, label, st.plain)
        value = book.details.get(name)
        if name.endswith("_date"):
            if value is not None:
                sh.write_datetime(row, 1, value, st.input_date)
            else:
                sh.write_blank(row, 1, None, st.input_date)
            sh.data_validation(row, 1, row, 1, {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),
                                                "error_message": w["message_date"]})
        elif name == "course_attended":
            if value is not None:
                sh.write_number(row, 1, value, st.input)
            else:
                sh.write_blank(row, 1, None, st.input)
            sh.data_validation(row, 1, row, 1, {"validate": "integer", "criteria": "between", "minimum": 0,
                                                "maximum": 100000, "error_message": w["message_count"]})
        else:
            sh.write_string(row, 1, value or "", st.input_text)
        book.define(name, sh, row, 1, f"course details: {label.lower()}")
    row += 2
    book.text(sh, row, 0, w["protection_note"].strip(), st.note, 1)
    sh.write_string(row + 1, 0, w["version_note"].format(version=__version__, spec=book.tk.spec_hash[:12]), st.plain)
    printing.setup(sh, landscape=False, last_row=row + 1, last_col=len(WIDTHS) - 1, fit="page")
    book.protect(sh)


def _quoted(text: str) -> str:
    return text.replace('"', '""')
