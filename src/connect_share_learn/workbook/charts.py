"""The workbook's native charts, fed from the hidden Workings sheet so they change as data is
typed in, and drawn so that no missing value shows as a false zero (docs/formulas.md, "Charts")."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.workbook.layout import WORKINGS, cell, paired_scales
from connect_share_learn.workbook.printing import chart_rows

# Data labels that show nothing for 0: LibreOffice draws a missing value (NA()) as 0.
HIDE_ZERO_2DP = "0.00;-0.00;;"
HIDE_ZERO_0DP = "0;-0;;"


def means_chart(book, scale, placed, size: tuple[int, int] | None = None):
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
        rows.append([book.tp_name(tp, code=False), x, book.na(f"{book.at('results')}{c['mean']}", book.named(f"{scale.id}_{tp}_mean")),
                     book.na(f"{book.at('results')}{c['ci_half']}", book.named(f"{scale.id}_{tp}_ci_half"))])
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
    width, height = size or MEANS_SIZE
    chart.set_size({"width": width, "height": height})
    return chart


def effect_feed(book, placed) -> None:
    """The main comparison's effect sizes, band lines, research values and % improved on the
    Workings sheet, one row per scale (``placed.effect_rows``), for the charts that show them."""
    a, b = book.main_pair
    scales = paired_scales(book.tk, book.course, a, b)
    rows = []
    for s in scales:
        c = placed.pairs[(s.id, a, b)]
        rows.append([book.scale_title(s), book.na(f"{book.at('results')}{c['d']}", book.named(f"{s.id}_{a}_{b}_d")),
                     *stats.EFFECT_BANDS.values(),
                     ("=NA()", "#N/A"),  # the research column: see research._patch_research_chart
                     book.na(f"{book.at('results')}{c['pct_improved']}", book.named(f"{s.id}_{a}_{b}_pct_improved"))])
    top, _n = book.chart_block(rows, "effect sizes")
    placed.effect_rows = {s.id: top + k for k, s in enumerate(scales)}


def effect_chart(book, placed, size: tuple[int, int], research: bool = True):
    """Each scale's d for the main comparison as columns, with the conventional bands as
    dashed lines (and the published d typed on the Research sheet, if ``research``).

    Columns and constant lines only: a missing d is NA(), a gap in Excel and a column of no
    height in LibreOffice, whose label the format leaves empty."""
    a, b = book.main_pair
    top, bottom = min(placed.effect_rows.values()), max(placed.effect_rows.values())
    categories = book.ref(top, 0, bottom, 0)
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": book.w["chart_d_series"].format(pair=book.pair_name(a, b)), "categories": categories,
                      "values": book.ref(top, 1, bottom, 1), "fill": {"color": "#2E75B6"},
                      "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
    if research:
        chart.add_series({"name": book.w["chart_research_series"], "categories": categories,
                          "values": book.ref(top, 5, bottom, 5), "fill": {"color": "#C00000"},
                          "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
    line = book.wb.add_chart({"type": "line"})
    colours = ("#A6A6A6", "#7F7F7F", "#404040")
    for k, ((band, value), colour) in enumerate(zip(stats.EFFECT_BANDS.items(), colours)):
        line.add_series({"name": book.w["chart_bands"][band].format(value=f"{value:g}"), "categories": categories,
                         "values": book.ref(top, 2 + k, bottom, 2 + k),
                         "line": {"color": colour, "dash_type": "dash", "width": 1.25}, "marker": {"type": "none"}})
    chart.combine(line)
    chart.set_title({"name": book.w["chart_effect"].format(pair=book.pair_name(a, b)), "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.set_x_axis({"num_font": {"rotation": 0, "size": 8}, "label_position": "low"})
    chart.set_y_axis({"num_format": "0.0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": size[0], "height": size[1]})
    return chart


def improved_chart(book, placed, size: tuple[int, int]):
    """The % of matched participants whose score rose, per scale, for the main comparison."""
    a, b = book.main_pair
    top, bottom = min(placed.effect_rows.values()), max(placed.effect_rows.values())
    chart = book.wb.add_chart({"type": "bar"})
    chart.add_series({"name": book.w["chart_improved_series"], "categories": book.ref(top, 0, bottom, 0),
                      "values": book.ref(top, 6, bottom, 6), "fill": {"color": "#548235"},
                      "data_labels": {"value": True, "num_format": HIDE_ZERO_0DP}})
    chart.set_title({"name": book.w["chart_improved"].format(pair=book.pair_name(a, b)), "name_font": {"size": 11}})
    chart.set_x_axis({"min": 0, "max": 100, "major_unit": 20})
    chart.set_y_axis({"num_font": {"size": 8}, "reverse": True, "crossing": "max"})
    chart.set_legend({"none": True})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": size[0], "height": size[1]})
    return chart


MEANS_SIZE = (430, 270)
MEANS_PER_ROW = 3
GAP_PX = 10


def results_charts(book, sh, row: int, placed, pager, width_px: float) -> int:
    """The Results charts from ``row`` down, on new pages and within the tables' width
    ``width_px``: the means, three to a row, then the effect sizes beside the % improved; no
    chart is cut by a page break. Returns the last row they take."""
    pager.new_page(row)
    scored = [s for s in book.tk.course_scales(book.course) if s.scored]
    means = (int((width_px - GAP_PX * (MEANS_PER_ROW - 1)) / MEANS_PER_ROW), 200)
    tall = chart_rows(means[1])
    for k in range(0, len(scored), MEANS_PER_ROW):
        pager.keep(row, row + tall)
        for i, scale in enumerate(scored[k:k + MEANS_PER_ROW]):
            sh.insert_chart(row, 0, means_chart(book, scale, placed, means), {"x_offset": i * (means[0] + GAP_PX)})
        row += tall
    if book.main_pair:
        effect_feed(book, placed)
    if placed.effect_rows:  # some scale is asked at both ends of the main comparison
        effect = (int(width_px * 0.56), 280)
        improved = (int(width_px - effect[0] - GAP_PX), 280)
        tall = chart_rows(effect[1])
        pager.keep(row, row + tall)
        sh.insert_chart(row, 0, effect_chart(book, placed, effect))
        sh.insert_chart(row, 0, improved_chart(book, placed, improved), {"x_offset": effect[0] + GAP_PX})
        row += tall
    return row - 1


def research_chart(book, sh, row, placed, size: tuple[int, int]):
    """This course's effect sizes beside the published ones the user typed in."""
    a, b = book.main_pair
    rows = placed.effect_rows
    if not rows:
        return
    top, bottom = min(rows.values()), max(rows.values())
    chart = book.wb.add_chart({"type": "column"})
    for col, name, colour in ((1, book.w["chart_this_course"].format(pair=book.pair_name(a, b)), "#2E75B6"),
                              (5, book.w["chart_published"], "#C00000")):
        chart.add_series({"name": name, "categories": book.ref(top, 0, bottom, 0),
                          "values": book.ref(top, col, bottom, col), "fill": {"color": colour},
                          "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
    chart.set_title({"name": book.w["research_chart_title"], "name_font": {"size": 11}})
    chart.set_x_axis({"num_font": {"rotation": 0, "size": 9}, "label_position": "low"})
    chart.set_legend({"position": "bottom"})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": size[0], "height": size[1]})
    sh.insert_chart(row, 0, chart)
