"""A user's files are sacred: no command writes over a file a user named, and a folder that
cannot be written gets the same clear message from every command (issue #13)."""

from __future__ import annotations

import os
import stat

import pytest


def test_demo_refuses_to_replace_an_existing_file(run, tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"typed questionnaires")
    result = run("demo", "--out", real)
    assert result.exit_code == 2
    assert f"{real} already exists" in result.stderr and "--force" in result.stderr
    assert real.read_bytes() == b"typed questionnaires"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.xlsx"]


def test_demo_replaces_with_force_and_follows_the_umask(run, tmp_path):
    out = tmp_path / "example.xlsx"
    out.write_bytes(b"old")
    before = os.umask(0o027)
    try:
        result = run("demo", "--out", out, "--force")
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.xlsx"]


def test_demo_into_a_folder_is_refused(run, tmp_path):
    result = run("demo", "--out", tmp_path)
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


@pytest.mark.parametrize("command", [("build", "--course", "foundation", "--no-zip"), ("demo",)])
def test_output_under_a_file_gets_the_common_message(run, tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    out = afile / "sub" / ("x.xlsx" if command == ("demo",) else "")
    result = run(*command, "--out", out)
    assert result.exit_code == 1, result.stderr
    assert "cannot write to" in result.stderr and "choose another --out" in result.stderr
    assert "unexpected" not in result.stderr
    assert afile.read_text() == "mine"


def test_demo_run_twice_changes_nothing_and_an_edited_example_is_kept(run, tmp_path):
    out = tmp_path / "example.xlsx"
    assert run("demo", "--out", out).exit_code == 0
    first = out.read_bytes()
    again = run("demo", "--out", out)
    assert again.exit_code == 0 and "already up to date" in again.stdout and out.read_bytes() == first
    out.write_bytes(first + b"typed")  # typed into since
    assert run("demo", "--out", out).exit_code == 2 and out.read_bytes() == first + b"typed"
