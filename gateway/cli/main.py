"""The ``edigw`` command group. Subcommands are registered explicitly, one module each."""

from __future__ import annotations

import click

from .. import __version__
from .archive import archive
from .maps import maps
from .partners import partners
from .run import demo, process, reprocess, serve, worker
from .translate import translate
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edigw")
def cli() -> None:
    """edigw: an EDI trading-partner gateway for Odoo (X12 and EDIFACT)."""


cli.add_command(validate)
cli.add_command(partners)
cli.add_command(translate)
cli.add_command(maps)
cli.add_command(demo)
cli.add_command(process)
cli.add_command(reprocess)
cli.add_command(worker)
cli.add_command(serve)
cli.add_command(archive)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
