"""``csl build``: the whole pack."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from connect_share_learn.cli.options import load_spec, report_errors, spec_options
from connect_share_learn.contract import MAX_CAPACITY, MIN_CAPACITY


@click.command("build")
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
@click.option("--language", metavar="CODE[,CODE]",
              help="Build the pack in this language (e.g. cy), or bilingual with the first language first "
                   "(cy,en); default: the settings file's language, else English.")
@click.option("--allow-incomplete", is_flag=True,
              help="Build a language edition that is not fully translated, with English in the gaps "
                   "(the codebook marks each one).")
@click.option("--force", is_flag=True,
              help="Replace the previous pack even if files in it were changed or added (they are lost).")
@report_errors
def build(scales, courses, benchmarks, config, out: Path, course_ids, capacity, password, no_zip, pdf,
          large_print, templates, language, allow_incomplete, force) -> None:
    """Build the toolkit pack: codebook, workbooks and documents.

    \b
    Example:
        csl build --out build/
        csl build --config my-partnership/settings.yaml --scales my-partnership/scales
        csl build --course foundation --capacity 1000
        csl build --language cy,en --config wales.yaml    # Welsh first, then English
    """
    from connect_share_learn import letter_context, logo
    from connect_share_learn.pack import BuildOptions, build_pack, in_language

    started = time.perf_counter()
    toolkit = logo.resolve(load_spec(scales, courses, benchmarks, config), config)
    if language:
        toolkit = in_language(toolkit, language)
    options = BuildOptions(capacity=capacity, courses=tuple(course_ids), password=password, zip=not no_zip,
                           pdf=pdf, large_print=large_print, force=force, templates=templates,
                           allow_incomplete=allow_incomplete)
    progress = (lambda part: click.echo(f"  building {part}…", err=True)) if sys.stderr.isatty() else None
    result = build_pack(toolkit, out, options, progress)
    for warning in letter_context.unset_settings_warnings(toolkit.settings, config):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Built {len(result.files)} files ({result.total_bytes / 1e6:.1f} MB) into {result.folder} "
               f"in {time.perf_counter() - started:.1f} s.")
