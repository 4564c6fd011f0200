"""Workbooks made by the real generator, filled, (re-saved by LibreOffice,) and analysed.

Each course's results must equal ``results.course_results`` — the Python twin of the
workbook's own Results sheet — on the very rows that were typed in.
"""

from __future__ import annotations

import math
import os
import shutil

import pytest

from connect_share_learn.analyse.run import analyse
from connect_share_learn.testing import simulate

build = pytest.importorskip("connect_share_learn.workbook.build", reason="the workbook generator is not there yet")
results_module = pytest.importorskip("connect_share_learn.results")

COURSES = [("foundation", 18, 31), ("domestic_abuse", 16, 32), ("parental_mental_health", 9, 33)]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def as_named(result) -> dict:
    """A course GroupResult under the workbook's defined names."""
    out = {}
    for s in result.time_points:
        for name, value in s.stats.as_dict().items():
            out[f"{s.scale}_{s.tp}_{name}"] = value
        out[f"{s.scale}_{s.tp}_ci_half"] = s.ci_half
    for (sid, a, b), change in result.changes.items():
        for name, value in change.as_dict().items():
            out[f"{sid}_{a}_{b}_{name}"] = value
    for sid, contrast in result.contrasts.items():
        for name, value in contrast.as_dict().items():
            out[f"{sid}_baseline_{name}"] = value
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory, toolkit):
    folder = tmp_path_factory.mktemp("generated")
    typed = {}
    for cid, n, seed in COURSES:
        course = toolkit.courses[cid]
        rows = simulate(toolkit, course, n, seed=seed)
        first = course.tp_ids[0]
        rows[first].append(dict(rows[first][0]))  # typed twice
        rows[first][2] = {**rows[first][2], "code": None}  # no code
        build.write_workbook(toolkit, course, folder / f"{cid}.xlsx", capacity=40, rows=rows)
        typed[f"{cid}.xlsx"] = (course, rows)
    return folder, typed


def _check(analysis, typed, toolkit):
    assert analysis.accounting.files_read == len(typed) and analysis.accounting.files_refused == 0
    assert analysis.accounting.rows_typed == sum(len(r) for _, rows in typed.values() for r in rows.values())
    checked = 0
    for result in analysis.results:
        if result.kind != "course":
            continue
        book = analysis.data.books[int(result.key)]
        course, rows = typed[os.path.basename(book.file)]
        want = results_module.course_results(toolkit, course, rows)
        got = as_named(result)
        assert set(got) == set(want), set(got) ^ set(want)
        for name, value in want.items():
            assert close(got[name], value), (book.file, name, got[name], value)
            checked += 1
    assert checked > 100


def test_generated_workbooks_give_the_workbooks_own_results(generated, toolkit):
    folder, typed = generated
    analysis = analyse(toolkit, [folder], workers=1)
    assert not [p for p in analysis.problems if p.row is None and p.rule not in ("course_details", "negative_item_total")]
    assert not [p for p in analysis.problems if p.rule in ("below_block", "row_no_answers", "sheet_dimension")]
    _check(analysis, typed, toolkit)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_generated_workbooks_resaved_by_libreoffice_give_the_same_results(generated, toolkit, tmp_path):
    from connect_share_learn.office import convert

    folder, typed = generated
    inputs = sorted(folder.glob("*.xlsx"))
    resaved = tmp_path / "resaved"
    convert(inputs, resaved, to="xlsx")
    analysis = analyse(toolkit, [resaved], workers=1)
    _check(analysis, typed, toolkit)


def test_properties_lost_as_after_google_sheets(generated, toolkit, tmp_path):
    """Google Sheets drops custom document properties: the course is recognised by its columns."""
    import zipfile

    folder, typed = generated
    target = tmp_path / "gs"
    target.mkdir()
    for path in folder.glob("*.xlsx"):
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(target / path.name, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename != "docProps/custom.xml":
                    zout.writestr(info, zin.read(info.filename))
    analysis = analyse(toolkit, [target], workers=1)
    assert sum(p.rule == "properties_missing" for p in analysis.problems) == len(typed)
    _check(analysis, typed, toolkit)
    shutil.rmtree(target)


@pytest.mark.libreoffice
def test_matched_is_the_workbooks_own_matched_count(tmp_path, toolkit):
    """Every time point's Matched count, recalculated in LibreOffice, is analyse's matched count
    for the same pair — with a code typed twice and a row holding only a code."""
    from recalc import named_values, recalculate

    course = toolkit.courses["foundation"]
    rows = simulate(toolkit, course, 14, seed=43)
    rows["t2"].append(dict(rows["t2"][0]))  # typed twice at the end
    at_end = {r["code"].upper() for r in rows["t2"]}
    absent = next(r["code"] for r in rows["t1"] if r["code"].upper() not in at_end)
    rows["t2"].append({"code": absent})  # an end questionnaire with nothing but the code
    folder = tmp_path / "in"
    folder.mkdir()
    build.write_workbook(toolkit, course, folder / "w.xlsx", capacity=40, rows=rows)
    [recalculated] = recalculate([folder / "w.xlsx"], tmp_path / "out")
    named = named_values(recalculated)
    result = next(g for g in analyse(toolkit, [folder], workers=1).results if g.kind == "course")
    pairs = [next((a, b) for a, b in course.pairs if b == tp) for tp in course.tp_ids[1:]]
    assert [named[f"{b}_matched"] for _, b in pairs] == [result.matched[p] for p in pairs]
    assert result.matched[("t1", "t2")] > result.changes[("self_efficacy", "t1", "t2")].n_pairs
