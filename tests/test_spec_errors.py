"""Every bad specification input gets one clear line naming file, line and field — exit 2."""

from __future__ import annotations

import time

import pytest

SCALE = """\
    id: my_scale
    title: My scale
    construct: Something we measure
    level: 2a
    instructions: Tick one box.
    format: agree5
    scoring: mean
    min_answered: 2
    provenance: {author: us, original: false}
    items:
      - {id: ms_a, text: First statement., reverse: true}
      - {id: ms_b, text: Second statement.}
      - {id: ms_c, text: Third statement.}
"""


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


def test_yaml_syntax_error_names_line_and_column(run, project):
    root = project({"scales/bad.yaml": "id: x\ntitle: [unclosed\nlevel: 2a\n"})
    check(run, [root / "scales"], "scales/bad.yaml:3:", "column", "YAML syntax error")


def test_empty_file(run, project):
    root = project({"scales/empty.yaml": "# nothing here\n"})
    check(run, [root / "scales"], "empty.yaml", "the file is empty")


def test_file_that_is_not_utf8(run, project):
    root = project({"scales/latin.yaml": "id: caf\xe9\n".encode("latin-1")})
    check(run, [root / "scales"], "latin.yaml:1:", "not UTF-8")


def test_unknown_key_suggests_the_right_one(run, project):
    root = project({"scales/s.yaml": SCALE.replace("instructions:", "instructons:")})
    check(run, [root / "scales"], "s.yaml:5: instructons: unknown field", "did you mean 'instructions'?")


def test_unknown_key_inside_an_item(run, project):
    root = project({"scales/s.yaml": SCALE.replace("reverse: true", "revers: true")})
    check(run, [root / "scales"], "s.yaml:11: items.0.revers", "did you mean 'reverse'?")


def test_duplicate_scale_ids_across_files(run, project):
    root = project({"scales/a.yaml": SCALE, "scales/b.yaml": SCALE})
    check(run, [root / "scales"], "the scale id 'my_scale' is already defined in")


def test_duplicate_key_in_one_file(run, project):
    root = project({"scales/s.yaml": SCALE + "    title: Again\n"})
    check(run, [root / "scales"], "s.yaml:14: title: 'title' is given twice")


def test_undefined_format_suggests_one(run, project):
    root = project({"scales/s.yaml": SCALE.replace("format: agree5", "format: agree_5")})
    check(run, [root / "scales"], "s.yaml:6: format: there is no response format 'agree_5'", "did you mean 'agree5'?")


def test_course_naming_an_undefined_scale(run, project):
    root = project({"courses/c.yaml": """\
        id: my_course
        title: My course
        description: A course.
        time_points:
          - id: t1
            scales: [self_eficacy]
        """})
    check(run, [root / "courses"], "c.yaml:6: time_points.0.scales.0: there is no scale 'self_eficacy'",
          "did you mean 'self_efficacy'?")


def test_course_naming_an_undefined_time_point(run, project):
    root = project({"courses/c.yaml": """\
        id: my_course
        title: My course
        description: A course.
        time_points:
          - id: t4
            scales: [self_efficacy]
        """})
    check(run, [root / "courses"], "c.yaml:5: time_points.0.id: 't4' is not allowed here")


def test_benchmark_naming_an_undefined_item_scale_and_course(run, project):
    root = project({"benchmarks/b.yaml": """\
        benchmarks:
          - {course: foundation, scale: self_efficacy, statistic: d, value: 0.5, citation: carpenter2010}
          - {course: fundation, scale: self_efficacy, statistic: d, value: 0.5, citation: carpenter2010}
          - {course: foundation, scale: selfefficacy, statistic: d, value: 0.5, citation: carpenter2010}
        """})
    check(run, [root / "benchmarks"], "b.yaml:3: benchmarks.1.course: there is no course type 'fundation'",
          "b.yaml:4: benchmarks.2.scale: there is no scale 'selfefficacy'")


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
    check(run, [root / "scales"], "k.yaml:11: items.1.key: the key 3 is not one of the options of 'true_false'")


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
    check(run, [root / "scales"], "s.yaml:12: items.1.id:", why)


def test_wording_longer_than_a_validation_message_can_hold(run, project):
    long = "word " * 60
    root = project({"scales/s.yaml": SCALE.replace("Second statement.", long.strip())})
    check(run, [root / "scales"], "s.yaml:12: items.1.text: the wording is 299 characters, over the limit of 255")


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
