"""Online forms (issue 7, export): XLSForms that pyxform converts cleanly and that ask what paper asks."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

from connect_share_learn.cli import cli
from connect_share_learn import xlsform
from connect_share_learn.codebook import course_rows
from connect_share_learn.pack import BuildOptions
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.spec.model import text

CREATED = BuildOptions().created


def sheets(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Each sheet of an XLSForm as a list of {column: value} rows, as pyxform reads it."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        out[ws.title] = [{h: v for h, v in zip(header, row) if v is not None} for row in rows[1:]]
    return out


def data_fields(survey: list[dict]) -> list[dict]:
    """The rows that hold an answer: not groups, not notes."""
    return [r for r in survey if r["type"] not in ("begin_group", "end_group", "note")]


@pytest.fixture(scope="module")
def online(default_pack) -> Path:
    """The pack's online/ folder."""
    return default_pack.folder / "online"


def every_form(toolkit):
    return [(c, tp) for c in sorted(toolkit.courses) for tp in toolkit.courses[c].tp_ids]


# ---------------------------------------------------------------------------------------------
# pyxform accepts every form


def test_the_pack_has_one_form_per_course_type_and_time_point(online, toolkit):
    written = sorted(p.relative_to(online).as_posix() for p in online.rglob("*") if p.is_file())
    assert written == sorted(f"{c}/{tp}.xlsx" for c, tp in every_form(toolkit))


def test_every_form_converts_cleanly_with_pyxform(online, toolkit):
    for course_id, tp in every_form(toolkit):
        warnings: list[str] = []
        result = convert(str(online / course_id / f"{tp}.xlsx"), warnings=warnings)
        assert warnings == [], (course_id, tp, warnings)
        assert f'version="{toolkit.spec_hash[:12]}"' in result.xform
        assert re.search(r'<bind nodeset="/data/code" [^>]*required="true\(\)"', result.xform)


