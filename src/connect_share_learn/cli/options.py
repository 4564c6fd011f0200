"""What every ``csl`` command shares: the specification options and the error reporting.

Kept apart from cli.py so command modules (letters_cli.py …) can use them without importing
the command group itself.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from connect_share_learn.errors import CslError, SpecError


def report_errors(func):
    """Turn the library's errors into messages and exit codes (2 bad input, 1 failed work)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = ctx.find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except CslError as exc:
            if debug:
                raise
            if isinstance(exc, SpecError):
                for problem in exc.problems:
                    click.echo(f"error: {problem}", err=True)
                click.echo(f"{len(exc.problems)} problem(s) found; nothing was written.", err=True)
            else:
                click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Stopped; nothing half-written was kept.", err=True)
            ctx.exit(1)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a user
            if debug:
                raise
            click.echo(f"error: an unexpected problem stopped the work ({type(exc).__name__}: {exc}). "
                       "Nothing half-written was kept. Run again with --debug and report the output.", err=True)
            ctx.exit(1)

    return wrapper


_FOLDER = click.Path(path_type=Path, exists=True, file_okay=False)
_FILE = click.Path(path_type=Path, exists=True, dir_okay=False)


def _with_options(func, options: list):
    for option in reversed(options):
        func = option(func)
    return func


def spec_options(func):
    """--scales, --courses, --benchmarks and --config, for every command that reads the specification."""
    return _with_options(func, [
        click.option("--scales", type=_FOLDER,
                     help="Folder of scale files laid over the default scales (same id replaces)."),
        click.option("--courses", type=_FOLDER, help="Folder of course files laid over the default courses."),
        click.option("--benchmarks", type=_FOLDER, help="Folder of benchmark files added to the research benchmarks."),
        click.option("--config", type=_FILE, help="The partnership's settings file (name, contact, capacity …)."),
    ])


def built_with_options(func):
    """--scales, --courses and --config, for the commands that read returned workbooks: the
    specification the workbooks were built with."""
    return _with_options(func, [
        click.option("--scales", type=_FOLDER,
                     help="Folder of scale files the workbooks were built with, laid over the default scales."),
        click.option("--courses", type=_FOLDER,
                     help="Folder of course files the workbooks were built with, laid over the default courses."),
        click.option("--config", type=_FILE, help="The partnership's settings file (for the language of the outputs)."),
    ])


def reading_options(func):
    """--include-examples, for the commands that read returned workbooks."""
    return click.option("--include-examples", is_flag=True,
                        help="Read example workbooks made by 'csl demo' too (made-up data; left out by default).")(func)


def load_spec(scales, courses, benchmarks, config):
    """Load the toolkit from the spec options and print its warnings."""
    from connect_share_learn.spec.load import load_toolkit

    toolkit = load_toolkit(scales=scales, courses=courses, benchmarks=benchmarks, config=config)
    for warning in toolkit.warnings:
        click.echo(f"warning: {warning}", err=True)
    return toolkit


def report_reading(accounting, files_by_rule: dict[str, int], notes: int, used: str) -> None:
    """What reading returned workbooks came to (``csl analyse``, ``csl export``): a warning per
    kind of file not read, then one line of files and rows; ``used`` names what rows became."""
    for rule, n in sorted(files_by_rule.items()):
        click.echo(f"warning: {n} file(s) not read ({rule.replace('_', ' ')}); see quality.csv", err=True)
    acc = accounting
    click.echo(f"Read {acc.files_read} of {acc.files_found} file(s) ({acc.files_refused} not read); "
               f"{acc.rows_typed} row(s) typed: {acc.rows_used} {used}, {acc.rows_left_out} left out; "
               f"{notes} data-quality note(s).")


class ProgressBar:
    """A progress bar on a terminal; silent when output is piped or captured."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and total > 1:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()

    def step(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
