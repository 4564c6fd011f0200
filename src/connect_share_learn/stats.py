"""The one definition of every statistic (design.md, "Statistics").

The workbook's formulas are generated to mean exactly what these functions compute, and
tests recalculate real workbooks in LibreOffice and Gnumeric and compare the two. Every
formula is written in the portable style of docs/formulas.md, so that it means the same in
every spreadsheet program. A statistic that cannot be computed (too few cases, zero
variance) is ``None`` — shown blank, never 0.

Long on purpose: every statistic and the rule that matches participants' codes, each beside
its formula twin, are the one contract of design.md, read and changed together.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from itertools import chain, repeat
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence


from connect_share_learn.spec.model import Item, ResponseFormat, Scale

Number = float | None

# A standard deviation this small is zero: scores are on scales of 0–100, so any real spread
# is many orders larger, and rounding in a spreadsheet must not turn "no variance" into a
# huge effect size. The formulas use the same threshold.
ZERO_SD = 1e-9

# The sample standard deviation and variance, and the t distribution, by the names every
# spreadsheet program knows (Gnumeric has no T.DIST.2T; Apple Numbers no COVARIANCE.S).
STDEV = "STDEV"
VAR = "VAR"


# Conventional effect-size bands (Cohen): small, medium, large.
EFFECT_BANDS = {"small": 0.2, "medium": 0.5, "large": 0.8}


@functools.lru_cache(maxsize=None)
def _t_quantile(df: int) -> float:
    """The t value that leaves 2.5% in each tail (as T.INV.2T(0.05, df)).

    ``scipy.special`` holds the functions behind ``scipy.stats.t`` (``t.ppf`` is ``stdtrit``,
    ``t.sf(x)`` is ``stdtr(df, -x)``), without its argument checks, which cost a millisecond
    a call when thousands of courses are analysed. Imported when first needed.
    """
    from scipy import special

    return float(special.stdtrit(df, 0.975))


def _two_tailed_p(t: float, df: int) -> float:
    """Two-tailed p of a t statistic (twin of :func:`two_tailed_p_formula`)."""
    from scipy import special

    return float(2 * special.stdtr(df, -abs(t)))


def t_quantile_formula(n: str) -> str:
    """Twin of :func:`_t_quantile` for ``n`` cases (df = n − 1)."""
    return f"TINV(0.05,{n}-1)"


def two_tailed_p_formula(t: str, df: str) -> str:
    """Twin of :func:`_two_tailed_p`."""
    return f"TDIST(ABS({t}),{df},2)"


def _zero(sd: Number) -> bool:
    return sd is None or sd <= ZERO_SD

# ---------------------------------------------------------------------------------------------
# Items and scale scores


def as_number(raw) -> float | None:
    """A typed cell value as a number, or None when it is not one (text, blank, True/False)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    return None


def _cmp(op: str, value: float) -> str:
    return f'"{op}{value:g}"'


def count_equal_formula(cells: str, value: float) -> str:
    """How many of ``cells`` hold the number ``value``, text never counted.

    Written as two comparisons: an equality criterion (``COUNTIF(r,1)``) also counts the
    text "1" in Excel and Gnumeric but not in LibreOffice; "<=" and ">=" count numbers only.
    """
    return f"COUNTIFS({cells},{_cmp('>=', value)},{cells},{_cmp('<=', value)})"


def is_code_formula(cell: str, codes: Sequence[float]) -> str:
    """1 when ``cell`` holds one of ``codes`` (a number), else 0; one cell, no array."""
    return f"ISNUMBER({cell})*(" + "+".join(f"({cell}={c:g})" for c in codes) + ")"


def item_value(scale: Scale, fmt: ResponseFormat, item_index: int, raw) -> float | None:
    """An item's scored value: recoded if reversed, 1/0 if keyed, None when not valid."""
    x = as_number(raw)
    if x is None:
        return None
    item = scale.items[item_index]
    if scale.knowledge:
        if x not in fmt.codes:
            return None
        return 1.0 if x == item.key else 0.0
    if not fmt.min <= x <= fmt.max:
        return None
    return fmt.min + fmt.max - x if item.reverse else x


