"""`csl build` writes the codebook; the build is reproducible and leaves nothing half-done."""

from __future__ import annotations

import csv
import io

from connect_share_learn.codebook import all_rows


def test_codebook_lists_every_item_of_every_course(default_pack, toolkit):
    folder = default_pack.folder
    rows = list(csv.DictReader(io.StringIO((folder / "codebook.csv").read_text("utf-8-sig"))))
    expected = all_rows(toolkit)
    assert [(r["course"], r["item"]) for r in rows] == [(r.course, r.item) for r in expected]
    se = next(r for r in rows if r["item"] == "att_4")
    assert se["reverse"] == "yes" and se["min"] == "1" and se["max"] == "5"
    kf = next(r for r in rows if r["item"] == "kf_4")
    assert kf["key"] == "2" and "9=Don't know" in kf["codes"]
    assert (folder / "codebook.xlsx").stat().st_size > 0


def test_bad_spec_writes_nothing(run, tmp_path, project):
    root = project({"scales/s.yaml": "id: [\n"})
    result = run("build", "--out", tmp_path / "out", "--scales", root / "scales")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_a_summed_scales_prorating_is_stated_in_the_codebooks_and_the_guide(tmp_path, project):
    """Issue 13.6: 18 of 20 answered counts as mean × 20; users read that rule in the codebook,
    the workbook's Codebook sheet and the guide's statistics page."""
    import openpyxl

    from connect_share_learn.codebook import all_rows, scoring_rule
    from connect_share_learn.pack import BuildOptions, build_pack
    from connect_share_learn.spec.load import load_toolkit

    items = "\n".join(f"  - {{id: ps_{i}, text: Statement {i}.}}" for i in range(1, 21))
    root = project({"scales/pro_sum.yaml": "id: pro_sum\ntitle: A summed scale\nconstruct: Testing.\nlevel: 2a\n"
                    "instructions: Tick one.\nformat: agree5\nscoring: sum\nmin_answered: 15\n"
                    "provenance: {author: tests, original: false}\nitems:\n" + items + "\n",
                    "courses/foundation.yaml": "id: foundation\ntitle: Foundation\ndescription: Tests.\ntime_points:\n"
                    "  - {id: t1, scales: [pro_sum]}\n  - {id: t2, scales: [pro_sum]}\n"})
    toolkit = load_toolkit(scales=root / "scales", courses=root / "courses")
    rule = scoring_rule(toolkit.scales["pro_sum"])
    assert "prorated" in rule and "times 20" in rule and "15 at least" in rule
    assert {r.scoring for r in all_rows(toolkit) if r.scale == "pro_sum"} == {rule}
    pack = build_pack(toolkit, tmp_path / "out", BuildOptions(courses=("foundation",), zip=False)).folder
    assert rule in (pack / "codebook.csv").read_text("utf-8")
    sheet = openpyxl.load_workbook(pack / "workbooks" / "foundation.xlsx")["Codebook"]
    assert rule in [c.value for row in sheet.iter_rows() for c in row]
    assert "prorated" in (pack / "guide" / "statistics.html").read_text("utf-8")
