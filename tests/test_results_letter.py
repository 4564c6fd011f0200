"""`csl letters results_summary --workbook FILE`: the results summary filled from a course's workbook.

A real generated workbook is typed into as a user would (with openpyxl, so that it holds no
cached formula results, like a file never recalculated), and the letter's figures must be the
workbook's own Summary sheet figures (read from a twin workbook that the generator wrote with
the same rows and their true results) and those of ``results.course_results`` (the Python
twin of the workbook's formulas), in the workbook's number style.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from connect_share_learn import results, stats
from connect_share_learn.analyse.disclosure import MIN_CELL
from connect_share_learn.number_style import fixed, p_text
from connect_share_learn.spec.model import text
from connect_share_learn.testing import simulate
from connect_share_learn.workbook import build
from connect_share_learn.workbook.layout import paired_scales

DETAILS = {"partnership": "Northshire Safeguarding Children Partnership", "title": "Working Together, March cohort",
           "start_date": dt.datetime(2026, 3, 2), "end_date": dt.datetime(2026, 3, 3), "trainer": "A Trainer",
           "attended": 24}


def type_into(workbook: Path, rows: dict, details: dict | None = DETAILS) -> Path:
    """Type ``rows`` (time point → rows of column id → value) and the course details into the
    generated ``workbook`` as a user would: cell by cell, saved by a program that does not
    recalculate (openpyxl keeps the formulas and drops every cached result)."""
    wb = openpyxl.load_workbook(workbook)
    names = wb.defined_names
    for tp, tp_rows in rows.items():
        ((sheet, area),) = names[f"{tp}_data"].destinations
        ws = wb[sheet]
        top_left = area.replace("$", "").split(":")[0]
        top = ws[top_left].row
        header: dict[str, int] = {}
        for c in range(1, ws.max_column + 1):
            if ws.cell(top - 1, c).value:
                header.setdefault(ws.cell(top - 1, c).value, c)  # the typed columns come first
        for r, row in enumerate(tp_rows):
            for cid, value in (row or {}).items():
                if value is not None:
                    ws.cell(top + r, header[cid]).value = value
    for key, value in (details or {}).items():
        ((sheet, cell),) = names[f"course_{key}"].destinations
        wb[sheet][cell.replace("$", "")].value = value
    wb.save(workbook)
    return workbook


def messy_rows(toolkit, course, n: int, seed: int) -> dict:
    """Plausible answers with what people type: a duplicate code, a blank code, a code with a typo
    (so it matches nobody), codes in lower case and with spaces, blanks (reversed items are in the
    default scales)."""
    rows = simulate(toolkit, course, n, seed=seed)
    first, later = course.tp_ids[0], course.tp_ids[1]
    rows[first].append(dict(rows[first][1]))  # typed twice
    rows[first][3] = {**rows[first][3], "code": None}
    rows[later][0] = {**rows[later][0], "code": rows[later][0]["code"][:-1] + "Z"}  # matches nobody
    rows[later][1] = {**rows[later][1], "code": "  " + rows[later][1]["code"].lower() + " "}
    return rows


def make_workbook(folder: Path, toolkit, course, rows: dict, name: str = "march.xlsx", **kw) -> Path:
    path = build.write_workbook(toolkit, course, folder / name, capacity=40)
    return type_into(path, rows, **kw)


def letter_tables(path: Path) -> tuple[dict[str, str], list[list[str]], list[str]]:
    """The filled letter's course table (label → value), its table of results (rows of cells,
    heading row first) and its bullet points."""
    doc = Document(str(path))
    course = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    figures = [[c.text for c in row.cells] for row in doc.tables[1].rows] if len(doc.tables) > 1 else []
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    return course, figures, bullets


def summary_sheet(path: Path) -> dict:
    """The Summary sheet's named figures (summary_*) as stored in a workbook the generator wrote."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, defined in wb.defined_names.items():
        if name.startswith("summary_"):
            ((sheet, cell),) = defined.destinations
            out[name] = wb[sheet][cell.replace("$", "")].value
    return out


