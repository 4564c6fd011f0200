"""The Results sheet: counts, scores at each time point, paired change with its reading, the
double-baseline contrast, and the charts below them."""

from __future__ import annotations

from dataclasses import dataclass, field

from connect_share_learn import stats
from connect_share_learn.results import answers
from connect_share_learn.spec.model import TIME_POINT_NAMES
from connect_share_learn.workbook import charts
from connect_share_learn.workbook.book import WORKINGS, cell
from connect_share_learn.workbook.layout import baseline_scales, paired_scales
from connect_share_learn.workbook.readings import reading, reading_formula

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
    pairs: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)  # (scale, a, b)
    baseline: dict[str, dict[str, str]] = field(default_factory=dict)  # scale
    effect_rows: dict[str, int] = field(default_factory=dict)  # scale -> Workings row


def write(book, sh) -> ResultsCells:
    """Write the Results sheet and its charts; return where each statistic is."""
    placed = ResultsCells()
    st, tk, w = book.st, book.tk, book.w
    book.heading(sh, w["results_title"] + " — " + book.t(book.course.title), w["results_intro"], 12, 45)
    book.self_check_warning(sh, 3, 14)
    sh.set_column(0, 0, 46)
    sh.set_column(1, 13, 9)
    sh.set_column(14, 14, 70)
    row = 4
    # Counts per time point.
    sh.write_string(row, 0, w["counts_title"], st.subtitle)
    row += 1
    for c, head in enumerate(w["headings"]["counts"]):
        sh.write_string(row, c, head, st.head)
    sh.set_row(row, 30)
    for tp, lay in book.layouts.items():
        row += 1
        coded = stats.coded_count_formula(lay.column_range(lay.helpers["dup"]))
        sh.write_string(row, 0, f"{TIME_POINT_NAMES[tp]} ({tp})", st.plain)
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
    row += 2
    # Per scale and time point.
    sh.write_string(row, 0, w["timepoint_title"], st.subtitle)
    row += 1
    heads = w["headings"]["time_points"]
    for c, head in enumerate(heads):
        sh.write_string(row, c, head, st.head)
    for scale in tk.course_scales(book.course):
        if not scale.scored:
            continue
        for tp in tk.time_points_of(book.course, scale):
            lay = book.layouts[tp]
            row += 1
            scores = lay.column_range(lay.score_cols[scale.id])
            sh.write_string(row, 0, book.scale_title(scale), st.plain)
            sh.write_string(row, 1, tp, st.plain)
            cells = {}
            for k, (stat, fmt) in enumerate(zip(TP_STATS, (st.calc_int, st.calc2, st.calc2, st.calc2))):
                cells[stat] = cell(row, 2 + k)
                if stat == "alpha":
                    f = _alpha(book, scale, lay)
                else:
                    f = {"n": stats.count_formula, "mean": stats.mean_formula, "sd": stats.sd_formula}[stat](scores)
                book.formula(sh, row, 2 + k, f, fmt)
                book.define(f"{scale.id}_{tp}_{stat}", sh, row, 2 + k, f"{book.scale_title(scale)} at {tp}: {STAT_MEANINGS[stat]}")
            book.formula(sh, row, 6, stats.mean_ci_half_formula(cells["n"], cells["sd"]), st.calc2)
            book.define(f"{scale.id}_{tp}_ci_half", sh, row, 6, f"{book.scale_title(scale)} at {tp}: {STAT_MEANINGS['ci_half']}")
            cells["ci_half"] = cell(row, 6)
            placed.time_points[(scale.id, tp)] = cells
    row += 2
    # Paired change.
    sh.write_string(row, 0, w["pairs_title"], st.subtitle)
    row += 1
    heads = [*w["headings"]["pairs"], "", w["reading_header"]]
    for c, head in enumerate(heads):
        if head:
            sh.write_string(row, c, head, st.head)
    sh.set_row(row, 30)
    for a, b in book.course.pairs:
        lay_b = book.layouts[b]
        for scale in paired_scales(tk, book.course, a, b):
            row += 1
            sh.write_string(row, 0, book.scale_title(scale), st.plain)
            sh.write_string(row, 1, f"{a} → {b}", st.plain)
            cells = {stat: cell(row, 2 + k) for k, stat in enumerate(PAIR_STATS)}
            h = lay_b.helpers
            formulas = stats.paired_change_formulas(
                lay_b.column_range(h[f"before:{a}:{scale.id}"]), lay_b.column_range(h[f"change:{a}:{scale.id}"]), cells)
            fmts = {"n_pairs": st.calc_int, "df": st.calc_int, "p": st.calc_p, "pct_improved": st.calc}
            for k, stat in enumerate(PAIR_STATS):
                book.formula(sh, row, 2 + k, formulas[stat], fmts.get(stat, st.calc2))
                book.define(f"{scale.id}_{a}_{b}_{stat}", sh, row, 2 + k,
                            f"{book.scale_title(scale)}, {a} to {b}: {STAT_MEANINGS[stat]}")
            title = book.scale_title(scale)
            book.formula(sh, row, 14, reading_formula(book.w, title, scale, a, b, cells), st.calc_text,
                         reading(book.w, title, scale, a, b, book.truth["changes"][(scale.id, a, b)]))
            sh.set_row(row, 46)
            placed.pairs[(scale.id, a, b)] = cells
    # Double baseline.
    bscales = baseline_scales(tk, book.course)
    if bscales:
        row += 2
        sh.write_string(row, 0, w["baseline_title"], st.subtitle)
        row += 1
        sh.merge_range(row, 0, row, 12, w["baseline_intro"].strip(), st.text)
        sh.set_row(row, 32)
        row += 1
        for c, head in enumerate(w["headings"]["baseline"]):
            if head:
                sh.write_string(row, c, head, st.head)
        lay2 = book.layouts["t2"]
        for scale in bscales:
            row += 1
            sh.write_string(row, 0, book.scale_title(scale), st.plain)
            cells = {stat: cell(row, 2 + k) for k, stat in enumerate(BASELINE_STATS)}
            formulas = stats.baseline_contrast_formulas(lay2.column_range(lay2.helpers[f"contrast:{scale.id}"]), cells)
            fmts = {"n": st.calc_int, "df": st.calc_int, "p": st.calc_p}
            for k, stat in enumerate(BASELINE_STATS):
                book.formula(sh, row, 2 + k, formulas[stat], fmts.get(stat, st.calc2))
                book.define(f"{scale.id}_baseline_{stat}", sh, row, 2 + k,
                            f"{book.scale_title(scale)}, double-baseline contrast: {STAT_MEANINGS.get(stat, stat)}")
            placed.baseline[scale.id] = cells
    sh.freeze_panes(4, 1)
    charts.results_charts(book, sh, row + 3, placed)
    book.protect(sh)
    return placed


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
