"""``csl analyse``: the click command over :mod:`connect_share_learn.analyse.run`.

Exit codes: 0 the analysis was written (files that could not be read are listed in it);
1 no file could be read, or the results could not be written (quality.csv and the report
still say why, when they could be written); 2 bad usage (no paths, a missing path, an
output folder that would overwrite an input, a bad specification).
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from connect_share_learn.cli.options import (
    ProgressBar, built_with_options, load_spec, reading_options, report_errors, report_reading,
)
from connect_share_learn.errors import WorkFailed


@click.command("analyse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("analysis"), show_default=True,
              help="Folder for report.html, results.xlsx, quality.csv and benchmarks.yaml (other files in it are left alone).")
@click.option("--force", is_flag=True,
              help="Replace files in --out even if they were changed since an analysis wrote them, or were not "
                   "written by one (what they hold is lost).")
@built_with_options
@reading_options
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Processes reading workbooks at the same time.")
@click.option("--language", metavar="CODE",
              help="Write report.html and results.xlsx in this language (e.g. cy); default: the settings file's "
                   "language (the first of a bilingual edition's), else English.")
@click.option("--allow-incomplete", is_flag=True,
              help="Write in a language that is not fully translated, with English in the gaps.")
@report_errors
def analyse_command(paths: tuple[Path, ...], out: Path, force: bool, scales, courses, config, include_examples: bool,
                    workers: int, language: str | None, allow_incomplete: bool) -> None:
    """Read returned workbooks back: data quality, pooled results and a report.

    PATHS are returned .xlsx workbooks or folders (searched recursively). Every score is
    recomputed from the typed answers. Every file found is read or listed with the reason
    (a workbook renamed x.xlsx.txt is read, with a note) and the run goes on; nothing is
    ever written into them. Numbers based on
    fewer than 5 people are hidden ("[c]"), and so are those that would let one work
    them out from the totals; no output holds a participant code.

    \b
    Exit status: 0 analysed (unreadable files are listed in quality.csv),
    1 no file could be read or the results could not be written, 2 bad usage.

    \b
    Example:
        csl analyse returns/2025-26/ --out analysis/2025-26
        csl analyse north.xlsx south.xlsx --courses my-partnership/courses --out pooled
        csl analyse returns/ --language cy --out dadansoddiad
    """
    from connect_share_learn.analyse.run import analyse, check_outputs, write_outputs

    started = time.perf_counter()
    paths = list(paths)
    check_outputs(paths, out, force)
    toolkit = load_spec(scales, courses, None, config)
    if language:
        from connect_share_learn.pack import in_language

        toolkit = in_language(toolkit, language)
    gaps = _untranslated(toolkit, allow_incomplete)
    bar = ProgressBar("Reading workbooks")
    try:
        analysis = analyse(toolkit, paths, out=out, workers=workers, progress=bar.step, on_found=bar.start,
                           include_examples=include_examples)
    finally:
        bar.close()
    acc = analysis.accounting
    if acc.files_found == 0:
        raise WorkFailed("no workbooks were found in " + ", ".join(map(str, paths))
                         + " — give .xlsx files or folders holding them")
    written = write_outputs(analysis, out, inputs=paths, force=force)
    report_reading(acc, analysis.files_by_rule, len(analysis.problems), "used")
    click.echo(f"Wrote {', '.join(p.name for p in written)} into {out} in {time.perf_counter() - started:.1f} s.")
    if gaps:
        click.echo(f"warning: {len(gaps)} text(s) not translated into '{toolkit.settings.language}' were written in "
                   f"English; 'csl translations check --language {toolkit.settings.language}' lists them", err=True)
    if acc.files_read == 0:
        raise WorkFailed("none of the files could be read: quality.csv and report.html say why")



def _untranslated(toolkit, allow_incomplete: bool) -> list:
    """The texts of the analysis's outputs its language lacks: refused unless ``allow_incomplete``."""
    from connect_share_learn import translations
    from connect_share_learn.errors import UsageError

    language = toolkit.settings.language
    gaps = translations.check(toolkit, language, parts=translations.ANALYSE_PARTS)
    if gaps and not allow_incomplete:
        raise UsageError(translations.summary(gaps, language, allowed="to write the report with English in their place"))
    return gaps
