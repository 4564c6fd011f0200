"""Every statistic of real generated workbooks, recalculated in LibreOffice and in Gnumeric,
equals stats.py, and the two engines agree on every formula cell.

Workbooks are filled with hand-made edge cases and hypothesis-generated data, recalculated
in one LibreOffice call per batch and by Gnumeric beside it, and every defined statistic,
every row's scale score, every formula cell of every sheet and every cell's freedom from
error values is checked.
"""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connect_share_learn import stats
from connect_share_learn.results import course_results
from connect_share_learn.testing import course_rows
from connect_share_learn.workbook.layout import FIRST_ROW, layout_course

from helpers import datasets, default_toolkit
from recalc import CAPACITY, check_workbooks

TOOLKIT = default_toolkit()
COURSES = sorted(TOOLKIT.courses)


@pytest.mark.slow(seconds=25)
def test_hand_made_edge_cases(tmp_path):
    cases = []
    for k, course_id in enumerate(COURSES):
        course = TOOLKIT.courses[course_id]
        cases.append((course_id, course_rows(TOOLKIT, course, 30, seed=k, bad_rate=0.1, duplicates=2)))
        cases.append((course_id, {tp: [] for tp in course.tp_ids}))  # n = 0
    foundation = TOOLKIT.courses["foundation"]
    one = course_rows(TOOLKIT, foundation, 1, seed=3, keep=1.0, duplicates=0, blank_rate=0)
    two = course_rows(TOOLKIT, foundation, 2, seed=4, keep=1.0, duplicates=0, blank_rate=0)
    equal = course_rows(TOOLKIT, foundation, 12, seed=5, keep=1.0, duplicates=0, constant=True, blank_rate=0)
    cases += [("foundation", one), ("foundation", two), ("foundation", equal)]
    # Codes differing only in case and spaces match; a code typed twice is left out.
    rows = {"t1": [{"code": "ab01c", "se_1": 50, "se_2": 60, "se_3": 70, "se_4": 80, "se_5": 50, "se_6": 60},
                   {"code": "XY02Z", **{f"se_{i}": 10 * i for i in range(1, 10)}},
                   {"code": "XY02Z", **{f"se_{i}": 10 for i in range(1, 10)}},
                   {"code": "QQ03Q", **{f"se_{i}": 30 for i in range(1, 10)}}],
            "t2": [{"code": " AB01C ", **{f"se_{i}": 90 for i in range(1, 10)}},
                   {"code": "xy02z", **{f"se_{i}": 90 for i in range(1, 10)}},
                   {"code": "QQ03Q", **{f"se_{i}": 40 for i in range(1, 10)}, "att_4": 7, "att_1": "5"}],
            "t3": []}
    cases.append(("foundation", rows))
    # Codes Excel's COUNTIF would read as one number ("0007" and "7") stay apart.
    numeric = {"t1": [{"code": "0007", **{f"se_{i}": 50 for i in range(1, 10)}},
                      {"code": "7", **{f"se_{i}": 60 for i in range(1, 10)}},
                      {"code": "1E3", **{f"se_{i}": 70 for i in range(1, 10)}},
                      {"code": 1000, **{f"se_{i}": 20 for i in range(1, 10)}}],
               "t2": [{"code": "7", **{f"se_{i}": 90 for i in range(1, 10)}},
                      {"code": "0007", **{f"se_{i}": 80 for i in range(1, 10)}},
                      {"code": "1000", **{f"se_{i}": 40 for i in range(1, 10)}}],
               "t3": []}
    cases.append(("foundation", numeric))
    check_workbooks(cases, tmp_path, TOOLKIT)


# "A%S" is how the key spells "A*", and "50%" holds the character that marks spellings: the
# spelling must keep every pair of codes apart.
AWKWARD_CODES = ["AB-12", "N/A", "1234567890", "A*", "A1", "?", "~", ">5", "=X", "ÉCOLE1", "ABCDEFGHI",
                 "ABCDEFGHIJ", "A B", "0", "00", "7", "ZZZZZZZZZ", "A%S", "50%", "A?B", "AXB", "~*", "<>", "#N/A",
                 "TRUE", "12/03", "1E3"]


