"""The "Start here" sheet: how to enter data, the colour legend and the course details."""

from __future__ import annotations

import datetime as dt

from connect_share_learn import __version__


def write(book, sh):
    st, w = book.st, book.w
    sh.set_column(0, 0, 34)
    sh.set_column(1, 1, 95)
    sh.hide_gridlines(2)
    book.banner(sh)
    sh.write_string(1, 0, w["start_title"].format(course=book.t(book.course.title)), st.title)
    sh.write_string(2, 0, book.t(book.tk.settings.partnership), st.subtitle)
    sh.merge_range(3, 0, 3, 1, w["start_intro"].strip(), st.text)
    sh.set_row(3, 36)
    book.self_check_warning(sh, 4, 1)
    sh.write_string(5, 0, w["steps_title"], st.subtitle)
    sheet_list = ", ".join(lay.sheet for lay in book.layouts.values())
    row = 6
    for i, step in enumerate(w["steps"], start=1):
        sh.write_string(row, 0, f"{i}.", st.plain)
        sh.write_string(row, 1, step.format(sheets=sheet_list), st.text)
        sh.set_row(row, 32)
        row += 1
    row += 1
    sh.write_string(row, 0, w["legend_title"], st.subtitle)
    for label, fmt in ((w["legend_input"], st.legend_input), (w["legend_calc"], st.legend_calc),
                       (w["legend_problem"], st.legend_problem)):
        row += 1
        sh.write_string(row, 0, "", fmt)
        sh.write_string(row, 1, label, st.plain)
    row += 2
    sh.write_string(row, 0, w["details_title"], st.subtitle)
    details = book.example or {}
    for name, label in w["details"].items():
        row += 1
        sh.write_string(row, 0, label, st.plain)
        value = details.get(name)
        if name == "course_partnership" and value is None:
            value = book.t(book.tk.settings.partnership)
        if name == "course_title" and value is None:
            value = book.t(book.course.title)
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
    sh.merge_range(row, 0, row, 1, w["protection_note"].strip(), st.note)
    sh.set_row(row, 32)
    sh.write_string(row + 1, 0, w["version_note"].format(version=__version__, spec=book.tk.spec_hash[:12]), st.plain)
    book.protect(sh)
