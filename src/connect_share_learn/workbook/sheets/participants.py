"""The Participants sheet: who took part, counted from the first questionnaire."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.workbook.book import cell


def write(book, sh) -> dict[int, tuple[str, int]]:
    """Write the Participants sheet; return agency code → (its count's cell, true count)."""
    attendance: dict[int, tuple[str, int]] = {}
    st, tk, w = book.st, book.tk, book.w
    book.banner(sh)
    sh.write_string(1, 0, w["participants_title"], st.title)
    sh.write_string(2, 0, w["participants_intro"], st.note)
    sh.set_column(0, 0, 38)
    sh.set_column(1, 2, 10)
    first = book.layouts[book.first]
    row = 4
    for q in tk.profile.questions:
        rng = first.column_range(first.col(q.id))
        sh.write_string(row, 0, book.t(q.text), st.head)
        for c, head in enumerate(w["headings"]["participants"], start=1):
            sh.write_string(row, c, head, st.head)
        top = row + 1
        answers = [stats.as_number(r.get(q.id)) for r in book.rows.get(book.first, [])]
        counts = []
        for o in q.options:
            row += 1
            bold = q.id == tk.profile.agency and o.code == tk.profile.gp_code
            sh.write_string(row, 0, book.t(o.label), st.subtitle if bold else st.plain)
            counts.append(answers.count(o.code))
            book.formula(sh, row, 1, f"={stats.count_equal_formula(rng, o.code)}", st.calc_int, counts[-1])
            if q.id == tk.profile.agency:
                attendance[o.code] = (f"Participants!{cell(row, 1)}", counts[-1])
        row += 1
        sh.write_string(row, 0, w["not_answered"], st.note)
        counts.append(book.named(f"{book.first}_entered") - sum(counts))
        book.formula(sh, row, 1, f'={book.first}_entered-SUM({cell(top, 1)}:{cell(row - 1, 1)})', st.calc_int,
                     counts[-1])
        for r, n in zip(range(top, row + 1), counts):
            book.formula(sh, r, 2, f'=IF(SUM({cell(top, 1)}:{cell(row, 1)})>0,100*{cell(r, 1)}/SUM({cell(top, 1)}:{cell(row, 1)}),"")',
                         st.calc, 100 * n / sum(counts) if sum(counts) else "")
        if q.id == tk.profile.agency:
            chart = book.wb.add_chart({"type": "bar"})
            chart.add_series({"name": "Participants", "categories": f"=Participants!{cell(top, 0)}:{cell(row - 1, 0)}",
                              "values": f"=Participants!{cell(top, 1)}:{cell(row - 1, 1)}", "fill": {"color": "#2E75B6"},
                              "data_labels": {"value": True}})
            chart.set_title({"name": w["chart_attendance"], "name_font": {"size": 11}})
            chart.set_legend({"none": True})
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 520, "height": 340})
            sh.insert_chart(4, 4, chart)
        row += 2
    book.protect(sh)
    return attendance
