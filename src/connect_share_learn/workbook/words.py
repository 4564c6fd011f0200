"""The workbook's words in a language (templates/workbook/wording.yaml, translated), and a time
point as users read it."""

from __future__ import annotations

from connect_share_learn.wording import load


def wording(language: str = "en") -> dict:
    """The workbook's words in ``language``."""
    return load("workbook", language)


def tp_name(w: dict, tp: str, code: bool = True) -> str:
    """A time point as users read it: "Start (t1)", or "Start" without the code."""
    name = w["time_points"][tp]
    return f"{name} ({tp})" if code else name
