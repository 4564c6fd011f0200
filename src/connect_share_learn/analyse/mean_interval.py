"""The 95% confidence interval of a mean: the error bars of the report's charts."""

from __future__ import annotations

import functools
import math

from scipy import stats as sps


@functools.lru_cache(maxsize=4096)
def _t_quantile(q: float, df: int) -> float:
    # scipy's distributions cost ~0.1 ms a call; pooling asks for the same few df many times.
    return float(sps.t.ppf(q, df))


def mean_ci(n: int, mean: float | None, sd: float | None, level: float = 0.95) -> tuple[float | None, float | None]:
    """(low, high) of the t-based interval of a mean; (None, None) with fewer than 2 values."""
    if n < 2 or mean is None or sd is None:
        return None, None
    half = _t_quantile(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half
