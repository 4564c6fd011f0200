"""Shared fixtures: inline YAML projects, the CLI runner and LibreOffice."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_share_learn.cli import cli


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
    from connect_share_learn.spec.load import load_toolkit

    return load_toolkit()
