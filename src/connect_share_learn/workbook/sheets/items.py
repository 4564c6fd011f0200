"""The Items sheet: each question's average answer (or % correct) at each time point."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.spec.model import TIME_POINT_NAMES
from connect_share_learn.workbook.book import cell


def write(book, sh):
    st, tk, w = book.st, book.tk, book.w
    book.heading(sh, w["items_title"], w["items_intro"], 7, 32)
    sh.set_column(0, 0, 10)
    sh.set_column(1, 1, 110)
    tps = book.course.tp_ids
    row = 4
    heads = w["headings"]["items"] + list(tps)
    for c, head in enumerate(heads):
        sh.write_string(row, c, head, st.head)
    knowledge_rows = []
    summaries = {}  # (row, time point column) -> the true value shown
    for scale in tk.course_scales(book.course):
        if not scale.scored:
            continue
        fmt = tk.format_of(scale)
        row += 1
        sh.write_string(row, 0, book.scale_title(scale) + (" — % correct" if scale.knowledge else " — mean answer"), st.subtitle)
        for index, item in enumerate(scale.items):
            row += 1
            sh.write_string(row, 0, item.id, st.plain)
            sh.write_string(row, 1, book.t(item.text), st.plain)
            sh.write_string(row, 2, "yes" if item.reverse else "", st.plain)
            for k, tp in enumerate(tps):
                lay = book.layouts[tp]
                if item.id not in lay.inputs:
                    continue
                rng = lay.column_range(lay.col(item.id))
                summary = stats.item_summary(scale, fmt, index, [r.get(item.id) for r in book.rows.get(tp, [])])
                book.formula(sh, row, 3 + k, stats.item_summary_formula(scale, fmt, item, rng), st.calc, summary)
                summaries[(row, k)] = summary
            if scale.knowledge:
                knowledge_rows.append((row, item))
    sh.freeze_panes(5, 2)
    if knowledge_rows and len(tps) >= 2:
        first_k = [tp for tp in tps if any(i.id in book.layouts[tp].inputs for _, i in knowledge_rows)]
        chart = book.wb.add_chart({"type": "column"})
        for tp, colour in zip(first_k, ("#9DC3E6", "#2E75B6", "#1F4E79", "#0B2545")):
            k = tps.index(tp)
            rows = [[i.id, book.na(f"Items!{cell(r, 3 + k)}", summaries.get((r, k)))] for r, i in knowledge_rows]
            top, n = book.chart_block(rows, f"knowledge {tp}")
            chart.add_series({"name": f"{TIME_POINT_NAMES[tp]}", "categories": book.ref(top, 0, top + n - 1, 0),
                              "values": book.ref(top, 1, top + n - 1, 1), "fill": {"color": colour}})
        chart.set_title({"name": w["chart_knowledge"], "name_font": {"size": 11}})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"position": "bottom"})
        chart.show_na_as_empty_cell()
        chart.set_size({"width": 720, "height": 320})
        sh.insert_chart(4, 4 + len(tps), chart)
    book.protect(sh)
