"""The Summary sheet: the course's results on one printed A4 page, to show a training sub-group.

The course details as typed, the questionnaires entered and matched at each time point, the
main comparison's result per scale (the matched participants' means, the change with its 95%
CI, d, % improved, p and the reading), and two charts: the effect sizes and the % improved.
Every figure is a formula on the Results sheet's names, stored with its true value, and named
``summary_…`` so that other documents (the results-summary letter) can take it from here.
"""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_col_to_name

from connect_share_learn import stats
from connect_share_learn.number_style import fixed
from connect_share_learn.results import scores_by_code
from connect_share_learn.workbook import charts, printing
from connect_share_learn.workbook.layout import paired_scales
from connect_share_learn.workbook.readings import fixed_formula, reading
from connect_share_learn.workbook.sheets.results import ResultsCells, longest_reading

WIDTHS = (26, 9, 9, 9, 14, 8, 10, 8, 7)
LAST = len(WIDTHS) - 1
CHART_SIZE = (362, 250)


def write(book, sh, placed: ResultsCells) -> None:
    st, w = book.st, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    sh.hide_gridlines(2)
    row = book.heading(sh, w["summary_title"], w["summary_intro"], LAST)
    book.self_check_warning(sh, row - 1, LAST)
    _details(book, sh, row)
    row = _counts(book, sh, row + 4)
    if book.main_pair and placed.effect_rows:
        row = _main_result(book, sh, row + 1, placed)
        sh.insert_chart(row, 0, charts.effect_chart(book, placed, CHART_SIZE, research=False))
        sh.insert_chart(row, 0, charts.improved_chart(book, placed, CHART_SIZE), {"x_offset": CHART_SIZE[0] + 10})
        row += printing.chart_rows(CHART_SIZE[1]) - 1
    else:
        row += 1
        book.text(sh, row, 0, w["summary_none"], st.note, LAST)
    printing.setup(sh, landscape=False, last_row=row, last_col=LAST, fit="page")
    book.protect(sh)


def _named(book, sh, row: int, col: int, name: str, formula: str, fmt, value, meaning: str) -> None:
    book.formula(sh, row, col, formula, fmt, "" if value is None else value)
    book.define(name, sh, row, col, f"summary: {meaning}")


def _details(book, sh, row: int) -> None:
    """Course dates, trainer(s) and attendance, as typed on "Start here"."""
    st, w, d = book.st, book.w, book.details
    labels = w["summary_details"]
    sh.write_string(row, 0, labels["course_dates"], st.strong)
    sh.merge_range(row, 1, row, 2, "", st.date)
    _named(book, sh, row, 1, "summary_start_date", '=IF(ISNUMBER(course_start_date),course_start_date,"")', st.date,
           _serial(d.get("course_start_date")), "first day of the course")
    sh.write_string(row, 3, w["summary_date_to"], st.centred)
    sh.merge_range(row, 4, row, 5, "", st.date)
    _named(book, sh, row, 4, "summary_end_date", '=IF(ISNUMBER(course_end_date),course_end_date,"")', st.date,
           _serial(d.get("course_end_date")), "last day of the course")
    sh.write_string(row + 1, 0, labels["course_trainer"], st.strong)
    sh.merge_range(row + 1, 1, row + 1, LAST, "", st.calc_text)
    _named(book, sh, row + 1, 1, "summary_trainer", '=course_trainer&""', st.calc_text, d.get("course_trainer") or "",
           "trainer(s)")
    sh.write_string(row + 2, 0, labels["course_attended"], st.strong)
    attended = d.get("course_attended")
    _named(book, sh, row + 2, 1, "summary_attended", '=IF(ISNUMBER(course_attended),course_attended,"")', st.calc_int,
           attended if isinstance(attended, (int, float)) else "", "number of people who attended")


def _counts(book, sh, row: int) -> int:
    """The questionnaires entered at each time point and how many were matched; returns the last row."""
    st, w = book.st, book.w
    sh.write_string(row, 0, w["summary_counts_title"], st.subtitle)
    row += 1
    heads = w["headings"]["summary_counts"]
    for c, head in enumerate(heads[:3]):
        book.text(sh, row, c, head, st.head)
    book.text(sh, row, 3, heads[3], st.head, 4)
    for tp in book.course.tp_ids:
        row += 1
        sh.write_string(row, 0, book.tp_name(tp), st.plain)
        _named(book, sh, row, 1, f"summary_{tp}_entered", f"={tp}_entered", st.calc_int, book.named(f"{tp}_entered"),
               f"questionnaires entered at {book.tp_name(tp)}")
        pair = next(((a, b) for a, b in book.course.pairs if b == tp), None)
        if pair:
            _named(book, sh, row, 2, f"summary_{tp}_matched", f"={tp}_matched", st.calc_int, book.named(f"{tp}_matched"),
                   f"of them, matched with {book.tp_name(pair[0])} (the participants the paired results use)")
            sh.merge_range(row, 3, row, 4, book.tp_name(pair[0]), st.plain)
    return row + 1