def score(scale: Scale, fmt: ResponseFormat, answers: Sequence) -> float | None:
    """One participant's score on ``scale`` from raw answers in item order."""
    return score_of_values(scale, [item_value(scale, fmt, i, raw) for i, raw in enumerate(answers)])


def score_of_values(scale: Scale, values: Sequence[float | None]) -> float | None:
    """The score from the items' scored values (:func:`item_value` of each answer, in order),
    for a reader that has recoded the answers already."""
    valid = [v for v in values if v is not None]
    if len(valid) < scale.min_answered:
        return None
    if scale.scoring == "percent_correct":
        return 100.0 * sum(valid) / len(scale.items)
    mean = sum(valid) / len(valid)
    if scale.scoring == "sum":
        return mean * len(scale.items)
    return mean


def valid_count_formula(scale: Scale, fmt: ResponseFormat, cells: str, item_cells: list[str]) -> str:
    """Twin of the count of valid answers; ``cells`` is the row's item range of the scale,
    ``item_cells`` its cells one by one (a knowledge item is tested cell by cell)."""
    if scale.knowledge:
        return "(" + "+".join(is_code_formula(c, fmt.codes) for c in item_cells) + ")"
    return f"COUNTIFS({cells},{_cmp('>=', fmt.min)},{cells},{_cmp('<=', fmt.max)})"


def recoded_sum_formula(scale: Scale, fmt: ResponseFormat, cells: str, item_cells: list[str]) -> str:
    """Twin of the sum of valid recoded item values (correct answers for knowledge scales)."""
    if scale.knowledge:
        return "+".join(is_code_formula(c, [i.key]) for i, c in zip(scale.items, item_cells))
    lo, hi = _cmp(">=", fmt.min), _cmp("<=", fmt.max)
    total = f"SUMIFS({cells},{cells},{lo},{cells},{hi})"
    # A reversed item counts min + max - x instead of x: add (min + max) and take 2x away.
    for item, cell in zip(scale.items, item_cells):
        if item.reverse:
            total += (f"+{fmt.min + fmt.max:g}*COUNTIFS({cell},{lo},{cell},{hi})"
                      f"-2*SUMIFS({cell},{cell},{lo},{cell},{hi})")
    return total


def score_formula(scale: Scale, fmt: ResponseFormat, cells: str, item_cells: list[str]) -> str:
    """Twin of :func:`score` for one row; blank ("") when too few items were answered."""
    count = valid_count_formula(scale, fmt, cells, item_cells)
    total = recoded_sum_formula(scale, fmt, cells, item_cells)
    k = len(scale.items)
    if scale.knowledge:
        value = f"100*({total})/{k}"
    elif scale.scoring == "sum":
        value = f"({total})/{count}*{k}"
    else:
        value = f"({total})/{count}"
    return f"=IF({count}>={scale.min_answered},{value},\"\")"


def complete_total_formula(scale: Scale, fmt: ResponseFormat, cells: str, item_cells: list[str], score: str) -> str:
    """Helper for alpha: the row's recoded total when every item was answered, else blank.

    Worked back from the row's score, which then holds the mean (or share correct) of all k
    items; the rounding of that step is far below the statistics' precision.
    """
    k = len(scale.items)
    total = {"percent_correct": f"{score}*{k}/100", "sum": score}.get(scale.scoring, f"{score}*{k}")
    return f"=IF({valid_count_formula(scale, fmt, cells, item_cells)}={k},{total},\"\")"


def complete_sumsq_formula(cells: str, total: str) -> str:
    """Helper for alpha: the sum of the squared answers of a row whose total is a number."""
    return f'=IF(ISNUMBER({total}),SUMSQ({cells}),"")'


def complete_criterion(scale: Scale, fmt: ResponseFormat) -> str:
    """A criterion every complete total meets and no text does: lower than the least total."""
    least = 0 if scale.knowledge else len(scale.items) * fmt.min
    return _cmp(">=", least - 1)