def test_odk_validate_accepts_the_forms(online):
    """ODK Validate (bundled with pyxform, needs Java) on a form with every kind of question."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed, so pyxform's ODK Validate cannot run")
    for course_id, tp in [("domestic_abuse", "t0"), ("foundation", "t3")]:
        warnings: list[str] = []
        convert(str(online / course_id / f"{tp}.xlsx"), warnings=warnings, validate=True)
        assert warnings == [], warnings


# ---------------------------------------------------------------------------------------------
# The forms ask what the printed questionnaires ask


def test_field_names_are_the_codebook_item_ids_in_order(online, toolkit):
    for course_id, tp in every_form(toolkit):
        course = toolkit.courses[course_id]
        survey = sheets((online / course_id / f"{tp}.xlsx").read_bytes())["survey"]
        expected = ["code"] + [r.item for r in course_rows(toolkit, course) if tp in r.time_points.split()]
        assert [r["name"] for r in data_fields(survey)] == expected, (course_id, tp)


def test_each_item_is_a_select_one_over_its_formats_answers_as_printed(online, toolkit):
    course = toolkit.courses["foundation"]
    form = sheets((online / "foundation" / "t2.xlsx").read_bytes())
    by_name = {r["name"]: r for r in form["survey"]}
    for scale in toolkit.scales_at(course, "t2"):
        fmt = toolkit.format_of(scale)
        for item in scale.items:
            row = by_name[item.id]
            assert row["label"] == text(item.text)
            if fmt.kind == "text":
                assert row["type"] == "text"
                continue
            assert row["type"] == f"select_one format_{fmt.id}"
            listed = [(c["name"], c["label"]) for c in form["choices"] if c["list_name"] == f"format_{fmt.id}"]
            assert listed == [(str(o.code), text(o.label)) for o in fmt.answers()]
    # Labels exactly as the codebook (and so the printed questionnaire) gives them.
    row = next(r for r in course_rows(toolkit, course) if r.item == "att_4")
    listed = "; ".join(f"{c['name']}={c['label']}" for c in form["choices"] if c["list_name"] == "format_agree5")
    assert listed == row.codes


def test_knowledge_items_offer_dont_know(online, toolkit):
    form = sheets((online / "foundation" / "t1.xlsx").read_bytes())
    assert by_list(form, "format_true_false") == [("1", "True"), ("2", "False"), ("9", "Don't know")]
    assert next(r for r in form["survey"] if r["name"] == "kf_4")["type"] == "select_one format_true_false"


def by_list(form, list_name):
    return [(c["name"], c["label"]) for c in form["choices"] if c["list_name"] == list_name]


def test_participant_code_is_required_and_checked_against_its_pattern(online, toolkit):
    code = toolkit.profile.code
    row = sheets((online / "foundation" / "t3.xlsx").read_bytes())["survey"][0]
    assert row["name"] == "code" and row["type"] == "text" and row["required"] == "yes"
    assert row["constraint"] == f"regex(., '{code.pattern}')"
    for part in code.parts:
        assert text(part.text) in row["hint"]
    assert row["constraint_message"]
    assert re.match(code.pattern, code.example) and re.match(code.pattern, code.example.lower())
    assert not re.match(code.pattern, code.example + "X") and not re.match(code.pattern, "1" + code.example[1:])


def test_profile_questions_only_at_the_first_time_point(online, toolkit):
    profile_ids = [q.id for q in toolkit.profile.questions]
    for course_id, tp in every_form(toolkit):
        names = [r["name"] for r in sheets((online / course_id / f"{tp}.xlsx").read_bytes())["survey"]]
        first = tp == toolkit.courses[course_id].tp_ids[0]
        assert all((q in names) == first for q in profile_ids), (course_id, tp)
    form = sheets((online / "domestic_abuse" / "t0.xlsx").read_bytes())
    agency = toolkit.profile.questions[0]
    assert by_list(form, f"profile_{agency.id}") == [(str(o.code), text(o.label)) for o in agency.options]


def test_settings_come_from_the_specification_hash(online, toolkit, project):
    settings = sheets((online / "foundation" / "t1.xlsx").read_bytes())["settings"][0]
    digest = toolkit.spec_hash
    assert settings["form_id"] == f"csl_foundation_t1_{digest[:8]}"
    assert settings["version"] == digest[:12]
    assert settings["form_title"] == f"{text(toolkit.courses['foundation'].title)}: Start of course"
    root = project({"scales/attitudes.yaml": Path(toolkit_file("scales/attitudes.yaml")).read_text("utf-8")
                    .replace("version: \"1.0\"", "version: \"1.1\"")})
    changed = load_toolkit(scales=root / "scales")
    other = xlsform.build_form(changed, changed.courses["foundation"], "t1").settings
    assert other["version"] != settings["version"] and other["form_id"] != settings["form_id"]


def toolkit_file(rel: str) -> Path:
    from connect_share_learn.defaults import default_root

    return default_root() / rel


def test_forms_are_byte_reproducible_with_a_fixed_date(toolkit):
    one = xlsform.course_forms(toolkit, list(toolkit.courses.values()), CREATED)
    two = xlsform.course_forms(toolkit, list(toolkit.courses.values()), CREATED)
    assert one == two
    core = zipfile.ZipFile(io.BytesIO(one["foundation/t1.xlsx"])).read("docProps/core.xml").decode()
    assert CREATED.strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_a_partnerships_own_scale_and_language(project):
    root = project({
        "scales/voice.yaml": """
            id: voice_of_child
            title: {en: Hearing the child, cy: Clywed y plentyn}
            construct: Attitudes to seeking the child's views.
            level: 2a
            instructions: Tick one box for each statement.
            format: yes_no_unsure
            scoring: percent_correct
            min_answered: 1
            provenance: {author: Anyshire, original: false}
            items:
              - {id: voc_1, text: {en: I ask children what they think., cy: Rwy'n gofyn i blant beth maen nhw'n ei feddwl.}, key: 1}
        """,
        "scales/formats.yaml": """
            kind: response_formats
            formats:
              - id: yes_no_unsure
                kind: choice
                options: [{code: 1, label: "Yes"}, {code: 0, label: "No"}]
                dont_know: {code: -1, label: Not sure}
        """,
        "courses/short.yaml": """
            id: short_course
            title: Short course
            description: A short course.
            time_points:
              - {id: t1, scales: [voice_of_child]}
              - {id: t2, scales: [voice_of_child]}
        """,
        "settings.yaml": "kind: settings\nlanguage: cy\n",
    })
    custom = load_toolkit(scales=root / "scales", courses=root / "courses", config=root / "settings.yaml")
    data = xlsform.form_bytes(xlsform.build_form(custom, custom.courses["short_course"], "t2"), CREATED)
    form = sheets(data)
    assert [r["name"] for r in data_fields(form["survey"])] == ["code", "voc_1"]
    row = next(r for r in form["survey"] if r["name"] == "voc_1")
    assert row["label"] == "Rwy'n gofyn i blant beth maen nhw'n ei feddwl."
    assert by_list(form, "format_yes_no_unsure") == [("1", "Yes"), ("0", "No"), ("-1", "Not sure")]
    assert next(r for r in form["survey"] if r["name"] == "voice_of_child")["label"] == "Clywed y plentyn"
    warnings: list[str] = []
    convert(data, warnings=warnings, file_type=".xlsx")
    assert warnings == []


def test_an_unknown_time_point_is_a_usage_error(toolkit):
    from connect_share_learn.errors import UsageError

    with pytest.raises(UsageError, match="has no time point 't0'"):
        xlsform.build_form(toolkit, toolkit.courses["foundation"], "t0")


# ---------------------------------------------------------------------------------------------
# csl export-xlsform


def run(*args):
    return CliRunner().invoke(cli, ["export-xlsform", *[str(a) for a in args]], catch_exceptions=False)


def test_command_writes_every_form(tmp_path, toolkit):
    result = run("--out", tmp_path / "online")
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "online").as_posix() for p in (tmp_path / "online").rglob("*.xlsx"))
    assert written == sorted(f"{c}/{tp}.xlsx" for c, tp in every_form(toolkit))
    assert f"Wrote {len(written)} XLSForm files" in result.output
    # The same bytes as the pack's forms.
    assert (tmp_path / "online" / "foundation" / "t1.xlsx").read_bytes() == \
        xlsform.course_forms(toolkit, [toolkit.courses["foundation"]], CREATED)["foundation/t1.xlsx"]


def test_command_exports_a_subset_with_the_partnerships_settings(tmp_path, project):
    root = project({"settings.yaml": "kind: settings\npartnership: Anyshire\n"})
    result = run("--course", "foundation", "--config", root / "settings.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["foundation"]


def test_command_rejects_an_unknown_course_and_writes_nothing(tmp_path):
    result = run("--course", "foundaton", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "there is no course type 'foundaton'" in result.output and "foundation" in result.output
    assert not (tmp_path / "out").exists()


def test_command_reports_a_bad_specification_and_writes_nothing(tmp_path, project):
    root = project({"scales/s.yaml": "id: [\n"})
    result = run("--scales", root / "scales", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "s.yaml" in result.output and "nothing was written" in result.output
    assert not (tmp_path / "out").exists()


def test_command_help_has_an_example_and_every_option_has_help():
    result = run("--help")
    assert result.exit_code == 0 and "Example:" in result.output and "csl export-xlsform" in result.output
    assert all(p.help for p in cli.commands['export-xlsform'].params if p.param_type_name == "option")


def test_command_replaces_only_forms_it_wrote_and_never_the_users_files(tmp_path):
    """Issue 13.1: a form the user changed (or put there) is refused unless --force; a rerun
    replaces the command's own forms; other files are never touched."""
    out = tmp_path / "online"
    assert run("--course", "foundation", "--out", out).exit_code == 0
    assert run("--course", "foundation", "--out", out).exit_code == 0  # its own, unchanged: replaced
    (out / "foundation" / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "foundation" / "t1.xlsx").write_bytes(b"edited in Kobo's form builder")
    result = run("--course", "foundation", "--out", out)
    assert result.exit_code == 2
    assert "t1.xlsx (changed since csl export-xlsform wrote it)" in result.output and "--force" in result.output
    assert (out / "foundation" / "t1.xlsx").read_bytes() == b"edited in Kobo's form builder"
    assert run("--course", "foundation", "--out", out, "--force").exit_code == 0
    assert (out / "foundation" / "t1.xlsx").read_bytes()[:2] == b"PK"
    assert (out / "foundation" / "notes.txt").read_text("utf-8") == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".csl-forms-")]
