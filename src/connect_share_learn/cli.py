"""The ``csl`` command: a thin layer that parses options, calls the library and reports.

Library code never prints or exits; a :class:`CslError` becomes one clear message here.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from connect_share_learn import __version__
from connect_share_learn.errors import CslError, SpecError


def _report_errors(func):
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
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a user
            if debug:
                raise
            click.echo(f"error: an unexpected problem stopped the work ({type(exc).__name__}: {exc}). "
                       "Nothing half-written was kept. Run again with --debug and report the output.", err=True)
            ctx.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="csl")
@click.option("--debug", is_flag=True, help="Show a full traceback when something goes wrong.")
def cli(debug: bool) -> None:
    """Build and read back the connect-share-learn evaluation toolkit.

    \b
    Example:
        csl build                 # the whole default pack into build/
    """


def spec_options(func):
    """Options every command that reads the specification shares."""
    for option in reversed([
        click.option("--scales", type=click.Path(path_type=Path, exists=True, file_okay=False),
                     help="Folder of scale files laid over the default scales (same id replaces)."),
        click.option("--courses", type=click.Path(path_type=Path, exists=True, file_okay=False),
                     help="Folder of course files laid over the default courses."),
        click.option("--benchmarks", type=click.Path(path_type=Path, exists=True, file_okay=False),
                     help="Folder of benchmark files added to the research benchmarks."),
        click.option("--config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     help="The partnership's settings file (name, contact, capacity …)."),
    ]):
        func = option(func)
    return func


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_report_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check scale, course and benchmark files and print every problem.

    PATHS are YAML files or folders (searched recursively), laid over the embedded
    defaults; with none, the defaults alone are checked. A file's kind comes from its
    folder (scales/, courses/, benchmarks/) or its 'kind:' key.

    \b
    Example:
        csl validate my-partnership/scales my-partnership/courses
    """
    from connect_share_learn.spec.load import validate_paths

    toolkit = validate_paths(list(paths))
    for warning in toolkit.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"OK: {len(toolkit.scales)} scales, {len(toolkit.courses)} course types, "
               f"{len(toolkit.benchmarks)} benchmarks; {len(toolkit.warnings)} warning(s).")


@cli.command()
@spec_options
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build"), show_default=True,
              help="Folder to build into.")
@click.option("--course", "course_ids", multiple=True, metavar="ID",
              help="Build only this course type (repeat for several).")
@click.option("--capacity", type=click.IntRange(10, 5000),
              help="Rows for questionnaires on each entry sheet (default 500, or the settings file's).")
@click.option("--password", help="Protect the workbooks' sheets with this password (default: none).")
@click.option("--no-zip", "no_zip", is_flag=True, help="Do not write the pack's zip file.")
@_report_errors
def build(scales, courses, benchmarks, config, out: Path, course_ids, capacity, password, no_zip) -> None:
    """Build the toolkit pack: codebook, workbooks and documents.

    \b
    Example:
        csl build --out build/
        csl build --config my-partnership/settings.yaml --scales my-partnership/scales
        csl build --course foundation --capacity 1000
    """
    from connect_share_learn.pack import BuildOptions, build_pack
    from connect_share_learn.spec.load import load_toolkit

    started = time.perf_counter()
    toolkit = load_toolkit(scales=scales, courses=courses, benchmarks=benchmarks, config=config)
    for warning in toolkit.warnings:
        click.echo(f"warning: {warning}", err=True)
    options = BuildOptions(capacity=capacity, courses=tuple(course_ids), password=password, zip=not no_zip)
    progress = (lambda part: click.echo(f"  building {part}…", err=True)) if sys.stderr.isatty() else None
    result = build_pack(toolkit, out, options, progress)
    click.echo(f"Built {len(result.files)} files ({result.total_bytes / 1e6:.1f} MB) into {result.folder} "
               f"in {time.perf_counter() - started:.1f} s.")


@cli.command()
@spec_options
@click.option("--course", "course_id", default="foundation", show_default=True, metavar="ID",
              help="The course type to make an example workbook for.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="The example workbook to write (default: build/example-<course>.xlsx).")
@_report_errors
def demo(scales, courses, benchmarks, config, course_id: str, out: Path | None) -> None:
    """Write an example workbook filled with made-up questionnaires.

    Every sheet is labelled as an example. Its stored results are the true values, so it
    shows correct numbers even in a viewer that does not recalculate.

    \b
    Example:
        csl demo --course domestic_abuse --out example.xlsx
    """
    from connect_share_learn.errors import UsageError
    from connect_share_learn.pack import BuildOptions
    from connect_share_learn.spec.load import load_toolkit
    from connect_share_learn.workbook.build import write_example

    toolkit = load_toolkit(scales=scales, courses=courses, benchmarks=benchmarks, config=config)
    if course_id not in toolkit.courses:
        raise UsageError(f"there is no course type '{course_id}'; choose from {', '.join(sorted(toolkit.courses))}")
    out = out or Path("build") / f"example-{course_id}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.with_name(f".{out.name}.partial")
    try:
        write_example(toolkit, toolkit.courses[course_id], staged, created=BuildOptions().created)
        staged.replace(out)
    finally:
        staged.unlink(missing_ok=True)
    click.echo(f"Wrote the example workbook {out}.")


from connect_share_learn.xlsform import export_xlsform_command  # noqa: E402 (commands defined beside their library)

cli.add_command(export_xlsform_command)


def main() -> None:
    cli(prog_name="csl")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
