"""The Results sheet: counts, scores at each time point (with a warning beside a low alpha),
paired change with its reading and which effect size to quote, the double-baseline
contrast, and the charts below them, printed landscape: the tables, then the charts in
page-sized groups."""

from __future__ import annotations

from dataclasses import dataclass, field

from connect_share_learn import stats
from connect_share_learn.results import answers
from connect_share_learn.workbook import charts
from connect_share_learn.workbook.layout import WORKINGS, baseline_scales, cell, paired_scales
from connect_share_learn.workbook.printing import Pager
from connect_share_learn.workbook.readings import (
    alpha_note,
    alpha_note_formula,
    reading,
    reading_formula,
)

PAIR_STATS = ["n_pairs", "mean_change", "sd_change", "t", "df", "p", "ci_low", "ci_high", "d", "dz", "pct_improved"]
TP_STATS = ["n", "mean", "sd", "alpha"]
BASELINE_STATS = ["n", "mean", "sd", "t", "df", "p"]
STAT_MEANINGS = {
    "n": "number of questionnaires with a score", "mean": "mean score", "sd": "standard deviation of the scores",
    "alpha": "Cronbach's alpha (internal consistency), over participants who answered every item",
    "n_pairs": "number of matched participants with both scores", "mean_change": "mean change (later − earlier)",
    "sd_change": "standard deviation of the change", "t": "paired t statistic", "df": "degrees of freedom",
    "p": "two-tailed p-value", "ci_low": "lower end of the 95% confidence interval of the mean change",
    "ci_high": "upper end of the 95% confidence interval of the mean change",
    "d": "effect size d: mean change / square root of the average of the two variances (same participants)",
    "ci_half": "half the width of the 95% confidence interval of the mean",
    "dz": "effect size dz: mean change / standard deviation of the change",
    "pct_improved": "percentage of matched participants whose score rose",
}


@dataclass
class ResultsCells:
    """Where the Results sheet put each statistic (stat → cell), for the sheets and charts
    that read them, and the rows of the effect sizes' chart data on the Workings sheet,
    whose research column the Research sheet fills in."""

    time_points: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (scale, tp)
    pairs: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)  # (scale, a, b), and its "reading"
    baseline: dict[str, dict[str, str]] = field(default_factory=dict)  # scale
    effect_rows: dict[str, int] = field(default_factory=dict)  # scale -> Workings row


# Columns: the scale, the time point, then the statistics; a change's reading goes on the
# row below its figures, across the table.
FIRST_STAT = 2
LAST = FIRST_STAT + len(PAIR_STATS) - 1
WIDTHS = [38, 14] + [9] * len(PAIR_STATS)
ALPHA_NOTE = FIRST_STAT + len(TP_STATS) + 1  # after the alpha and the CI


def write(book, sh) -> ResultsCells:
    """Write the Results sheet and its charts; return where each statistic is."""
    placed = ResultsCells()
    st, w = book.st, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    top = book.heading(sh, w["results_title"], w["results_intro"], LAST)
    book.self_check_warning(sh, top - 1, LAST)
    pager = Pager(sh, landscape=True, widths=WIDTHS)
    row = _counts(book, sh, top, pager)
    row = _time_points(book, sh, row + 2, placed, pager)
    sh.write_string(row + 2, 0, w["pairs_title"], st.subtitle)
    row += 2
    for k, (a, b) in enumerate(book.course.pairs):
        row = _pairs(book, sh, row + 1, a, b, placed, pager, title_row=row if k == 0 else None)
    row += 1
    book.text(sh, row, 0, w["effect_note"].strip(), st.note, LAST)
    pager.keep(row, row + 1)
    row = _baseline(book, sh, row + 2, placed, pager)
    sh.freeze_panes(top, 1)
    last = charts.results_charts(book, sh, row + 2, placed, pager, sh.cols_px(0, LAST))
    pager.setup(last)
    book.protect(sh)
    return placed


