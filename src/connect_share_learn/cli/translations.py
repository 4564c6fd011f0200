"""``csl translations``: what a language edition still needs, and the files to translate it in."""

from __future__ import annotations

from pathlib import Path

import click

from connect_share_learn.cli.options import load_spec, report_errors, spec_options


@click.group("translations")
def translations_command() -> None:
    """Translate the pack: list what a language lacks, and write the files to translate.

    \b
    Example:
        csl translations check --language cy
        csl translations export --language cy --out translations-cy
    """


_LANGUAGE = click.option("--language", required=True, metavar="CODE", help="The language's code, e.g. cy for Welsh.")
_TEMPLATES = click.option("--templates", type=click.Path(path_type=Path, exists=True, file_okay=False),
                          help="Folder of your own templates and translations (translations/<language>/*.po) "
                               "laid over the defaults.")


def _toolkit(scales, courses, benchmarks, config):
    return load_spec(scales, courses, benchmarks, config)


@translations_command.command("check")
@spec_options
@_LANGUAGE
@_TEMPLATES
@report_errors
def check(scales, courses, benchmarks, config, language, templates) -> None:
    """List every text the language lacks: missing, or stale (the English changed since).

    Exit code 1 when anything is missing or stale, so a script can stop on it.

    \b
    Example:
        csl translations check --language cy --templates my/templates --scales my/scales
    """
    import tempfile

    from connect_share_learn import translations
    from connect_share_learn.pack import templates_laid_over

    toolkit = _toolkit(scales, courses, benchmarks, config)
    with tempfile.TemporaryDirectory() as scratch, templates_laid_over(templates, Path(scratch)):
        gaps = translations.check(toolkit, language)
    for gap in gaps:
        click.echo(str(gap))
    if gaps:
        click.echo(f"{len(gaps)} text(s) not translated into '{language}'.", err=True)
        raise SystemExit(1)
    click.echo(f"Every text is translated into '{language}'.")


@translations_command.command("export")
@spec_options
@_LANGUAGE
@_TEMPLATES
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write the files into (a folder named after the language is made in it).")
@click.option("--force", is_flag=True, help="Replace files already in the language's folder.")
@report_errors
def export(scales, courses, benchmarks, config, language, templates, out: Path, force) -> None:
    """Write the files a translator works in: a gettext catalogue (.po) per part of the toolkit's
    wording, each message with its context and English, and a copy of every scale, course,
    answer format and the profile with a place for the language beside each English text.

    Give the translated .po files back in a templates folder (translations/<language>/) with
    --templates, and the YAML files with --scales and --courses.

    \b
    Example:
        csl translations export --language cy --out translations
    """
    import tempfile

    from connect_share_learn import translations
    from connect_share_learn.errors import UsageError
    from connect_share_learn.pack import templates_laid_over

    target = out / language
    if target.exists() and any(target.iterdir()) and not force:
        raise UsageError(f"{target} already holds files: choose another --out, or add --force to replace them")
    toolkit = _toolkit(scales, courses, benchmarks, config)
    with tempfile.TemporaryDirectory() as scratch, templates_laid_over(templates, Path(scratch)):
        written = translations.export(toolkit, language, out)
    click.echo(f"Wrote {len(written)} files to translate into {target}.")