def _main_result(book, sh, row: int, placed: ResultsCells) -> int:
    """The main comparison, one row of figures and one of words per scale; returns the row after."""
    st, w, tk = book.st, book.w, book.tk
    a, b = book.main_pair
    sh.write_string(row, 0, w["summary_results_title"].format(pair=book.pair_name(a, b)), st.subtitle)
    row += 1
    for c, head in enumerate(w["headings"]["summary_results"]):
        book.text(sh, row, c, head.format(a=book.tp_name(a, code=False), b=book.tp_name(b, code=False)), st.head)
    lay_b = book.layouts[b]
    for scale in paired_scales(tk, book.course, a, b):
        row += 1
        name = f"{scale.id}_{a}_{b}"
        title = book.scale_title(scale)
        change = book.truth["changes"][(scale.id, a, b)]
        before_mean, after_mean = _paired_means(book, scale, a, b, change)
        book.text(sh, row, 0, title, st.strong)
        before = lay_b.column_range(lay_b.helpers[f"before:{a}:{scale.id}"])
        key = f"summary_{scale.id}"
        _named(book, sh, row, 1, f"{key}_before_mean", stats.mean_formula(before), st.calc, before_mean,
               f"{title}: mean at {book.tp_name(a)} of the participants matched at {book.tp_name(b)}")
        before_cell = f"{xl_col_to_name(1)}{row + 1}"
        _named(book, sh, row, 2, f"{key}_after_mean",
               f'=IF(AND(ISNUMBER({before_cell}),ISNUMBER({name}_mean_change)),{before_cell}+{name}_mean_change,"")',
               st.calc, after_mean, f"{title}: mean at {book.tp_name(b)} of the same participants")
        _named(book, sh, row, 3, f"{key}_change", _number(f"{name}_mean_change"), st.calc, change.mean_change,
               f"{title}: mean change, {book.pair_name(a, b)}")
        ci = (f'=IF(AND(ISNUMBER({name}_ci_low),ISNUMBER({name}_ci_high)),{fixed_formula(f"{name}_ci_low", 1)}'
              f'&" to "&{fixed_formula(f"{name}_ci_high", 1)},"")')
        ci_value = (f"{fixed(change.ci_low, 1)} to {fixed(change.ci_high, 1)}"
                    if change.ci_low is not None and change.ci_high is not None else "")
        _named(book, sh, row, 4, f"{key}_ci", ci, st.calc_range, ci_value,
               f"{title}: 95% confidence interval of the mean change, as text")
        for col, stat, fmt, meaning in ((5, "d", st.calc2, "effect size d"),
                                        (6, "pct_improved", st.calc_int, "% of matched participants whose score rose"),
                                        (7, "p", st.calc_p, "two-tailed p-value of the change"),
                                        (8, "n_pairs", st.calc_int, "number of matched participants")):
            _named(book, sh, row, col, f"{key}_{stat}", _number(f"{name}_{stat}"), fmt, getattr(change, stat),
                   f"{title}: {meaning}")
        row += 1
        sh.merge_range(row, 0, row, LAST, "", st.reading)
        _named(book, sh, row, 0, f"{key}_reading", f'={book.at("results")}{placed.pairs[(scale.id, a, b)]["reading"]}&""',
               st.reading, reading(w, title, scale, a, b, change), f"{title}: what the change says, in words")
        book.fit(sh, row, 0, longest_reading(book, scale, a, b), st.reading, LAST)
    row += 1
    book.text(sh, row, 0, w["summary_note"].strip(), st.note, LAST)
    return row + 2


def _paired_means(book, scale, a: str, b: str, change: stats.PairedChange) -> tuple:
    """Twins of the Summary's means: the earlier scores of the matched participants, and that
    mean plus the mean change (so the two means differ by exactly the change shown)."""
    before = scores_by_code(book.tk, book.course, book.rows, a, scale)
    after = scores_by_code(book.tk, book.course, book.rows, b, scale)
    return stats.paired_means(before, after, change)


def _number(name: str) -> str:
    return f'=IF(ISNUMBER({name}),{name},"")'


def _serial(value):
    """A typed date as the number a spreadsheet stores for it (days since 30 Dec 1899)."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    return (day - dt.date(1899, 12, 30)).days