def test_awkward_codes_match_exactly(tmp_path):
    """Codes that take the text path of the key (punctuation, wildcards, operators, accents,
    more than nine characters) and codes at the edges of the number path match exactly as
    stats.py says, and each row's key is stats.code_key's."""
    se = lambda v: {f"se_{i}": v for i in range(1, 10)}  # noqa: E731
    t1 = [{"code": c, **se(10 + 3 * k)} for k, c in enumerate(AWKWARD_CODES)]
    t1.append({"code": "A  B ", **se(50)})  # the same code as "A B" once spaces are trimmed: a duplicate
    t2 = [{"code": c.lower() if k % 2 else f" {c} ", **se(60 + 2 * k)} for k, c in enumerate(AWKWARD_CODES) if k % 3]
    t2 += [{"code": "A2", **se(70)}, {"code": "AB-13", **se(70)}, {"code": "1234567891", **se(70)}]
    rows = {"t1": t1, "t2": t2, "t3": [{"code": "a*", **se(90)}, {"code": "n/a", **se(90)}]}
    check_workbooks([("foundation", rows)], tmp_path, TOOLKIT)
    expected = course_results(TOOLKIT, TOOLKIT.courses["foundation"], rows)
    assert expected["self_efficacy_t1_t2_n_pairs"] >= 8 and expected["self_efficacy_t1_t3_n_pairs"] == 2
    layouts = layout_course(TOOLKIT, TOOLKIT.courses["foundation"], CAPACITY)
    for engine in ("libreoffice", "gnumeric"):
        wb = openpyxl.load_workbook(tmp_path / "recalculated" / engine / "case00_foundation.xlsx", data_only=True,
                                    read_only=True)
        for tp, typed in rows.items():
            sheet, col = wb[layouts[tp].sheet], layouts[tp].helpers["key"]
            got = [r[col] for r in sheet.iter_rows(min_row=FIRST_ROW + 1, max_row=FIRST_ROW + len(typed), values_only=True)]
            assert got == [stats.code_key(r["code"]) for r in typed], (engine, tp)


LONG_SUM_SCALE = "\n".join(
    ["id: long_scale", "title: A long summed scale", "construct: Testing", "level: 2a",
     "instructions: Tick one.", "format: agree5", "scoring: sum", "min_answered: 20",
     "provenance: {author: tests, original: false}", "items:"]
    + [f"  - {{id: ls_{i}, text: Statement {i}.{', reverse: true' if i % 4 == 0 else ''}}}" for i in range(1, 41)])
LONG_COURSE = """\
id: long_course
title: A course with a long scale
description: Tests.
time_points:
  - {id: t0, scales: [long_scale, knowledge_foundation]}
  - {id: t1, scales: [long_scale, knowledge_foundation]}
  - {id: t2, scales: [long_scale, knowledge_foundation]}
"""


@pytest.mark.slow
def test_a_partnerships_own_forty_item_summed_scale(tmp_path, project):
    from connect_share_learn.spec.load import load_toolkit

    root = project({"scales/long_scale.yaml": LONG_SUM_SCALE, "courses/long_course.yaml": LONG_COURSE})
    toolkit = load_toolkit(scales=root / "scales", courses=root / "courses")
    course = toolkit.courses["long_course"]
    cases = [("long_course", course_rows(toolkit, course, 30, seed=s, bad_rate=0.05, blank_rate=0.05)) for s in (1, 2)]
    check_workbooks(cases, tmp_path, toolkit)
    # Every formula fits Excel's limit of 8,192 characters.
    wb = openpyxl.load_workbook(tmp_path / "case00_long_course.xlsx")
    longest = max(len(str(c.value)) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and c.value.startswith("="))
    assert longest < 8192


def test_a_full_workbook(tmp_path):
    course = TOOLKIT.courses["parental_mental_health"]
    rows = course_rows(TOOLKIT, course, CAPACITY, seed=11, keep=1.0, duplicates=0)
    rows = {tp: r[:CAPACITY] for tp, r in rows.items()}
    check_workbooks([("parental_mental_health", rows)], tmp_path, TOOLKIT)


# print_blob: a failure prints the @reproduce_failure line that replays it.
@pytest.mark.slow(seconds=20)
@settings(max_examples=2, deadline=None, phases=[Phase.generate], database=None, print_blob=True,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_data(tmp_path_factory, data):
    cases = [(cid, data.draw(datasets(TOOLKIT, TOOLKIT.courses[cid], max_n=CAPACITY - 5), label=cid)) for cid in COURSES]
    check_workbooks(cases, tmp_path_factory.mktemp("generated"), TOOLKIT)
