"""The Research sheet: the research findings for the course type, and this course's effect
sizes beside the published ones the user types in."""

from __future__ import annotations

from connect_share_learn.workbook import charts
from connect_share_learn.workbook.book import cell
from connect_share_learn.workbook.layout import paired_scales
from connect_share_learn.workbook.sheets.results import ResultsCells


def write(book, sh, placed: ResultsCells) -> None:
    """Write the Research sheet, and point the effect-size charts' research column at it."""
    typed: dict[str, tuple[str, float | None]] = {}  # scale id -> (cell where d is typed, its value)
    st, tk, w = book.st, book.tk, book.w
    book.heading(sh, w["research_title"], w["research_intro"], 7, 60)
    sh.set_column(0, 0, 34)
    sh.set_column(1, 5, 12)
    sh.set_column(6, 6, 90)
    row = 4
    heads = w["headings"]["research"]
    for c, head in enumerate(heads):
        if head:
            sh.write_string(row, c, head, st.head)
    benches = tk.course_benchmarks(book.course)
    for b in benches:
        row += 1
        sh.write_string(row, 0, book.scale_title(tk.scales[b.scale]), st.text)
        sh.write_string(row, 1, (b.pair or "").replace("_", " → ") or "as published", st.plain)
        sh.write_string(row, 2, b.direction or (f"{b.statistic} = {b.value:g}" if b.value is not None else ""), st.plain)
        if b.n:
            sh.write_number(row, 3, b.n, st.plain)
        sh.write_string(row, 4, b.significance or "", st.plain)
        note = " ".join(filter(None, [book.t(b.note) if b.note else "", tk.citations.get(b.citation, b.citation).strip()]))
        sh.write_string(row, 6, note, st.text)
        sh.set_row(row, 75)
    if not benches:
        row += 1
        sh.write_string(row, 0, w["no_research"], st.note)
    row += 2
    if book.main_pair:
        a, b = book.main_pair
        for c, head in enumerate(w["headings"]["research_values"]):
            sh.write_string(row, c, head.format(a=a, b=b), st.head)
        sh.write_string(row, 2, w["research_value_label"], st.head)
        sh.set_row(row, 45)
        for scale in paired_scales(tk, book.course, a, b):
            row += 1
            sh.write_string(row, 0, book.scale_title(scale), st.plain)
            book.formula(sh, row, 1, f"=Results!{placed.pairs[(scale.id, a, b)]['d']}", st.calc2,
                         book.named(f"{scale.id}_{a}_{b}_d"))
            value = next((x.value for x in benches if x.scale == scale.id and x.statistic == "d" and x.value is not None), None)
            if value is not None:
                sh.write_number(row, 2, value, st.input_number)
            else:
                sh.write_blank(row, 2, None, st.input_number)
            sh.data_validation(row, 2, row, 2, {"validate": "decimal", "criteria": "between", "minimum": -10, "maximum": 10,
                                                "input_title": w["message_research_title"],
                                                "input_message": w["message_research"],
                                                "error_message": w["message_research_range"]})
            book.define(f"{scale.id}_research_d", sh, row, 2, f"{book.scale_title(scale)}: published effect size typed by the user")
            typed[scale.id] = (cell(row, 2), value)
        _patch_research_chart(book, placed, typed)
        charts.research_chart(book, sh, row + 2, placed)
    book.protect(sh)


def _patch_research_chart(book, placed, typed):
    """Point the effect-size charts' research column at the cells the user types in.

    Results (and its chart data) are written before Research, whose cells they read.
    """
    for scale_id, r in placed.effect_rows.items():
        if scale_id in typed:
            cell_ref, value = typed[scale_id]
            formula, cached = book.na(f"Research!{cell_ref}", value)
            book.chart_data.write_formula(r, 5, formula, None, cached)