def item_summary(scale: Scale, fmt: ResponseFormat, item_index: int, answers: Iterable) -> Number:
    """One item's answers at a time point, as the Items sheet shows them: the mean valid
    answer before reverse scoring, or for a knowledge item the percentage of those who gave
    a listed answer ("don't know" included) who gave the keyed one."""
    item = scale.items[item_index]
    xs = [x for x in map(as_number, answers) if x is not None]
    if scale.knowledge:
        given = [x for x in xs if x in fmt.codes]
        return 100.0 * sum(1 for x in given if x == item.key) / len(given) if given else None
    valid = [x for x in xs if fmt.min <= x <= fmt.max]
    return math.fsum(valid) / len(valid) if valid else None


def item_summary_formula(scale: Scale, fmt: ResponseFormat, item: Item, answers: str) -> str:
    """Twin of :func:`item_summary` over one item's column of answers."""
    if scale.knowledge:
        given = "(" + "+".join(count_equal_formula(answers, c) for c in fmt.codes) + ")"
        return f'=IF({given}>0,100*{count_equal_formula(answers, item.key)}/{given},"")'
    lo, hi = _cmp(">=", fmt.min), _cmp("<=", fmt.max)
    return f'=IF(COUNTIFS({answers},{lo},{answers},{hi})>0,AVERAGEIFS({answers},{answers},{lo},{answers},{hi}),"")'


# ---------------------------------------------------------------------------------------------
# One time point


@dataclass(frozen=True)
class TimePointStats:
    n: int
    mean: Number
    sd: Number
    alpha: Number

    def as_dict(self) -> dict:
        return asdict(self)


def mean_sd(values: Iterable[float | None]) -> tuple[int, Number, Number]:
    xs = [v for v in values if v is not None]
    n = len(xs)
    if n == 0:
        return 0, None, None
    mean = math.fsum(xs) / n
    if n < 2:
        return n, mean, None
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    return n, mean, math.sqrt(var)


def mean_sd_counted(values: Sequence[float], counts: Sequence[int]) -> tuple[int, Number, Number]:
    """:func:`mean_sd` of ``counts[i]`` copies of each ``values[i]``: answers and scores take a
    few values many times over, so each square is worked out once per value. The sums are
    exact sums of the same numbers (every copy is summed), so the result is the same float."""
    n = sum(counts)
    if n == 0:
        return 0, None, None
    mean = math.fsum(_copies(values, counts)) / n
    if n < 2:
        return n, mean, None
    squares = [(x - mean) ** 2 for x in values]
    var = math.fsum(_copies(squares, counts)) / (n - 1)
    return n, mean, math.sqrt(var)


def _copies(values: Sequence[float], counts: Sequence[int]) -> Iterable[float]:
    """Numbers whose exact sum is that of ``counts[i]`` copies of each ``values[i]``, for
    ``math.fsum`` (which rounds only the exact sum of what it is given): each value times the
    powers of two that make up its count — exact, since scaling by 2**b only moves the
    exponent — or, for numbers so large that it could overflow, every copy."""
    if values and max(map(abs, values)) >= 2.0**900:
        return chain.from_iterable(map(repeat, values, counts))
    terms = []
    for x, c in zip(values, counts):
        b = 0
        while c:
            if c & 1:
                terms.append(math.ldexp(x, b))
            c >>= 1
            b += 1
    return terms


def count_formula(scores: str) -> str:
    return f"=COUNT({scores})"


def mean_formula(scores: str) -> str:
    return f"=IF(COUNT({scores})>=1,AVERAGE({scores}),\"\")"


def sd_formula(scores: str) -> str:
    return f"=IF(COUNT({scores})>=2,{STDEV}({scores}),\"\")"


