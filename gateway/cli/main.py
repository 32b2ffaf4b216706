"""The ``edigw`` command group. Subcommands are registered explicitly, one module each."""

from __future__ import annotations

import click

from .. import __version__
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edigw")
def cli() -> None:
    """edigw: an EDI trading-partner gateway for Odoo (X12 and EDIFACT)."""


cli.add_command(validate)


def main() -> None:
    """Console-script entry point."""
    cli()
