"""Numbers as the toolkit writes them in text, in the style the workbook's number formats and
formulas show (``workbook/styles.py``, ``workbook/readings.py``): means to one decimal, d to
two, p as "< 0.001" or "0.012" (never ".040" or "p < .001"); halves rounded away from zero,
as every spreadsheet program's ROUND does."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(x: float, decimals: int) -> float:
    """Twin of ROUND(x, decimals)."""
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def fixed(x: float, decimals: int) -> str:
    """Twin of the workbook's FIXED(ROUND(x, n), n): halves away from zero, thousands with
    commas, no "-0"."""
    rounded = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:,.{decimals}f}"


def p_text(p: float) -> str:
    """Twin of the workbook's p-value format (styles.P_FORMAT): "< 0.001", else three decimals."""
    return "< 0.001" if p < 0.001 else fixed(p, 3)


def with_leading_zeros(text: str) -> str:
    """A quoted result in the toolkit's number style: "p < .001" becomes "p < 0.001"."""
    return re.sub(r"(?<![\w.])\.(?=\d)", "0.", text)
