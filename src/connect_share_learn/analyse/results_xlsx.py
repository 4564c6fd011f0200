"""results.xlsx: the pooled tables, one sheet each, with native Excel charts.

The charts' series point at cells of a "Chart data" sheet, so a reader can see and copy the
numbers. Hidden cells (:data:`tables.SUPPRESSED`) are written as text in the tables and left
empty in the chart data, so a chart shows a gap, never a made-up zero.

Each course's own rows stay in the tables (not in a CSV beside them): one file holds every
result under the same suppression, filterable by group. Rows go to XlsxWriter a row at a time
through FastWorksheet, so 1,000 courses cost about a second (bench/README.md).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from connect_share_learn import __version__
from connect_share_learn.analyse import tables
from connect_share_learn.analyse.analysis import Analysis
from connect_share_learn.analyse.report import EFFECT_BANDS, GroupNames, scale_range, wording
from connect_share_learn.spec.model import TIME_POINTS, text
from connect_share_learn.wording import load as load_wording
from connect_share_learn.workbook.fastsheet import FastWorksheet

NUMBER_FORMATS = {"p": "0.000", "pct_improved": "0", "response_rate": "0", "df": "0", "n": "0", "n_pairs": "0"}


def write_results(analysis: Analysis, path: Path) -> None:
    toolkit = analysis.toolkit
    lang = toolkit.settings.language
    words = wording(lang)
    tp_names = load_wording("common", lang)["time_points"]
    scale_title = {sid: text(s.title, lang) for sid, s in toolkit.scales.items()}
    results = analysis.results
    published = analysis.published
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.worksheet_class = FastWorksheet  # the same bytes, written faster
    wb.set_properties({"title": words["read_me"]["title"], "created": None})
    named = GroupNames(words)
    bold = wb.add_format({"bold": True, "bg_color": "#F0F4F8", "bottom": 1, "text_wrap": True, "valign": "top"})
    formats = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
    two = wb.add_format({"num_format": "0.00"})
    right = wb.add_format({"align": "right"})

    def shown(column: str, value):
        if column == "scale":
            return scale_title.get(value, value)
        if column in ("time_point", "baseline", "later"):
            return tp_names.get(value, value)
        if column == "pair":
            return words["pairs"].get(value, value)
        if column == "group_kind":
            return words["group_kinds"].get(value, value)
        if column == "group":
            return named.label(value)
        if column == "flag":
            return words["flags"].get(value, value)
        return value

    def table(sheet_key: str, rows: list[dict], columns: list[str]) -> None:
        ws = wb.add_worksheet(words["sheets"][sheet_key])
        for c, col in enumerate(columns):
            ws.write_string(0, c, words["columns"][col], bold)
            ws.set_column(c, c, 28 if col in ("group", "scale", "group_kind", "pair") else 12)
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, col in enumerate(columns):
                v = shown(col, row[col])
                if v is None:
                    continue
                if isinstance(v, bool):
                    cells.append((c, words["yes"] if v else words["no"], None))
                elif isinstance(v, (int, float)):
                    cells.append((c, v, formats.get(col, two if isinstance(v, float) else None)))
                else:
                    cells.append((c, str(v), right if v == tables.SUPPRESSED else None))
            ws.write_cells(r, cells)
        ws.freeze_panes(1, 0)
        ws.set_row(0, 30)
        if rows:
            ws.autofilter(0, 0, len(rows), len(columns) - 1)

    # -- Read me ---------------------------------------------------------------------------
    notes = wb.add_worksheet(words["sheets"]["notes"])
    acc = analysis.accounting
    said = words["read_me"]
    lines = [
        (said["title"], None),
        (said["analysed_on"], analysis.analysed_on.isoformat()), (said["version"], __version__),
        (said["files_found"], acc.files_found), (said["files_read"], acc.files_read),
        (said["files_refused"], acc.files_refused),
        (said["rows_typed"], acc.rows_typed), (said["rows_used"], acc.rows_used),
        (said["rows_left_out"], acc.rows_left_out),
        (words["hidden"]["label"], tables.SUPPRESSED),
        (words["hidden"]["why"].format(min_cell=tables.MIN_CELL), None),
        (words["courses_note"], None),
        (said["problems"], "quality.csv"),
    ]
    notes.set_column(0, 0, 42)
    notes.set_column(1, 1, 40)
    for r, (label, value) in enumerate(lines):
        notes.write_string(r, 0, label, bold if r == 0 else None)
        if isinstance(value, (int, float)):
            notes.write_number(r, 1, value)
        elif value is not None:
            notes.write_string(r, 1, value)

    charts_sheet = wb.add_worksheet(words["sheets"]["charts"])
    table("changes", tables.change_rows(results, published), tables.CHANGE_COLUMNS)
    table("time_points", tables.time_point_rows(results, published), tables.TIME_POINT_COLUMNS)
    table("contrasts", tables.contrast_rows(results, published), tables.CONTRAST_COLUMNS)
    table("responses", tables.response_rows(results, published), tables.RESPONSE_COLUMNS)
    table("matched", tables.matched_rows(results, published), tables.MATCHED_COLUMNS)
    table("baseline", tables.baseline_rows(analysis.baseline, published), tables.BASELINE_COLUMNS)
    table("item_totals", tables.item_total_rows(analysis.item_totals), tables.ITEM_TOTAL_COLUMNS)
    # The courses read: one row per returned workbook.
    ws = wb.add_worksheet(words["sheets"]["courses"])
    heads = ["file", "course", "course_type", "partnership", "year", "attended"] + [f"responses_{tp}" for tp in TIME_POINTS]
    for c, head in enumerate(heads):
        ws.write_string(0, c, words["columns"].get(head, head), bold)
    ws.set_column(0, 1, 40)
    ws.set_column(2, 3, 30)
    r = 0
    for g in results:
        if g.kind != "course":
            continue
        book = analysis.data.books[int(g.key)]
        d = book.details
        r += 1
        values = [book.file, named.label(g.label), text(toolkit.courses[book.course].title, lang), d.partnership or "",
                  d.year or "", g.attended] + [tables.responses_shown(g, tp, published) for tp in TIME_POINTS]
        ws.write_cells(r, [(c, v, None) for c, v in enumerate(values) if isinstance(v, (int, float)) or v])
    ws.freeze_panes(1, 0)
    if r:
        ws.autofilter(0, 0, r, len(heads) - 1)

    cat = load_wording("quality", lang)["rules"]
    counts: dict[str, int] = {}
    for p in analysis.problems:
        counts[p.rule] = counts.get(p.rule, 0) + 1
    quality_rows = [dict(rule=r, problem=cat[r]["problem"].format(detail="…").replace("….", "…"), action=cat[r]["action"], count=n)
                    for r, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    ws = wb.add_worksheet(words["sheets"]["quality"])
    for c, head in enumerate(["rule", "problem", "action", "count"]):
        ws.write_string(0, c, words["columns"].get(head, head), bold)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 2, 60)
    for r, row in enumerate(quality_rows, start=1):
        ws.write_string(r, 0, row["rule"])
        ws.write_string(r, 1, row["problem"])
        ws.write_string(r, 2, row["action"])
        ws.write_number(r, 3, row["count"])

    _charts(wb, charts_sheet, analysis, words, scale_title, bold, named)
    wb.close()


def _charts(wb, sheet, analysis: Analysis, words: dict, scale_title: dict, bold, named: GroupNames) -> None:
    """The chart-data sheet and the charts drawn from it, on a sheet of their own."""
    tp_names = load_wording("common", analysis.toolkit.settings.language)["time_points"]
    data = wb.add_worksheet(words["sheets"]["chart_data"])
    data_name = "'" + words["sheets"]["chart_data"].replace("'", "''") + "'"
    row = 0
    place = 1
    all_group = next((g for g in analysis.results if g.kind == "all"), None)
    if all_group is not None:
        for sid in dict.fromkeys(s.scale for s in all_group.time_points):
            points = {s.tp: s for s in all_group.time_points if s.scale == sid}
            tps = [tp for tp in TIME_POINTS if tp in points]
            data.write_string(row, 0, scale_title[sid], bold)
            for c, head in enumerate(words["chart_data"]):
                data.write_string(row + 1, c, head, bold)
            for i, tp in enumerate(tps):
                s = points[tp]
                r = row + 2 + i
                data.write_string(r, 0, tp_names[tp])
                hidden = analysis.published.hides(all_group, "tp", sid, tp)
                if hidden or s.stats.mean is None:
                    data.write_string(r, 4, tables.SUPPRESSED if hidden else "0")
                    continue
                data.write_number(r, 1, s.stats.mean)
                if s.ci_low is not None:
                    data.write_number(r, 2, s.stats.mean - s.ci_low)
                    data.write_number(r, 3, s.ci_high - s.stats.mean)
                data.write_number(r, 4, s.stats.n)
            first, last = row + 2, row + 1 + len(tps)
            chart = wb.add_chart({"type": "line"})
            chart.add_series({
                "name": scale_title[sid],
                "categories": f"={data_name}!{_abs(first, 0)}:{_abs(last, 0)}",
                "values": f"={data_name}!{_abs(first, 1)}:{_abs(last, 1)}",
                "marker": {"type": "circle", "size": 7},
                "y_error_bars": {"type": "custom", "plus_values": f"={data_name}!{_abs(first, 3)}:{_abs(last, 3)}",
                                 "minus_values": f"={data_name}!{_abs(first, 2)}:{_abs(last, 2)}"},
            })
            lo, hi = scale_range(analysis.toolkit, sid)
            chart.set_title({"name": f"{scale_title[sid]}: {words['charts']['means_all']}", "name_font": {"size": 11}})
            chart.set_y_axis({"min": lo, "max": hi})
            chart.set_legend({"none": True})
            chart.show_blanks_as("gap")
            sheet.insert_chart(place, 1, chart, {"x_scale": 1.2, "y_scale": 1.0})
            place += 16
            row = last + 2
    # Effect size d, start to end, by course type, with the conventional bands as text.
    bars = [r for r in tables.change_rows([g for g in analysis.results if g.kind == "course_type"], analysis.published)
            if r["pair"] == "t1_t2"]
    if bars:
        data.write_string(row, 0, words["charts"]["effect_sizes"], bold)
        data.write_string(row + 1, 0, words["charts"]["course_and_scale"], bold)
        data.write_string(row + 1, 1, "d", bold)
        for i, r in enumerate(bars):
            data.write_string(row + 2 + i, 0, f"{r['group']}: {scale_title[r['scale']]}")
            if isinstance(r["d"], float):
                data.write_number(row + 2 + i, 1, r["d"])
        first, last = row + 2, row + 1 + len(bars)
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": "d", "categories": f"={data_name}!{_abs(first, 0)}:{_abs(last, 0)}",
                          "values": f"={data_name}!{_abs(first, 1)}:{_abs(last, 1)}", "fill": {"color": "#0072B2"},
                          "data_labels": {"value": True, "num_format": "0.00"}})
        bands = ", ".join(words["charts"][k] for _, k in EFFECT_BANDS)
        chart.set_title({"name": words["charts"]["effect_sizes"], "name_font": {"size": 11}})
        chart.set_x_axis({"name": f"d — {bands}", "major_unit": 0.2, "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 820, "height": 80 + 36 * len(bars)})
        sheet.insert_chart(place, 1, chart)
        place += max(16, 6 + 2 * len(bars))
        row = last + 2
    # Questionnaires at the first time point, by agency.
    agencies = tables.agency_rows(analysis.results, analysis.published)
    if agencies:
        data.write_string(row, 0, words["charts"]["attendance"], bold)
        for i, (label, n) in enumerate(agencies):
            data.write_string(row + 1 + i, 0, named.label(label))
            if isinstance(n, int):
                data.write_number(row + 1 + i, 1, n)
            else:
                data.write_string(row + 1 + i, 2, n)
        first, last = row + 1, row + len(agencies)
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": words["columns"]["responses"],
                          "categories": f"={data_name}!{_abs(first, 0)}:{_abs(last, 0)}",
                          "values": f"={data_name}!{_abs(first, 1)}:{_abs(last, 1)}", "fill": {"color": "#009E73"},
                          "data_labels": {"value": True}})
        chart.set_title({"name": words["charts"]["attendance"], "name_font": {"size": 11}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": 60 + 26 * len(agencies)})
        sheet.insert_chart(place, 1, chart)
    data.set_column(0, 0, 44)


def _abs(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
