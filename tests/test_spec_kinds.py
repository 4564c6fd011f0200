"""What a file defines comes from its own 'kind:', the option it was given with, a folder
inside the path given to `csl validate`, or its keys — never from a folder above that path."""

from __future__ import annotations

import pytest

from connect_share_learn.errors import SpecError
from connect_share_learn.spec.load import load_toolkit

from helpers import SCALE, problems

COURSE = """\
    id: neglect
    title: Neglect
    description: Our course on neglect.
    time_points:
      - {id: t1, scales: [my_scale]}
      - {id: t2, scales: [my_scale]}
"""

FORMATS = """\
    formats:
      - id: agree4
        kind: rating
        min: 1
        max: 4
        labels: {1: Strongly disagree, 2: Disagree, 3: Agree, 4: Strongly agree}
"""

# A partnership's folders as they are on a shared drive: spaces, and 'courses' and 'scales'
# above the folders the user names.
NEGLECT = "shared/courses/neglect 2025"


def test_scales_option_works_whatever_the_folders_above_are_called(project):
    root = project({f"{NEGLECT}/my scales/s.yaml": SCALE, f"{NEGLECT}/scales/my courses/c.yaml": COURSE})
    toolkit = load_toolkit(scales=root / NEGLECT / "my scales", courses=root / NEGLECT / "scales" / "my courses")
    assert "my_scale" in toolkit.scales
    assert toolkit.courses["neglect"].time_points[0].scales == ["my_scale"]


def test_build_reads_scales_under_a_folder_called_courses(run, project, tmp_path):
    root = project({f"{NEGLECT}/my scales/s.yaml": SCALE, f"{NEGLECT}/my courses/c.yaml": COURSE})
    result = run("build", "--scales", root / NEGLECT / "my scales", "--courses", root / NEGLECT / "my courses",
                 "--course", "neglect", "--no-zip", "--out", tmp_path / "build")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "build").glob("*/workbooks/*.xlsx")] == ["neglect.xlsx"]


def test_validate_ignores_folders_above_the_path_given(run, project):
    root = project({f"{NEGLECT}/my scales/s.yaml": SCALE})
    result = run("validate", root / NEGLECT / "my scales")
    assert result.exit_code == 0, result.stderr
    assert "11 scales" in result.stdout


def test_validate_takes_the_nearest_folder_inside_the_path_given(run, project):
    root = project({"mine/courses/old scales/scales/s.yaml": SCALE.replace("items:", "itmes:")})
    assert problems(run, root, root / "mine") == [
        "error: mine/courses/old scales/scales/s.yaml:10: itmes: unknown field 'itmes' — correct it to 'items'"]


def test_validate_recognises_a_file_by_its_keys(run, project):
    root = project({"mine/my scale.yaml": SCALE, "mine/my course.yaml": COURSE})
    result = run("validate", root / "mine")
    assert result.exit_code == 0, result.stderr
    assert "11 scales, 5 course types" in result.stdout


def test_a_files_own_kind_beats_its_folder(run, project):
    root = project({"mine/courses/s.yaml": "kind: scale\n" + SCALE.replace("    ", "")})
    result = run("validate", root / "mine")
    assert result.exit_code == 0, result.stderr


def test_a_course_in_a_scales_folder_gets_one_message_naming_the_rule(run, project):
    root = project({"mine/scales/c.yaml": COURSE})
    assert problems(run, root, root / "mine") == [
        "error: mine/scales/c.yaml:1: this looks like a course (it has 'time_points'), but it is in a folder "
        "named 'scales' — add 'kind: course' at the top of the file"]


def test_a_course_given_with_scales_gets_one_message_naming_the_option(project):
    root = project({"my scales/c.yaml": COURSE})
    with pytest.raises(SpecError) as caught:
        load_toolkit(scales=root / "my scales")
    assert [str(p) for p in caught.value.problems] == [
        f"{root}/my scales/c.yaml:1: this looks like a course (it has 'time_points'), but it was given with "
        "--scales — add 'kind: course' at the top of the file"]


def test_a_file_nothing_identifies(run, project):
    root = project({"misc/thing.yaml": "id: x\ntitle: Something\n"})
    assert problems(run, root, root / "misc" / "thing.yaml") == [
        "error: misc/thing.yaml:1: cannot tell what this file defines: it has no 'kind:', is not in a "
        "scales/, courses/ or benchmarks/ folder, and has none of the keys 'items' (a scale), 'time_points' "
        "(a course), 'formats' (response formats), 'questions' (profile questions) or 'benchmarks' "
        "— add 'kind: scale' (or course, response_formats, profile, benchmarks, settings) at the top of the file"]


def test_a_file_with_the_keys_of_two_kinds(run, project):
    root = project({"misc/both.yaml": SCALE + "    time_points: []\n"})
    assert problems(run, root, root / "misc") == [
        "error: misc/both.yaml:1: cannot tell what this file defines: it has both 'items' (a scale) and "
        "'time_points' (a course) — add 'kind: scale' or 'kind: course' at the top of the file"]


def test_a_misspelt_kind(run, project):
    root = project({"scales/s.yaml": "kind: scael\n" + SCALE.replace("    ", "")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:1: kind: 'scael' is not a kind of file — correct it to 'scale'"]


def test_a_stray_file_in_a_scales_folder_gets_one_message(run, project):
    root = project({"scales/notes.yaml": "to_do: ask the trainers\nmeeting: Tuesday\n"})
    assert problems(run, root, root / "scales") == [
        "error: scales/notes.yaml:1: none of this file's keys belongs to a scale (it was read as a scale "
        "because it is in a folder named 'scales') — add 'kind:' at the top naming what it defines, "
        "or move it out of the folder"]


# ---------------------------------------------------------------------------------------------
# A partnership's formats file


def test_a_formats_file_without_kind_is_recognised_in_a_scales_folder(run, project):
    root = project({"scales/formats.yaml": FORMATS, "scales/s.yaml": SCALE.replace("agree5", "agree4")})
    result = run("validate", root / "scales")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_a_formats_file_without_kind_is_recognised_anywhere_by_its_key(run, project):
    root = project({"x/our answers.yaml": FORMATS, "x/s.yaml": SCALE.replace("agree5", "agree4")})
    result = run("validate", root / "x")
    assert result.exit_code == 0, result.stderr


def test_a_formats_file_given_with_scales(project):
    root = project({"our scales/formats.yaml": FORMATS, "our scales/s.yaml": SCALE.replace("agree5", "agree4")})
    toolkit = load_toolkit(scales=root / "our scales")
    assert toolkit.scales["my_scale"].format == "agree4" and "agree4" in toolkit.formats


def test_a_file_named_formats_is_read_as_formats(run, project):
    root = project({"scales/formats.yaml": FORMATS.replace("formats:", "format:")})
    assert problems(run, root, root / "scales") == [
        "error: scales/formats.yaml:1: format: unknown field 'format' — correct it to 'formats'"]