# An alpha below this (negative included) is flagged: the items do not hang together.
ALPHA_LOW = 0.5


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> Number:
    """Cronbach's alpha over complete rows (participants who answered every item)."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_vars = [mean_sd(col)[2] ** 2 for col in zip(*rows)]
    total_sd = mean_sd(math.fsum(r) for r in rows)[2]
    if _zero(total_sd):
        return None
    return k / (k - 1) * (1 - math.fsum(item_vars) / total_sd**2)


def cronbach_alpha_from(n: int, item_sds: Sequence[Number], total_sd: Number) -> Number:
    """:func:`cronbach_alpha` of ``n`` complete rows from the standard deviations (:func:`mean_sd`)
    of each item and of the rows' exact totals (``math.fsum`` of each row): the same float."""
    k = len(item_sds)
    if n < 2 or k < 2:
        return None
    item_vars = [sd ** 2 for sd in item_sds]
    if _zero(total_sd):
        return None
    return k / (k - 1) * (1 - math.fsum(item_vars) / total_sd**2)


def item_sum_formula(scale: Scale, fmt: ResponseFormat, item: Item, totals: str, answers: str) -> str:
    """One item's sum over the rows whose complete total is a number (for alpha): the raw
    answers of a rating item (reversing does not change a variance), the correct answers of
    a knowledge item. Those rows hold valid numbers only, so the criteria see no text."""
    complete = complete_criterion(scale, fmt)
    if scale.knowledge:
        key = item.key
        return f"=COUNTIFS({totals},{complete},{answers},{_cmp('>=', key)},{answers},{_cmp('<=', key)})"
    return f"=SUMIFS({answers},{totals},{complete})"


def complete_item_sums(scale: Scale, fmt: ResponseFormat, answer_rows: Iterable[Sequence]) -> list[float]:
    """Twin of :func:`item_sum_formula` for every item: the sums over the rows whose every
    answer is valid (raw answers of rating items, correct answers of knowledge items)."""
    sums = [0.0] * len(scale.items)
    for row in answer_rows:
        values = [item_value(scale, fmt, i, raw) for i, raw in enumerate(row)]
        if all(v is not None for v in values):
            for i, (raw, value) in enumerate(zip(row, values)):
                sums[i] += value if scale.knowledge else as_number(raw)
    return sums


def alpha_formula(k: int, totals: str, item_sums: str, sumsq: str | None) -> str:
    """Twin of :func:`cronbach_alpha`, given the items' sums over the complete rows
    (:func:`item_sum_formula`, one cell each) and the rows' sums of squared answers
    (:func:`complete_sumsq_formula`; None for knowledge items, whose squares are themselves).

    The items' variances add up to (Σx² − Σ(item sum)²/n) / (n − 1), exact for whole numbers.
    """
    if k < 2:
        return '=""'
    n = f"COUNT({totals})"
    squares = f"SUM({sumsq})" if sumsq else f"SUM({item_sums})"
    item_variances = f"({squares}-SUMSQ({item_sums})/{n})/({n}-1)"
    return (f"=IF({n}>=2,IF({STDEV}({totals})>{ZERO_SD:g},"
            f"{k}/{k - 1}*(1-{item_variances}/{VAR}({totals})),\"\"),\"\")")


def mean_ci_half(n: int, sd: Number) -> Number:
    """Half the width of the 95% confidence interval of a mean (drawn as error bars)."""
    if n < 2 or sd is None:
        return None
    return _t_quantile(n - 1) * sd / math.sqrt(n)


def mean_ci_half_formula(n: str, sd: str) -> str:
    return f'=IF({n}>=2,{t_quantile_formula(n)}*{sd}/SQRT({n}),"")'


def time_point_stats(scale: Scale, fmt: ResponseFormat, rows: Sequence[Sequence]) -> TimePointStats:
    """Statistics of ``scale`` over every row typed at one time point (raw answers per row)."""
    n, mean, sd = mean_sd(score(scale, fmt, r) for r in rows)
    complete = []
    for r in rows:
        values = [item_value(scale, fmt, i, raw) for i, raw in enumerate(r)]
        if all(v is not None for v in values):
            complete.append(values)
    return TimePointStats(n, mean, sd, cronbach_alpha(complete))


# ---------------------------------------------------------------------------------------------
# Participant codes


