"""The workbook's self-check: canary formulas that prove the program it is opened in
calculates every formula idiom the workbook relies on as :mod:`connect_share_learn.stats` does.

A small block on the hidden Workings sheet holds made-up answers of two questionnaires
(constants), runs them through the same formula generators as the entry sheets and Results
(a code key of each kind, repeated codes, a reversed item, a pasted text, a knowledge item
with "don't know", scores, mean, SD, alpha, matching, a paired t with its p and CI…), and
compares every result with the value Python computes. ``self_check_failures`` counts the
results that differ; "Start here", "Summary" and "Results" show a warning in red when it is not 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import xl_rowcol_to_cell

from connect_share_learn import stats
from connect_share_learn.number_style import fixed
from connect_share_learn.spec.model import Item, Option, Provenance, ResponseFormat, Scale
from connect_share_learn.workbook.readings import alpha_note, alpha_note_formula, fixed_formula

FAILURES = "self_check_failures"

_RATING = ResponseFormat(id="check_rating", kind="rating", min=1, max=5, labels={p: str(p) for p in range(1, 6)})
_CHOICE = ResponseFormat(id="check_choice", kind="choice", options=[Option(code=1, label="true"),
                                                                    Option(code=2, label="false")],
                         dont_know=Option(code=9, label="don't know"))
_AUTHOR = Provenance(author="connect-share-learn self-check", original=False)
RATED = Scale(id="check_rated", title="rated", construct="self-check", level="2a", instructions="-",
              format=_RATING.id, scoring="mean", min_answered=2, provenance=_AUTHOR,
              items=[Item(id="r_1", text="-"), Item(id="r_2", text="-", reverse=True), Item(id="r_3", text="-")])
KNOWN = Scale(id="check_known", title="known", construct="self-check", level="2b", instructions="-",
              format=_CHOICE.id, scoring="percent_correct", min_answered=2, provenance=_AUTHOR,
              items=[Item(id="k_1", text="-", key=1), Item(id="k_2", text="-", key=2), Item(id="k_3", text="-", key=1)])

# The wording of the alpha warning is not what is checked: its formula is.
_NOTES = {"alpha_low": "low", "alpha_low_knowledge": "low: knowledge"}

# Made-up questionnaires: (code, rated answers, knowledge answers). Codes differ in case and
# spaces, one is typed twice, one is a number, one has characters lookups read as wildcards;
# answers include a pasted text, a value outside the range and "don't know" (9).
BEFORE = [
    ("ab01c", [1, 5, 4], [1, 9, 2]),
    (" AB02D", [4, 2, "3"], [1, 1, 1]),
    ("ab02d ", [5, 1, 5], [2, 2, 9]),
    ("A*B-1", [3, 3, 2], [9, 1, 1]),
    ("X9", [2, 4, 7], [1, 2, 2]),
    (42, [5, 5, 4], [1, 2, 1]),
    ("QR7", [2, 3, None], [None, 2, 1]),
]
AFTER = [
    ("AB01C", [3, 4, 3]),
    ("a*b-1", [4, 2, 5]),
    ("42", [5, 1, 5]),
    ("x9", [5, 1, 5]),
    ("AB02D", [4, 4, 4]),
    ("ZZ99", [1, 1, 1]),
    ("qr7", [4, 2, 5]),
]


@dataclass
class _Block:
    """Writes the self-check into ``sheet`` from cell (``top``, ``left``) down and right."""

    sheet: object
    top: int
    left: int
    checks: list[tuple[str, object]] = field(default_factory=list)  # (cell, expected value)

    def at(self, row: int, col: int) -> str:
        return xl_rowcol_to_cell(self.top + row, self.left + col)

    def span(self, row0: int, row1: int, col: int) -> str:
        return f"{self.at(row0, col)}:{self.at(row1, col)}"

    def constant(self, row: int, col: int, value) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.sheet.write_string(self.top + row, self.left + col, value)
        else:
            self.sheet.write_number(self.top + row, self.left + col, value)

    def formula(self, row: int, col: int, formula: str, expected) -> str:
        """Write ``formula`` with its true value stored, and check it against that value."""
        stored = "" if expected is None else expected
        self.sheet.write_formula(self.top + row, self.left + col, formula, None, stored)
        self.checks.append((self.at(row, col), expected))
        return self.at(row, col)


def _check_formula(ref: str, expected) -> str:
    """0 when ``ref`` holds ``expected`` (blank, a text, or a number to 1e-9), else 1."""
    if expected is None:
        return f'=IF({ref}="",0,1)'
    if isinstance(expected, str):
        return f'=IFERROR(IF(EXACT({ref},"{expected.replace(chr(34), chr(34) * 2)}"),0,1),1)'
    number = format(expected, ".17g").upper()
    return f"=IFERROR(IF(ABS({ref}-({number}))<=1E-9*(1+ABS({number})),0,1),1)"


def write_self_check(sheet, top: int, left: int) -> tuple[str, int]:
    """Write the self-check block; return the cell counting the failures and the rows used."""
    b = _Block(sheet, top, left)
    n_a, n_b = len(BEFORE), len(AFTER)
    # Columns: 0 code, 1–3 rated items, 4–6 knowledge items, then the formula columns.
    CODE, NORM, KEY, DUP, SCORE, KSCORE, TOTAL, SUMSQ, KTOTAL, MATCH, PAIR, EARLIER, CHANGE = \
        0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18
    a0, a1 = 1, n_a  # rows of the first questionnaires
    b0, b1 = n_a + 2, n_a + n_b + 1  # rows of the second
    sheet.write_string(top, left, "Self-check: made-up answers worked out as stats.py does (see self_check.py)")

    def rows(first: int, typed: list) -> dict:
        keys = [stats.code_key(code) for code, *_ in typed]
        repeated = stats.duplicate_codes(code for code, *_ in typed)
        out = {"keys": keys, "scores": [], "dups": []}
        for i, (code, rated, *known) in enumerate(typed):
            r = first + i
            b.constant(r, CODE, code)
            for k, v in enumerate(rated):
                b.constant(r, 1 + k, v)
            for k, v in enumerate(known[0] if known else []):
                b.constant(r, 4 + k, v)
            norm = stats.normalise_code(code)
            b.formula(r, NORM, stats.normalised_code_formula(b.at(r, CODE)), norm)
            b.formula(r, KEY, stats.code_key_formula(b.at(r, NORM)), keys[i])
            dup = None if norm is None else int(norm in repeated)
            b.formula(r, DUP, stats.duplicate_formula(b.at(r, KEY), b.span(first, first + len(typed) - 1, KEY)), dup)
            out["dups"].append(dup)
            cells = f"{b.at(r, 1)}:{b.at(r, 3)}"
            item_cells = [b.at(r, c) for c in (1, 2, 3)]
            score = stats.score(RATED, _RATING, rated)
            out["scores"].append(score)
            b.formula(r, SCORE, stats.score_formula(RATED, _RATING, cells, item_cells), score)
            if known:
                values = [stats.item_value(RATED, _RATING, k, v) for k, v in enumerate(rated)]
                complete = all(v is not None for v in values)
                b.formula(r, TOTAL, stats.complete_total_formula(RATED, _RATING, cells, item_cells, b.at(r, SCORE)),
                          sum(values) if complete else None)
                b.formula(r, SUMSQ, stats.complete_sumsq_formula(cells, b.at(r, TOTAL)),
                          sum(v * v for v in rated) if complete else None)
                kcells, kitems = f"{b.at(r, 4)}:{b.at(r, 6)}", [b.at(r, c) for c in (4, 5, 6)]
                kscore = stats.score(KNOWN, _CHOICE, known[0])
                b.formula(r, KSCORE, stats.score_formula(KNOWN, _CHOICE, kcells, kitems), kscore)
                kvalues = [stats.item_value(KNOWN, _CHOICE, k, v) for k, v in enumerate(known[0])]
                b.formula(r, KTOTAL, stats.complete_total_formula(KNOWN, _CHOICE, kcells, kitems, b.at(r, KSCORE)),
                          sum(kvalues) if all(v is not None for v in kvalues) else None)
        return out

    before = rows(a0, BEFORE)
    after = rows(b0, AFTER)
    # Matching, pairing and the change, as on a later time point's entry sheet.
    unique_before = stats.unique_scores([c for c, *_ in BEFORE], before["scores"])
    unique_after = stats.unique_scores([c for c, *_ in AFTER], after["scores"])
    for i, (code, *_rest) in enumerate(AFTER):
        r = b0 + i
        key = after["keys"][i]
        found = before["keys"].index(key) + 1 if key in before["keys"] else None
        b.formula(r, MATCH, stats.match_formula(b.at(r, KEY), b.span(a0, a1, KEY)), found)
        paired = found if found and after["dups"][i] == 0 and before["dups"][found - 1] == 0 else None
        b.formula(r, PAIR, stats.paired_position_formula(b.at(r, MATCH), b.at(r, DUP), b.span(a0, a1, DUP)), paired)
        earlier = before["scores"][paired - 1] if paired and after["scores"][i] is not None else None
        b.formula(r, EARLIER, stats.earlier_score_formula(b.at(r, PAIR), b.at(r, SCORE), b.span(a0, a1, SCORE)), earlier)
        b.formula(r, CHANGE, stats.change_formula(b.at(r, EARLIER), b.at(r, SCORE)),
                  None if earlier is None else after["scores"][i] - earlier)
    # Statistics over the first questionnaires, and of the change.
    r = b1 + 2
    scores = b.span(a0, a1, SCORE)
    tp = stats.time_point_stats(RATED, _RATING, [rated for _, rated, _ in BEFORE])
    b.formula(r, 0, stats.count_formula(scores), tp.n)
    b.formula(r, 1, stats.mean_formula(scores), tp.mean)
    b.formula(r, 2, stats.sd_formula(scores), tp.sd)
    b.formula(r, 3, stats.mean_ci_half_formula(b.at(r, 0), b.at(r, 2)), stats.mean_ci_half(tp.n, tp.sd))
    b.formula(r, 4, "=" + stats.coded_count_formula(b.span(a0, a1, DUP)), sum(1 for d in before["dups"] if d is not None))
    rated_answers = [rated for _, rated, _ in BEFORE]
    known_answers = [known for _, _, known in BEFORE]
    for k, (col, value) in enumerate(((1, 5), (3, 3))):  # the pasted text "3" is not a 3
        b.formula(r, 5 + k, "=" + stats.count_equal_formula(b.span(a0, a1, col), value),
                  sum(1 for row in rated_answers if stats.as_number(row[col - 1]) == value))
    b.formula(r, 7, stats.item_summary_formula(RATED, _RATING, RATED.items[2], b.span(a0, a1, 3)),
              stats.item_summary(RATED, _RATING, 2, [row[2] for row in rated_answers]))
    b.formula(r, 8, stats.item_summary_formula(KNOWN, _CHOICE, KNOWN.items[1], b.span(a0, a1, 5)),
              stats.item_summary(KNOWN, _CHOICE, 1, [row[1] for row in known_answers]))
    # Alpha: the items' sums over complete rows (one cell each), then alpha itself.
    r += 1
    for k, (scale, fmt, first_col, total_col, sumsq_col, answered) in enumerate((
            (RATED, _RATING, 1, TOTAL, SUMSQ, rated_answers), (KNOWN, _CHOICE, 4, KTOTAL, None, known_answers))):
        totals = b.span(a0, a1, total_col)
        recoded = [[stats.item_value(scale, fmt, i, x) for i, x in enumerate(row)] for row in answered]
        complete = [rec for rec in recoded if all(v is not None for v in rec)]
        sums = [b.formula(r + k, i, stats.item_sum_formula(scale, fmt, item, totals, b.span(a0, a1, first_col + i)), total)
                for i, (item, total) in enumerate(zip(scale.items, stats.complete_item_sums(scale, fmt, answered)))]
        alpha = stats.cronbach_alpha(complete)
        b.formula(r + k, 3, stats.alpha_formula(len(scale.items), totals, f"{sums[0]}:{sums[-1]}",
                                                b.span(a0, a1, sumsq_col) if sumsq_col else None), alpha)
        # The warning beside a low alpha (the knowledge canary's is negative).
        b.formula(r + k, 4, alpha_note_formula(_NOTES, scale, b.at(r + k, 3)), alpha_note(_NOTES, scale, alpha))
    # The paired change and its test, with the reading's rounding and number text.
    r += 3
    change = stats.paired_change(unique_before, unique_after)
    cells = {name: b.at(r, k) for k, name in enumerate(change.as_dict())}
    formulas = stats.paired_change_formulas(b.span(b0, b1, EARLIER), b.span(b0, b1, CHANGE), cells)
    for k, (name, value) in enumerate(change.as_dict().items()):
        b.formula(r, k, formulas[name], value)
    b.formula(r + 1, 0, "=" + fixed_formula("-0.35", 1), fixed(-0.35, 1))
    b.formula(r + 1, 3, "=" + fixed_formula("-0.004", 2), fixed(-0.004, 2))
    b.formula(r + 1, 1, "=ROUND(-0.04,1)", 0)
    b.formula(r + 1, 2, f"=SUM({b.at(r + 1, 5)})", 0)  # a blank cell: what SUM() of one input gives
    # Typed text joined into a title, as the sheets' course line: a blank cell is "", never 0.
    b.constant(r + 1, 6, "Anytown")
    title, blank = b.at(r + 1, 6), b.at(r + 1, 7)
    b.formula(r + 1, 8, f'=IF({blank}="",{title}&"",IF({title}="",{blank}&"",{blank}&" — "&{title}))', "Anytown")
    b.formula(r + 1, 9, f'=IF({title}="",{blank}&"",{title}&" — "&{title})', "Anytown — Anytown")
    b.formula(r + 2, 0, f'={blank}&""', "")
    # Each check, then their count.
    r += 4
    for k, (ref, expected) in enumerate(b.checks):
        sheet.write_formula(b.top + r + k // 10, b.left + k % 10, _check_formula(ref, expected), None, 0)
    last = r + (len(b.checks) - 1) // 10
    failures = b.at(last + 1, 0)
    sheet.write_formula(b.top + last + 1, b.left, f"=SUM({b.at(r, 0)}:{b.at(last, 9)})", None, 0)
    return failures, last + 2
