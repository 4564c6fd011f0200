"""Every part of every file of the default pack is as the golden digest says (tests/golden.py):
a refactoring that means to change nothing changes nothing, and a change to the output is
seen, named to the member, and recorded on purpose."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

import golden


def test_the_default_pack_is_the_golden_pack(default_pack):
    expected = json.loads(golden.GOLDEN.read_text("utf-8"))
    if golden.differences(expected, golden.digest(default_pack.folder)):
        pytest.fail(golden.report(default_pack.folder, expected), pytrace=False)


def test_a_change_is_named_to_the_member_with_its_first_differing_lines(default_pack, tmp_path, monkeypatch):
    changed = tmp_path / "pack"
    shutil.copytree(default_pack.folder, changed)
    workbook = changed / "workbooks" / "foundation.xlsx"
    with zipfile.ZipFile(default_pack.folder / "workbooks" / "foundation.xlsx") as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data.replace(b"<sheetView ", b'<sheetView zoomScale="90" ')
                             if info.filename == "xl/worksheets/sheet1.xml" else data)
    (changed / "my-notes.txt").write_text("typed", encoding="utf-8")
    expected = golden.digest(default_pack.folder)
    assert golden.differences(expected, golden.digest(changed)) == [
        ("my-notes.txt", None, "new"), ("workbooks/foundation.xlsx", "xl/worksheets/sheet1.xml", "changed")]
    monkeypatch.setattr(golden, "_known_good_pack", lambda scratch: (default_pack.folder, "0123456789abcdef"))
    text = golden.report(changed, expected)
    assert "workbooks/foundation.xlsx › xl/worksheets/sheet1.xml: changed" in text and golden.UPDATE in text
    assert '+<sheetView zoomScale="90" ' in text and "-<sheetView " in text


def test_what_is_meant_to_vary_is_left_out(default_pack, tmp_path):
    """Another version of the toolkit, and the zipped files compressed otherwise, digest the same."""
    from connect_share_learn import __version__

    other = tmp_path / "pack"
    shutil.copytree(default_pack.folder, other)
    for path in (p for p in other.rglob("*") if p.is_file()):
        if path.suffix in golden.ZIPPED:
            with zipfile.ZipFile(path) as archive:
                members = [(info, archive.read(info)) for info in archive.infolist()]
            with zipfile.ZipFile(path, "w") as archive:
                for info, data in members:
                    archive.writestr(info, data.replace(__version__.encode(), b"9.9.9"), zipfile.ZIP_DEFLATED, 1)
        elif path.suffix in golden.TEXT:
            path.write_bytes(path.read_bytes().replace(__version__.encode(), b"9.9.9"))
    assert golden.differences(golden.digest(default_pack.folder), golden.digest(other, "9.9.9")) == []
