"""``csl export``: the click command over :mod:`connect_share_learn.export.run`.

Exit codes: 0 the export was written (files that could not be read are listed in
quality.csv); 1 no file could be read, or the files could not be written; 2 bad usage.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from connect_share_learn.cli.options import (
    ProgressBar, built_with_options, load_spec, reading_options, report_errors, report_reading,
)
from connect_share_learn.errors import WorkFailed
from connect_share_learn.export import FORMATS


@click.command("export")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "formats", type=click.Choice([*FORMATS, "all"]), multiple=True, default=("csv",),
              show_default=True, help="csv, spss (.sav), r (CSV and an R script) or stata (.dta); repeat for "
                                      "more than one, or 'all'.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("export"), show_default=True,
              help="Folder for the data, codebook.csv, README.txt and quality.csv (other files in it are left alone).")
@click.option("--force", is_flag=True,
              help="Replace files in --out even if they were changed since an export wrote them, or were not "
                   "written by one (what they hold is lost).")
@click.option("--keep-codes", is_flag=True,
              help="Keep the participant codes instead of pseudonyms: the output is then personal data.")
@click.option("--include-text", is_flag=True, help="Include free-text answers (comments); left out by default.")
@built_with_options
@reading_options
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Processes reading workbooks at the same time.")
@report_errors
def export_command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path, force: bool, keep_codes: bool,
                   include_text: bool, scales, courses, config, include_examples: bool, workers: int) -> None:
    """Export returned workbooks as data for SPSS, R, Stata or a spreadsheet.

    PATHS are returned .xlsx workbooks or folders (searched recursively), read exactly as
    'csl analyse' reads them. Writes one long table (one row per participant and time
    point: course, time point, profile answers, every item's answer, every scale score)
    with codebook.csv, README.txt and quality.csv. Participant codes are replaced by random
    pseudonyms that link a person's time points within a course and cannot be reversed.
    Files that cannot be read, and rows left out, are listed in quality.csv, never exported.

    \b
    Exit status: 0 exported (unreadable files are listed in quality.csv),
    1 no file could be read or the files could not be written, 2 bad usage.

    \b
    Example:
        csl export returns/2025-26/ --format spss --out export/2025-26
        csl export north.xlsx south.xlsx --format csv --format r --out for-university
    """
    from connect_share_learn.export.run import export

    started = time.perf_counter()
    chosen = list(FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    toolkit = load_spec(scales, courses, None, config)
    if keep_codes:
        click.echo("warning: --keep-codes: the export holds participant codes, so it is personal data — "
                   "store and share it as such.", err=True)
    bar = ProgressBar("Reading workbooks")
    try:
        result = export(toolkit, list(paths), out, chosen, keep_codes=keep_codes, include_text=include_text,
                        workers=workers, progress=bar.step, on_found=bar.start, force=force,
                        include_examples=include_examples)
    finally:
        bar.close()
    acc = result.accounting
    report_reading(acc, result.files_by_rule, len(result.problems), "exported")
    click.echo(f"Wrote {', '.join(p.name for p in result.written)} into {out} in {time.perf_counter() - started:.1f} s.")
    if acc.files_read == 0:
        raise WorkFailed("none of the files could be read, so no data was exported: quality.csv says why")
