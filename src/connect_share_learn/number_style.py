"""Numbers as the toolkit writes them in text, in the style the workbook's number formats
show (``workbook/styles.py``): p as "< 0.001" or "0.012", never ".040" or "p < .001"."""

from __future__ import annotations

import re


def p_text(p: float) -> str:
    """A p-value as text: "< 0.001" below 0.001, else three decimals ("0.012")."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def with_leading_zeros(text: str) -> str:
    """A quoted result in the toolkit's number style: "p < .001" becomes "p < 0.001"."""
    return re.sub(r"(?<![\w.])\.(?=\d)", "0.", text)
