"""csl import: online responses appended to a copy of the data-entry workbook, nothing else changed.

The round trip is the proof: export a course's XLSForm, answer it as KoboToolbox would
export (group-prefixed names, meta columns, codes as text, a label, wrong answers, a code
twice, one missing), import into a workbook that already has typed rows — as generated and
as re-saved by LibreOffice — recalculate in LibreOffice, and every named statistic equals
stats.py on the typed and imported rows together. The other tests hold the file handling,
the reporting and the refusals to one clear sentence each.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import random
import re
import stat
import subprocess
import zipfile
from pathlib import Path

import click
import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from connect_share_learn import office
from connect_share_learn.cli.import_responses import import_command
from connect_share_learn.importing.sheet_xml import cell_xml
from connect_share_learn.results import course_results
from connect_share_learn.testing import course_rows
from connect_share_learn.workbook.build import write_workbook
from connect_share_learn.workbook.layout import FIRST_ROW, layout_course
from connect_share_learn.xlsform import build_form

from helpers import default_toolkit
from recalc import error_cells, named_values, recalculate

TOOLKIT = default_toolkit()
FOUNDATION = TOOLKIT.courses["foundation"]
META = ["start", "end", "_uuid", "_submission_time", "meta/instanceID", "_index"]


def run_import(*args) -> "click.testing.Result":
    return CliRunner().invoke(import_command, [str(a) for a in args], catch_exceptions=False)


def make_workbook(path: Path, rows: dict, capacity: int = 40, course=FOUNDATION) -> Path:
    write_workbook(TOOLKIT, course, path, capacity=capacity, rows=rows)
    return path


def write_csv(path: Path, header: list[str], records: list[list], delimiter=",", encoding="utf-8") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def sheet_rows(path: Path, course, tp: str, first: int, count: int, capacity: int = 40) -> list[tuple]:
    lay = layout_course(TOOLKIT, course, capacity)[tp]
    ws = openpyxl.load_workbook(path, read_only=True)[lay.sheet]
    return [r[:len(lay.inputs)] for r in ws.iter_rows(min_row=FIRST_ROW + 1 + first, max_row=FIRST_ROW + first + count,
                                                       values_only=True)]


# ---------------------------------------------------------------------------------------------
# Responses made from the exported form


def form_fields(course, tp: str) -> list[tuple[str, str, list[tuple[str, str]] | None]]:
    """(column header as KoboToolbox may export it, field name, [(code, label)] or None for text)."""
    form = build_form(TOOLKIT, course, tp)
    choices: dict[str, list[tuple[str, str]]] = {}
    for c in form.choices:
        choices.setdefault(c["list_name"], []).append((c["name"], c["label"]))
    out, group = [], None
    for k, row in enumerate(form.survey):
        kind, name = row["type"], row["name"]
        if kind == "begin_group":
            group = name
        elif kind == "end_group":
            group = None
        elif kind != "note":
            header = f"{group}/{name}" if group and k % 2 else name
            options = choices[kind.split()[1]] if kind.startswith("select_one") else None
            out.append((header, name, options))
    return out


def online_responses(course, tp: str, codes: list[str | None], seed: int) -> tuple[list[str], list[list], list[dict]]:
    """A KoboToolbox-like export for ``codes`` and the rows the workbook should then hold."""
    rng = random.Random(seed)
    fields = form_fields(course, tp)
    header = META[:2] + [h for h, _, _ in fields] + ["extra_question"] + META[2:] + ["self_efficacy_intro"]
    records, expected = [], []
    for i, code in enumerate(codes):
        values, row = {}, {}
        for _, name, options in fields:
            if name == "code":
                values[name], row[name] = code or "", code
                continue
            roll = rng.random()
            if roll < 0.08:
                continue
            if options is None:
                text = rng.choice(["Helpful & <clear>", "=SUM(A1:A2)", "Cymraeg: ŵ ŷ", "  spaced  ", "_x0041_ stays"])
                values[name] = row[name] = text
            elif roll < 0.12:
                values[name], row[name] = "abc", "abc"  # not an answer: imported as typed
            elif roll < 0.15:
                values[name], row[name] = "7.5", 7.5
            elif roll < 0.2:
                code_, label = rng.choice(options)
                values[name], row[name] = label, int(code_)  # a label export becomes the code
            else:
                code_, _ = rng.choice(options)
                values[name], row[name] = code_, int(code_)
        records.append(["2026-03-01T10:00:00", "2026-03-01T10:09:00"] + [values.get(n, "") for _, n, _ in fields]
                       + ["ignored?" if i == 0 else ""] + [f"uuid-{i}", "2026-03-01", f"uuid:{i}", str(i), ""])
        expected.append(row)
    return header, records, expected


def combined(typed: dict, tp: str, imported: list[dict]) -> dict:
    rows = {k: list(v) for k, v in typed.items()}
    rows[tp] = rows[tp] + imported
    return rows


def split_for_import(rows: dict, tp: str, keep: int) -> tuple[dict, list[str]]:
    """Typed rows with only the first ``keep`` of ``tp`` typed; the codes of the others go online."""
    typed = {k: list(v) for k, v in rows.items()}
    online = [r.get("code") for r in typed[tp][keep:]]
    typed[tp] = typed[tp][:keep]
    return typed, online


# ---------------------------------------------------------------------------------------------
# The round trip


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_part(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet\b[^>]*name="{re.escape(sheet)}"[^>]*>', wb).group()
    rid = re.search(r'r:id="([^"]+)"', rid).group(1)
    target = re.search(rf'<Relationship\b[^>]*Id="{rid}"[^>]*>', rels).group()
    return "xl/" + re.search(r'Target="([^"]+)"', target).group(1).lstrip("/").removeprefix("xl/")


CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def without_stored_results(xml: str) -> str:
    """Sheet XML with formula cells' cached results taken out (the import drops them: they go stale)."""
    return re.sub(r"(</f>|<f\b[^>]*/>)<v>[^<]*</v>", r"\1", xml)


