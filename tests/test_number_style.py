"""One number style in text and in the workbook: p as "< 0.001" or "0.012"."""

from connect_share_learn.number_style import p_text, with_leading_zeros
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.workbook.styles import P_FORMAT


def test_p_as_text_follows_the_workbooks_p_format():
    below, shown = P_FORMAT.split(";")
    assert below == '[<0.001]"< 0.001"' and shown == "0.000"
    assert p_text(0.0004) == "< 0.001"
    assert p_text(0.001) == "0.001"
    assert p_text(0.04) == "0.040"
    assert p_text(0.9999) == "1.000"


def test_quoted_results_take_leading_zeros_and_nothing_else_changes():
    assert with_leading_zeros("p < .001") == "p < 0.001"
    assert with_leading_zeros("p = .04, d = .5") == "p = 0.04, d = 0.5"
    assert with_leading_zeros("p = 0.04 (v1.2, 1.05)") == "p = 0.04 (v1.2, 1.05)"


def test_the_research_findings_are_shown_in_that_style():
    shown = {b.significance for b in load_toolkit().benchmarks if b.significance}
    assert shown and all(".0" in s and " ." not in s for s in shown), shown
