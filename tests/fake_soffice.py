"""A fake ``soffice`` put first on PATH, standing in for LibreOffice.

It lets a test make LibreOffice behave as 7.4 does after about 245 documents (stop, exit
code 0) without converting hundreds of documents: ``FAKE_LIMIT`` is how many inputs one
start converts, ``FAKE_BROKEN`` the (comma-separated) stems it never converts.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap

import pytest

FAKE = textwrap.dedent("""\
    #!{python}
    # A stand-in for soffice: converts at most $FAKE_LIMIT files per start, never those named in
    # $FAKE_BROKEN, logs each start's inputs to $FAKE_LOG, and always exits 0, as soffice does.
    import json, os, pathlib, sys
    args = sys.argv[1:]
    to = args[args.index("--convert-to") + 1].split(":")[0]
    out = pathlib.Path(args[args.index("--outdir") + 1])
    inputs = args[args.index("--outdir") + 2:]
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(json.dumps([pathlib.Path(i).name for i in inputs]) + "\\n")
    limit = int(os.environ.get("FAKE_LIMIT", "1000000"))
    broken = os.environ.get("FAKE_BROKEN", "").split(",")
    out.mkdir(parents=True, exist_ok=True)
    for i in inputs[:limit]:
        if pathlib.Path(i).stem not in broken:
            (out / (pathlib.Path(i).stem + "." + to)).write_bytes(b"converted " + pathlib.Path(i).read_bytes())
""")


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """Put a fake soffice first on PATH; returns a function giving the inputs of each start."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "starts.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))

    def starts() -> list[list[str]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return starts



@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """Put a fake soffice first on PATH; returns a function giving the inputs of each start."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "starts.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))

    def starts() -> list[list[str]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return starts