def assert_only_cells_added(before: Path, after: Path, sheet: str) -> int:
    """Every part is kept, in order; the other sheets lose only formulas' cached results, the
    entry sheet only gains cells, workbook.xml only asks for a full recalculation."""
    a, b = parts(before), parts(after)
    assert list(a) == list(b), "the parts of the workbook changed"
    part = sheet_part(before, sheet)
    for name in a:
        if name in (part, "xl/workbook.xml") or a[name] == b[name]:
            continue
        assert name.startswith("xl/worksheets/"), f"{name} changed"
        assert without_stored_results(a[name].decode()) == without_stored_results(b[name].decode()), f"{name} changed"
        assert not re.search(r"</f><v>[^<]", b[name].decode()), f"{name} keeps stale results"
    wa, wb = a["xl/workbook.xml"].decode(), b["xl/workbook.xml"].decode()
    assert re.sub(r"<calcPr[^>]*>", "", wa) == re.sub(r"<calcPr[^>]*>", "", wb)
    assert re.search(r'<calcPr[^>]*fullCalcOnLoad="1"', wb)
    sa, sb = without_stored_results(a[part].decode()), without_stored_results(b[part].decode())
    # Around the cells (columns, validation, protection, conditional formats, drawings) nothing changed.
    head = lambda s: re.sub(r'<dimension ref="[^"]*"/>', "", s[:s.index("<sheetData")])  # noqa: E731
    assert head(sa) == head(sb)
    assert sa[sa.index("</sheetData>"):] == sb[sb.index("</sheetData>"):]
    cells_a, cells_b = CELL.findall(sa), CELL.findall(sb)
    kept = set(cells_b)
    missing = [c for c in cells_a if c not in kept and not re.fullmatch(r'<c r="[A-Z]+\d+" s="\d+"/>', c)]
    assert not missing, f"cells lost or changed: {missing[:3]}"
    return len(cells_b) - len(cells_a)


