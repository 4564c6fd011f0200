"""The Research sheet: the research findings for the course type, and this course's effect
sizes beside the published ones the user types in."""

from __future__ import annotations

from connect_share_learn.workbook import charts
from connect_share_learn.workbook.layout import cell, paired_scales
from connect_share_learn.workbook.printing import Pager, chart_rows
from connect_share_learn.workbook.sheets.results import ResultsCells

WIDTHS = [30, 13, 11, 7, 13, 52]
NOTE = len(WIDTHS) - 1
CHART_SIZE = (640, 300)


def write(book, sh, placed: ResultsCells) -> None:
    """Write the Research sheet, and point the effect-size charts' research column at it."""
    typed: dict[str, tuple[str, float | None]] = {}  # scale id -> (cell where d is typed, its value)
    st, tk, w = book.st, book.tk, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    row = book.heading(sh, w["research_title"], w["research_intro"], NOTE)
    pager = Pager(sh, landscape=False, widths=WIDTHS)
    for c, head in enumerate(w["headings"]["research"]):
        book.text(sh, row, c, head, st.head)
    benches = tk.course_benchmarks(book.course)
    for b in benches:
        row += 1
        book.text(sh, row, 0, book.scale_title(tk.scales[b.scale]), st.text)
        book.text(sh, row, 1, book.pair_name(*b.pair.split("_")) if b.pair else w["as_published"], st.text)
        book.text(sh, row, 2, w["directions"][b.direction] if b.direction else (f"{b.statistic} = {b.value:g}" if b.value is not None else ""), st.text)
        if b.n:
            sh.write_number(row, 3, b.n, st.plain)
        book.text(sh, row, 4, b.significance or "", st.text)
        note = " ".join(filter(None, [book.t(b.note) if b.note else "", tk.citations.get(b.citation, b.citation).strip()]))
        book.text(sh, row, NOTE, note, st.text)
    if not benches:
        row += 1
        book.text(sh, row, 0, w["no_research"], st.note, NOTE)
    row += 2
    if book.main_pair:
        a, b = book.main_pair
        first = row
        for c, head in enumerate(w["headings"]["research_values"]):
            book.text(sh, row, c, head.format(pair=book.pair_name(a, b)), st.head)
        book.text(sh, row, 2, w["research_value_label"], st.head, 3)
        for scale in paired_scales(tk, book.course, a, b):
            row += 1
            book.text(sh, row, 0, book.scale_title(scale), st.text)
            book.formula(sh, row, 1, f"={book.at('results')}{placed.pairs[(scale.id, a, b)]['d']}", st.calc2,
                         book.named(f"{scale.id}_{a}_{b}_d"))
            value = next((x.value for x in benches if x.scale == scale.id and x.statistic == "d" and x.value is not None), None)
            sh.merge_range(row, 2, row, 3, "", st.input_number)
            if value is not None:
                sh.write_number(row, 2, value, st.input_number)
            sh.data_validation(row, 2, row, 2, {"validate": "decimal", "criteria": "between", "minimum": -10, "maximum": 10,
                                                "input_title": w["message_research_title"],
                                                "input_message": w["message_research"],
                                                "error_message": w["message_research_range"]})
            book.define(f"{scale.id}_research_d", sh, row, 2, f"{book.scale_title(scale)}: published effect size typed by the user")
            typed[scale.id] = (cell(row, 2), value)
        _patch_research_chart(book, placed, typed)
        row += 2
        pager.keep(first, row + chart_rows(CHART_SIZE[1]))
        charts.research_chart(book, sh, row, placed, CHART_SIZE)
        row += chart_rows(CHART_SIZE[1]) - 1
    pager.setup(row)
    book.protect(sh)


def _patch_research_chart(book, placed, typed):
    """Point the effect-size charts' research column at the cells the user types in.

    Results (and its chart data) are written before Research, whose cells they read.
    """
    for scale_id, r in placed.effect_rows.items():
        if scale_id in typed:
            cell_ref, value = typed[scale_id]
            formula, cached = book.na(f"{book.at('research')}{cell_ref}", value)
            book.chart_data.write_formula(r, 5, formula, None, cached)
