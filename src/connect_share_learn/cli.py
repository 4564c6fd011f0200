"""The ``csl`` command: a thin layer that parses options, calls the library and reports.

Library code never prints or exits; a :class:`CslError` becomes one clear message here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from connect_share_learn import __version__
from connect_share_learn.cli_options import load_spec, report_errors, spec_options
from connect_share_learn.contract import MAX_CAPACITY, MIN_CAPACITY
from connect_share_learn.errors import UsageError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="csl")
@click.option("--debug", is_flag=True, help="Show a full traceback when something goes wrong.")
def cli(debug: bool) -> None:
    """Build and read back the connect-share-learn evaluation toolkit.

    \b
    Example:
        csl build                 # the whole default pack into build/
    """


@cli.command()
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


@cli.command()
@spec_options
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build"), show_default=True,
              help="Folder to build into.")
@click.option("--course", "course_ids", multiple=True, metavar="ID",
              help="Build only this course type (repeat for several).")
@click.option("--capacity", type=click.IntRange(MIN_CAPACITY, MAX_CAPACITY),
              help="Rows for questionnaires on each entry sheet (default 500, or the settings file's).")
@click.option("--password", help="Protect the workbooks' sheets with this password (default: none).")
@click.option("--no-zip", "no_zip", is_flag=True, help="Do not write the pack's zip file.")
@click.option("--pdf", is_flag=True, help="Also convert the questionnaires and letters to PDF (needs LibreOffice).")
@click.option("--large-print", is_flag=True, help="Also build 16 pt large-print questionnaires and letters.")
@click.option("--templates", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder of your own templates (letters, guide, workbook wording) laid over the defaults.")
@click.option("--force", is_flag=True,
              help="Replace the previous pack even if files in it were changed or added (they are lost).")
@report_errors
def build(scales, courses, benchmarks, config, out: Path, course_ids, capacity, password, no_zip, pdf,
          large_print, templates, force) -> None:
    """Build the toolkit pack: codebook, workbooks and documents.

    \b
    Example:
        csl build --out build/
        csl build --config my-partnership/settings.yaml --scales my-partnership/scales
        csl build --course foundation --capacity 1000
    """
    from connect_share_learn import letter_context, logo
    from connect_share_learn.pack import BuildOptions, build_pack

    started = time.perf_counter()
    toolkit = logo.resolve(load_spec(scales, courses, benchmarks, config), config)
    options = BuildOptions(capacity=capacity, courses=tuple(course_ids), password=password, zip=not no_zip,
                           pdf=pdf, large_print=large_print, force=force, templates=templates)
    progress = (lambda part: click.echo(f"  building {part}…", err=True)) if sys.stderr.isatty() else None
    result = build_pack(toolkit, out, options, progress)
    for warning in letter_context.unset_settings_warnings(toolkit.settings, config):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Built {len(result.files)} files ({result.total_bytes / 1e6:.1f} MB) into {result.folder} "
               f"in {time.perf_counter() - started:.1f} s.")


@cli.command()
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
    shows correct numbers even in a viewer that does not recalculate. An existing file is
    never replaced unless --force is given: it may hold real data.

    \b
    Example:
        csl demo --course domestic_abuse --out example.xlsx
    """
    from connect_share_learn.pack import BuildOptions
    from connect_share_learn.staging import refuse_to_replace, write_file
    from connect_share_learn.workbook.build import write_example

    toolkit = load_spec(scales, courses, benchmarks, config)
    if course_id not in toolkit.courses:
        raise UsageError(f"there is no course type '{course_id}'; choose from {', '.join(sorted(toolkit.courses))}")
    out = out or Path("build") / f"example-{course_id}.xlsx"
    refuse_to_replace(out, force)
    write_file(out, lambda path: write_example(toolkit, toolkit.courses[course_id], path,
                                               created=BuildOptions().created), "example workbook")
    click.echo(f"Wrote the example workbook {out}.")


@cli.command("export-xlsform")
@spec_options
@click.option("--course", "course_ids", multiple=True, metavar="ID",
              help="Export only this course type (repeat for more); all of them if not given.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build/online"),
              show_default=True, help="Folder to write the forms into, one sub-folder per course type.")
@click.option("--force", is_flag=True,
              help="Replace forms in --out even if they were changed since an export wrote them, or were not "
                   "written by one.")
@report_errors
def export_xlsform(scales, courses, benchmarks, config, course_ids, out: Path, force: bool) -> None:
    """Export the questionnaires as XLSForm files for online collection.

    Writes one form per course type and time point, OUT/<course>/<tp>.xlsx, for
    KoboToolbox, ODK Central, Enketo or any service that reads XLSForm. The forms ask
    what the printed questionnaires ask, and their field names are the workbook's
    column ids. The same forms are in every pack built by 'csl build', under online/.

    \b
    Example:
        csl export-xlsform --out build/online
        csl export-xlsform --course foundation --config my-partnership/settings.yaml
    """
    from connect_share_learn.pack import BuildOptions
    from connect_share_learn.xlsform import course_forms, write_forms

    toolkit = load_spec(scales, courses, benchmarks, config)
    unknown = [c for c in course_ids if c not in toolkit.courses]
    if unknown:
        raise UsageError(f"there is no course type {', '.join(repr(c) for c in unknown)}; "
                         f"choose from {', '.join(sorted(toolkit.courses))}")
    chosen = [toolkit.courses[c] for c in (sorted(set(course_ids)) or sorted(toolkit.courses))]
    written = write_forms(course_forms(toolkit, chosen, BuildOptions().created), out, force)
    click.echo(f"Wrote {len(written)} XLSForm files for {len(chosen)} course type(s) into {out}.")


from connect_share_learn.analyse.command import analyse_command  # noqa: E402 - commands in their own modules
from connect_share_learn.export.command import export_command  # noqa: E402
from connect_share_learn.letters_cli import letters_command  # noqa: E402

cli.add_command(analyse_command)
cli.add_command(export_command)
cli.add_command(letters_command)

from connect_share_learn.importing.command import import_command  # noqa: E402 - a command in its own module

cli.add_command(import_command)


def main() -> None:
    cli(prog_name="csl")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
