"""A folder's record of the files a command wrote (files.Manifest): a command's record never
reaches outside its folder; the pack's may name files in its sub-folders, but no further."""

from __future__ import annotations

import json

import pytest

from connect_share_learn.errors import UsageError
from connect_share_learn.files import MANIFEST, Manifest


def write_record(folder, files: dict[str, str], **fields) -> None:
    """A MANIFEST.json listing ``files`` (name → text) as they are now in ``folder``."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    Manifest(folder, **fields).write(sorted(files))


def test_a_commands_record_lists_only_files_in_its_own_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "theirs.csv").write_text("a user's file beside the folder")
    (folder / "sub").mkdir()
    (folder / "sub" / "notes.txt").write_text("the user's")
    record = {"toolkit": "connect-share-learn", "version": "0", "made": {},
              "files": {name: {"size": 1, "sha256": None} for name in ("../theirs.csv", "sub/notes.txt", "/etc/passwd",
                                                                      "report.html")}}
    (folder / MANIFEST).write_text(json.dumps(record))
    assert list(Manifest.read(folder).files) == ["report.html"]
    with pytest.raises(UsageError, match="sub/notes.txt \\(not written by csl analyse\\)"):
        Manifest.read(folder).refuse_to_replace(["sub/notes.txt"], "csl analyse")


def test_the_packs_record_names_files_in_sub_folders_but_none_outside(tmp_path):
    pack = tmp_path / "pack"
    write_record(pack, {"index.html": "guide", "workbooks/foundation.xlsx": "workbook"},
                 made={"spec_hash": "abc"}, pack=True)
    data = json.loads((pack / MANIFEST).read_text("utf-8"))
    assert sorted(data) == ["files", "spec_hash", "toolkit", "version"]  # the shape the pack's record has always had
    data["files"]["../outside.txt"] = {"size": 1, "sha256": None}
    (pack / MANIFEST).write_text(json.dumps(data))
    record = Manifest.read(pack, pack=True)
    assert sorted(record.files) == ["index.html", "workbooks/foundation.xlsx"] and record.made == {"spec_hash": "abc"}
    (pack / "workbooks" / "foundation.xlsx").write_text("typed into")
    (pack / "workbooks" / "mine.xlsx").write_text("added")
    assert record.in_the_way(["index.html", "workbooks/foundation.xlsx", "workbooks/mine.xlsx"]) == {
        "workbooks/foundation.xlsx": "changed", "workbooks/mine.xlsx": "theirs"}
