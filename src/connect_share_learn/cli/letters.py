"""``csl letters``: the mail merge of a letter with a participant list."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import click

from connect_share_learn.cli.options import ProgressBar, load_spec, report_errors, spec_options
from connect_share_learn.errors import UsageError, WorkFailed


@click.command("letters")
@click.argument("letter", required=False)
@click.option("--participants", type=click.Path(path_type=Path, dir_okay=False),
              help="The participant list: CSV (UTF-8 or Excel's Windows-1252) or XLSX, with a 'name' "
                   "column or 'first_name' and 'last_name' columns.")
@click.option("--workbook", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="results_summary only: fill it with the figures of this course's returned workbook (.xlsx), "
                   "worked out again from its typed answers, instead of merging a list. The letter goes in "
                   "OUT/results_summary/, named after the workbook.")
@click.option("--header-row", type=click.IntRange(min=1), metavar="N",
              help="The row that holds the column headings, if the first row that names a column of names is not it.")
@click.option("--date", "letter_date", callback=lambda ctx, param, value: _date(value), metavar="DATE",
              help="The date printed on the letters, as 2026-03-14 or 14/03/2026 (default: today).")
@click.option("--course", "course_id", default=None,
              help="The course type whose details fill the letter (default: foundation).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build/letters"),
              show_default=True, help="Folder to write into; the letters go in OUT/LETTER/LIST, named after the "
                                      "letter and the participant list.")
@click.option("--check", is_flag=True, help="List every template's variables and where each comes from; write nothing.")
@click.option("--pdf", is_flag=True, help="Also convert the letters to PDF (needs LibreOffice).")
@click.option("--large-print", is_flag=True, help="Print the letters in 16 pt (headings larger in proportion).")
@click.option("--force", is_flag=True,
              help="Replace whatever has a new letter's name (a letter you changed since it was written, a file of "
                   "yours) and another list's letters in the same folder. Nothing else is touched.")
@click.option("--templates", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder of your own templates (e.g. letters/invitation.docx) laid over the defaults.")
@click.option("--language", metavar="CODE",
              help="The letters' language, or languages joined by commas for a bilingual letter, the first "
                   "language first (e.g. cy,en: the whole letter in Welsh, then in English); default: the settings "
                   "file's. The letters go in a folder named after the letter and the languages (invitation-cy-en).")
@click.option("--allow-incomplete", is_flag=True,
              help="Merge a letter whose translation into the language is not complete, with English in the gaps.")
@spec_options
@click.pass_context
@report_errors
def letters_command(ctx, letter, participants, workbook, header_row, letter_date, course_id, out, check, pdf, large_print, force,
                    templates, language, allow_incomplete, scales, courses, benchmarks, config):
    """Merge a letter with a participant list: one .docx per person and one combined file.

    LETTER is a template's file name without .docx: invitation, thank_you,
    follow_up_invitation, follow_up_reminder, manager_letter, information_sheet or
    results_summary. Names come out exactly as written in the list. Blank and repeated
    rows are skipped and reported. The list itself is never copied. Each letter is dated
    today unless --date gives another day. Give your partnership's settings file with
    --config: without it the letters print placeholders such as "[return address]".

    With --workbook, results_summary is written once, filled with the figures of that
    course's returned workbook (those of its Summary sheet, worked out again from the typed
    answers; numbers resting on fewer than 5 people hidden as csl analyse hides them).

    The letters go in a folder named after the letter and the list (build/letters/
    invitation/delegates/), so each cohort's list gives its own folder. Running the same
    merge again replaces its own letters; it stops rather than replace a letter you edited,
    and never touches your other files there.

    \b
    Example:
        csl letters invitation --participants delegates.csv --course domestic_abuse --config settings.yaml
        csl letters manager_letter --participants delegates.xlsx --out build/letters --pdf
        csl letters thank_you --participants export.csv --header-row 4 --date 2026-03-14
        csl letters results_summary --workbook returned/foundation-march.xlsx --config settings.yaml
        csl letters --check
    """
    from connect_share_learn import letters, logo
    from connect_share_learn.pack import BuildOptions, in_language, templates_laid_over

    with tempfile.TemporaryDirectory(prefix="csl-templates-") as scratch, templates_laid_over(templates, Path(scratch)):
        toolkit = load_spec(scales, courses, benchmarks, config)
        if language:
            toolkit = in_language(toolkit, language)
        if workbook is not None and not check:
            _filled_summary(toolkit, letter, workbook, participants, course_id, out, letter_date, pdf, large_print,
                            force, config)
            return
        course = _course(toolkit, course_id)
        if check:
            report = letters.check(toolkit, course, letter)
            for name, variables, error in report:
                click.echo(f"{name}.docx")
                for variable, source in variables:
                    click.echo(f"  {variable:<20} {source}")
                if error:
                    click.echo(f"  error: {error}")
            if any(error for _, _, error in report):
                ctx.exit(2)
            return
        if not letter:
            raise UsageError("name the LETTER to merge (e.g. 'csl letters invitation --participants list.csv'); "
                             "'csl letters --check' lists the letters")
        if participants is None:
            raise UsageError("give the participant list with --participants FILE (CSV or XLSX)")
        toolkit = logo.resolve(toolkit, config)
        started = time.perf_counter()
        bar = ProgressBar("Making PDFs")
        try:
            result = letters.merge(toolkit, course, letter, participants, out, BuildOptions().created, pdf=pdf,
                                   large_print=large_print, force=force, progress=bar, header_row=header_row,
                                   date=letter_date or dt.date.today(), settings_file=config,
                                   allow_incomplete=allow_incomplete)
        finally:
            bar.close()
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        extra = f" and {_count(len(result.pdfs), 'PDF')}" if result.pdfs else ""
        click.echo(f"Wrote {_count(len(result.letters), 'letter')}, the combined {result.combined.name}{extra} "
                   f"into {result.folder} in {time.perf_counter() - started:.1f} s.")
        if result.missing_pdfs:
            raise WorkFailed(_missing_pdfs(result, letter, participants))


def _filled_summary(toolkit, letter, workbook, participants, course_id, out, letter_date, pdf, large_print, force,
                    config) -> None:
    """``--workbook``: the results summary filled with one course's figures (results_letter.py)."""
    from connect_share_learn import logo, results_letter
    from connect_share_learn.pack import BuildOptions

    if letter not in (None, results_letter.LETTER, results_letter.LETTER + ".docx"):
        raise UsageError(f"--workbook fills the results summary only: run 'csl letters {results_letter.LETTER} "
                         f"--workbook {workbook}', or give {letter} a participant list with --participants")
    if participants is not None:
        raise UsageError("give either --workbook (the results summary of one course) or --participants "
                         "(a letter to each person on a list), not both")
    if course_id is not None:
        raise UsageError("the course comes from the workbook: leave out --course")
    started = time.perf_counter()
    result = results_letter.write(logo.resolve(toolkit, config), workbook, out, BuildOptions().created,
                                  letter_date or dt.date.today(), pdf=pdf, large_print=large_print, force=force,
                                  settings_file=config)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    made = f"{result.letter}" + (f" and {result.pdf.name}" if result.pdf else "")
    click.echo(f"Wrote the results summary of {workbook.name} ({result.course}) to {made} "
               f"in {time.perf_counter() - started:.1f} s.")
    if pdf and result.pdf is None:
        raise WorkFailed(f"LibreOffice did not make the PDF of {result.letter}; the .docx letter is written — open "
                         "it in Word or LibreOffice and save it as PDF, or run this again")


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), form).date()
        except ValueError:
            continue
    raise click.BadParameter(f"'{value}' is not a date: give it as 2026-03-14 or 14/03/2026", param_hint="'--date'")


def _missing_pdfs(result, letter: str, participants: Path) -> str:
    """What to do when LibreOffice made some PDFs but not all: the letters themselves are all written."""
    names = [p.with_suffix(".pdf").name for p in result.missing_pdfs]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"LibreOffice did not make {len(names)} of the {len(result.letters) + 1} PDFs ({shown}); every .docx "
            f"letter is written in {result.folder}. To make the missing PDFs, run 'csl letters {letter} --participants "
            f"{participants} --pdf' again (the PDFs already made are kept), or open those letters in Word or "
            "LibreOffice and save them as PDF")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _course(toolkit, course_id: str | None):
    if course_id is None:
        course_id = "foundation" if "foundation" in toolkit.courses else min(toolkit.courses)
    if course_id not in toolkit.courses:
        raise UsageError(f"there is no course type '{course_id}'; choose one of {', '.join(sorted(toolkit.courses))}")
    return toolkit.courses[course_id]
