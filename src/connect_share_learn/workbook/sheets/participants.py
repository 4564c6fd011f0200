"""The Participants sheet: who took part, counted from the first questionnaire, with the
attendance by agency as a chart beside the tables."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.workbook.layout import cell
from connect_share_learn.workbook.printing import Pager, chart_rows

CHART_SIZE = (460, 340)
# The question and its answers, the counts and %, a gap, and a column as wide as the chart beside them.
WIDTHS = [40, 10, 10, 2, (CHART_SIZE[0] - 5) / 7]
CHART = len(WIDTHS) - 1


def write(book, sh) -> dict[int, tuple[str, int]]:
    """Write the Participants sheet; return agency code → (its count's cell, true count)."""
    attendance: dict[int, tuple[str, int]] = {}
    st, tk, w = book.st, book.tk, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    row = book.heading(sh, w["participants_title"], w["participants_intro"], CHART)
    pager = Pager(sh, landscape=False, widths=WIDTHS)
    first = book.layouts[book.first]
    last = row
    for q in tk.profile.questions:
        rng = first.column_range(first.col(q.id))
        table = row
        book.text(sh, row, 0, book.t(q.text), st.head)
        for c, head in enumerate(w["headings"]["participants"], start=1):
            sh.write_string(row, c, head, st.head)
        top = row + 1
        answers = [stats.as_number(r.get(q.id)) for r in book.rows.get(book.first, [])]
        counts = []
        for o in q.options:
            row += 1
            bold = q.id == tk.profile.agency and o.code == tk.profile.gp_code
            book.text(sh, row, 0, book.t(o.label), st.strong if bold else st.text)
            counts.append(answers.count(o.code))
            book.formula(sh, row, 1, f"={stats.count_equal_formula(rng, o.code)}", st.calc_int, counts[-1])
            if q.id == tk.profile.agency:
                attendance[o.code] = (f"{book.at('participants')}{cell(row, 1)}", counts[-1])
        row += 1
        sh.write_string(row, 0, w["not_answered"], st.note)
        counts.append(book.named(f"{book.first}_entered") - sum(counts))
        book.formula(sh, row, 1, f'={book.first}_entered-SUM({cell(top, 1)}:{cell(row - 1, 1)})', st.calc_int,
                     counts[-1])
        for r, n in zip(range(top, row + 1), counts):
            book.formula(sh, r, 2, f'=IF(SUM({cell(top, 1)}:{cell(row, 1)})>0,100*{cell(r, 1)}/SUM({cell(top, 1)}:{cell(row, 1)}),"")',
                         st.calc, 100 * n / sum(counts) if sum(counts) else "")
        end = row + 1
        if q.id == tk.profile.agency:
            sh.insert_chart(table, CHART, _attendance_chart(book, top, row - 1))
            end = max(end, table + chart_rows(CHART_SIZE[1]))
        pager.keep(table, end)
        last = max(last, end - 1)
        row += 2
    pager.setup(last)
    book.protect(sh)
    return attendance


def _attendance_chart(book, top: int, bottom: int):
    """People per agency as bars labelled with their counts: no value axis, whose steps would
    read as fractions of a person."""
    chart = book.wb.add_chart({"type": "bar"})
    chart.add_series({"name": book.w["sheets"]["participants"], "categories": f"={book.at('participants')}{cell(top, 0)}:{cell(bottom, 0)}",
                      "values": f"={book.at('participants')}{cell(top, 1)}:{cell(bottom, 1)}", "fill": {"color": "#2E75B6"},
                      "data_labels": {"value": True, "num_format": "0"}})
    chart.set_title({"name": book.w["chart_attendance"], "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "visible": False, "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_size({"width": CHART_SIZE[0], "height": CHART_SIZE[1]})
    return chart
