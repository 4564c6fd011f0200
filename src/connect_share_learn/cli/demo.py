"""``csl demo``: an example workbook filled with made-up questionnaires."""

from __future__ import annotations

from pathlib import Path

import click

from connect_share_learn.cli.options import load_spec, report_errors, spec_options
from connect_share_learn.errors import UsageError


@click.command("demo")
@spec_options
@click.option("--course", "course_id", default="foundation", show_default=True, metavar="ID",
              help="The course type to make an example workbook for.")
@click.option("--out", type=click.Path(path_type=Path),
              help="The example workbook to write (default: build/example-<course>.xlsx); never an existing file.")
@click.option("--force", is_flag=True, help="Replace the --out file if it exists (what it holds is lost).")
@report_errors
def demo(scales, courses, benchmarks, config, course_id: str, out: Path | None, force: bool) -> None:
    """Write an example workbook filled with made-up questionnaires.

    Every sheet is labelled as an example. Its stored results are the true values, so it
    shows correct numbers even in a viewer that does not recalculate. Run again, it changes
    nothing; any other existing file is never replaced unless --force is given: it may hold
    real data.

    \b
    Example:
        csl demo --course domestic_abuse --out example.xlsx
    """
    from connect_share_learn.files import refuse_to_replace, write_file
    from connect_share_learn.pack import BuildOptions
    from connect_share_learn.workbook.build import write_example

    toolkit = load_spec(scales, courses, benchmarks, config)
    if course_id not in toolkit.courses:
        raise UsageError(f"there is no course type '{course_id}'; choose from {', '.join(sorted(toolkit.courses))}")
    out = out or Path("build") / f"example-{course_id}.xlsx"

    def write(path: Path) -> None:
        write_example(toolkit, toolkit.courses[course_id], path, created=BuildOptions().created)

    if out.is_file() and not force and _same_example(out, write):
        click.echo(f"The example workbook {out} is already up to date.")
        return
    refuse_to_replace(out, force)
    write_file(out, write, "example workbook")
    click.echo(f"Wrote the example workbook {out}.")


def _same_example(out: Path, write) -> bool:
    """Whether ``out`` is byte for byte the example this run would write (examples are
    reproducible): then a second run changes nothing, and anything else is refused."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="csl-demo-") as scratch:
        fresh = Path(scratch) / out.name
        write(fresh)
        return fresh.read_bytes() == out.read_bytes()