def normalise_code(raw) -> str | None:
    """A participant code as matched: trimmed, upper-cased; None when blank."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    # As the spreadsheet's UPPER(TRIM(x)): spaces trimmed and runs of spaces made one.
    code = re.sub(" +", " ", str(raw).strip(" ")).upper()
    return code or None


# The workbook matches codes through a key. A code of letters and digits only, up to
# KEY_LENGTH characters (the codes the guide suggests are five or six), becomes an exact
# whole number: each character counts 1–36 in base 37, so "7", "07" and "70" differ. Any
# other code becomes the text "_" + code with the characters that lookups read as wildcards
# spelt out (KEY_ESCAPES), so that no number equals it and no lookup or criterion reads it
# as a pattern, an operator, a number, a date or an error — in any spreadsheet program.
# Matching is the only work in the workbook that grows with the square of the rows, and
# spreadsheets compare numbers several times faster than text.
KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KEY_LENGTH = 9  # 37**9 < 2**48: keys stay exact, and distinct in 15 significant digits
_KEY_WEIGHTS = [37 ** (KEY_LENGTH - 1 - i) for i in range(KEY_LENGTH)]
# "%" first: it marks the others, so the spelling can be undone and two codes never meet.
KEY_ESCAPES = (("%", "%P"), ("*", "%S"), ("?", "%Q"), ("~", "%T"))


def code_key(raw) -> float | str | None:
    """The matching key of a typed code (twin of :func:`code_key_formula`); None when blank.

    Two codes have the same key exactly when they are the same after normalising.
    """
    code = normalise_code(raw)
    if code is None:
        return None
    if len(code) <= KEY_LENGTH and all(ch in KEY_ALPHABET for ch in code):
        return float(sum((KEY_ALPHABET.index(ch) + 1) * w for ch, w in zip(code, _KEY_WEIGHTS)))
    for char, spelt in KEY_ESCAPES:
        code = code.replace(char, spelt)
    return "_" + code


def normalised_code_formula(cell: str) -> str:
    """Twin of :func:`normalise_code`: the typed code trimmed and upper-cased ("" if blank)."""
    return f"=UPPER(TRIM({cell}))"


def code_key_formula(code: str) -> str:
    """The key of a normalised code (the cell ``code``): blank, a whole number, or "_" and
    the code spelt out. One FIND term per character, written out: a FIND lifted over an
    array of positions is not evaluated as an array in every program."""
    padded = f'{code}&"{"0" * KEY_LENGTH}"'
    # Characters past the end are padded with "0" (found, so no error) and weighted 0.
    number = "+".join(f'FIND(MID({padded},{k},1),"{KEY_ALPHABET}")*{w}*(LEN({code})>={k})'
                      for k, w in enumerate(_KEY_WEIGHTS, start=1))
    spelt = code
    for char, replacement in KEY_ESCAPES:
        spelt = f'SUBSTITUTE({spelt},"{char}","{replacement}")'
    return f'=IF({code}="","",IF(LEN({code})>{KEY_LENGTH},"_"&{spelt},IFERROR({number},"_"&{spelt})))'


def duplicate_formula(key: str, keys: str) -> str:
    """1 when the row's code appears more than once at its time point, 0 once, blank if none.

    The key is a number or a text without wildcards or a leading operator, so COUNTIF's
    criterion is the plain key in every program.
    """
    return f'=IF({key}="","",IF(COUNTIF({keys},{key})>1,1,0))'


def match_formula(key: str, keys: str, offset: int = 0) -> str:
    """The position of the row's code among another time point's keys (plus ``offset``), or blank."""
    plus = f"+{offset}" if offset else ""
    return f'=IF({key}="","",IFERROR(MATCH({key},{keys},0){plus},""))'


def coded_count_formula(duplicate_flags: str) -> str:
    """How many rows of a time point have a code: the duplicate flag is a number (0 or 1)
    exactly on those rows."""
    return f"COUNT({duplicate_flags})"


def paired_position_formula(match: str, duplicate: str, duplicates_there: str) -> str:
    """The position found by :func:`match_formula`, kept only when the code is typed once
    here and once there: the pairs of :func:`paired_change` (twin of :func:`unique_scores`)."""
    return f'=IF(ISNUMBER({match}),IF(AND({duplicate}=0,INDEX({duplicates_there},{match})=0),{match},""),"")'


def earlier_score_formula(position: str, score: str, earlier_scores: str) -> str:
    """The paired participant's earlier score, when both scores are present; else blank.
    A score cell holds a number or "", so INDEX brings the earlier score or ""."""
    return f'=IF(AND(ISNUMBER({position}),ISNUMBER({score})),INDEX({earlier_scores},{position}),"")'


def change_formula(earlier: str, score: str) -> str:
    """The participant's change (later − earlier) where :func:`earlier_score_formula` found one."""
    return f'=IF(ISNUMBER({earlier}),{score}-{earlier},"")'


