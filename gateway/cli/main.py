"""The ``edigw`` command group. Subcommands are registered explicitly, one module each."""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from ..pipeline.settings import SettingsError
from .archive import archive
from .maps import maps
from .partners import partners
from .run import demo, process, reprocess, resolve, serve, worker
from .translate import translate
from .validate import validate


class SettingsProblem(click.ClickException):
    """A missing or invalid setting: ``error: ...`` and exit status 2, as for the other usage errors."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class Group(click.Group):
    """The command group; a :class:`SettingsError` from any subcommand becomes a plain message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise SettingsProblem(str(exc)) from exc


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
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
cli.add_command(resolve)
cli.add_command(worker)
cli.add_command(serve)
cli.add_command(archive)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
