"""Shared fixtures: inline YAML projects, the CLI runner, the default pack, a fake LibreOffice;
the engine markers (``@pytest.mark.libreoffice``, ``gnumeric``, ``chromium``); and the order
the tests run in."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_share_learn.cli import cli
from connect_share_learn.defaults import TEMPLATES_VARIABLE

from helpers import ENGINES, default_toolkit, needs, once_per_run


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """``-n`` with no ``--dist`` uses pytest-xdist's "worksteal": each worker starts on half the
    tests and one that runs out takes tests off the other's queue. Its default ("load") first
    hands each worker a fixed chunk of a quarter of its share, so the worker given the slow tests
    (they run first) was still busy with that chunk after the other had run out."""
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist = "worksteal"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test marked with an engine is skipped (or failed, under CSL_REQUIRE_ENGINES=1) before
    its fixtures are made, when the engine is missing."""
    for engine in ENGINES:
        if item.get_closest_marker(engine):
            needs(engine)


def pytest_collection_modifyitems(items):
    """The slow tests first, the longest of them (``@pytest.mark.slow(seconds=…)``) before the
    rest, so that no worker is left running a long test alone at the end while the other has
    nothing left to take."""

    def order(item):
        slow = item.get_closest_marker("slow")
        return (0, -slow.kwargs.get("seconds", 10)) if slow else (1, 0)

    items.sort(key=order)


@pytest.fixture
def project(tmp_path):
    """Write inline YAML files: ``project({"scales/x.yaml": "...", ...})`` → the folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture
def run():
    """Run ``csl`` with arguments; returns the click Result (exit_code, output, stderr)."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def toolkit():
    return default_toolkit()


@pytest.fixture(scope="session")
def default_pack(tmp_path_factory, toolkit):
    """The default pack as ``csl build`` makes it (folder and zip), built once per test run.

    Shared by every test that reads it: never write into it. Built with no SOURCE_DATE_EPOCH
    and no templates laid over, whatever the environment says.
    """
    from connect_share_learn.pack import build_pack

    def build(folder: Path):
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("SOURCE_DATE_EPOCH", raising=False)
            patch.delenv(TEMPLATES_VARIABLE, raising=False)
            return build_pack(toolkit, folder)

    return once_per_run(tmp_path_factory, "default-pack", build)


# ---------------------------------------------------------------------------------------------
# A fake soffice

FAKE_SOFFICE = textwrap.dedent("""\
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
    """Put a fake ``soffice`` first on PATH, standing in for LibreOffice; returns a function giving
    the inputs of each start.

    It lets a test make LibreOffice behave as 7.4 does after about 245 documents (stop, exit
    code 0) without converting hundreds of documents: ``FAKE_LIMIT`` is how many inputs one
    start converts, ``FAKE_BROKEN`` the (comma-separated) stems it never converts.
    """
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(FAKE_SOFFICE.format(python=sys.executable), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "starts.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))

    def starts() -> list[list[str]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return starts
