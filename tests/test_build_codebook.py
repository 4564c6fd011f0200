"""`csl build` writes the codebook; the build is reproducible and leaves nothing half-done."""

from __future__ import annotations

import csv
import io

from connect_share_learn.codebook import all_rows
from connect_share_learn.pack import pack_name


def test_codebook_lists_every_item_of_every_course(run, tmp_path, toolkit):
    result = run("build", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / pack_name()
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