_NEVER_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def open_as_a_user_would(paths: list[Path], folder: Path) -> list[Path]:
    """Open and save in LibreOffice with its default setting: never recalculate an .xlsx on opening."""
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NEVER_RECALCULATE, encoding="utf-8")
    env = dict(os.environ, HOME=str(folder), XDG_CACHE_HOME=str(folder / "cache"), XDG_CONFIG_HOME=str(folder / "config"))
    outs = [folder / "out" / p.name for p in paths]
    for _attempt in range(2):  # a fresh profile's first start sometimes converts nothing
        subprocess.run([office.soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx", "--outdir", str(folder / "out"), *map(str, paths)],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
        if all(o.exists() and o.stat().st_size for o in outs):
            return outs
    raise AssertionError("LibreOffice did not convert the workbooks")


def check_statistics(path: Path, expected_rows: dict):
    expected = course_results(TOOLKIT, FOUNDATION, expected_rows)
    got = named_values(path)
    assert any(v is not None for v in got.values()), "nothing was recalculated"
    wrong = [(n, expected[n], got.get(n)) for n in expected
             if not (expected[n] is None and got.get(n) is None)
             and (expected[n] is None or got.get(n) is None or not math.isclose(expected[n], got[n], rel_tol=1e-9, abs_tol=1e-9))]
    assert not wrong, f"{path.name}: {len(wrong)} statistics differ, e.g. {wrong[:4]}"
    assert error_cells(path) == [], path.name


@pytest.mark.slow
@pytest.mark.libreoffice
def test_round_trip_statistics_equal_stats_py_and_nothing_else_changes(tmp_path):
    rows = course_rows(TOOLKIT, FOUNDATION, 30, seed=7, bad_rate=0.05, duplicates=1)
    # 1. Import the end-of-course questionnaires into the workbook as generated.
    typed2, online2 = split_for_import(rows, "t2", keep=12)
    online2 = [c for c in online2 if c] + [online2[0], None]  # a code given twice; one with no code
    fresh = make_workbook(tmp_path / "generated.xlsx", typed2)
    header, records, imported2 = online_responses(FOUNDATION, "t2", online2, seed=1)
    responses2 = write_csv(tmp_path / "kobo_t2.csv", header, records, delimiter=";", encoding="utf-8-sig")
    before = hashlib.sha256(fresh.read_bytes()).hexdigest()
    result = run_import(responses2, "--course", "foundation", "--time-point", "t2", "--workbook", fresh,
                        "--out", tmp_path / "out_generated.xlsx")
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(fresh.read_bytes()).hexdigest() == before, "the input workbook was changed"
    assert f"Imported {len(imported2)} response(s)" in result.output
    assert "extra_question" in result.output and "no participant code" in result.output
    assert "_uuid" not in result.output and "self_efficacy_intro" not in result.output
    assert f"code {online2[0].strip().upper()}" in result.output
    added = assert_only_cells_added(fresh, tmp_path / "out_generated.xlsx", "End (t2)")
    assert added > len(imported2)

    # 2. Import the start-of-course questionnaires (with the profile) into a workbook re-saved by LibreOffice.
    typed1, online1 = split_for_import(rows, "t1", keep=15)
    online1 = [c for c in online1 if c]
    resaved = office.convert([make_workbook(tmp_path / "resaved.xlsx", typed1)], tmp_path / "lo", to="xlsx")[0]
    header, records, imported1 = online_responses(FOUNDATION, "t1", online1, seed=2)
    responses1 = write_csv(tmp_path / "kobo_t1.csv", header, records)
    result = run_import(responses1, "--course", "foundation", "--time-point", "t1", "--workbook", resaved,
                        "--out", tmp_path / "out_resaved.xlsx")
    assert result.exit_code == 0, result.output
    assert_only_cells_added(resaved, tmp_path / "out_resaved.xlsx", "Start (t1)")

    # The imported rows matter: they add matched pairs (so the comparison below is not vacuous).
    pairs = lambda rows: course_results(TOOLKIT, FOUNDATION, rows)["self_efficacy_t1_t2_n_pairs"]  # noqa: E731
    assert pairs(combined(typed2, "t2", imported2)) >= pairs(typed2) + 3
    assert pairs(combined(typed1, "t1", imported1)) >= pairs(typed1) + 3
    out = recalculate([tmp_path / "out_generated.xlsx", tmp_path / "out_resaved.xlsx"], tmp_path / "recalculated")
    check_statistics(out[0], combined(typed2, "t2", imported2))
    check_statistics(out[1], combined(typed1, "t1", imported1))
    # What a LibreOffice user sees: by default it never recalculates an .xlsx on opening (and
    # ignores fullCalcOnLoad), so the import drops the stale cached results of the re-saved one.
    seen = open_as_a_user_would([tmp_path / "out_generated.xlsx", tmp_path / "out_resaved.xlsx"], tmp_path / "as_user")
    check_statistics(seen[0], combined(typed2, "t2", imported2))
    check_statistics(seen[1], combined(typed1, "t1", imported1))
    # The charts, validation and protection are still in the workbook LibreOffice read back.
    with zipfile.ZipFile(out[0]) as z:
        names = z.namelist()
        assert any(n.startswith("xl/charts/chart") for n in names)
        sheet = z.read(sheet_part(out[0], "End (t2)")).decode()
        assert "<dataValidation " in sheet and "<sheetProtection" in sheet


# ---------------------------------------------------------------------------------------------
# Appending: where, as what, and again


def test_appends_after_the_last_typed_row_even_past_a_gap_and_again_into_the_output(tmp_path):
    typed = {"t1": [{"code": "AA01A", "se_1": 50}, {}, {"code": "BB02B", "se_2": 60}], "t2": [], "t3": []}
    book = make_workbook(tmp_path / "wb.xlsx", typed)
    first = write_csv(tmp_path / "a.csv", ["code", "self_efficacy/se_1", "agency"], [["CC03C", "70", "2"]])
    assert run_import(first, "--course", "foundation", "--time-point", "t1", "--workbook", book,
                      "--out", tmp_path / "one.xlsx").exit_code == 0
    second = write_csv(tmp_path / "b.csv", ["code", "se_1"], [["DD04D", "80"]])
    result = run_import(second, "--course", "foundation", "--time-point", "t1", "--workbook", tmp_path / "one.xlsx",
                        "--out", tmp_path / "two.xlsx")
    assert result.exit_code == 0, result.output
    assert "rows 8–8" in result.output
    got = sheet_rows(tmp_path / "two.xlsx", FOUNDATION, "t1", 0, 5)
    assert [r[0] for r in got] == ["AA01A", None, "BB02B", "CC03C", "DD04D"]
    assert got[3][1] == 2 and got[3][5] == 70  # agency, se_1: numbers, not text
    assert isinstance(got[3][0], str)


def test_text_is_written_as_typed_never_as_a_formula(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    odd = ["=SUM(A1:A2)", "a & b <c> \"d\"", "  lead and trail  ", "_x0041_ literal", "line1\nline2", "bell\x07"]
    records = [[f"C{i:02d}", text] for i, text in enumerate(odd)]
    src = write_csv(tmp_path / "t.csv", ["code", "comments_end/com_useful"], records)
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    lay = layout_course(TOOLKIT, FOUNDATION, 40)["t2"]
    got = [r[lay.col("com_useful")] for r in sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t2", 0, len(odd))]
    # openpyxl leaves Excel's _xHHHH_ escapes (for characters XML cannot hold, and for a literal
    # "_x0041_") undecoded; Excel and LibreOffice decode them.
    decoded = [re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), g) for g in got]
    assert decoded == odd
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")[lay.sheet]
    assert ws.cell(FIRST_ROW + 1, 1).data_type == "s"


def test_cell_xml_escapes():
    assert cell_xml("A4", 3, "8") == '<c r="A4" s="8"><v>3</v></c>'
    assert cell_xml("A4", 2.5, None) == '<c r="A4"><v>2.5</v></c>'
    assert "&lt;b&gt; &amp;" in cell_xml("A4", "<b> &", "8")
    assert "_x005F_x0041_" in cell_xml("A4", "_x0041_", "8")


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("cp1252", "\t")])
def test_csv_encodings_and_separators(tmp_path, encoding, delimiter):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "com_useful", "reaction/rea_1"],
                    [["AB01C", "café – naïve “quotes” £5", "4"]], delimiter=delimiter, encoding=encoding)
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    lay = layout_course(TOOLKIT, FOUNDATION, 40)["t2"]
    row = sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t2", 0, 1)[0]
    assert row[lay.col("com_useful")] == "café – naïve “quotes” £5"
    assert row[lay.col("rea_1")] == 4


def test_a_garbled_answer_is_noted_with_its_line(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "com_useful"], [["AB01C", "Fine"], ["CD02E", "The trainerâ€™s cafÃ© talk"]])
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    assert "Note: " in result.output and "r.csv:3: 'trainerâ€™s' looks like 'trainer’s' garbled" in result.output
    assert "(line 3)" in result.output


