"""`csl analyse` and `csl export` account for every file under the paths given: each one is
read, or listed in quality.csv (and counted in the summary) with what it is and why not."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile

import pytest
from click.testing import CliRunner

from connect_share_learn.cli.analyse import analyse_command
from connect_share_learn.cli.export import export_command
from connect_share_learn.testing import contract_workbook, simulate

# name under the returns folder → the rule it is listed with (None: read)
EXPECTED = {
    "north.xlsx": None,
    "south.xlsx.txt": None,  # a workbook renamed by a mail program: read, with a note
    "sub/east.xlsx": None,
    "~$north.xlsx": "lock_file",
    ".~lock.north.xlsx#": "lock_file",
    ".DS_Store": "system_file",
    "._north.xlsx": "system_file",
    "Thumbs.db": "system_file",
    "desktop.ini": "system_file",
    ".hidden.xlsx": "hidden_file",
    "covering letter.pdf": "not_a_workbook",
    "covering letter.docx": "not_a_workbook",
    "attendance.csv": "not_a_workbook",
    "photo.jpg": "not_a_workbook",
    "old.xls": "legacy_xls",
    "returns.zip": "zip_archive",
    ".git": "hidden_folder",
}


def _invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


def _quality(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


@pytest.fixture(scope="module")
def returns(tmp_path_factory, toolkit):
    folder = tmp_path_factory.mktemp("returns")
    course = toolkit.courses["foundation"]
    for i, name in enumerate(["north.xlsx", "south.xlsx", "sub/east.xlsx"]):
        (folder / name).parent.mkdir(exist_ok=True)
        contract_workbook(folder / name, toolkit, course, simulate(toolkit, course, 8, seed=70 + i),
                          details={"partnership": name.split(".")[0]})
    (folder / "south.xlsx").rename(folder / "south.xlsx.txt")
    (folder / "~$north.xlsx").write_bytes(b"\x0bSam Jones" + bytes(150))
    (folder / ".~lock.north.xlsx#").write_text("Sam Jones,sam,PC,28.11.2026 10:00,file:///home/sam;\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (folder / "._north.xlsx").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X" + bytes(60))
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\nIconResource=x\n")
    shutil.copy(folder / "north.xlsx", folder / ".hidden.xlsx")
    (folder / "covering letter.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(100))
    with zipfile.ZipFile(folder / "covering letter.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (folder / "attendance.csv").write_text("name,agency\nSam,Police\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100))
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + bytes(500))
    with zipfile.ZipFile(folder / "returns.zip", "w") as z:
        z.write(folder / "north.xlsx", "north.xlsx")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return folder


def _listed(quality: list[dict], folder) -> dict[str, str]:
    """File → rule of the lines that name no sheet (the files not read, and notes on whole files)."""
    return {os.path.relpath(r["file"], folder): r["rule"] for r in quality
            if not r["sheet"] and r["file"] != "(all files)" and r["rule"] in set(EXPECTED.values()) | {"renamed_workbook"}}


def test_analyse_lists_every_file_it_does_not_read_and_reads_a_renamed_workbook(returns, tmp_path):
    out = tmp_path / "out"
    result = _invoke(analyse_command, returns, "--out", out)
    assert result.exit_code == 0, result.output
    quality = _quality(out / "quality.csv")
    listed = _listed(quality, returns)
    assert listed == {name: rule for name, rule in EXPECTED.items() if rule} | {"south.xlsx.txt": "renamed_workbook"}
    read = [name for name, rule in EXPECTED.items() if rule is None]
    m = re.search(r"Read (\d+) of (\d+) file\(s\) \((\d+) not read\)", result.stdout)
    assert m and list(map(int, m.groups())) == [len(read), len(EXPECTED), len(EXPECTED) - len(read)]
    for rule in {r for r in EXPECTED.values() if r}:
        assert f"not read ({rule.replace('_', ' ')})" in result.stderr, rule
    # Each line says what the file is.
    problem = {os.path.relpath(r["file"], returns): r["problem"] for r in quality if not r["sheet"]}
    assert "Excel" in problem["~$north.xlsx"] and "LibreOffice" in problem[".~lock.north.xlsx#"]
    assert "macOS" in problem[".DS_Store"] and "macOS" in problem["._north.xlsx"] and "Windows" in problem["Thumbs.db"]
    assert "PDF" in problem["covering letter.pdf"] and "Word" in problem["covering letter.docx"]
    assert "text" in problem["attendance.csv"] and "picture" in problem["photo.jpg"]
    assert ".txt" in problem["south.xlsx.txt"]
    action = {os.path.relpath(r["file"], returns): r["action"] for r in quality if not r["sheet"]}
    assert "unzip" in action["returns.zip"] and "rename" in action["south.xlsx.txt"] and "rename" in action[".hidden.xlsx"]


@pytest.mark.slow
def test_export_lists_the_same_files(returns, tmp_path):
    analysed, exported = tmp_path / "analysed", tmp_path / "exported"
    assert _invoke(analyse_command, returns, "--out", analysed).exit_code == 0
    result = _invoke(export_command, returns, "--out", exported)
    assert result.exit_code == 0, result.output
    assert _listed(_quality(exported / "quality.csv"), returns) == _listed(_quality(analysed / "quality.csv"), returns)
    assert f"Read 3 of {len(EXPECTED)} file(s)" in result.stdout
