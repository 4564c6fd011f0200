"""Every bad specification input gets one clear line naming file, line and field — exit 2."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from helpers import SCALE, problems


def check(run, paths, *expected: str):
    result = run("validate", *paths)
    assert result.exit_code == 2, result.output
    lines = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert lines, result.stderr
    for text in expected:
        assert any(text in l for l in lines), f"{text!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.output
    return lines


def test_a_good_scale_file_passes(run, project):
    root = project({"scales/my_scale.yaml": SCALE})
    result = run("validate", root / "scales")
    assert result.exit_code == 0, result.stderr
    assert "11 scales" in result.stdout


def test_yaml_syntax_error_names_the_line_where_the_mistake_is(run, project):
    root = project({"scales/bad.yaml": "id: x\ntitle: [unclosed\nlevel: 2a\n"})
    assert problems(run, root, root / "scales") == [
        "error: scales/bad.yaml:2: YAML syntax error: the list opened with '[' is not closed "
        "— end it with ']' on the same line"]


def test_empty_file(run, project):
    root = project({"scales/empty.yaml": "# nothing here\n"})
    check(run, [root / "scales"], "empty.yaml", "the file is empty")


def test_file_that_is_not_utf8(run, project):
    root = project({"scales/latin.yaml": "id: caf\xe9\n".encode("latin-1")})
    check(run, [root / "scales"], "latin.yaml:1:", "not UTF-8")


def test_unknown_key_suggests_the_right_one(run, project):
    root = project({"scales/s.yaml": SCALE.replace("instructions:", "instructons:")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:5: instructons: unknown field 'instructons' — correct it to 'instructions'"]


def test_unknown_key_inside_an_item(run, project):
    root = project({"scales/s.yaml": SCALE.replace("reverse: true", "revers: true")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:11: item 1 (ms_a), revers: unknown field 'revers' — correct it to 'reverse'"]


def test_duplicate_scale_ids_across_files(run, project):
    root = project({"scales/a.yaml": SCALE, "scales/b.yaml": SCALE})
    check(run, [root / "scales"], "the scale id 'my_scale' is already defined in")


def test_duplicate_key_in_one_file(run, project):
    root = project({"scales/s.yaml": SCALE + "    title: Again\n"})
    check(run, [root / "scales"], "s.yaml:14: title: 'title' is given twice")


def test_undefined_format_suggests_one(run, project):
    root = project({"scales/s.yaml": SCALE.replace("format: agree5", "format: agree_5")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:6: format: there is no response format 'agree_5' — correct it to 'agree5'"]


def test_course_naming_an_undefined_scale(run, project):
    root = project({"courses/c.yaml": """\
        id: my_course
        title: My course
        description: A course.
        time_points:
          - id: t1
            scales: [self_eficacy]
        """})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:6: time point 1 (t1), scale 1 (self_eficacy): there is no scale 'self_eficacy' "
        "— correct it to 'self_efficacy'"]


def test_course_naming_an_undefined_time_point(run, project):
    root = project({"courses/c.yaml": """\
        id: my_course
        title: My course
        description: A course.
        time_points:
          - id: t4
            scales: [self_efficacy]
        """})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:5: time point 1 (t4), id: 't4' is not allowed here — use one of 't0', 't1', 't2' or 't3'"]


def test_benchmark_naming_an_undefined_item_scale_and_course(run, project):
    root = project({"benchmarks/b.yaml": """\
        benchmarks:
          - {course: foundation, scale: self_efficacy, statistic: d, value: 0.5, citation: carpenter2010}
          - {course: fundation, scale: self_efficacy, statistic: d, value: 0.5, citation: carpenter2010}
          - {course: foundation, scale: selfefficacy, statistic: d, value: 0.5, citation: carpenter2010}
        """})
    assert problems(run, root, root / "benchmarks") == [
        "error: benchmarks/b.yaml:3: benchmark 2, course: there is no course type 'fundation' "
        "— correct it to 'foundation'",
        "error: benchmarks/b.yaml:4: benchmark 3, scale: there is no scale 'selfefficacy' "
        "— correct it to 'self_efficacy'"]


def test_reverse_on_a_knowledge_item(run, project):
    root = project({"scales/k.yaml": """\
        id: my_quiz
        title: Quiz
        construct: Knowledge
        level: 2b
        instructions: True or false.
        format: true_false
        scoring: percent_correct
        provenance: {author: us, original: false}
        items:
          - {id: q_a, text: A statement., key: 1, reverse: true}
        """})
    check(run, [root / "scales"], "k.yaml:1:", "knowledge items cannot be reverse-scored (q_a)")


def test_key_that_is_not_an_option(run, project):
    root = project({"scales/k.yaml": """\
        id: my_quiz
        title: Quiz
        construct: Knowledge
        level: 2b
        instructions: True or false.
        format: true_false
        scoring: percent_correct
        provenance: {author: us, original: false}
        items:
          - {id: q_a, text: A statement., key: 1}
          - {id: q_b, text: Another statement., key: 3}
        """})
    assert problems(run, root, root / "scales") == [
        "error: scales/k.yaml:11: item 2 (q_b), key: the key 3 is not one of the options of 'true_false' "
        "— use one of 1, 2"]


def test_min_answered_larger_than_the_items(run, project):
    root = project({"scales/s.yaml": SCALE.replace("min_answered: 2", "min_answered: 4")})
    check(run, [root / "scales"], "'min_answered' is 4 but the scale has only 3 items")


@pytest.mark.parametrize("bad_id, why", [
    ("MyScale", "not a valid id"),
    ("my-scale", "not a valid id"),
    ("my__scale", "not a valid id"),
    ("abc12", "reads as a spreadsheet cell reference"),
    ("xfd1048576", "reads as a spreadsheet cell reference"),
    ("r1c1", "reads as a spreadsheet"),
    ("print_area", "reserve"),
])
def test_ids_that_cannot_become_names(run, project, bad_id, why):
    root = project({"scales/s.yaml": SCALE.replace("id: ms_b", f"id: {bad_id}")})
    check(run, [root / "scales"], f"s.yaml:12: item 2 ({bad_id}), id:", why)


def test_wording_longer_than_a_validation_message_can_hold(run, project):
    long = "word " * 60
    root = project({"scales/s.yaml": SCALE.replace("Second statement.", long.strip())})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:12: item 2 (ms_b), text: the wording is 299 characters, over the limit of 255 "
        "— shorten it"]


def test_file_over_one_megabyte(run, project):
    root = project({"scales/big.yaml": SCALE + "# " + "x" * 1_000_100 + "\n"})
    check(run, [root / "scales"], "big.yaml:", "over the 1 MB limit")


def test_alias_bomb_is_refused_fast(run, project):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    root = project({"scales/bomb.yaml": bomb})
    started = time.perf_counter()
    check(run, [root / "scales"], "bomb.yaml:1:", "anchors and aliases")
    assert time.perf_counter() - started < 2


def test_every_problem_is_reported_not_just_the_first(run, project):
    root = project({
        "scales/a.yaml": SCALE.replace("instructions:", "instructons:"),
        "scales/b.yaml": SCALE.replace("id: my_scale", "id: other_scale").replace("format: agree5", "format: nope"),
    })
    lines = check(run, [root / "scales"], "a.yaml", "b.yaml")
    assert len(lines) == 2


def test_file_of_unknown_kind(run, project):
    root = project({"misc/thing.yaml": "id: x\n"})
    check(run, [root / "misc" / "thing.yaml"], "cannot tell what this file defines")


def test_warnings_do_not_fail(run, project):
    root = project({
        "scales/s.yaml": SCALE.replace("reverse: true", "reverse: false"),
        "benchmarks/b.yaml": """\
            benchmarks:
              - {course: foundation, scale: self_efficacy, statistic: d, citation: carpenter2010}
            """,
    })
    result = run("validate", root / "scales", root / "benchmarks")
    assert result.exit_code == 0, result.stderr
    assert "warning: " in result.stderr and "no item is reverse-scored" in result.stderr
    assert "no value for foundation / self_efficacy / d" in result.stderr


def test_a_built_in_finding_never_blocks_a_partnerships_course(run, project):
    root = project({"courses/foundation.yaml": """\
        id: foundation
        title: Our foundation course
        description: Without the confidence scale at the start.
        time_points:
          - {id: t1, scales: [attitudes]}
          - {id: t2, scales: [attitudes, reaction]}
        """})
    result = run("validate", root / "courses")
    assert result.exit_code == 0, result.stderr
    assert "this built-in research finding is left out" in result.stderr


# ---------------------------------------------------------------------------------------------
# Keys on the wrong level are told where they go

COURSE = """\
    id: my_course
    title: My course
    description: A course.
    time_points:
      - {id: t1, scales: [self_efficacy]}
      - {id: t2, scales: [self_efficacy]}
