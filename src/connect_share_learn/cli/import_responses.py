"""``csl import``: the command-line face of :func:`connect_share_learn.importing.run.import_responses`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_share_learn.cli.options import load_spec, report_errors, spec_options

if TYPE_CHECKING:
    from connect_share_learn.importing.run import ImportReport


@click.command("import")
@click.argument("responses", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--course", "course_id", required=True, metavar="ID",
              help="The course type the workbook is for (as in its csl_course property), e.g. foundation.")
@click.option("--time-point", "tp", required=True, metavar="TP",
              help="The time point the responses answer: t0 registration, t1 start, t2 end, t3 follow-up.")
@click.option("--workbook", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The course's data-entry workbook to add the responses to; only read, unless --in-place.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="The workbook to write: a copy of --workbook with the responses added; never an existing file.")
@click.option("--in-place", "in_place", is_flag=True,
              help="Add the responses to --workbook itself, keeping a copy of it as it was "
                   "(<name>.before-import-<date>.xlsx beside it).")
@click.option("--force", is_flag=True, help="Replace the --out file if it exists (what it holds is lost).")
@click.option("--dry-run", is_flag=True, help="Check the responses and report, but write nothing.")
@spec_options
@report_errors
def import_command(responses: Path, course_id: str, tp: str, workbook: Path, out: Path | None, in_place: bool,
                   force: bool, dry_run: bool, scales, courses, benchmarks, config) -> None:
    """Add online responses to a course's data-entry workbook.

    RESPONSES is a CSV or XLSX file exported from KoboToolbox, ODK Central or Enketo for
    a form made by 'csl export-xlsform' (field names as headers; group prefixes such as
    self_efficacy/se_1 are fine). The responses are appended after the last row typed on
    the time point's entry sheet; formulas, charts, validation, protection and the rows
    already typed are kept, and the workbook recalculates when opened.

    The first time, write a copy of the pack's workbook with --out (a new file: an
    existing one is never replaced unless --force is given). After that, add each new
    export to the workbook you type into with --in-place: a copy of it as it was is kept
    beside it first. Close the workbook in Excel or LibreOffice before importing into it.

    Every problem is listed with its line or row: unknown columns, missing codes, codes
    given twice (both kept, flagged as in the workbook), and answers the scores cannot
    count — a rating that is not a number within its scale's range, a choice that is not
    one of its codes — which are imported as typed, highlighted in the workbook and left
    out of the scores. Whatever steps the paper prints, a rating within its scale's range
    counts as typed (75 on the 0–100 scale). A response identical to a row already on the
    sheet (the same code and answers, as when a cumulative export is imported again) is
    not imported twice. If the sheet has no room for all the responses, nothing is written.

    \b
    Example:
        csl import kobo-export.csv --course foundation --time-point t3 \\
            --workbook workbooks/foundation.xlsx --out foundation-with-online.xlsx
        csl import kobo-export.csv --course foundation --time-point t3 \\
            --workbook foundation-with-online.xlsx --in-place
        csl import responses.xlsx --course foundation --time-point t3 \\
            --workbook foundation-with-online.xlsx --dry-run
    """
    from connect_share_learn.errors import UsageError
    from connect_share_learn.importing.run import import_responses

    if out is None and not (in_place or dry_run):
        raise UsageError("give --out, the new workbook to write, or --in-place to add the responses to --workbook "
                         "itself (or --dry-run to check the responses only)")
    toolkit = load_spec(scales, courses, benchmarks, config)
    report = import_responses(toolkit, course_id, tp, responses, workbook, None if dry_run else out,
                              in_place=in_place and not dry_run, force=force)
    for line in summary(report):
        click.echo(line)


def summary(report: ImportReport) -> list[str]:
    """The report as lines for a person: what was imported, then every problem with its place."""
    lines = []
    where = f"'{report.sheet}'"
    if report.out is None and report.imported and report.first_row is None:
        lines.append(f"Checked {report.imported} response(s) for {where}: they fit "
                     f"({report.room_left} of {report.capacity} rows would be left). Nothing was written (--dry-run).")
    elif report.out is not None:
        kept = (f"The workbook as it was is kept as {report.kept_as}." if report.kept_as is not None
                else f"{report.workbook} is unchanged.")
        lines.append(f"Imported {report.imported} response(s) into {where}, rows {report.first_row}–{report.last_row}, "
                     f"of {report.out} ({report.room_left} of {report.capacity} rows left). {kept}")
    elif report.already_there:
        lines.append(f"Nothing new to import: all {len(report.already_there)} response(s) are already in {where}. "
                     "Nothing was written.")
    else:
        lines.append("Nothing to import: the responses file holds no answers. Nothing was written.")
    for warning in report.warnings:
        lines.append(f"Note: {warning}.")
    if report.labels_converted:
        lines.append(f"{report.labels_converted} answer(s) were given as labels and written as their codes.")
    if report.unknown_columns:
        lines.append(f"Columns that are not on the sheet, left out ({len(report.unknown_columns)}): "
                     + ", ".join(report.unknown_columns))
    if report.absent_columns:
        lines.append(f"Sheet columns the file has no field for, left empty ({len(report.absent_columns)}): "
                     + ", ".join(report.absent_columns))
    if report.already_there:
        lines.append(f"Responses already in the workbook, not imported again ({len(report.already_there)}):")
        lines += [f"  {report.responses.name} {place}: already in the workbook (row {row})"
                  for place, row in report.already_there]
    if report.empty_rows:
        lines.append(f"Rows with no answers, skipped ({len(report.empty_rows)}): " + ", ".join(report.empty_rows))
    if report.duplicates:
        lines.append(f"Codes given more than once ({len(report.duplicates)}; all kept, flagged in the workbook and "
                     "left out of matching until corrected):")
        lines += [f"  {d}" for d in report.duplicates]
    if report.problems:
        lines.append(f"Answers to check ({len(report.problems)}):")
        lines += [f"  {report.responses.name} {p}" for p in report.problems]
    if not (report.unknown_columns or report.empty_rows or report.duplicates or report.problems):
        lines.append("No problems found.")
    return lines