def _counts(book, sh, row: int, pager) -> int:
    """The questionnaires entered, without a code, repeated and matched at each time point."""
    st, w = book.st, book.w
    first = row
    sh.write_string(row, 0, w["counts_title"], st.subtitle)
    row += 1
    _headings(book, sh, row, w["headings"]["counts"])
    for tp, lay in book.layouts.items():
        row += 1
        coded = stats.coded_count_formula(lay.column_range(lay.helpers["dup"]))
        sh.write_string(row, 0, book.tp_name(tp), st.plain)
        # A questionnaire is entered when anything is typed in its row.
        entered = f"COUNT({lay.column_range(lay.helpers['typed'])})"
        book.formula(sh, row, 1, f'={entered}', st.calc_int)
        book.define(f"{tp}_entered", sh, row, 1, f"questionnaires entered at {tp}")
        book.formula(sh, row, 2, f"={entered}-{coded}", st.calc_int)
        book.define(f"{tp}_no_code", sh, row, 2, f"questionnaires entered at {tp} without a code")
        repeated = f"SUM({lay.column_range(lay.helpers['dup'])})"
        book.formula(sh, row, 3, f"={repeated}", st.calc_int)
        book.define(f"{tp}_duplicates", sh, row, 3, f"rows at {tp} whose code is typed more than once")
        pair = next(((a, b) for a, b in book.course.pairs if b == tp), None)
        if pair:
            # Matched as the paired results count them: the code typed once here and once at the other.
            matched = f"COUNT({lay.column_range(lay.helpers[f'pair:{pair[0]}'])})"
            book.formula(sh, row, 4, f"={matched}", st.calc_int)
            book.define(f"{tp}_matched", sh, row, 4,
                        f"codes typed once at {tp} and once at {pair[0]}: the participants the paired results use")
            book.formula(sh, row, 5, f"={coded}-{repeated}-{matched}", st.calc_int)
            book.define(f"{tp}_unmatched", sh, row, 5, f"codes typed once at {tp} that are not typed once at {pair[0]}")
            sh.merge_range(row, 6, row, 7, book.tp_name(pair[0]), st.plain)
    pager.keep(first, row + 1)
    return row


def _time_points(book, sh, row: int, placed: ResultsCells, pager) -> int:
    """Each scale's n, mean, SD, alpha and CI at each time point, a low alpha flagged beside it."""
    st, tk, w = book.st, book.tk, book.w
    first = row
    sh.write_string(row, 0, w["timepoint_title"], st.subtitle)
    row += 1
    _headings(book, sh, row, [*w["headings"]["time_points"], w["alpha_header"]], merge_last=LAST)
    fmts = {"n": st.calc_int, "mean": st.calc, "sd": st.calc, "alpha": st.calc2}
    for scale in tk.course_scales(book.course):
        if not scale.scored:
            continue
        for k, tp in enumerate(tk.time_points_of(book.course, scale)):
            lay = book.layouts[tp]
            row += 1
            scores = lay.column_range(lay.score_cols[scale.id])
            if k == 0:  # the scale's title on its first row only
                book.text(sh, row, 0, book.scale_title(scale), st.text)
            sh.write_string(row, 1, book.tp_name(tp), st.plain)
            cells = {}
            for j, stat in enumerate(TP_STATS):
                cells[stat] = cell(row, FIRST_STAT + j)
                if stat == "alpha":
                    f = _alpha(book, scale, lay)
                else:
                    f = {"n": stats.count_formula, "mean": stats.mean_formula, "sd": stats.sd_formula}[stat](scores)
                book.formula(sh, row, FIRST_STAT + j, f, fmts[stat])
                book.define(f"{scale.id}_{tp}_{stat}", sh, row, FIRST_STAT + j,
                            f"{book.scale_title(scale)} at {tp}: {STAT_MEANINGS[stat]}")
            ci = FIRST_STAT + len(TP_STATS)
            book.formula(sh, row, ci, stats.mean_ci_half_formula(cells["n"], cells["sd"]), st.calc)
            book.define(f"{scale.id}_{tp}_ci_half", sh, row, ci, f"{book.scale_title(scale)} at {tp}: {STAT_MEANINGS['ci_half']}")
            cells["ci_half"] = cell(row, ci)
            note = alpha_note(w, scale, book.named(f"{scale.id}_{tp}_alpha"))
            sh.merge_range(row, ALPHA_NOTE, row, LAST, "", st.alert)
            book.formula(sh, row, ALPHA_NOTE, alpha_note_formula(w, scale, cells["alpha"]), st.alert, note)
            book.fit(sh, row, ALPHA_NOTE, w["alpha_low_knowledge" if scale.knowledge else "alpha_low"], st.alert, LAST)
            placed.time_points[(scale.id, tp)] = cells
    row += 1
    book.text(sh, row, 0, w["alpha_note"].strip(), st.note, LAST)
    pager.keep(first, row + 1)
    return row