def shown(x, decimals: int) -> str:
    return "" if x is None or x == "" else fixed(x, decimals)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, toolkit):
    """A foundation course's workbook typed in, the letter written from it, and the twin
    workbook the generator wrote with the same rows (its Summary sheet holds true results)."""
    from click.testing import CliRunner

    from connect_share_learn.cli import cli

    folder = tmp_path_factory.mktemp("filled")
    course = toolkit.courses["foundation"]
    rows = messy_rows(toolkit, course, 22, seed=15)
    typed = make_workbook(folder, toolkit, course, rows)
    twin = build.write_workbook(toolkit, course, folder / "twin.xlsx", capacity=40, rows=rows)
    before = typed.read_bytes()
    result = CliRunner().invoke(cli, ["letters", "results_summary", "--workbook", str(typed), "--out",
                                      str(folder / "out"), "--date", "2026-03-14"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert typed.read_bytes() == before  # only ever read
    return folder, course, rows, typed, twin, folder / "out" / "results_summary" / "march.docx"


def test_the_typed_workbook_holds_no_results_to_copy(filled):
    """The letter cannot have copied its figures: the file it read holds none."""
    _folder, _course, _rows, typed, _twin, _letter = filled
    cached = summary_sheet(typed)
    assert cached and all(v is None for k, v in cached.items() if k.endswith(("_change", "_d", "_p", "_mean")))


def test_each_figure_is_the_summary_sheets_in_its_number_style(filled, toolkit):
    folder, course, rows, _typed, twin, letter = filled
    sheet = summary_sheet(twin)
    want = results.course_results(toolkit, course, rows)
    _details, figures, bullets = letter_tables(letter)
    a, b = course.pairs[0]
    scales = paired_scales(toolkit, course, a, b)
    assert figures[0][:3] == ["Scale", "Start mean", "End mean"]
    assert [row[0] for row in figures[1:]] == [text(s.title, "en") for s in scales]
    checked = 0
    for scale, row in zip(scales, figures[1:]):
        key, name = f"summary_{scale.id}", f"{scale.id}_{a}_{b}"
        _title, before, after, change, ci, d, improved, p = row
        # The workbook's own Summary sheet, as its cells' number formats show it.
        assert before == shown(sheet[f"{key}_before_mean"], 1)
        assert after == shown(sheet[f"{key}_after_mean"], 1)
        assert change == shown(sheet[f"{key}_change"], 1)
        assert ci == (sheet[f"{key}_ci"] or "")
        assert d == shown(sheet[f"{key}_d"], 2)
        assert improved == f"{fixed(sheet[f'{key}_pct_improved'], 0)}%"
        assert p == p_text(sheet[f"{key}_p"])
        # And stats.py on the rows typed, through the Results sheet's Python twin.
        assert change == fixed(want[f"{name}_mean_change"], 1)
        assert ci == f"{fixed(want[f'{name}_ci_low'], 1)} to {fixed(want[f'{name}_ci_high'], 1)}"
        assert d == fixed(want[f"{name}_d"], 2)
        assert p == ("< 0.001" if want[f"{name}_p"] < 0.001 else f"{want[f'{name}_p']:.3f}")
        before_scores = results.scores_by_code(toolkit, course, rows, a, scale)
        after_scores = results.scores_by_code(toolkit, course, rows, b, scale)
        change_stats = stats.paired_change(before_scores, after_scores)
        assert before == fixed(stats.paired_means(before_scores, after_scores, change_stats)[0], 1)
        assert want[f"{name}_n_pairs"] >= MIN_CELL
        checked += 1
    assert checked == len(scales) == 3
    # The reading under the table is the Summary sheet's, word for word.
    assert bullets == [sheet[f"summary_{s.id}_reading"] for s in scales]


def test_course_details_and_counts_are_the_workbooks(filled, toolkit):
    folder, course, rows, _typed, twin, letter = filled
    sheet = summary_sheet(twin)
    details, _figures, _bullets = letter_tables(letter)
    assert details["Course and dates"] == "Working Together, March cohort, 2 March 2026 to 3 March 2026"
    assert details["Questionnaires returned (24 took part)"] == "; ".join(f"{name}: {sheet[f'summary_{tp}_entered']}" for tp, name
                                                          in zip(course.tp_ids, ("Start", "End", "Follow-up")))
    a, b = course.pairs[0]
    linked = details["People linked by their code"]
    assert linked == f"{sheet[f'summary_{b}_matched']} (Start and End)"
    linked = linked.split()[0]
    # The duplicate, the blank code and the typo are left out of the pairs, as on the Summary sheet.
    codes_a = {stats.normalise_code(r["code"]) for r in rows[a] if r.get("code")}
    codes_b = {stats.normalise_code(r["code"]) for r in rows[b] if r.get("code")}
    assert int(linked) < len(codes_a & codes_b)


def test_a_course_too_small_to_show_is_hidden_and_blank(tmp_path, toolkit, run):
    course = toolkit.courses["foundation"]
    rows = simulate(toolkit, course, 3, seed=4, end=1.0, follow_up=0.0)
    path = make_workbook(tmp_path, toolkit, course, {tp: r for tp, r in rows.items() if tp != "t3"})
    result = run("letters", "results_summary", "--workbook", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    details, figures, bullets = letter_tables(tmp_path / "out" / "results_summary" / "march.docx")
    # 3 and 3 people hidden; no one at follow-up discloses nobody
    assert details["Questionnaires returned (24 took part)"] == "Start: [c]; End: [c]; Follow-up: 0"
    assert details["People linked by their code"] == "[c] (Start and End)"
    assert len(figures) == 4 and all(cell == "[c]" for row in figures[1:] for cell in row[1:])
    assert all("[c]" in b and not any(ch.isdigit() for ch in b.replace("[c]", "")) for b in bullets)


def test_no_pair_yet_gives_blanks(tmp_path, toolkit, run):
    """Only the start typed in: nothing to compare, so the figures are blank, not 0."""
    course = toolkit.courses["foundation"]
    rows = simulate(toolkit, course, 8, seed=5)
    path = make_workbook(tmp_path, toolkit, course, {"t1": rows["t1"]})
    assert run("letters", "results_summary", "--workbook", path, "--out", tmp_path / "out").exit_code == 0
    details, figures, bullets = letter_tables(tmp_path / "out" / "results_summary" / "march.docx")
    assert details["Questionnaires returned (24 took part)"] == "Start: 8; End: 0; Follow-up: 0"
    assert all(cell == "" for row in figures[1:] for cell in row[1:])
    assert len(bullets) == 3 and all("too few people could be linked" in b for b in bullets)


# ---------------------------------------------------------------------------------------------
# Bad input and a user's files


def _one_sentence_naming(result, path: Path, *words: str) -> None:
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_bad_workbooks_are_refused_in_one_sentence(tmp_path, toolkit, run, filled):
    out = tmp_path / "out"
    text = tmp_path / "notes.xlsx"
    text.write_text("code,att_1\nAB12C,4\n", encoding="utf-8")
    _one_sentence_naming(run("letters", "results_summary", "--workbook", text, "--out", out), text, "not an .xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(filled[3].read_bytes()[:20_000])
    _one_sentence_naming(run("letters", "results_summary", "--workbook", broken, "--out", out), broken, "damaged")
    empty = build.write_workbook(toolkit, toolkit.courses["foundation"], tmp_path / "empty.xlsx", capacity=10)
    _one_sentence_naming(run("letters", "results_summary", "--workbook", empty, "--out", out), empty, "no answers")
    demo = tmp_path / "demo.xlsx"
    assert run("demo", "--out", demo).exit_code == 0
    _one_sentence_naming(run("letters", "results_summary", "--workbook", demo, "--out", out), demo, "example")
    assert not out.exists() or not any(out.rglob("*.docx"))


def test_wrong_use_is_refused(tmp_path, run, filled):
    typed = filled[3]
    result = run("letters", "invitation", "--workbook", typed, "--out", tmp_path)
    assert result.exit_code == 2 and "results summary only" in result.output
    result = run("letters", "results_summary", "--workbook", typed, "--participants", typed, "--out", tmp_path)
    assert result.exit_code == 2 and "not both" in result.output


def test_a_file_of_the_users_is_never_replaced_without_force(tmp_path, run, filled):
    typed = filled[3]
    target = tmp_path / "results_summary" / "march.docx"
    target.parent.mkdir()
    target.write_bytes(b"my own notes")
    result = run("letters", "results_summary", "--workbook", typed, "--out", tmp_path)
    assert result.exit_code == 2 and "--force" in result.output and str(target.name) in result.output
    assert target.read_bytes() == b"my own notes"
    assert run("letters", "results_summary", "--workbook", typed, "--out", tmp_path, "--force").exit_code == 0
    assert zipfile.is_zipfile(target)
    # Its own letter, unchanged since, is replaced on a second run without --force.
    assert run("letters", "results_summary", "--workbook", typed, "--out", tmp_path).exit_code == 0


def test_large_print_gives_each_scale_its_own_rows_with_the_same_figures(tmp_path, run, filled):
    """Eight columns of 16 pt figures do not fit across A4: the figures go down the page instead."""
    letter = filled[5]
    result = run("letters", "results_summary", "--workbook", filled[3], "--out", tmp_path, "--large-print")
    assert result.exit_code == 0, result.output
    _details, figures, _bullets = letter_tables(letter)
    doc = Document(str(tmp_path / "results_summary-large-print" / "march.docx"))
    rows = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert len(doc.tables[1].columns) == 2 and len(rows) == 8 * (len(figures) - 1)
    for k, wide in enumerate(figures[1:]):
        block = rows[8 * k: 8 * k + 8]
        assert block[0][0] == wide[0]
        assert [value for _label, value in block[1:]] == wide[1:]


@pytest.mark.libreoffice
def test_the_filled_letter_prints_on_one_page(tmp_path, run, filled):
    typed = filled[3]
    result = run("letters", "results_summary", "--workbook", typed, "--out", tmp_path, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "results_summary" / "march.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