"""

QUIZ = """\
    id: my_quiz
    title: Quiz
    construct: Knowledge
    level: 2b
    instructions: True or false.
    format: true_false
    scoring: percent_correct
    provenance: {author: us, original: false}
    items:
      - {id: q_a, text: A statement.}
      - {id: q_b, text: Another statement.}
"""


def test_reverse_on_the_scale_says_it_is_set_on_each_item(run, project):
    root = project({"scales/s.yaml": SCALE.replace("items:", "reverse: [ms_b]\n    items:")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:10: reverse: 'reverse' is set on each item, not on the scale "
        "— move it to the item: - {id: ms_b, text: …, reverse: true}"]


def test_key_on_the_scale_says_it_is_set_on_each_item(run, project):
    root = project({"scales/k.yaml": QUIZ + "    key: 1\n"})
    assert problems(run, root, root / "scales") == [
        "error: scales/k.yaml:12: key: 'key' is set on each item, not on the scale "
        "— move it to each item: - {id: q_a, text: …, key: 1}"]


def test_answer_options_on_a_scale_say_they_belong_to_a_format(run, project):
    root = project({"scales/s.yaml": SCALE + "    options: [Never, Sometimes, Always]\n"})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:14: options: 'options' belongs to a response format, not to a scale "
        "— remove it and name a response format in 'format:' ('csl validate --list-formats' lists them; "
        "the README shows how to add your own)"]


def test_format_on_an_item_says_it_is_set_for_the_scale(run, project):
    root = project({"scales/s.yaml": SCALE.replace("Second statement.}", "Second statement., format: agree5}")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:12: item 2 (ms_b), format: 'format' is set once for the whole scale, not on an item "
        "— remove it here: the scale's 'format:' applies to every item"]


def test_an_items_wording_under_another_name(run, project):
    root = project({"scales/s.yaml": SCALE.replace("text: Second", "question: Second")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:12: item 2 (ms_b), question: an item's wording goes in 'text', not 'question' "
        "— rename it 'text'"]


def test_scale_instead_of_scales_in_a_time_point(run, project):
    root = project({"courses/c.yaml": COURSE.replace("{id: t1, scales: [self_efficacy]}",
                                                     "{id: t1, scale: self_efficacy}")})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:5: time point 1 (t1), scale: unknown field 'scale' "
        "— rename it 'scales' and make it a list: scales: [self_efficacy]"]


def test_scales_given_as_text_instead_of_a_list(run, project):
    root = project({"courses/c.yaml": COURSE.replace("scales: [self_efficacy]}", "scales: self_efficacy}", 1)})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:5: time point 1 (t1), scales: 'scales' should be a list "
        "— write it in square brackets: [self_efficacy]"]


def test_scales_for_the_whole_course_say_they_go_in_each_time_point(run, project):
    root = project({"courses/c.yaml": COURSE + "    scales: [self_efficacy, attitudes]\n"})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:7: scales: the scales are listed for each time point, not for the whole course "
        "— move them into each time point: - {id: t1, scales: [self_efficacy, attitudes]}"]


def test_weeks_on_the_course_says_it_goes_on_the_follow_up(run, project):
    root = project({"courses/c.yaml": COURSE.replace("time_points:", "weeks: 12\n    time_points:")})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:4: weeks: 'weeks' is set on the follow-up time point, not on the course "
        "— move it there: - {id: t3, weeks: 12, scales: […]}"]


# ---------------------------------------------------------------------------------------------
# Syntax, and what follows from a file that cannot be read


def test_a_file_indented_with_tabs_is_told_to_use_spaces(run, project):
    root = project({"scales/t.yaml": SCALE.replace("    ", "").replace("  - {id: ms_b", "\t- {id: ms_b")})
    assert problems(run, root, root / "scales") == [
        "error: scales/t.yaml:12: YAML syntax error: the line is indented with a tab — use spaces for indentation"]


def test_a_colon_inside_a_wording_is_told_to_use_quotes(run, project):
    root = project({"scales/s.yaml": SCALE.replace("title: My scale", "title: Risk: what we measure")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:2: YAML syntax error: a value contains ': ' (a colon and a space) "
        "— put the whole value in double quotes: \"…: …\""]


def test_a_colon_inside_an_items_wording_is_told_to_use_quotes(run, project):
    root = project({"scales/s.yaml": SCALE.replace("text: Second statement.", "text: Second: a statement.")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:12: YAML syntax error, column 28: a text between brackets holds a ':', '?' or another "
        "sign YAML reads as punctuation — put that text in double quotes: text: \"…\""]


def test_quotation_marks_inside_a_quoted_wording(run, project):
    root = project({"scales/s.yaml": SCALE.replace("text: Second statement.", 'text: "Say "no" first"')})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:12: YAML syntax error, column 28: a quoted text goes on after its closing quotation "
        "mark — put the whole text in double quotes, with single quotes inside it: \"Say 'no' first\""]


def test_a_scale_file_that_cannot_be_read_gives_no_knock_on_errors(run, project):
    root = project({"scales/s.yaml": SCALE.replace("title: My scale", "title: [My scale"),
                    "courses/c.yaml": COURSE.replace("self_efficacy", "my_scale"),
                    "benchmarks/b.yaml": """\
                        benchmarks:
                          - {course: my_course, scale: my_scale, statistic: direction, direction: rose,
                             citation: carpenter2010}
                        """})
    assert problems(run, root, root / "scales", root / "courses", root / "benchmarks") == [
        "error: scales/s.yaml:2: YAML syntax error: the list opened with '[' is not closed "
        "— end it with ']' on the same line"]


def test_a_formats_file_with_a_mistake_gives_no_knock_on_errors(run, project):
    root = project({"scales/formats.yaml": """\
                        kind: response_formats
                        formats:
                          - {id: agree4, kind: rating, min: 1, max: 4, labels: {1: Never, 2: Rarely, 3: Often}}
                        """,
                    "scales/s.yaml": SCALE.replace("agree5", "agree4")})
    assert problems(run, root, root / "scales") == [
        "error: scales/formats.yaml:3: format 1 (agree4): point 4 has no label — give every point a label"]


# ---------------------------------------------------------------------------------------------
# Places count from 1 and every message says what to do


def test_a_label_is_named_by_its_format_and_point(run, project):
    root = project({"scales/formats.yaml": """\
                        kind: response_formats
                        formats:
                          - id: agree4
                            kind: rating
                            min: 1
                            max: 4
                            labels: {1: Never, 2: Rarely, 3: Often, 4: "Always, and I would say so to everyone I meet on the course and at work"}
                        """})
    assert problems(run, root, root / "scales") == [
        "error: scales/formats.yaml:7: format 1 (agree4), label 4: the label is 71 characters, over the limit "
        "of 60 — shorten it"]


def test_repeated_item_ids_are_named(run, project):
    root = project({"scales/s.yaml": SCALE.replace("id: ms_c", "id: ms_a")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:1: the item id 'ms_a' is used twice — give each item its own id"]


def test_knowledge_items_without_a_key_are_named(run, project):
    root = project({"scales/k.yaml": QUIZ.replace("A statement.}", "A statement., key: 1}")})
    assert problems(run, root, root / "scales") == [
        "error: scales/k.yaml:1: item q_b has no 'key' — add the code of the correct answer, e.g. key: 1"]


def test_a_number_where_text_is_expected(run, project):
    root = project({"scales/s.yaml": SCALE.replace("title: My scale", "title: 2025")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:2: title: this should be text — put it in quotes: \"2025\""]


def test_a_follow_up_without_weeks(run, project):
    root = project({"courses/c.yaml": COURSE + "      - {id: t3, scales: [self_efficacy]}\n"})
    assert problems(run, root, root / "courses") == [
        "error: courses/c.yaml:1: the follow-up (t3) has no 'weeks' — add how many weeks after the course it is "
        "asked, e.g. weeks: 12"]


def test_a_yes_or_no_label_is_told_to_use_quotes(run, project):
    root = project({"scales/formats.yaml": """\
                        kind: response_formats
                        formats:
                          - id: yes_no
                            kind: choice
                            options:
                              - {code: 1, label: Yes}
                              - {code: 2, label: No}
                        """})
    assert problems(run, root, root / "scales") == [
        "error: scales/formats.yaml:6: format 1 (yes_no), option 1, label: this should be text — put it in quotes: \"Yes\"",
        "error: scales/formats.yaml:7: format 1 (yes_no), option 2, label: this should be text — put it in quotes: \"No\""]


def test_an_unknown_format_points_to_the_list_of_formats(run, project):
    root = project({"scales/s.yaml": SCALE.replace("agree5", "likert7")})
    assert problems(run, root, root / "scales") == [
        "error: scales/s.yaml:6: format: there is no response format 'likert7' — use a format listed by "
        "'csl validate --list-formats', or add your own (see the README)"]


# ---------------------------------------------------------------------------------------------
# csl validate --list-formats


def test_list_formats_prints_every_format_with_its_codes_and_labels(run):
    result = run("validate", "--list-formats")
    assert result.exit_code == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert "agree5: Five-point agreement (rating, built in:" in result.stdout
    assert ("true_false: True, false or don't know (choice, built in: {})\n"
            "  1 = True\n  2 = False\n  9 = Don't know").format(
        __import__("connect_share_learn.defaults").defaults.default_dir("scales") / "formats.yaml") in blocks
    assert sum(b.startswith(("agree5:", "confidence100:", "true_false:", "free_text:")) for b in blocks) == 4


def test_list_formats_includes_a_partnerships_own(run, project):
    root = project({"scales/formats.yaml": """\
                        formats:
                          - {id: agree4, kind: rating, min: 1, max: 4,
                             labels: {1: Strongly disagree, 2: Disagree, 3: Agree, 4: Strongly agree}}
                        """})
    result = run("validate", "--list-formats", root / "scales")
    assert result.exit_code == 0, result.stderr
    assert (f"agree4 (rating, {root}/scales/formats.yaml)\n"
            "  1 = Strongly disagree\n  2 = Disagree\n  3 = Agree\n  4 = Strongly agree") in result.stdout.split("\n\n")


def test_the_readmes_formats_example_is_a_valid_file(run, tmp_path):
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    example = next(b for b in readme.split("```yaml\n")[1:] if b.startswith("# my/scales/formats.yaml"))
    (tmp_path / "scales").mkdir()
    (tmp_path / "scales" / "formats.yaml").write_text(example.split("```")[0], encoding="utf-8")
    (tmp_path / "scales" / "s.yaml").write_text(textwrap.dedent(SCALE).replace("agree5", "agree4"), encoding="utf-8")
    result = run("validate", "--list-formats", tmp_path / "scales")
    assert result.exit_code == 0, result.stderr
    assert f"yes_no_unsure (choice, {tmp_path}/scales/formats.yaml)\n  1 = Yes\n  2 = No\n  9 = Not sure" in result.stdout


def test_a_list_too_short_says_how_many_it_has(run, project):
    root = project({"scales/profile.yaml": """\
        kind: profile
        code:
          instructions: Make your code.
          parts: [{text: Day of birth, length: 2, characters: digits, example: "07"}]
        questions:
          - id: agency
            text: Where do you work?
            options: [{code: 1, label: Health}]
        """})
    assert problems(run, root, root / "scales") == [
        "error: scales/profile.yaml:8: question 1 (agency), options: 'options' has only 1 — give at least 2"]
