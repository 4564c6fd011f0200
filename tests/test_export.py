"""csl export: every value and label survives the round trip into CSV, SPSS, Stata and R.

Workbooks are made by the real generator (``write_workbook(rows=...)``) from rows with
blanks, pasted bad values, duplicate codes, a missing code and free text; the export is
read back with the csv module and pyreadstat and compared with the rows typed, scored
with ``stats.score``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyreadstat
import pytest
from click.testing import CliRunner

from connect_share_learn import stats
from connect_share_learn.analyse.returned import read_returned
from connect_share_learn.cli.export import export_command
from connect_share_learn.export.pseudonyms import Pseudonyms
from connect_share_learn.export.writers import safe_text
from connect_share_learn.testing import contract_workbook, course_rows
from connect_share_learn.workbook.build import write_workbook

MISSING = {-9.0: "Not answered", -8.0: "Not a valid answer (see quality.csv)"}


def csl(*args):
    return CliRunner().invoke(export_command, [str(a) for a in args], catch_exceptions=False)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def returns(tmp_path_factory, toolkit):
    """Four workbooks (two foundation courses with the same codes, a double-baseline course
    from the generator, and one with its course details typed) and what was typed into
    each, in the order the export reads them."""
    folder = tmp_path_factory.mktemp("returns")
    typed = []
    for name, cid, seed in (("a_north.xlsx", "foundation", 7), ("b_south.xlsx", "foundation", 8),
                            ("c_east.xlsx", "domestic_abuse", 3), ("d_west.xlsx", "parental_mental_health", 4)):
        course = toolkit.courses[cid]
        rows = course_rows(toolkit, course, 14, seed, bad_rate=0.08, blank_rate=0.15)
        first = course.tp_ids[0]
        rows[first][1] = {**rows[first][1], "code": None}
        if name == "d_west.xlsx":
            contract_workbook(folder / name, toolkit, course, rows, details={"partnership": "West Ŵ & Co"})
        else:
            write_workbook(toolkit, course, folder / name, capacity=40, rows=rows)
        typed.append((course, rows))
    return folder, typed


@pytest.fixture(scope="module")
def exported(returns, tmp_path_factory):
    folder, _ = returns
    out = tmp_path_factory.mktemp("export")
    before = _digest(folder)
    result = csl(folder, "--format", "all", "--include-text", "--out", out)
    assert result.exit_code == 0, result.output
    assert _digest(folder) == before
    return out, result


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def expected_rows(toolkit, typed):
    """(workbook number, tp, typed row, scores) of every row the export should hold, in order."""
    out = []
    for number, (course, rows) in enumerate(typed, start=1):
        for tp in course.tp_ids:
            for row in rows.get(tp, []):
                if row is None or all(_blank(v) for v in row.values()):
                    continue
                scores = {s.id: stats.score(s, toolkit.format_of(s), [row.get(i.id) for i in s.items])
                          for s in toolkit.scales_at(course, tp) if s.scored}
                if any(v is not None for v in scores.values()):
                    out.append((number, course, tp, row, scores))
    return out


def expected_answer(toolkit, course, tp, column, row):
    """What the export should hold for ``column``: a number, 'blank', 'invalid', 'not asked' or text."""
    profile = {q.id: q for q in toolkit.profile.questions}
    if column in profile:
        if tp != course.tp_ids[0]:
            return "not asked"
        raw = row.get(column)
        if _blank(raw):
            return "blank"
        x = stats.as_number(raw)
        return int(x) if x is not None and x in {o.code for o in profile[column].options} else "invalid"
    for scale in toolkit.scales_at(course, tp):
        fmt = toolkit.format_of(scale)
        for item in scale.items:
            if item.id != column:
                continue
            raw = row.get(column)
            if fmt.kind == "text":  # a number typed into a comment box is kept as the text it shows
                if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                    return str(int(raw)) if float(raw).is_integer() else str(float(raw))
                return raw.strip() if isinstance(raw, str) and raw.strip() else "blank"
            if _blank(raw):
                return "blank"
            x = stats.as_number(raw)
            ok = x is not None and (x in fmt.codes if scale.knowledge else fmt.min <= x <= fmt.max)
            return x if ok else "invalid"
    return "not asked"


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark for Excel
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_every_value_survives_the_round_trip_in_csv_spss_and_stata(exported, returns, toolkit):
    out, _ = exported
    _, typed = returns
    want = expected_rows(toolkit, typed)
    data = _read_csv(out / "data.csv")
    sav, _ = pyreadstat.read_sav(str(out / "data.sav"), output_format="dict", user_missing=True)
    dta, _ = pyreadstat.read_dta(str(out / "data.dta"), output_format="dict")
    codebook = {r["column"]: r for r in _read_csv(out / "codebook.csv")}
    score_columns = {r["id"]: r["column"] for r in codebook.values() if r["type"] == "number" and not r["values"]}
    assert score_columns["knowledge_parental_mental_health"] == "knowledge_parental_mental_score"  # Stata's 32
    assert len(data) == len(want) == len(sav["person"]) == len(dta["person"])
    assert list(sav) == list(dta) == list(data[0]) == list(codebook)
    checked = 0
    for i, (number, course, tp, row, scores) in enumerate(want):
        got = data[i]
        assert (got["workbook"], got["course_type"], got["time_point"]) == (str(number), course.id, tp)
        if number == 4:
            assert sav["course_date"][i] == dta["course_date"][i] == dt.date.fromisoformat(got["course_date"])
            assert got["partnership"] == "West Ŵ & Co"
        else:  # the generator leaves the course details for the coordinator to type
            assert got["course_date"] == "" and sav["course_date"][i] is None and dta["course_date"][i] is None
        assert got["partnership"] == sav["partnership"][i] == dta["partnership"][i]
        for column, entry in codebook.items():
            if entry["values"] and column != "duplicate_code":  # profile answers and items
                answer = expected_answer(toolkit, course, tp, entry["id"], row)
                s, d = sav[column][i], dta[column][i]
                if answer in ("blank", "invalid", "not asked"):
                    assert got[column] == "", (i, column, answer)
                    assert d is None or math.isnan(d)
                    assert (s is None or math.isnan(s)) if answer == "not asked" else s == {"blank": -9, "invalid": -8}[answer]
                else:
                    assert float(got[column]) == answer == s == d, (i, column)
                checked += 1
            elif entry["id"] in {i.id for s in toolkit.scales.values() if s.format == "free_text" for i in s.items}:
                answer = expected_answer(toolkit, course, tp, entry["id"], row)
                text = "" if answer in ("blank", "not asked") else answer
                assert got[column] == safe_text(text) and sav[column][i] == dta[column][i] == text
        for sid, score in scores.items():
            column = score_columns[sid]
            s, d = sav[column][i], dta[column][i]
            if score is None:
                assert got[column] == "" and s is None and d is None
            else:
                assert float(got[column]) == score == s == d, (i, column)
    assert checked > 1000


def test_labels_travel_with_the_data(exported, toolkit):
    out, _ = exported
    codebook = _read_csv(out / "codebook.csv")
    _, sav = pyreadstat.read_sav(str(out / "data.sav"), metadataonly=True, user_missing=True)
    _, dta = pyreadstat.read_dta(str(out / "data.dta"), metadataonly=True)
    agree = toolkit.formats["agree5"]
    att_1 = next(r for r in codebook if r["column"] == "att_1")
    assert att_1["values"] == "; ".join(f"{p}={agree.labels[p]}" for p in agree.points)
    assert att_1["scale"] == "attitudes" and att_1["reverse"] in ("yes", "no")
    kf_1 = next(r for r in codebook if r["column"] == "kf_1")
    assert kf_1["key"] == str(next(i.key for i in toolkit.scales["knowledge_foundation"].items if i.id == "kf_1"))
    for row in codebook:
        name = row["column"]
        assert sav.column_names_to_labels[name] == row["label"].lstrip("'")
        assert dta.column_names_to_labels[name] == row["label"][:80] or len(row["label"].encode()) > 80
        if row["values"]:
            labels = dict(v.split("=", 1) for v in row["values"].split("; "))
            assert {int(k): v for k, v in dta.variable_value_labels[name].items()} == {int(k): v for k, v in labels.items()}
            want = {float(k): v for k, v in labels.items()}
            if name in [q.id for q in toolkit.profile.questions] or row["scale"]:
                want.update(MISSING)
                assert sorted(r["lo"] for r in sav.missing_ranges[name]) == [-9.0, -8.0]
            assert sav.variable_value_labels[name] == want
    assert all(len(n) <= 32 for n in dta.column_names)


def test_pseudonyms_link_time_points_within_a_workbook_only(exported, returns, toolkit):
    out, _ = exported
    _, typed = returns
    data = _read_csv(out / "data.csv")
    want = expected_rows(toolkit, typed)
    by_code: dict[tuple[int, str], set[str]] = {}
    for (number, _, _, row, _), got in zip(want, data):
        code = stats.normalise_code(row.get("code"))
        if code is None:
            assert got["person"] == ""
            continue
        by_code.setdefault((number, code), set()).add(got["person"])
    assert all(len(p) == 1 for p in by_code.values())  # one person, one pseudonym, at every time point
    people = [next(iter(p)) for p in by_code.values()]
    assert len(set(people)) == len(people)  # the same code in two workbooks: two people
    assert any(len({r["time_point"] for r in data if r["person"] == p}) > 1 for p in people)
    codes = {str(r["code"]).strip() for _, rows in typed for rs in rows.values() for r in rs if r and r.get("code")}
    for path in out.iterdir():
        blob = path.read_bytes()
        for code in codes:
            for form in {code, code.upper(), code.lower()}:
                assert form.encode() not in blob, (path.name, form)


def test_a_second_export_gives_other_pseudonyms():
    first, second = Pseudonyms(), Pseudonyms()
    assert first.of("book", "AB01C") == first.of("book", "AB01C") != second.of("book", "AB01C")
    assert first.of("book", "AB01C") != first.of("other", "AB01C")


def test_keep_codes_keeps_them_and_warns(returns, tmp_path):
    folder, typed = returns
    result = csl(folder, "--keep-codes", "--out", tmp_path)
    assert result.exit_code == 0
    assert "personal data" in result.output
    data = _read_csv(tmp_path / "data.csv")
    assert "code" in data[0] and "person" not in data[0]
    code = stats.normalise_code(typed[0][1]["t1"][0]["code"])
    assert code in {r["code"] for r in data}
    assert "com_useful" not in data[0]  # free text left out without --include-text
    assert "PERSONAL DATA" in (tmp_path / "README.txt").read_text(encoding="utf-8-sig")


def test_free_text_is_left_out_unless_asked_for(returns, tmp_path, toolkit):
    folder, _ = returns
    assert csl(folder, "--format", "spss", "--out", tmp_path).exit_code == 0
    _, meta = pyreadstat.read_sav(str(tmp_path / "data.sav"), metadataonly=True)
    text_items = {i.id for s in toolkit.scales.values() if s.format == "free_text" for i in s.items}
    assert not text_items & set(meta.column_names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MANIFEST.json", "README.txt", "codebook.csv", "data.sav",
                                                          "quality.csv"]


def test_the_r_script_names_every_column_and_runs_where_r_is_installed(exported):
    out, _ = exported
    script = (out / "read_data.R").read_text(encoding="utf-8")
    for row in _read_csv(out / "codebook.csv"):
        assert f'"{row["column"]}"' in script
    assert 'factor(export[["agency"]]' in script and 'as.Date(export[["course_date"]])' in script
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed: the script was checked as text only")
    check = ("source('read_data.R'); stopifnot(nrow(export) > 0); stopifnot(is.factor(export$agency)); "
             "stopifnot(is.numeric(export$self_efficacy_score)); stopifnot(inherits(export$course_date, 'Date'))")
    run = subprocess.run(["Rscript", "-e", check], cwd=out, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr


def test_readme_accounts_for_every_row(exported):
    out, result = exported
    readme = (out / "README.txt").read_text(encoding="utf-8-sig")
    assert "pseudonym" in readme and "codebook.csv" in readme and "-9 = Not answered" in readme
    rows = len(_read_csv(out / "data.csv"))
    assert f"{rows} are exported" in readme and f"{rows} exported" in result.output


# ---------------------------------------------------------------------------------------------
# Hostile inputs, bad usage, atomic writing


def test_hostile_files_are_reported_never_exported_and_the_rest_is(returns, tmp_path, toolkit):
    folder, typed = returns
    inputs = tmp_path / "in"
    shutil.copytree(folder, inputs)
    (inputs / "notes.xlsx").write_bytes(b"this is not a workbook")
    good = (folder / "a_north.xlsx").read_bytes()
    (inputs / "cut_short.xlsx").write_bytes(good[: len(good) // 2])
    with zipfile.ZipFile(inputs / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<" * 50_000_000)
    course = toolkit.courses["foundation"]
    words = [{"code": "TX01A", "se_1": "seventy", **{f"se_{k}": "lots" for k in range(2, 10)}, "att_1": "agree"}]
    write_workbook(toolkit, course, inputs / "d_words.xlsx", capacity=10, rows={"t1": words})
    out = tmp_path / "out"
    result = csl(inputs, "--format", "csv", "--format", "stata", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Read 5 of 8 file(s) (3 not read)" in result.output
    quality = _read_csv(out / "quality.csv")
    refused = {r["file"] for r in quality if r["rule"] in ("not_a_workbook", "broken_zip", "zip_bomb", "unreadable")}
    assert {Path(f).name for f in refused} == {"notes.xlsx", "cut_short.xlsx", "bomb.xlsx"}, quality[:5]
    assert any(r["file"].endswith("d_words.xlsx") and r["rule"] == "row_no_answers" for r in quality)
    assert any(r["file"].endswith("d_words.xlsx") and r["rule"] == "not_a_number" for r in quality)
    data = _read_csv(out / "data.csv")
    assert len(data) == len(expected_rows(toolkit, typed))  # every good row, none of the bad files' or the text row
    files = sorted(p.name for p in inputs.iterdir())
    good_numbers = {str(files.index(n) + 1) for n in ("a_north.xlsx", "b_south.xlsx", "c_east.xlsx", "d_west.xlsx")}
    assert {r["workbook"] for r in data} == good_numbers


def test_nothing_readable_exits_1_and_writes_only_quality_csv(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"junk")
    out = tmp_path / "out"
    result = csl(tmp_path / "x.xlsx", "--out", out)
    assert result.exit_code == 1 and "none of the files could be read" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.json", "quality.csv"]


def test_bad_usage_exits_2_with_one_sentence(returns, tmp_path):
    folder, _ = returns
    assert csl(tmp_path / "missing", "--out", tmp_path / "o").exit_code == 2
    assert csl(folder, "--format", "sas", "--out", tmp_path / "o").exit_code == 2
    clash = tmp_path / "clash"
    clash.mkdir()
    shutil.copy(folder / "a_north.xlsx", clash / "data.csv")
    result = csl(clash / "data.csv", "--out", clash)
    assert result.exit_code == 2 and "would be overwritten" in result.output
    assert "Traceback" not in result.output


def test_an_output_folder_inside_the_inputs_is_not_read_back_and_nothing_half_written_stays(returns, tmp_path):
    folder, _ = returns
    inputs = tmp_path / "in"
    shutil.copytree(folder, inputs)
    for _ in range(2):
        result = csl(inputs, "--format", "all", "--out", inputs / "export")
        assert result.exit_code == 0 and "Read 4 of 4" in result.output
    assert not [p for p in (inputs / "export").iterdir() if p.name.startswith(".csl-export-")]


def test_reading_without_keep_answers_keeps_no_answers(returns, toolkit):
    folder, _ = returns
    assert read_returned(folder / "a_north.xlsx", "a", toolkit).answers is None
    kept = read_returned(folder / "a_north.xlsx", "a", toolkit, keep_answers=True)
    assert kept.answers and len(kept.answers) == kept.rows_used


def test_help_has_an_example():
    result = csl("--help")
    assert result.exit_code == 0 and "Example:" in result.output and "--keep-codes" in result.output


def test_long_and_formula_like_free_text(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    long_text = "Très utile. " * 400  # 4,800 characters: more than Stata's fixed-width strings hold
    rows = {"t1": [{"code": "AB01C", **{f"se_{k}": 50 for k in range(1, 10)}}],
            "t2": [{"code": "AB01C", **{f"se_{k}": 70 for k in range(1, 10)}, "com_useful": long_text.strip(),
                    "com_improve": "=HYPERLINK(\"http://x\")"}],
            "t3": [{"code": "AB01C", **{f"se_{k}": 80 for k in range(1, 10)}, "com_example": " ab01c "}]}
    write_workbook(toolkit, course, tmp_path / "w.xlsx", capacity=5, rows=rows)
    out = tmp_path / "out"
    assert csl(tmp_path / "w.xlsx", "--format", "all", "--include-text", "--out", out).exit_code == 0
    data = _read_csv(out / "data.csv")
    assert data[0]["person"] == data[1]["person"] == data[2]["person"]
    assert data[2]["com_example"] == ""  # a code typed as a comment is not exported
    assert b"AB01C" not in (out / "data.sav").read_bytes().upper()
    assert data[1]["com_useful"] == long_text.strip() and data[1]["com_improve"] == "'=HYPERLINK(\"http://x\")"
    sav, _ = pyreadstat.read_sav(str(out / "data.sav"), output_format="dict")
    dta, _ = pyreadstat.read_dta(str(out / "data.dta"), output_format="dict")
    assert sav["com_useful"][1] == long_text.strip() and sav["com_improve"][1] == "=HYPERLINK(\"http://x\")"
    assert long_text.strip().startswith(dta["com_useful"][1].rstrip("…")) and len(dta["com_useful"][1].encode()) <= 2045


def test_a_workbook_whose_rows_are_all_left_out_gives_empty_but_valid_files(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    write_workbook(toolkit, course, tmp_path / "w.xlsx", capacity=5, rows={"t1": [{"code": "AB01C", "se_1": "lots"}]})
    out = tmp_path / "out"
    result = csl(tmp_path / "w.xlsx", "--format", "all", "--out", out)
    assert result.exit_code == 0 and "0 exported, 1 left out" in result.output
    assert _read_csv(out / "data.csv") == []
    sav, _ = pyreadstat.read_sav(str(out / "data.sav"), output_format="dict")
    assert sav["person"] == []
    assert any(r["rule"] == "row_no_answers" for r in _read_csv(out / "quality.csv"))


def test_variable_names_fit_spss_stata_and_r():
    from connect_share_learn.export.tidy import _Names

    names = _Names()
    long_id = "a_very_long_scale_identifier_of_forty_c"
    got = [names.add(long_id, suffix="_score"), names.add(long_id, suffix="_score"), names.add("in"),
           names.add("to"), names.add("se_1"), names.add("SE_1")]
    assert got[0] == "a_very_long_scale_identifi_score" and len(got[0]) == 32
    assert got[1] != got[0] and len(got[1]) <= 32
    assert got[2:4] == ["in_", "to_"]  # words Stata and SPSS reserve
    assert got[4] == "se_1" and got[5].lower() != "se_1"  # unique without regard to case (SPSS)


def test_export_replaces_only_its_own_unchanged_files(returns, tmp_path):
    """Issue 13.1: files in --out that an export did not write, or that were changed since,
    are never replaced without --force; a rerun replaces its own files; an earlier export's
    files are kept on the record."""
    folder, _typed = returns
    out = tmp_path / "out"
    out.mkdir()
    (out / "data.csv").write_text("my own table", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    refused = csl(folder, "--out", out)
    assert refused.exit_code == 2, refused.output
    assert "data.csv (not written by csl export)" in refused.output and "--force" in refused.output
    assert (out / "data.csv").read_text("utf-8") == "my own table"
    assert sorted(p.name for p in out.iterdir()) == ["data.csv", "notes.txt"]
    (out / "data.csv").unlink()
    assert csl(folder, "--out", out).exit_code == 0
    assert csl(folder, "--out", out).exit_code == 0  # a rerun replaces its own files
    assert csl(folder, "--out", out, "--format", "spss").exit_code == 0
    assert {"data.csv", "data.sav", "notes.txt", "MANIFEST.json"} <= {p.name for p in out.iterdir()}
    with open(out / "README.txt", "a", encoding="utf-8") as fh:
        fh.write("my note\n")
    changed = csl(folder, "--out", out)
    assert changed.exit_code == 2 and "README.txt (changed since csl export wrote it)" in changed.output
    assert (out / "README.txt").read_text("utf-8").endswith("my note\n")
    assert csl(folder, "--out", out, "--force").exit_code == 0
    assert not (out / "README.txt").read_text("utf-8").endswith("my note\n")
    assert (out / "notes.txt").read_text("utf-8") == "mine"
