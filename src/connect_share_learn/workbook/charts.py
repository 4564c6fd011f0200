"""The workbook's native charts, fed from the hidden Workings sheet so they change as data is
typed in, and drawn so that no missing value shows as a false zero (docs/formulas.md, "Charts")."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.spec.model import TIME_POINT_NAMES, TIME_POINT_SHORT
from connect_share_learn.workbook.book import WORKINGS, cell
from connect_share_learn.workbook.layout import paired_scales

# Data labels that show nothing for 0: LibreOffice draws a missing value (NA()) as 0.
HIDE_ZERO_2DP = "0.00;-0.00;;"
HIDE_ZERO_0DP = "0;-0;;"


def means_chart(book, scale, placed):
    """A scale's mean at each time point, with its 95% CI, as an XY chart.

    A missing mean is NA(): Excel leaves a gap for it in any chart, but LibreOffice draws
    NA() (and "") as zero in a line chart and skips it only in an XY chart. So the
    time points sit at x = 1, 2, … : one series draws the line through the means, and one
    series per time point draws its marker, its CI and a label with its name.
    """
    tps = book.tk.time_points_of(book.course, scale)
    rows = []
    for x, tp in enumerate(tps, start=1):
        c = placed.time_points[(scale.id, tp)]
        rows.append([TIME_POINT_NAMES[tp], x, book.na(f"Results!{c['mean']}", book.named(f"{scale.id}_{tp}_mean")),
                     book.na(f"Results!{c['ci_half']}", book.named(f"{scale.id}_{tp}_ci_half"))])
    top, n = book.chart_block(rows, f"{scale.id} means")
    chart = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    colour = "#2E75B6"
    chart.add_series({"name": book.scale_title(scale), "categories": book.ref(top, 1, top + n - 1, 1),
                      "values": book.ref(top, 2, top + n - 1, 2), "line": {"color": colour, "width": 2},
                      "marker": {"type": "none"}})
    for r in range(top, top + n):
        ci = book.ref(r, 3, r, 3)
        chart.add_series({
            "name": f"='{WORKINGS}'!{cell(r, 0)}", "categories": book.ref(r, 1, r, 1), "values": book.ref(r, 2, r, 2),
            "line": {"none": True},
            "marker": {"type": "circle", "size": 7, "fill": {"color": colour}, "border": {"color": colour}},
            "y_error_bars": {"type": "custom", "plus_values": ci, "minus_values": ci},
            "data_labels": {"series_name": True, "value": True, "separator": "\n", "num_format": "0.0",
                            "position": "right", "font": {"size": 8}},
        })
    fmt = book.tk.format_of(scale)
    k = len(scale.items) if scale.scoring == "sum" else 1
    lo, hi = (0, 100) if scale.knowledge else (k * fmt.min, k * fmt.max)
    chart.set_title({"name": book.w["chart_means"].format(scale=book.scale_title(scale)), "name_font": {"size": 11}})
    chart.set_y_axis({"min": lo, "max": hi, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    # The x axis only places the time points; their names are on the points.
    chart.set_x_axis({"min": 0.5, "max": n + 0.5, "num_format": ";;;", "major_tick_mark": "none",
                      "minor_tick_mark": "none", "major_gridlines": {"visible": False}})
    chart.set_legend({"none": True})
    chart.show_blanks_as("span")
    chart.show_na_as_empty_cell()
    chart.set_size({"width": 460, "height": 280})
    return chart


def results_charts(book, sh, row, placed):
    tk = book.tk
    anchor_col = 0
    chart_row = row
    # Mean at each time point with 95% CI, one chart per scale: see means_chart.
    for scale in [s for s in tk.course_scales(book.course) if s.scored]:
        sh.insert_chart(chart_row, anchor_col, means_chart(book, scale, placed))
        anchor_col = 4 if anchor_col == 0 else 0
        if anchor_col == 0:
            chart_row += 15
    if anchor_col == 4:
        chart_row += 15
    if book.main_pair:
        a, b = book.main_pair
        scales = [s for s in paired_scales(tk, book.course, a, b)]
        rows = []
        for s in scales:
            c = placed.pairs[(s.id, a, b)]
            rows.append([book.scale_title(s), book.na(f"Results!{c['d']}", book.named(f"{s.id}_{a}_{b}_d")),
                         *stats.EFFECT_BANDS.values(),
                         ("=NA()", "#N/A"),  # the research column: see _patch_research_chart
                         book.na(f"Results!{c['pct_improved']}", book.named(f"{s.id}_{a}_{b}_pct_improved"))])
        top, n = book.chart_block(rows, "effect sizes")
        placed.effect_rows = {s.id: top + k for k, s in enumerate(scales)}
        # Columns and constant lines only: a missing d is NA(), a gap in Excel and a column
        # of no height in LibreOffice, whose label the format leaves empty.
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({"name": f"d, {a} → {b}", "categories": book.ref(top, 0, top + n - 1, 0),
                          "values": book.ref(top, 1, top + n - 1, 1), "fill": {"color": "#2E75B6"},
                          "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
        chart.add_series({"name": book.w["chart_research_series"], "categories": book.ref(top, 0, top + n - 1, 0),
                          "values": book.ref(top, 5, top + n - 1, 5), "fill": {"color": "#C00000"},
                          "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
        line = book.wb.add_chart({"type": "line"})
        colours = ("#A6A6A6", "#7F7F7F", "#404040")
        for k, ((band, value), colour) in enumerate(zip(stats.EFFECT_BANDS.items(), colours)):
            label = f"{band} ({value:g})"
            line.add_series({"name": label, "categories": book.ref(top, 0, top + n - 1, 0),
                             "values": book.ref(top, 2 + k, top + n - 1, 2 + k),
                             "line": {"color": colour, "dash_type": "dash", "width": 1.25}, "marker": {"type": "none"}})
        chart.combine(line)
        chart.set_title({"name": book.w["chart_effect"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]),
                         "name_font": {"size": 11}})
        chart.set_legend({"position": "bottom"})
        chart.set_x_axis({"num_font": {"rotation": 0, "size": 9}, "label_position": "low"})
        chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.show_na_as_empty_cell()
        chart.set_size({"width": 760, "height": 360})
        sh.insert_chart(chart_row, 0, chart)
        pct = book.wb.add_chart({"type": "bar"})
        pct.add_series({"name": "% improved", "categories": book.ref(top, 0, top + n - 1, 0),
                        "values": book.ref(top, 6, top + n - 1, 6), "fill": {"color": "#548235"},
                        "data_labels": {"value": True, "num_format": HIDE_ZERO_0DP}})
        pct.set_title({"name": book.w["chart_improved"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]),
                       "name_font": {"size": 11}})
        pct.set_x_axis({"min": 0, "max": 100})
        pct.set_legend({"none": True})
        pct.show_na_as_empty_cell()
        pct.set_size({"width": 460, "height": 320})
        sh.insert_chart(chart_row + 19, 0, pct)


def research_chart(book, sh, row, placed):
    """This course's effect sizes beside the published ones the user typed in."""
    a, b = book.main_pair
    rows = placed.effect_rows
    if not rows:
        return
    top, bottom = min(rows.values()), max(rows.values())
    chart = book.wb.add_chart({"type": "column"})
    for col, name, colour in ((1, book.w["chart_this_course"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]), "#2E75B6"),
                              (5, book.w["chart_published"], "#C00000")):
        chart.add_series({"name": name, "categories": book.ref(top, 0, bottom, 0),
                          "values": book.ref(top, col, bottom, col), "fill": {"color": colour},
                          "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
    chart.set_title({"name": book.w["research_chart_title"], "name_font": {"size": 11}})
    chart.set_x_axis({"num_font": {"rotation": 0, "size": 9}, "label_position": "low"})
    chart.set_legend({"position": "bottom"})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": 720, "height": 340})
    sh.insert_chart(row, 0, chart)