def duplicate_codes(codes: Iterable) -> set[str]:
    """Codes typed more than once at one time point (after normalising)."""
    counts = Counter(c for c in map(normalise_code, codes) if c)
    return {c for c, k in counts.items() if k > 1}


def unique_scores(codes: Sequence, scores: Sequence[float | None]) -> dict[str, float]:
    """Code → score for the codes that appear once and have a score."""
    dupes = duplicate_codes(codes)
    out = {}
    for raw, s in zip(codes, scores):
        code = normalise_code(raw)
        if code and code not in dupes and s is not None:
            out[code] = s
    return out


# ---------------------------------------------------------------------------------------------
# Paired change between two time points


@dataclass(frozen=True)
class PairedChange:
    n_pairs: int
    mean_change: Number
    sd_change: Number
    t: Number
    df: Number
    p: Number
    ci_low: Number
    ci_high: Number
    d: Number
    dz: Number
    pct_improved: Number

    def as_dict(self) -> dict:
        return asdict(self)


def paired_change(before: Mapping[str, float], after: Mapping[str, float]) -> PairedChange:
    """Change from ``before`` to ``after`` over the codes scored at both (code → score maps)."""
    codes = sorted(set(before) & set(after))
    a = [before[c] for c in codes]
    b = [after[c] for c in codes]
    diffs = [y - x for x, y in zip(a, b)]
    return paired_change_from(mean_sd(diffs), mean_sd(a)[2], mean_sd(b)[2], sum(1 for x in diffs if x > 0))


def paired_means(before: Mapping[str, float], after: Mapping[str, float], change: PairedChange) -> tuple[Number, Number]:
    """The means the Summary sheet shows beside a paired change: the earlier scores' mean over the
    codes scored at both, and that mean plus the mean change (so the two differ by exactly the
    change shown); (None, None) when no code is scored at both."""
    n, mean, _sd = mean_sd(before[c] for c in set(before) & set(after))
    if not n or change.mean_change is None:
        return None, None
    return mean, mean + change.mean_change


