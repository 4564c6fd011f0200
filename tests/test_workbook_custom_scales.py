"""A partnership's own scales compute the same in both engines as in stats.py: a 7-point
scale from -3 to 3 with reversed items, a knowledge scale whose "don't know" is coded 0, a
summed scale, and a published paired t-test typed into a workbook."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.testing import course_rows

from helpers import datasets
from recalc import check_workbooks, named_values


def _labels(lo: int, hi: int) -> str:
    return "{" + ", ".join(f'{p}: "{p}"' for p in range(lo, hi + 1)) + "}"


FILES = {
    "scales/formats.yaml": f"""\
        kind: response_formats
        formats:
          - {{id: bipolar7, kind: rating, title: From -3 to 3, min: -3, max: 3, labels: {_labels(-3, 3)}}}
          - id: quiz
            kind: choice
            title: Three options or don't know
            options: [{{code: 1, label: A}}, {{code: 2, label: B}}, {{code: 3, label: C}}]
            dont_know: {{code: 0, label: "Don't know"}}
          - {{id: hours, kind: rating, title: Extra hours of sleep, min: -10, max: 10, labels: {_labels(-10, 10)}}}
        """,
    "scales/bipolar.yaml": """\
        id: bipolar
        title: Working with other agencies
        construct: Testing a 7-point scale with reversed items.
        level: 2a
        instructions: Circle one number.
        format: bipolar7
        scoring: mean
        min_answered: 4
        provenance: {author: tests, original: false}
        items:
          - {id: bp_1, text: One.}
          - {id: bp_2, text: Two., reverse: true}
          - {id: bp_3, text: Three.}
          - {id: bp_4, text: Four.}
          - {id: bp_5, text: Five., reverse: true}
          - {id: bp_6, text: Six.}
        """,
    "scales/quiz.yaml": """\
        id: quiz
        title: Our procedures
        construct: Testing a knowledge scale whose don't know is 0.
        level: 2b
        instructions: Tick one.
        format: quiz
        scoring: percent_correct
        min_answered: 3
        provenance: {author: tests, original: false}
        items:
          - {id: qz_1, text: One., key: 1}
          - {id: qz_2, text: Two., key: 2}
          - {id: qz_3, text: Three., key: 3}
          - {id: qz_4, text: Four., key: 1}
          - {id: qz_5, text: Five., key: 2}
        """,
    "scales/summed.yaml": """\
        id: summed
        title: A summed scale
        construct: Testing.
        level: 2a
        instructions: Tick one.
        format: agree5
        scoring: sum
        min_answered: 3
        provenance: {author: tests, original: false}
        items:
          - {id: sm_1, text: One.}
          - {id: sm_2, text: Two., reverse: true}
          - {id: sm_3, text: Three.}
          - {id: sm_4, text: Four.}
        """,
    "scales/sleep.yaml": """\
        id: sleep
        title: Extra sleep
        construct: Student's sleep data (Cushny and Peebles, 1905).
        level: 3
        instructions: Hours.
        format: hours
        scoring: mean
        provenance: {author: tests, original: false}
        items:
          - {id: sl_1, text: Extra hours of sleep.}
        """,
    "courses/custom.yaml": """\
        id: custom
        title: A course with the partnership's own scales
        description: Tests.
        time_points:
          - {id: t1, scales: [bipolar, quiz, summed]}
          - {id: t2, scales: [bipolar, quiz, summed]}
          - {id: t3, weeks: 12, scales: [bipolar, quiz]}
        """,
    "courses/sleep_trial.yaml": """\
        id: sleep_trial
        title: Two drugs
        description: A published paired t-test.
        time_points:
          - {id: t1, scales: [sleep]}
          - {id: t2, scales: [sleep]}
        """,
}


@pytest.fixture(scope="module")
def toolkit(tmp_path_factory):
    import textwrap

    root = tmp_path_factory.mktemp("custom")
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(content), encoding="utf-8")
    return load_toolkit(scales=root / "scales", courses=root / "courses")


@pytest.mark.slow
def test_the_partnerships_own_scales_with_messy_data(toolkit, tmp_path):
    course = toolkit.courses["custom"]
    cases = [("custom", course_rows(toolkit, course, 30, seed=s, bad_rate=0.1, duplicates=2)) for s in (1, 2)]
    # Hand-made: don't know (0) counts as answered but not correct; 0 typed on the -3..3 scale is
    # its middle; reversed items at both ends; a pasted "2" and an out-of-range 4.
    both = {"bp_1": -3, "bp_2": -3, "bp_3": 0, "bp_4": 3, "bp_5": 3, "bp_6": "2",
            "qz_1": 0, "qz_2": 2, "qz_3": 0, "qz_4": 1, "qz_5": 4, "sm_1": 5, "sm_2": 1, "sm_3": 4}
    later = {**both, "bp_3": 4, "qz_1": 1, "qz_3": 3, "sm_4": 2}
    cases.append(("custom", {"t1": [{"code": "AA01B", **both}, {"code": "AA02B", **later}],
                             "t2": [{"code": "aa01b", **later}, {"code": "AA02B ", **both}],
                             "t3": [{"code": "AA01B", **both}]}))
    check_workbooks(cases, tmp_path, toolkit)


@pytest.mark.slow
@settings(max_examples=2, deadline=None, phases=[Phase.generate], database=None, print_blob=True,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_the_partnerships_own_scales_with_generated_data(toolkit, tmp_path_factory, data):
    rows = data.draw(datasets(toolkit, toolkit.courses["custom"], max_n=35), label="custom")
    check_workbooks([("custom", rows)], tmp_path_factory.mktemp("custom"), toolkit)


# Student's sleep data (Cushny and Peebles 1905), as in R's ?sleep: extra hours of sleep of
# ten patients on each of two drugs. R's t.test(extra ~ group, data = sleep, paired = TRUE)
# publishes t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 to -0.7001142 for
# group 1 minus group 2; the workbook's change is group 2 minus group 1.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


@pytest.mark.slow
def test_a_published_paired_t_test(toolkit, tmp_path):
    rows = {"t1": [{"code": f"P{k:02d}", "sl_1": x} for k, x in enumerate(SLEEP_1, start=1)],
            "t2": [{"code": f"P{k:02d}", "sl_1": x} for k, x in enumerate(SLEEP_2, start=1)]}
    for engine in check_workbooks([("sleep_trial", rows)], tmp_path, toolkit)[0]:
        got = named_values(engine)
        assert got["sleep_t1_t2_n_pairs"] == 10 and got["sleep_t1_t2_df"] == 9, engine
        assert round(got["sleep_t1_t2_mean_change"], 2) == 1.58
        assert round(got["sleep_t1_t2_t"], 4) == 4.0621
        assert round(got["sleep_t1_t2_p"], 6) == 0.002833
        assert round(got["sleep_t1_t2_ci_low"], 7) == 0.7001142
        assert round(got["sleep_t1_t2_ci_high"], 7) == 2.4598858
        assert math.isclose(got["sleep_t1_t2_dz"], 1.58 / got["sleep_t1_t2_sd_change"])
