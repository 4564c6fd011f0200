"""The one definition of every statistic (design.md, "Statistics").

The workbook's formulas are generated to mean exactly what these functions compute, and
tests recalculate real workbooks in LibreOffice and compare the two. A statistic that
cannot be computed (too few cases, zero variance) is ``None`` — shown blank, never 0.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

from scipy import stats as sps

from connect_share_learn.spec.model import ResponseFormat, Scale

Number = float | None

# ---------------------------------------------------------------------------------------------
# Items and scale scores


def as_number(raw) -> float | None:
    """A typed cell value as a number, or None when it is not one (text, blank, True/False)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    return None


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
    values = [item_value(scale, fmt, i, raw) for i, raw in enumerate(answers)]
    valid = [v for v in values if v is not None]
    if len(valid) < scale.min_answered:
        return None
    if scale.scoring == "percent_correct":
        return 100.0 * sum(valid) / len(scale.items)
    mean = sum(valid) / len(valid)
    if scale.scoring == "sum":
        return mean * len(scale.items)
    if scale.scoring == "mean":
        return mean
    return None


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


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> Number:
    """Cronbach's alpha over complete rows (participants who answered every item)."""
    if len(rows) < 2 or not rows or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_vars = [mean_sd(col)[2] ** 2 for col in zip(*rows)]
    total_sd = mean_sd(math.fsum(r) for r in rows)[2]
    if not total_sd:
        return None
    return k / (k - 1) * (1 - math.fsum(item_vars) / total_sd**2)


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
    code = str(raw).strip().upper()
    return code or None


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
    n, mean, sd = mean_sd(diffs)
    t, df, p = one_sample_t(n, mean, sd)
    ci_low = ci_high = None
    if n >= 2:
        half = sps.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    d = None
    if n >= 2:
        pooled = math.sqrt((mean_sd(a)[2] ** 2 + mean_sd(b)[2] ** 2) / 2)
        d = mean / pooled if pooled else None
    dz = mean / sd if sd else None
    pct = 100.0 * sum(1 for x in diffs if x > 0) / n if n else None
    return PairedChange(n, mean, sd, t, df, p, ci_low, ci_high, d, dz, pct)


def one_sample_t(n: int, mean: Number, sd: Number) -> tuple[Number, Number, Number]:
    """t, df and two-tailed p of a mean against zero; None where it cannot be computed."""
    if n < 2 or not sd:
        return None, (n - 1 if n >= 2 else None), None
    t = mean / (sd / math.sqrt(n))
    return t, n - 1, float(2 * sps.t.sf(abs(t), n - 1))


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
    contrasts = [(t2[c] - t1[c]) - (t1[c] - t0[c]) for c in codes]
    n, mean, sd = mean_sd(contrasts)
    t, df, p = one_sample_t(n, mean, sd)
    return BaselineContrast(n, mean, sd, t, df, p)