def test_xlsx_responses(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = tmp_path / "kobo.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("foundation_t3")
    for c, h in enumerate(["start", "code", "self_efficacy/se_1", "attitudes/att_1", "_uuid"]):
        ws.write_string(0, c, h)
    ws.write_string(1, 1, "XY12Z")
    ws.write_number(1, 2, 90)
    ws.write_string(1, 3, "Strongly agree")
    ws.write_number(2, 1, 1234)  # a code typed as digits arrives as a number: written as text
    ws.write_string(2, 2, "40")
    wb.add_worksheet("repeat_group")
    wb.close()
    result = run_import(src, "--course", "foundation", "--time-point", "t3", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    lay = layout_course(TOOLKIT, FOUNDATION, 40)["t3"]
    rows = sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t3", 0, 2)
    assert rows[0][0] == "XY12Z" and rows[0][lay.col("se_1")] == 90 and rows[0][lay.col("att_1")] == 5
    assert rows[1][0] == "1234" and rows[1][lay.col("se_1")] == 40
    assert "1 answer(s) were given as labels" in result.output


# ---------------------------------------------------------------------------------------------
# Reported, nothing lost


def test_problems_are_listed_with_their_line_and_column(tmp_path):
    typed = {"t1": [], "t2": [{"code": "AB01C", "se_1": 10}], "t3": []}
    book = make_workbook(tmp_path / "wb.xlsx", typed)
    src = write_csv(tmp_path / "r.csv", ["code", "se_1", "att_1", "kf_1", "mystery"], [
        ["ab01c ", "50", "6", "2", "x"],  # duplicate of a typed code; 6 is off the 1–5 scale
        ["", "40", "", "", ""],  # no code
        ["", "", "", "", ""],  # empty: skipped, but reported
        ["ZZ99Z", "55", "Agree", "4", ""],  # 55 within 0–100 counts; 4 is not a knowledge answer
    ])
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Imported 3 response(s)" in out and "rows 5–7" in out
    assert "mystery" in out
    assert "r.csv line 2, att_1: 6 is not an answer (expected a number from 1 to 5)" in out
    assert "line 3, code: no participant code" in out
    assert "Rows with no answers, skipped (1): line 4" in out
    assert "code AB01C: line 2, already typed in row 4" in out
    assert "line 5, se_1" not in out  # 55 on the 0–100 scale counts, though the paper prints steps of 10
    assert "line 5, kf_1: 4 is not an answer (expected 1, 2, 9)" in out
    rows = sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t2", 1, 3)
    lay = layout_course(TOOLKIT, FOUNDATION, 40)["t2"]
    assert rows[0][lay.col("att_1")] == 6  # imported as typed: the workbook highlights it and leaves it out


def test_an_answer_is_flagged_exactly_when_the_scores_leave_it_out(tmp_path):
    """design.md: a rating counts if it is a number within its format's range, whatever the
    step the paper prints; a choice counts only if it is one of its codes."""
    from connect_share_learn import stats

    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    answers = {  # column: answers, one per line of the file
        "se_1": ["75", "105", "100", "-5", "abc", "50.0", "0.5"],  # 0–100, printed in steps of 10
        "att_1": ["3.5", "6", "0", "1", "Agree", "5", "4.99"],  # 1–5
        "kf_1": ["4", "9", "1", "1.5", "2", "True", ""],  # true/false/don't know: 1, 2, 9
        "agency": ["2", "99", "", "", "", "", ""],  # a profile question: its codes
    }
    columns = list(answers)
    records = [[f"C{i}"] + [answers[c][i] for c in columns] for i in range(7)]
    src = write_csv(tmp_path / "r.csv", ["code"] + columns, records)
    result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    flagged = set(re.findall(r"r\.csv line (\d+), (\w+): ", result.output))
    assert {("2", "se_1"), ("2", "att_1")}.isdisjoint(flagged)  # 75 on 0–100, 3.5 on 1–5: they count
    assert "line 3, se_1: 105 is not an answer (expected a number from 0 to 100); imported as typed, highlighted in " \
           "the workbook and left out of the scores" in result.output
    assert "line 6, se_1: 'abc' is not an answer (expected a number from 0 to 100)" in result.output
    assert "line 2, kf_1: 4 is not an answer (expected 1, 2, 9)" in result.output
    assert "line 3, agency: 99 is not an answer (expected 1, 2, 3" in result.output
    # Every answer the scores leave out is flagged, and no other.
    lay = layout_course(TOOLKIT, FOUNDATION, 40)["t1"]
    written = sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t1", 0, 7)
    for scale_id, column in (("self_efficacy", "se_1"), ("attitudes", "att_1"), ("knowledge_foundation", "kf_1")):
        scale = TOOLKIT.scales[scale_id]
        for i, row in enumerate(written):
            value = row[lay.col(column)]
            if value is None:
                continue
            left_out = stats.item_value(scale, TOOLKIT.format_of(scale), 0, value) is None
            assert left_out == ((str(i + 2), column) in flagged), (column, value)


def test_the_help_says_which_answers_are_left_out():
    text = " ".join(CliRunner().invoke(import_command, ["--help"]).output.split())
    assert "not one of the form's answers" not in text
    assert "a rating within its scale's range counts as typed (75 on the 0–100 scale)" in text
    assert "a rating that is not a number within its scale's range, a choice that is not one of its codes" in text


def test_more_responses_than_room_writes_nothing_and_says_how_to_rebuild(tmp_path):
    typed = {"t1": [{"code": f"AA{i:02d}A", "se_1": 50} for i in range(8)], "t2": [], "t3": []}
    book = make_workbook(tmp_path / "wb.xlsx", typed, capacity=10)
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [[f"BB{i:02d}B", "60"] for i in range(3)])
    result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 2
    assert "room for 2 more" in result.output and "--capacity 100" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "o.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------------------------------------
# Refusals: one clear sentence, exit code 2, nothing written


def refused(tmp_path, *args) -> str:
    result = run_import(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_the_workbook_must_be_the_courses(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code"], [["AB01C"]])
    out = refused(tmp_path, src, "--course", "domestic_abuse", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert "for the course type 'foundation', not 'domestic_abuse'" in out and "wb.xlsx" in out
    out = refused(tmp_path, src, "--course", "nope", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert "no course type 'nope'" in out


def without_properties(path: Path) -> Path:
    """``path`` as a program that drops the custom document properties would save it."""
    out = path.with_name(f"bare_{path.name}")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/custom.xml":
                continue
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = re.sub(rb"<(Relationship|Override)[^>]*custom[.]xml[^>]*/>", b"", data)
            zout.writestr(info, data)
    return out


def test_a_workbook_that_lost_its_properties_is_recognised_by_its_columns(tmp_path):
    book = without_properties(make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []}))
    header, records, expected = online_responses(FOUNDATION, "t1", ["AB01C", "CD02E"], seed=5)
    src = write_csv(tmp_path / "r.csv", header, records)
    result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    assert "lost its document properties" in result.output
    assert [r[0] for r in sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t1", 0, 2)] == ["AB01C", "CD02E"]
    # The columns of another course type's time point are not these: refused, nothing written.
    out = refused(tmp_path, src, "--course", "domestic_abuse", "--time-point", "t1", "--workbook", book,
                  "--out", tmp_path / "o2.xlsx")
    assert "lost its document properties" in out and "not those of the course type 'domestic_abuse'" in out
    assert not (tmp_path / "o2.xlsx").exists()


def test_out_must_not_be_the_input(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code"], [["AB01C"]])
    out = refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", book)
    assert "is the workbook being read" in out
    refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book,
            "--out", tmp_path / "." / "wb.xlsx")


def test_bad_workbooks_are_refused_before_parsing(tmp_path):
    src = write_csv(tmp_path / "r.csv", ["code"], [["AB01C"]])
    text = tmp_path / "text.xlsx"
    text.write_text("not a workbook")
    assert "not an .xlsx workbook" in refused(tmp_path, src, "--course", "foundation", "--time-point", "t1",
                                          "--workbook", text, "--out", tmp_path / "o.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    assert "zip bomb" in refused(tmp_path, src, "--course", "foundation", "--time-point", "t1",
                                 "--workbook", bomb, "--out", tmp_path / "o.xlsx")
    other = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(other)
    wb.add_worksheet()
    wb.close()
    assert "not made by connect-share-learn" in refused(tmp_path, src, "--course", "foundation", "--time-point", "t1",
                                                        "--workbook", other, "--out", tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()


def test_responses_that_are_not_the_forms_are_refused(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    labels = write_csv(tmp_path / "labels.csv", ["Your personal code", "I am confident that …"], [["AB01C", "50"]])
    out = refused(tmp_path, labels, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert "none of the columns is a field" in out and "XML values and headers" in out
    twice = write_csv(tmp_path / "twice.csv", ["code", "se_1", "self_efficacy/se_1"], [["AB01C", "50", "60"]])
    assert "both hold 'se_1'" in refused(tmp_path, twice, "--course", "foundation", "--time-point", "t1",
                                         "--workbook", book, "--out", tmp_path / "o.xlsx")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"code,se_1\nAB01C,50,60,70\n")
    assert "broken.csv:2:" in refused(tmp_path, broken, "--course", "foundation", "--time-point", "t1",
                               "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert "has no time point 't0'" in refused(tmp_path, twice, "--course", "foundation", "--time-point", "t0",
                                               "--workbook", book, "--out", tmp_path / "o.xlsx")


def test_responses_to_another_time_points_form_are_refused_naming_it(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    header, records, _ = online_responses(FOUNDATION, "t3", ["AB01C", "CD02E"], seed=4)
    follow_up = write_csv(tmp_path / "t3.csv", header, records)
    out = refused(tmp_path, follow_up, "--course", "foundation", "--time-point", "t2", "--workbook", book,
                  "--out", tmp_path / "o.xlsx")
    assert ("these responses look like the follow-up (t3) form, not the end of course (t2) one: 8 of their 35 "
            "questions are asked at t3 and not at t2 (imp_1, imp_2, imp_3, …)") in out
    assert "use --time-point t3" in out and "t3.csv" in out
    # The start-of-course form asks the profile, which no later sheet has.
    header, records, _ = online_responses(FOUNDATION, "t1", ["AB01C"], seed=4)
    start = write_csv(tmp_path / "t1.csv", header, records)
    out = refused(tmp_path, start, "--course", "foundation", "--time-point", "t3", "--workbook", book,
                  "--out", tmp_path / "o.xlsx")
    assert "look like the start of course (t1) form" in out and "use --time-point t1" in out
    assert not (tmp_path / "o.xlsx").exists()
    # Columns every time point asks cannot tell: imported where the user says.
    shared = write_csv(tmp_path / "shared.csv", ["code", "self_efficacy/se_1"], [["AB01C", "50"]])
    assert run_import(shared, "--course", "foundation", "--time-point", "t2", "--workbook", book,
                      "--out", tmp_path / "o.xlsx").exit_code == 0
    assert run_import(follow_up, "--course", "foundation", "--time-point", "t3", "--workbook", book,
                      "--out", tmp_path / "o3.xlsx").exit_code == 0


def test_dry_run_writes_nothing(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [["AB01C", "50"]])
    result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--dry-run")
    assert result.exit_code == 0 and "Nothing was written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "wb.xlsx"]


def test_help_has_an_example_and_every_option_help():
    result = CliRunner().invoke(import_command, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert all(p.help for p in import_command.params if isinstance(p, click.Option))


# ---------------------------------------------------------------------------------------------
# The XML edit on layouts other writers use


def test_cells_go_into_rows_of_any_layout():
    from connect_share_learn.importing.entry_sheet import EntryBlock, _insert_rows

    sheet = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<x:dimension ref="A1:E4"/><x:cols><x:col min="1" max="1" style="7"/><x:col min="2" max="3" style="9"/></x:cols>'
             '<x:sheetData>'
             '<x:row r="3"><x:c r="A3" t="s"><x:v>0</x:v></x:c><x:c r="B3" t="s"><x:v>1</x:v></x:c></x:row>'
             '<x:row r="4" spans="4:5"><x:c r="B4" s="3"/><x:c r="E4"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
             '<x:row r="5"/>'
             '<x:row r="7"><x:c r="D7"><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>'
             '</x:sheetData></x:worksheet>')
    block = EntryBlock("S", "p", first_row=3, last_row=9, first_col=0, ids=["code", "q1", "q2"], used_rows=0)
    rows = [{"code": "A&B", "q1": 1}, {"q2": 2.5}, {"code": "C"}, {"code": "D", "q2": 4}, {"q1": 5}]
    out = _insert_rows(sheet, block, rows)
    assert ('<x:row r="4" spans="1:5"><x:c r="A4" s="7" t="inlineStr"><x:is><x:t>A&amp;B</x:t></x:is></x:c>'
            '<x:c r="B4" s="3"><x:v>1</x:v></x:c><x:c r="E4"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>') in out
    assert '<x:row r="5"><x:c r="C5" s="9"><x:v>2.5</x:v></x:c></x:row>' in out
    assert '<x:row r="6"><x:c r="A6" s="7" t="inlineStr"><x:is><x:t>C</x:t></x:is></x:c></x:row><x:row r="7">' in out
    assert ('<x:row r="7"><x:c r="A7" s="7" t="inlineStr"><x:is><x:t>D</x:t></x:is></x:c><x:c r="C7" s="9">'
            '<x:v>4</x:v></x:c><x:c r="D7"><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>') in out
    assert '<x:row r="8"><x:c r="B8" s="9"><x:v>5</x:v></x:c></x:row></x:sheetData>' in out
    assert '<x:dimension ref="A1:E8"/>' in out


def test_an_occupied_cell_is_never_overwritten():
    from connect_share_learn.errors import WorkFailed
    from connect_share_learn.importing.entry_sheet import EntryBlock, _insert_rows

    sheet = '<worksheet><sheetData><row r="4"><c r="A4"><v>1</v></c></row></sheetData></worksheet>'
    block = EntryBlock("S", "p", first_row=3, last_row=9, first_col=0, ids=["code"], used_rows=0)
    with pytest.raises(WorkFailed):
        _insert_rows(sheet, block, [{"code": "X"}])


@pytest.mark.parametrize("headers", [
    # KoboToolbox
    ["start", "end", "code", "self_efficacy/se_1", "profile/agency", "self_efficacy_intro", "_id", "_uuid",
     "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"],
    # ODK Central
    ["SubmissionDate", "code", "self_efficacy-se_1", "profile-agency", "meta-instanceID", "KEY", "SubmitterID",
     "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits",
     "FormVersion"],
    # ODK Briefcase / Enketo, and letter case changed by a spreadsheet
    ["CODE", "grp:SE_1", "agency", "meta:instanceID", "formhub/uuid"],
])
def test_fields_of_the_services_exports(headers):
    from connect_share_learn.importing.fields import map_fields
    from connect_share_learn.importing.responses import Table

    fields = map_fields(Table(Path("r.csv"), headers, []), ["code", "agency", "se_1", "se_2"])
    assert sorted(fields.columns.values()) == ["agency", "code", "se_1"]
    assert fields.unknown == [] and fields.absent == ["se_2"]


def test_excels_separator_hint_and_line_numbers(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = tmp_path / "r.csv"
    src.write_bytes(b'sep=;\r\ncode;att_1;com_useful\r\nAB01C;6;"two\r\nlines"\r\nCD02E;4;\r\n')
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    assert "Imported 2 response(s)" in result.output and "r.csv line 3, att_1: 6 is not an answer" in result.output
    src.write_bytes(b'sep=;\r\ncode;att_1;com_useful\r\nAB01C;6;"two\r\nlines"\r\nCD02E;9;\r\n')
    result = run_import(src, "--course", "foundation", "--time-point", "t2", "--workbook", book, "--out", tmp_path / "o2.xlsx")
    assert "r.csv line 5, att_1: 9 is not an answer" in result.output


# ---------------------------------------------------------------------------------------------
# A cumulative export imported again: what is already on the sheet is not added twice


def test_the_same_export_imported_twice_adds_nothing_the_second_time(tmp_path):
    typed = {"t1": [{"code": "AA01A", "se_1": 50}], "t2": [], "t3": []}
    book = make_workbook(tmp_path / "wb.xlsx", typed)
    export = write_csv(tmp_path / "kobo.csv", ["start", "code", "self_efficacy/se_1", "attitudes/att_1", "agency"], [
        ["2026-03-01", "BB02B", "70", "Agree", "2"],  # a label: written as its code, 4
        ["2026-03-01", "cc03c ", "80", "", "3"],  # a code as typed, spaces and all
        ["2026-03-01", "DD04D", "abc", "7", ""],  # not answers: imported as typed
    ])
    first = run_import(export, "--course", "foundation", "--time-point", "t1", "--workbook", book,
                       "--out", tmp_path / "one.xlsx")
    assert first.exit_code == 0 and "Imported 3 response(s)" in first.output, first.output
    assert "1 answer(s) were given as labels" in first.output
    again = run_import(export, "--course", "foundation", "--time-point", "t1", "--workbook", tmp_path / "one.xlsx",
                       "--out", tmp_path / "two.xlsx")
    assert again.exit_code == 0, again.output
    assert "Nothing new to import: all 3 response(s) are already in 'Start (t1)'. Nothing was written." in again.output
    assert "kobo.csv line 2: already in the workbook (row 5)" in again.output
    assert "kobo.csv line 4: already in the workbook (row 7)" in again.output
    assert "Codes given more than once" not in again.output and "Answers to check" not in again.output
    assert "given as labels" not in again.output
    assert not (tmp_path / "two.xlsx").exists()


def test_a_cumulative_export_adds_only_the_new_responses_and_a_changed_one_is_flagged(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    header = ["code", "self_efficacy/se_1", "comments_end/com_useful"]
    monday = [["AB01C", "60", "Helpful &\r\nclear"], ["CD02E", "40", ""]]
    write_csv(tmp_path / "monday.csv", header, monday)
    assert run_import(tmp_path / "monday.csv", "--course", "foundation", "--time-point", "t2", "--workbook", book,
                      "--out", tmp_path / "one.xlsx").exit_code == 0
    # Tuesday's export holds Monday's responses again, one new, and one that answers differently.
    tuesday = monday + [["EF03G", "90", ""], ["CD02E", "50", ""]]
    write_csv(tmp_path / "tuesday.csv", header, tuesday)
    result = run_import(tmp_path / "tuesday.csv", "--course", "foundation", "--time-point", "t2",
                        "--workbook", tmp_path / "one.xlsx", "--out", tmp_path / "two.xlsx")
    assert result.exit_code == 0, result.output
    assert "Imported 2 response(s) into 'End (t2)', rows 6–7" in result.output
    assert "Responses already in the workbook, not imported again (2):" in result.output
    assert "tuesday.csv line 2: already in the workbook (row 4)" in result.output
    assert "code CD02E: line 6, already typed in row 5" in result.output  # a different response: kept, flagged
    assert "line 3" not in result.output  # line 2 ran on to line 3 (a line break in the comment)
    got = sheet_rows(tmp_path / "two.xlsx", FOUNDATION, "t2", 0, 5)
    assert [r[0] for r in got] == ["AB01C", "CD02E", "EF03G", "CD02E", None]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_cumulative_export_leaves_the_statistics_as_if_imported_once(tmp_path):
    rows = course_rows(TOOLKIT, FOUNDATION, 30, seed=11, bad_rate=0.05, duplicates=0)
    typed, online = split_for_import(rows, "t2", keep=10)
    online = [c for c in online if c]
    header, records, imported = online_responses(FOUNDATION, "t2", online, seed=3)
    half = len(records) // 2
    # Monday's export into the workbook as LibreOffice re-saves it (shared strings, its own XML),
    # and the result re-saved again, as a user who opened and saved it would.
    resaved = office.convert([make_workbook(tmp_path / "wb.xlsx", typed)], tmp_path / "lo1", to="xlsx")[0]
    monday = write_csv(tmp_path / "monday.csv", header, records[:half])
    assert run_import(monday, "--course", "foundation", "--time-point", "t2", "--workbook", resaved,
                      "--out", tmp_path / "monday.xlsx").exit_code == 0
    opened = office.convert([tmp_path / "monday.xlsx"], tmp_path / "lo2", to="xlsx")[0]
    # Tuesday's export is cumulative: Monday's responses again, then the rest.
    tuesday = write_csv(tmp_path / "tuesday.csv", header, records)
    result = run_import(tuesday, "--course", "foundation", "--time-point", "t2", "--workbook", opened,
                        "--out", tmp_path / "tuesday.xlsx")
    assert result.exit_code == 0, result.output
    assert f"Imported {len(records) - half} response(s)" in result.output
    assert f"not imported again ({half})" in result.output and "Codes given more than once" not in result.output
    # Importing it once more adds nothing.
    again = run_import(tuesday, "--course", "foundation", "--time-point", "t2", "--workbook", tmp_path / "tuesday.xlsx",
                       "--out", tmp_path / "again.xlsx")
    assert "Nothing new to import" in again.output and not (tmp_path / "again.xlsx").exists()
    pairs = course_results(TOOLKIT, FOUNDATION, combined(typed, "t2", imported))["self_efficacy_t1_t2_n_pairs"]
    assert pairs >= course_results(TOOLKIT, FOUNDATION, typed)["self_efficacy_t1_t2_n_pairs"] + 3
    out = recalculate([tmp_path / "tuesday.xlsx"], tmp_path / "recalculated")
    check_statistics(out[0], combined(typed, "t2", imported))


# ---------------------------------------------------------------------------------------------
# A user's files: an existing workbook is never replaced unawares, and the weekly routine is safe


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_existing_out_is_refused_and_kept_and_the_message_says_what_to_do(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [["AB01C", "50"]])
    last_week = tmp_path / "with-online.xlsx"
    last_week.write_bytes(b"questionnaires typed since last week")
    before = snapshot(tmp_path)
    out = refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", last_week)
    assert f"{last_week} already exists" in out and "--force" in out
    assert f"--workbook {last_week} --in-place" in out  # the way to add the responses to it
    assert snapshot(tmp_path) == before


def test_force_replaces_an_existing_out(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [["AB01C", "50"]])
    (tmp_path / "o.xlsx").write_bytes(b"old")
    result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book,
                        "--out", tmp_path / "o.xlsx", "--force")
    assert result.exit_code == 0, result.output
    assert [r[0] for r in sheet_rows(tmp_path / "o.xlsx", FOUNDATION, "t1", 0, 1)] == ["AB01C"]


def test_out_the_same_as_the_workbook_suggests_in_place(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code"], [["AB01C"]])
    out = refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--out", book)
    assert "is the workbook being read" in out and f"--workbook {book} --in-place" in out
    both = refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book,
                   "--out", tmp_path / "o.xlsx", "--in-place")
    assert "either --out or --in-place" in both and not (tmp_path / "o.xlsx").exists()


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.before-import-*.xlsx"))


def test_in_place_adds_to_the_workbook_and_keeps_it_as_it_was(tmp_path):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [{"code": "AA01A", "se_1": 50}], "t2": [], "t3": []})
    original = book.read_bytes()
    monday = write_csv(tmp_path / "monday.csv", ["code", "se_1"], [["BB02B", "60"]])
    result = run_import(monday, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--in-place")
    assert result.exit_code == 0, result.output
    [backup] = backups(tmp_path)
    assert backup.read_bytes() == original
    assert f"{backup}" in result.output and "is unchanged" not in result.output
    assert [r[0] for r in sheet_rows(book, FOUNDATION, "t1", 0, 3)] == ["AA01A", "BB02B", None]
    # A second import the same day keeps a second copy, never writing over the first.
    after_monday = book.read_bytes()
    tuesday = write_csv(tmp_path / "tuesday.csv", ["code", "se_1"], [["BB02B", "60"], ["CC03C", "70"]])
    result = run_import(tuesday, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--in-place")
    assert result.exit_code == 0, result.output
    assert [b.read_bytes() for b in backups(tmp_path)] in ([original, after_monday], [after_monday, original])
    assert [r[0] for r in sheet_rows(book, FOUNDATION, "t1", 0, 4)] == ["AA01A", "BB02B", "CC03C", None]
    # Nothing new, or nothing that fits: the workbook is left as it is and no copy is made.
    after_tuesday = book.read_bytes()
    again = run_import(tuesday, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--in-place")
    assert again.exit_code == 0 and "Nothing new to import" in again.output
    many = write_csv(tmp_path / "many.csv", ["code", "se_1"], [[f"D{i:03d}", "60"] for i in range(40)])
    assert run_import(many, "--course", "foundation", "--time-point", "t1", "--workbook", book,
                      "--in-place").exit_code == 2
    assert book.read_bytes() == after_tuesday and len(backups(tmp_path)) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("lock", ["~$wb.xlsx", ".~lock.wb.xlsx#"])
def test_in_place_refuses_a_workbook_open_in_excel_or_libreoffice(tmp_path, lock):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    original = book.read_bytes()
    (tmp_path / lock).write_bytes(b"someone")
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [["AB01C", "50"]])
    out = refused(tmp_path, src, "--course", "foundation", "--time-point", "t1", "--workbook", book, "--in-place")
    assert "open in Excel or LibreOffice" in out and lock in out
    assert book.read_bytes() == original and backups(tmp_path) == []


def test_the_readmes_weekly_routine_followed_twice_never_loses_a_file(tmp_path):
    """README: the first import makes a working copy; every later one adds to that copy in place."""
    pack = make_workbook(tmp_path / "foundation.xlsx", {"t1": [], "t2": [], "t3": []})
    week1 = write_csv(tmp_path / "kobo-export.csv", ["code", "self_efficacy/se_1"], [["AB01C", "50"]])
    first = ["--course", "foundation", "--time-point", "t3", "--workbook", pack, "--out",
             tmp_path / "foundation-with-online.xlsx"]
    assert run_import(week1, *first).exit_code == 0
    typed = tmp_path / "foundation-with-online.xlsx"
    kept = snapshot(tmp_path)
    assert run_import(week1, *first).exit_code == 2  # the same command again: refused, nothing lost
    assert snapshot(tmp_path) == kept
    # Week 2: the export is cumulative; added to the working copy itself, twice.
    write_csv(tmp_path / "kobo-export.csv", ["code", "self_efficacy/se_1"], [["AB01C", "50"], ["CD02E", "60"]])
    later = ["--course", "foundation", "--time-point", "t3", "--workbook", typed, "--in-place"]
    before = typed.read_bytes()
    assert run_import(tmp_path / "kobo-export.csv", *later).exit_code == 0
    assert [b.read_bytes() for b in backups(tmp_path)] == [before]
    assert "Nothing new to import" in run_import(tmp_path / "kobo-export.csv", *later).output
    assert [r[0] for r in sheet_rows(typed, FOUNDATION, "t3", 0, 3)] == ["AB01C", "CD02E", None]
    assert pack.read_bytes() == kept["foundation.xlsx"]


@pytest.mark.parametrize("in_place", [False, True])
def test_the_written_workbook_follows_the_umask(tmp_path, in_place):
    book = make_workbook(tmp_path / "wb.xlsx", {"t1": [], "t2": [], "t3": []})
    src = write_csv(tmp_path / "r.csv", ["code", "se_1"], [["AB01C", "50"]])
    target = ["--in-place"] if in_place else ["--out", tmp_path / "o.xlsx"]
    mask = os.umask(0o027)
    try:
        result = run_import(src, "--course", "foundation", "--time-point", "t1", "--workbook", book, *target)
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    written = [book, *backups(tmp_path)] if in_place else [tmp_path / "o.xlsx"]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {oct(0o640)}
