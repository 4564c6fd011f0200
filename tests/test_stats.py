"""stats.py implements the statistics contract of design.md; checked against scipy and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from connect_share_learn import stats
from connect_share_learn.spec.load import load_toolkit

TK = load_toolkit()
ATT = TK.scales["attitudes"]  # agree5, 1-5, items 4, 6 and 8 reversed, min_answered 6
KNOW = TK.scales["knowledge_foundation"]  # true_false: 1 True, 2 False, 9 Don't know
AGREE, TF = TK.format_of(ATT), TK.format_of(KNOW)


def test_mean_score_recodes_reversed_items_and_ignores_invalid_answers():
    answers = [5, 4, 3, 1, 5, "x", 2, 7, None]  # att_4 reversed: 1 -> 5; "x", 7 and None are missing
    values = [5, 4, 3, 5, 5, 2]
    assert stats.score(ATT, AGREE, answers) == pytest.approx(sum(values) / len(values))


def test_too_few_answers_give_no_score():
    assert stats.score(ATT, AGREE, [5, 4, 3, 1, 5, None, None, None, None]) is None


def test_sum_scoring_is_the_mean_times_the_number_of_items():
    summed = ATT.model_copy(update={"scoring": "sum"})
    answers = [5, 4, 3, 1, 5, 2, 2, None, 4]
    assert stats.score(summed, AGREE, answers) == pytest.approx(stats.score(ATT, AGREE, answers) * 9)


def test_percent_correct_counts_dont_know_and_unanswered_as_incorrect():
    keys = [i.key for i in KNOW.items]
    answers = [keys[0], keys[1], 9, 9, keys[4], 3, keys[6], None, keys[8]]  # 3 is not an option
    # Answered (valid codes): 7 of 9 >= min_answered 6; correct: 5 of 9 items.
    assert stats.score(KNOW, TF, answers) == pytest.approx(100 * 5 / 9)
    assert stats.score(KNOW, TF, [9, 9, 9, 9, 9, None, None, None, None]) is None


def test_a_boolean_or_text_number_is_not_an_answer():
    assert stats.as_number(True) is None and stats.as_number("3") is None and stats.as_number(3) == 3.0


paired = st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=0, max_size=40)


@settings(max_examples=200, deadline=None)
@given(paired)
def test_paired_change_equals_scipy(pairs):
    before = {f"C{i}": float(a) for i, (a, _) in enumerate(pairs)}
    after = {f"C{i}": float(b) for i, (_, b) in enumerate(pairs)}
    got = stats.paired_change(before, after)
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)
    n = len(pairs)
    assert got.n_pairs == n
    if n == 0:
        assert got.mean_change is None and got.pct_improved is None
        return
    diff = b - a
    assert got.mean_change == pytest.approx(diff.mean())
    assert got.pct_improved == pytest.approx(100 * np.mean(diff > 0))
    if n < 2:
        assert got.sd_change is None and got.t is None and got.ci_low is None and got.d is None
        return
    sd = diff.std(ddof=1)
    assert got.sd_change == pytest.approx(sd, abs=1e-12)
    if sd <= stats.ZERO_SD:
        assert got.t is None and got.p is None and got.dz is None
    else:
        test = sps.ttest_rel(b, a)
        assert got.t == pytest.approx(test.statistic) and got.p == pytest.approx(test.pvalue)
        assert got.df == n - 1
        assert got.dz == pytest.approx(diff.mean() / sd)
    low, high = sps.t.interval(0.95, n - 1, loc=diff.mean(), scale=sd / math.sqrt(n)) if sd else (diff.mean(),) * 2
    assert got.ci_low == pytest.approx(low) and got.ci_high == pytest.approx(high)
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    assert got.d == (None if pooled <= stats.ZERO_SD else pytest.approx(diff.mean() / pooled))


def test_paired_change_uses_only_codes_present_at_both():
    got = stats.paired_change({"A": 1.0, "B": 2.0, "X": 9.0}, {"A": 3.0, "B": 3.0, "Y": 0.0})
    assert got.n_pairs == 2 and got.mean_change == pytest.approx(1.5)


def test_cronbach_alpha_equals_the_textbook_formula():
    rng = np.random.default_rng(3)
    rows = rng.integers(1, 6, size=(30, 6)).astype(float)
    k = rows.shape[1]
    expected = k / (k - 1) * (1 - rows.var(axis=0, ddof=1).sum() / rows.sum(axis=1).var(ddof=1))
    assert stats.cronbach_alpha(rows.tolist()) == pytest.approx(expected)
    assert stats.cronbach_alpha(rows[:1].tolist()) is None  # one participant
    assert stats.cronbach_alpha([[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]) is None  # no variance


def test_time_point_statistics_and_alpha_over_complete_rows():
    rows = [[5, 4, 3, 1, 5, 2, 2, 4, 4], [4, 4, 4, 2, 4, 2, 3, 4, 3], [1, 2, 2, 5, 1, 5, 1, 1, 2],
            [5, 5, None, 1, 5, 1, 5, 5, 5]]
    got = stats.time_point_stats(ATT, AGREE, rows)
    scores = [stats.score(ATT, AGREE, r) for r in rows]
    assert got.n == 4 and got.mean == pytest.approx(np.mean(scores)) and got.sd == pytest.approx(np.std(scores, ddof=1))
    complete = [[stats.item_value(ATT, AGREE, i, x) for i, x in enumerate(r)] for r in rows[:3]]
    assert got.alpha == pytest.approx(stats.cronbach_alpha(complete))


def test_baseline_contrast_is_a_one_sample_t_test():
    t0 = {"A": 2.0, "B": 3.0, "C": 2.5, "D": 4.0}
    t1 = {"A": 2.2, "B": 3.1, "C": 2.4, "D": 4.0}
    t2 = {"A": 3.5, "B": 3.9, "C": 3.8, "E": 1.0}
    got = stats.baseline_contrast(t0, t1, t2)
    contrasts = [(t2[c] - t1[c]) - (t1[c] - t0[c]) for c in "ABC"]
    test = sps.ttest_1samp(contrasts, 0)
    assert got.n == 3 and got.mean == pytest.approx(np.mean(contrasts))
    assert got.t == pytest.approx(test.statistic) and got.p == pytest.approx(test.pvalue)


def test_codes_are_trimmed_upper_cased_and_duplicates_found():
    assert stats.normalise_code("  ab12c ") == "AB12C"
    assert stats.normalise_code("ab  12") == "AB 12"  # as TRIM: runs of spaces become one
    assert stats.normalise_code("   ") is None and stats.normalise_code(None) is None
    assert stats.normalise_code(1234.0) == "1234"
    assert stats.duplicate_codes(["ab1", "AB1 ", "cd2", None, ""]) == {"AB1"}
    assert stats.unique_scores(["ab1", "AB1", "cd2", "ef3"], [1.0, 2.0, 3.0, None]) == {"CD2": 3.0}


def test_mean_ci_half_width():
    assert stats.mean_ci_half(1, None) is None
    assert stats.mean_ci_half(10, 2.0) == pytest.approx(sps.t.ppf(0.975, 9) * 2 / math.sqrt(10))
