"""The ``pixlake`` command and what its subcommands share."""

from __future__ import annotations

from typing import Any

import click

from pixlake import __version__
from pixlake.errors import PixlakeError

__all__ = ["cli"]


class _FriendlyErrors(click.Group):
    """Shows pixlake errors as one line on stderr and a non-zero exit, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PixlakeError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(1)


@click.group(cls=_FriendlyErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pixlake")
def cli() -> None:
    """pixlake: a self-hostable data platform for computer vision.

    Without --host (or PIXLAKE_HOST), commands work on an embedded workspace:
    --workspace DIR, else PIXLAKE_HOME, else ~/.pixlake.
    """


def _register() -> None:
    from pixlake.cli import (
        data,
        datalakes,
        datasets,
        db,
        download,
        gc,
        quickstart,
        serve,
        tags,
        trash,
        ui,
        users,
        versions,
    )

    cli.add_command(serve.serve)
    cli.add_command(users.users)
    cli.add_command(datalakes.datalakes)
    cli.add_command(data.upload)
    cli.add_command(data.ls)
    cli.add_command(data.data)
    cli.add_command(datasets.datasets)
    cli.add_command(versions.versions)
    cli.add_command(tags.tags)
    cli.add_command(download.download)
    cli.add_command(quickstart.quickstart)
    cli.add_command(trash.trash)
    cli.add_command(db.db)
    cli.add_command(gc.gc)
    cli.add_command(ui.ui)


_register()
