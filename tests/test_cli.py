"""The command line: every command documented with an example; errors are clean."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from connect_share_learn.cli import cli

COMMANDS = sorted(cli.commands)


def test_there_are_commands():
    assert {"build", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(run, name):
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output, f"csl {name} --help has no example"
    command = cli.commands[name]
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"csl {name} {param.opts[0]} has no help text"


def test_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "connect_share_learn", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "csl" in out.stdout


def test_validate_defaults(run):
    result = run("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: ")
    assert "warning" not in result.stderr


def test_missing_path_is_bad_input(run, tmp_path):
    result = run("validate", tmp_path / "nope")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
