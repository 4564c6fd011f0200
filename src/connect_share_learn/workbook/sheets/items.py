"""The Items sheet: each question's average answer (or % correct) at each time point, and the
knowledge questions' % correct as a chart below, labelled with their short wordings."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.workbook.layout import cell
from connect_share_learn.workbook.printing import Pager, chart_rows
from connect_share_learn.workbook.text_fit import longest_word_width

WORDING, REVERSED, FIRST_TP = 1, 2, 3


def write(book, sh):
    st, tk, w = book.st, book.tk, book.w
    tps = book.course.tp_ids
    # A time point's column keeps its heading's words whole ("Registration").
    widths = [9, 62, 9] + [max(9, longest_word_width(book.tp_name(tp), 11, bold=True)) for tp in tps]
    for c, width in enumerate(widths):
        sh.set_column(c, c, width)
    row = book.heading(sh, w["items_title"], w["items_intro"], len(widths) - 1)
    header = row
    pager = Pager(sh, landscape=False, widths=widths, repeat_rows=(header, header))
    for c, head in enumerate(w["headings"]["items"] + [book.tp_name(tp) for tp in tps]):
        book.text(sh, row, c, head, st.head)
    knowledge_rows = []
    summaries = {}  # (row, time point column) -> the true value shown
    for scale in tk.course_scales(book.course):
        if not scale.scored:
            continue
        fmt = tk.format_of(scale)
        row += 1
        shown = w["items_knowledge" if scale.knowledge else "items_mean"]
        sh.write_string(row, 0, shown.format(scale=book.scale_title(scale)), st.subtitle)
        for index, item in enumerate(scale.items):
            row += 1
            sh.write_string(row, 0, item.id, st.plain)
            book.text(sh, row, WORDING, book.both(item.text), st.text)
            sh.write_string(row, REVERSED, w["yes"] if item.reverse else "", st.plain)
            for k, tp in enumerate(tps):
                lay = book.layouts[tp]
                if item.id not in lay.inputs:
                    continue
                rng = lay.column_range(lay.col(item.id))
                summary = stats.item_summary(scale, fmt, index, [r.get(item.id) for r in book.rows.get(tp, [])])
                book.formula(sh, row, FIRST_TP + k, stats.item_summary_formula(scale, fmt, item, rng), st.calc, summary)
                summaries[(row, k)] = summary
            if scale.knowledge:
                knowledge_rows.append((row, item))
    sh.freeze_panes(header + 1, 2)
    last = row
    if knowledge_rows and len(tps) >= 2:
        row += 2
        chart, height = _knowledge_chart(book, tps, knowledge_rows, summaries)
        pager.keep(row, row + chart_rows(height))
        sh.insert_chart(row, 0, chart)
        last = row + chart_rows(height) - 1
    pager.setup(last)
    book.protect(sh)


def _knowledge_chart(book, tps, knowledge_rows, summaries):
    """% correct of each knowledge question at each time point it is asked, as bars labelled
    with the questions' short wordings; returns the chart and its height in pixels."""
    chart = book.wb.add_chart({"type": "bar"})
    asked = [tp for tp in tps if any(i.id in book.layouts[tp].inputs for _, i in knowledge_rows)]
    for tp, colour in zip(asked, ("#9DC3E6", "#2E75B6", "#1F4E79", "#0B2545")):
        k = tps.index(tp)
        rows = [[book.t(i.short) if i.short else i.id, book.na(f"{book.at('items')}{cell(r, FIRST_TP + k)}", summaries.get((r, k)))]
                for r, i in knowledge_rows]
        top, n = book.chart_block(rows, f"knowledge {tp}")
        chart.add_series({"name": book.tp_name(tp), "categories": book.ref(top, 0, top + n - 1, 0),
                          "values": book.ref(top, 1, top + n - 1, 1), "fill": {"color": colour}})
    chart.set_title({"name": book.w["chart_knowledge"], "name_font": {"size": 11}})
    chart.set_x_axis({"min": 0, "max": 100, "major_unit": 20})
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"size": 8}})
    chart.set_legend({"position": "bottom"})
    chart.show_na_as_empty_cell()
    height = 80 + len(knowledge_rows) * 7 * (len(asked) + 1)
    chart.set_size({"width": 640, "height": height})
    return chart, height
