"""The ``csl`` command: click only — each command parses its options, calls the library and
reports, in a module of its own; the options several commands share are in :mod:`.options`.

Library code never prints or exits; a :class:`CslError` becomes one clear message here.
"""

from __future__ import annotations

import sys

import click

from connect_share_learn import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="csl")
@click.option("--debug", is_flag=True, help="Show a full traceback when something goes wrong.")
def cli(debug: bool) -> None:
    """Build and read back the connect-share-learn evaluation toolkit.

    \b
    Example:
        csl build                 # the whole default pack into build/
    """


def _add_commands() -> None:
    from connect_share_learn.cli.analyse import analyse_command
    from connect_share_learn.cli.build import build
    from connect_share_learn.cli.demo import demo
    from connect_share_learn.cli.export import export_command
    from connect_share_learn.cli.export_xlsform import export_xlsform
    from connect_share_learn.cli.import_responses import import_command
    from connect_share_learn.cli.letters import letters_command
    from connect_share_learn.cli.translations import translations_command
    from connect_share_learn.cli.validate import validate

    for command in (validate, build, demo, export_xlsform, analyse_command, export_command, letters_command,
                    import_command, translations_command):
        cli.add_command(command)


_add_commands()


def main() -> None:
    cli(prog_name="csl")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