def _pairs(book, sh, row: int, a: str, b: str, placed: ResultsCells, pager, title_row: int | None) -> int:
    """One comparison's table: what it is, then per scale a row of figures and a row of words."""
    st, tk, w = book.st, book.tk, book.w
    first = row if title_row is None else title_row
    book.text(sh, row, 0, f'{book.pair_name(a, b)}: {w["comparisons"][f"{a}_{b}"]["about"]}', st.strong, LAST)
    row += 1
    _headings(book, sh, row, w["headings"]["pairs"])
    fmts = {"n_pairs": st.calc_int, "mean_change": st.calc, "sd_change": st.calc, "df": st.calc_int, "p": st.calc_p,
            "ci_low": st.calc, "ci_high": st.calc, "pct_improved": st.calc_int}
    lay_b = book.layouts[b]
    for scale in paired_scales(tk, book.course, a, b):
        row += 1
        title = book.scale_title(scale)
        book.text(sh, row, 0, title, st.text)
        sh.write_string(row, 1, "", st.plain)
        cells = {stat: cell(row, FIRST_STAT + k) for k, stat in enumerate(PAIR_STATS)}
        h = lay_b.helpers
        formulas = stats.paired_change_formulas(
            lay_b.column_range(h[f"before:{a}:{scale.id}"]), lay_b.column_range(h[f"change:{a}:{scale.id}"]), cells)
        for k, stat in enumerate(PAIR_STATS):
            book.formula(sh, row, FIRST_STAT + k, formulas[stat], fmts.get(stat, st.calc2))
            book.define(f"{scale.id}_{a}_{b}_{stat}", sh, row, FIRST_STAT + k,
                        f"{title}, {a} to {b}: {STAT_MEANINGS[stat]}")
        row += 1
        said = reading(w, title, scale, a, b, book.truth["changes"][(scale.id, a, b)])
        sh.merge_range(row, 0, row, LAST, "", st.reading)
        book.formula(sh, row, 0, reading_formula(w, title, scale, a, b, cells), st.reading, said)
        book.fit(sh, row, 0, longest_reading(book, scale, a, b), st.reading, LAST)
        placed.pairs[(scale.id, a, b)] = {**cells, "reading": cell(row, 0)}
    pager.keep(first, row + 1)
    return row


def _baseline(book, sh, row: int, placed: ResultsCells, pager) -> int:
    """The double-baseline contrast, for a course asked at registration, start and end."""
    st, tk, w = book.st, book.tk, book.w
    bscales = baseline_scales(tk, book.course)
    if not bscales:
        return row - 2
    first = row
    sh.write_string(row, 0, w["baseline_title"], st.subtitle)
    row += 1
    book.text(sh, row, 0, w["baseline_intro"].strip(), st.text, LAST)
    row += 1
    _headings(book, sh, row, w["headings"]["baseline"])
    lay2 = book.layouts["t2"]
    fmts = {"n": st.calc_int, "mean": st.calc, "sd": st.calc, "df": st.calc_int, "p": st.calc_p}
    for scale in bscales:
        row += 1
        book.text(sh, row, 0, book.scale_title(scale), st.text)
        cells = {stat: cell(row, FIRST_STAT + k) for k, stat in enumerate(BASELINE_STATS)}
        formulas = stats.baseline_contrast_formulas(lay2.column_range(lay2.helpers[f"contrast:{scale.id}"]), cells)
        for k, stat in enumerate(BASELINE_STATS):
            book.formula(sh, row, FIRST_STAT + k, formulas[stat], fmts.get(stat, st.calc2))
            book.define(f"{scale.id}_baseline_{stat}", sh, row, FIRST_STAT + k,
                        f"{book.scale_title(scale)}, double-baseline contrast: {STAT_MEANINGS.get(stat, stat)}")
        placed.baseline[scale.id] = cells
    pager.keep(first, row + 1)
    return row


def _headings(book, sh, row: int, heads: list[str], merge_last: int | None = None) -> None:
    """A table's heading row, fitted to its words; the last heading merged across to
    ``merge_last`` if given."""
    for c, head in enumerate(heads):
        if not head:
            continue
        if merge_last is not None and c == len(heads) - 1:
            book.text(sh, row, c, head, book.st.head, merge_last)
        else:
            book.text(sh, row, c, head, book.st.head)


def longest_reading(book, scale, a: str, b: str) -> str:
    """The longest text the reading of this change can give, so its row never clips it."""
    n = book.layouts[a].capacity
    said = [reading(book.w, book.scale_title(scale), scale, a, b,
                    stats.PairedChange(n, -100.0, 10.0, -10.0, n - 1, p, None, None, 0.01, None, 100.0))
            for p in (0.01, 0.5)]
    return max(said, key=len)


def _alpha(book, scale, lay) -> str:
    """Alpha's formula; the items' sums over complete rows go on the Workings sheet, one cell each."""
    if f"total:{scale.id}" not in lay.helpers:
        return '=""'
    fmt = book.tk.format_of(scale)
    totals = lay.column_range(lay.helpers[f"total:{scale.id}"])
    sums = stats.complete_item_sums(scale, fmt, [answers(scale, r) for r in book.rows.get(lay.tp, [])])
    rows = [[item.id, (stats.item_sum_formula(scale, fmt, item, totals, lay.column_range(c)), total)]
            for item, c, total in zip(scale.items, lay.item_cols(scale), sums)]
    top, n = book.chart_block(rows, f"{scale.id} {lay.tp} item sums over complete rows")
    sumsq = lay.helpers.get(f"sumsq:{scale.id}")
    return stats.alpha_formula(len(scale.items), totals, f"'{WORKINGS}'!{cell(top, 1)}:{cell(top + n - 1, 1)}",
                               lay.column_range(sumsq) if sumsq is not None else None)
