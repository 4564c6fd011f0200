"""The same course returned twice in different files, and course details that contradict the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from connect_share_learn.analyse.quality import catalogue, wording
from connect_share_learn.analyse.returned import read_returned
from connect_share_learn.analyse.run import analyse, write_outputs
from connect_share_learn.testing import contract_workbook, simulate


@pytest.fixture
def foundation(toolkit):
    return toolkit.courses["foundation"]


def _rules(analysis, rule):
    return [p for p in analysis.problems if p.rule == rule]


def test_the_same_course_saved_again_is_pooled_once(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 12, seed=5)
    folder = tmp_path / "in"
    folder.mkdir()
    contract_workbook(folder / "a_course.xlsx", toolkit, foundation, rows)
    # The same rows, the trainer's name corrected: other bytes, the same course.
    contract_workbook(folder / "b_course_again.xlsx", toolkit, foundation, rows, details={"trainer": "B Trainer"})
    assert (folder / "a_course.xlsx").read_bytes() != (folder / "b_course_again.xlsx").read_bytes()
    other = simulate(toolkit, foundation, 12, seed=6)
    contract_workbook(folder / "c_other_course.xlsx", toolkit, foundation, other)
    analysis = analyse(toolkit, [folder], workers=1)

    assert analysis.accounting.files_read == 2 and analysis.accounting.files_refused == 1
    left_out = {b.file: b for b in analysis.books if b.refused}
    again = str(folder / "b_course_again.xlsx")
    assert list(left_out) == [again]
    [problem] = _rules(analysis, "duplicate_course")
    assert problem.file == again and problem.detail == str(folder / "a_course.xlsx")
    assert "a_course.xlsx" in wording(problem)[0]
    assert analysis.files_by_rule == {"duplicate_course": 1}
    # Nobody is counted twice: the pooled rows are those of the two different courses.
    typed = sum(1 for rs in (rows, other) for tp_rows in rs.values() for r in tp_rows if r)
    assert analysis.accounting.rows_typed == typed
    all_group = next(r for r in analysis.results if r.kind == "all")
    assert all_group.courses == 2

    # Sent again after the end-of-course questionnaires were typed: that later copy is kept.
    early = {tp: (tp_rows if tp == foundation.tp_ids[0] else []) for tp, tp_rows in rows.items()}
    contract_workbook(folder / "0_early_copy.xlsx", toolkit, foundation, early)
    again_analysis = analyse(toolkit, [folder], workers=1)
    left_out = sorted(b.file for b in again_analysis.books if b.refused)
    assert left_out == [str(folder / "0_early_copy.xlsx"), again]
    assert {p.detail for p in _rules(again_analysis, "duplicate_course")} == {str(folder / "a_course.xlsx")}
    (folder / "0_early_copy.xlsx").unlink()

    out = tmp_path / "out"
    write_outputs(analysis, out)
    lines = list(csv.DictReader(io.StringIO((out / "quality.csv").read_text(encoding="utf-8-sig"))))
    assert any(x["rule"] == "duplicate_course" and x["file"] == again for x in lines)
    assert "b_course_again.xlsx" in (out / "report.html").read_text(encoding="utf-8")


def test_courses_that_differ_in_one_answer_or_have_no_codes_are_both_pooled(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 12, seed=5)
    changed = simulate(toolkit, foundation, 12, seed=5)
    first = changed[foundation.tp_ids[0]][0]
    scored = next(k for k in first if k.startswith("se_"))
    first[scored] = 10 if first[scored] != 10 else 20
    uncoded = {tp: [{k: v for k, v in r.items() if k != "code"} for r in tp_rows] for tp, tp_rows in rows.items()}
    folder = tmp_path / "in"
    folder.mkdir()
    contract_workbook(folder / "a.xlsx", toolkit, foundation, rows)
    contract_workbook(folder / "b_one_answer_differs.xlsx", toolkit, foundation, changed)
    contract_workbook(folder / "c_no_codes.xlsx", toolkit, foundation, uncoded)
    contract_workbook(folder / "d_no_codes.xlsx", toolkit, foundation, uncoded, details={"trainer": "B Trainer"})
    analysis = analyse(toolkit, [folder], workers=1)
    assert analysis.accounting.files_refused == 0
    assert not _rules(analysis, "duplicate_course")


@pytest.mark.libreoffice
def test_a_workbook_resaved_by_libreoffice_beside_its_original_is_pooled_once(tmp_path, toolkit):
    from connect_share_learn.office import convert

    course = toolkit.courses["domestic_abuse"]
    folder = tmp_path / "in"
    folder.mkdir()
    contract_workbook(folder / "da.xlsx", toolkit, course, simulate(toolkit, course, 15, seed=8))
    convert([folder / "da.xlsx"], tmp_path / "resaved", to="xlsx")
    (tmp_path / "resaved" / "da.xlsx").rename(folder / "da_resaved.xlsx")
    analysis = analyse(toolkit, [folder], workers=1)
    assert [(b.file, b.refused) for b in analysis.books] == [(str(folder / "da.xlsx"), False),
                                                             (str(folder / "da_resaved.xlsx"), True)]
    assert [p.detail for p in _rules(analysis, "duplicate_course")] == [str(folder / "da.xlsx")]


def test_more_questionnaires_than_attended_and_an_end_before_the_start_are_noted(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 10, seed=2, end=1.0)
    path = contract_workbook(tmp_path / "w.xlsx", toolkit, foundation, rows,
                             details={"attended": 8, "start_date": dt.date(2025, 9, 15), "end_date": dt.date(2025, 9, 1)})
    book = read_returned(path, "w.xlsx", toolkit)
    assert not book.refused and book.rows_used == sum(len(v) for v in rows.values())
    over = [p for p in book.problems if p.rule == "response_rate_over_100"]
    # The number of questionnaires is not given: it may be a count that the outputs hide.
    assert {p.detail for p in over} >= {"on Start (t1), where 8 attended", "on End (t2), where 8 attended"}
    assert all(p.sheet == "Start here" and p.row and p.column == "B" for p in over)
    [late] = [p for p in book.problems if p.rule == "end_before_start"]
    assert late.detail == "01/09/2025, before the start date 15/09/2025" and late.sheet == "Start here"
    assert "01/09/2025" in wording(late)[0]


def test_consistent_details_are_not_noted(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 10, seed=2, end=1.0)
    path = contract_workbook(tmp_path / "w.xlsx", toolkit, foundation, rows,
                             details={"attended": 10, "start_date": dt.date(2025, 9, 15), "end_date": dt.date(2025, 9, 15)})
    book = read_returned(path, "w.xlsx", toolkit)
    assert not {"response_rate_over_100", "end_before_start"} & {p.rule for p in book.problems}


def test_every_new_rule_is_in_the_catalogue():
    for rule in ("duplicate_course", "response_rate_over_100", "end_before_start"):
        assert {"problem", "action"} <= set(catalogue()[rule])
