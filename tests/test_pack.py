"""The pack: complete, described by its manifest, byte-reproducible, and built atomically."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from connect_share_learn import __version__, pack
from connect_share_learn.errors import WorkFailed
from connect_share_learn.pack import build_pack, pack_name

from helpers import default_toolkit

TOOLKIT = default_toolkit()


@pytest.fixture(scope="module")
def two_builds(default_pack, tmp_path_factory):
    return default_pack, build_pack(TOOLKIT, tmp_path_factory.mktemp("b"))


def test_the_pack_holds_every_part(two_builds):
    folder = two_builds[0].folder
    assert folder.name == f"connect-share-learn-{__version__}"
    for course in TOOLKIT.courses.values():
        assert (folder / "workbooks" / f"{course.id}.xlsx").is_file()
        assert (folder / "guide" / f"course-{course.id}.html").is_file()
        for tp in course.tp_ids:
            assert (folder / "questionnaires" / course.id / f"{tp}.docx").is_file()
            assert (folder / "online" / course.id / f"{tp}.xlsx").is_file()
        assert len(list((folder / "letters" / course.id).glob("*.docx"))) == 7
    for name in ("index.html", "codebook.csv", "codebook.xlsx", "MANIFEST.json"):
        assert (folder / name).is_file()


def test_manifest_describes_every_file(two_builds):
    folder = two_builds[0].folder
    manifest = json.loads((folder / "MANIFEST.json").read_text("utf-8"))
    assert manifest["version"] == __version__ and manifest["spec_hash"] == TOOLKIT.spec_hash
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert set(manifest["files"]) == on_disk
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}, name


def test_zip_matches_the_folder_with_fixed_stamps(two_builds):
    result = two_builds[0]
    with zipfile.ZipFile(result.zip_path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(2026, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o644}
        for info in infos:
            relative = info.filename.split("/", 1)[1]
            assert archive.read(info) == (result.folder / relative).read_bytes()


def test_two_builds_are_byte_identical(two_builds):
    first, second = two_builds
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    assert first.files == second.files


def test_source_date_epoch_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "renderers", lambda: [("codebook", __import__("connect_share_learn.codebook").codebook.render)])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    result = build_pack(TOOLKIT, tmp_path)
    with zipfile.ZipFile(result.zip_path) as archive:
        assert {i.date_time[:3] for i in archive.infolist()} == {(2023, 11, 14)}


def test_a_failed_build_leaves_the_previous_pack_exactly_as_it_was(tmp_path, monkeypatch):
    from connect_share_learn import codebook

    monkeypatch.setattr(pack, "renderers", lambda: [("codebook", codebook.render)])
    good = build_pack(TOOLKIT, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def broken(ctx):
        (ctx.folder / "half-written.txt").write_text("…")
        raise WorkFailed("the disk is full")

    monkeypatch.setattr(pack, "renderers", lambda: [("codebook", codebook.render), ("broken", broken)])
    with pytest.raises(WorkFailed):
        build_pack(TOOLKIT, tmp_path)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([good.folder.name, good.zip_path.name])


def test_a_subset_of_courses_and_no_zip(run, tmp_path):
    result = run("build", "--out", tmp_path, "--course", "foundation", "--no-zip", "--capacity", "50")
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / pack_name()
    assert [p.stem for p in (folder / "workbooks").iterdir()] == ["foundation"]
    assert not (tmp_path / f"{pack_name()}.zip").exists()


def test_unknown_course_is_bad_usage(run, tmp_path):
    result = run("build", "--out", tmp_path, "--course", "fundation")
    assert result.exit_code == 2 and "no course type 'fundation'" in result.stderr
    assert not (tmp_path / pack_name()).exists()


def test_settings_text_never_becomes_a_path(run, tmp_path, project):
    root = project({"settings.yaml": 'partnership: "../../outside/<Evil> & Co"\ncapacity: 20\n'})
    out = tmp_path / "out"
    result = run("build", "--out", out, "--config", root / "settings.yaml", "--course", "foundation", "--no-zip")
    assert result.exit_code == 0, result.stderr
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()} - {(root / "settings.yaml").resolve()}
    assert all(out.resolve() in p.parents for p in written)
    assert not (tmp_path / "outside").exists()


def test_a_rebuild_never_loses_a_workbook_with_data_typed_into_it(run, tmp_path):
    args = ("build", "--out", tmp_path, "--course", "foundation", "--capacity", "20", "--no-zip")
    assert run(*args).exit_code == 0
    workbook = tmp_path / pack_name() / "workbooks" / "foundation.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"typed")  # as if saved after typing
    (tmp_path / pack_name() / "my-notes.txt").write_text("notes")
    result = run(*args)
    assert result.exit_code == 2
    assert "workbooks/foundation.xlsx" in result.stderr and "my-notes.txt" in result.stderr
    assert workbook.read_bytes().endswith(b"typed")
    result = run(*args, "--force")
    assert result.exit_code == 0 and not workbook.read_bytes().endswith(b"typed")


def test_a_partnerships_templates_are_laid_over_the_defaults(run, tmp_path, project):
    import openpyxl
    import yaml

    from connect_share_learn.defaults import default_dir

    wording = yaml.safe_load((default_dir("templates") / "workbook" / "wording.yaml").read_text("utf-8"))
    wording["results_title"] = "Our results"
    root = project({"templates/workbook/wording.yaml": yaml.safe_dump(wording, allow_unicode=True)})
    result = run("build", "--out", tmp_path / "out", "--course", "foundation", "--capacity", "20", "--no-zip",
                 "--templates", root / "templates")
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "out" / pack_name() / "workbooks" / "foundation.xlsx")["Results"]
    assert sheet["A2"].value.startswith("Our results")
    assert (tmp_path / "out" / pack_name() / "letters" / "foundation" / "invitation.docx").is_file()
    # The defaults are untouched for the next build.
    assert "Our results" not in (default_dir("templates") / "workbook" / "wording.yaml").read_text("utf-8")
