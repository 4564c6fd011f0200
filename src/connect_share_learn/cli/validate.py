"""``csl validate``: check a partnership's YAML files and list every problem."""

from __future__ import annotations

from pathlib import Path

import click

from connect_share_learn.cli.options import report_errors


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--list-formats", is_flag=True,
              help="First print every response format a scale can name, with its codes and labels.")
@report_errors
def validate(paths: tuple[Path, ...], list_formats: bool) -> None:
    """Check scale, course and benchmark files and print every problem.

    PATHS are YAML files or folders (searched recursively), laid over the embedded
    defaults; with none, the defaults alone are checked. What a file defines comes from its
    own 'kind:' key; else from the nearest folder named scales/, courses/ or benchmarks/
    inside the PATH given (folders above it do not count); else from its keys: a scale has
    'items', a course 'time_points', a formats file 'formats'.

    \b
    Example:
        csl validate my-partnership/scales my-partnership/courses
        csl validate --list-formats my-partnership/scales
    """
    from connect_share_learn.spec.load import available_formats, validate_paths
    from connect_share_learn.spec.model import text

    if list_formats:
        for fmt, where in available_formats(list(paths)):
            title = f": {text(fmt.title)}" if fmt.title else ""
            click.echo(f"{fmt.id}{title} ({fmt.kind}, {where})")
            for answer in fmt.answers():
                click.echo(f"  {answer.code} = {text(answer.label)}")
            if fmt.kind == "text":
                click.echo("  a written answer, not coded")
            click.echo()
    toolkit = validate_paths(list(paths))
    for warning in toolkit.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"OK: {len(toolkit.scales)} scales, {len(toolkit.courses)} course types, "
               f"{len(toolkit.benchmarks)} benchmarks; {len(toolkit.warnings)} warning(s).")
