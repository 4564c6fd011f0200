"""``csl export-xlsform``: the questionnaires as XLSForm files for online collection."""

from __future__ import annotations

from pathlib import Path

import click

from connect_share_learn.cli.options import load_spec, report_errors, spec_options
from connect_share_learn.errors import UsageError


@click.command("export-xlsform")
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