def paired_change_from(change: tuple[int, Number, Number], sd_before: Number, sd_after: Number,
                       improved: int) -> PairedChange:
    """:func:`paired_change` from :func:`mean_sd` of the changes, the standard deviations of the
    scores before and after (over the same pairs) and how many changes are above 0."""
    n, mean, sd = change
    t, df, p = one_sample_t(n, mean, sd)
    ci_low = ci_high = None
    if n >= 2:
        half = _t_quantile(n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    d = None
    if n >= 2:
        pooled = math.sqrt((sd_before ** 2 + sd_after ** 2) / 2)
        d = None if _zero(pooled) else mean / pooled
    dz = None if _zero(sd) else mean / sd
    pct = 100.0 * improved / n if n else None
    return PairedChange(n, mean, sd, t, df, p, ci_low, ci_high, d, dz, pct)


def paired_change_formulas(before: str, change: str, cell: dict[str, str]) -> dict[str, str]:
    """Twins of :func:`paired_change`.

    ``before`` and ``change`` are helper columns that hold a number only on rows whose code
    is paired (found once at both time points, both scores present); ``cell`` maps each
    statistic to the cell it is written in, so later formulas reuse earlier results. The
    later scores' variance is var(before) + var(change) + 2·cov(before, change).
    """
    n, mean, sd = cell["n_pairs"], cell["mean_change"], cell["sd_change"]
    var_a = f"{VAR}({before})"
    # COVAR is the population covariance, everywhere; n/(n − 1) makes it the sample's.
    var_b = f"({var_a}+{VAR}({change})+2*COVAR({before},{change})*{n}/({n}-1))"
    pooled = f"SQRT(({var_a}+{var_b})/2)"
    out = {
        "n_pairs": f"=COUNT({change})",
        "mean_change": f"=IF({n}>=1,AVERAGE({change}),\"\")",
        "sd_change": f"=IF({n}>=2,{STDEV}({change}),\"\")",
        "pct_improved": f"=IF({n}>=1,100*COUNTIF({change},\">0\")/{n},\"\")",
        "ci_low": f"=IF({n}>=2,{mean}-{t_quantile_formula(n)}*{sd}/SQRT({n}),\"\")",
        "ci_high": f"=IF({n}>=2,{mean}+{t_quantile_formula(n)}*{sd}/SQRT({n}),\"\")",
        "d": f"=IF({n}>=2,IF({pooled}>{ZERO_SD:g},{mean}/{pooled},\"\"),\"\")",
        "dz": f"=IF({n}>=2,IF({sd}>{ZERO_SD:g},{mean}/{sd},\"\"),\"\")",
    }
    out.update(one_sample_t_formulas(n, mean, sd, cell["t"], cell["df"]))
    return out


def one_sample_t_formulas(n: str, mean: str, sd: str, t: str, df: str) -> dict[str, str]:
    """Twins of :func:`one_sample_t` given the cells holding n, mean, sd, t and df."""
    return {
        "t": f"=IF({n}>=2,IF({sd}>{ZERO_SD:g},{mean}/({sd}/SQRT({n})),\"\"),\"\")",
        "df": f"=IF({n}>=2,{n}-1,\"\")",
        "p": f"=IF(ISNUMBER({t}),{two_tailed_p_formula(t, df)},\"\")",
    }


def one_sample_t(n: int, mean: Number, sd: Number) -> tuple[Number, Number, Number]:
    """t, df and two-tailed p of a mean against zero; None where it cannot be computed."""
    if n < 2 or _zero(sd):
        return None, (n - 1 if n >= 2 else None), None
    t = mean / (sd / math.sqrt(n))
    return t, n - 1, _two_tailed_p(t, n - 1)


# ---------------------------------------------------------------------------------------------
# The double-baseline contrast


@dataclass(frozen=True)
class BaselineContrast:
    n: int
    mean: Number
    sd: Number
    t: Number
    df: Number
    p: Number

    def as_dict(self) -> dict:
        return asdict(self)


def baseline_contrast(t0: Mapping[str, float], t1: Mapping[str, float], t2: Mapping[str, float]) -> BaselineContrast:
    """Per participant with all three scores, (t2 − t1) − (t1 − t0): course change minus drift."""
    codes = sorted(set(t0) & set(t1) & set(t2))
    return baseline_contrast_from(mean_sd([(t2[c] - t1[c]) - (t1[c] - t0[c]) for c in codes]))


def baseline_contrast_from(contrast: tuple[int, Number, Number]) -> BaselineContrast:
    """:func:`baseline_contrast` from :func:`mean_sd` of each participant's ``(t2 - t1) - (t1 - t0)``."""
    n, mean, sd = contrast
    t, df, p = one_sample_t(n, mean, sd)
    return BaselineContrast(n, mean, sd, t, df, p)


def baseline_contrast_formulas(contrast: str, cell: dict[str, str]) -> dict[str, str]:
    """Twins of :func:`baseline_contrast` over a helper column of per-participant contrasts."""
    n, mean, sd = cell["n"], cell["mean"], cell["sd"]
    out = {
        "n": f"=COUNT({contrast})",
        "mean": f"=IF({n}>=1,AVERAGE({contrast}),\"\")",
        "sd": f"=IF({n}>=2,{STDEV}({contrast}),\"\")",
    }
    out.update(one_sample_t_formulas(n, mean, sd, cell["t"], cell["df"]))
    return out
