"""``pixlake upload`` and ``pixlake ls``."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import client_from, client_options


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--datalake", default=None, help="Datalake name (default: the default one).")
@click.option("--tag", "tags", multiple=True, help="Tag every file with NAME (repeatable).")
@click.option("--max-workers", type=int, default=None, help="Parallel uploads.")
@client_options
def upload(paths: tuple[Path, ...], datalake: str | None, tags: tuple[str, ...],
           max_workers: int | None, workspace: Path | None, host: str | None,
           token: str | None) -> None:
    """Upload image and video files, or folders of them, into a datalake."""
    with client_from(workspace, host, token) as client:
        lake = client.get_datalake(datalake)
        uploaded = lake.upload_data(list(paths), tags=list(tags), max_workers=max_workers)
        count = 1 if not hasattr(uploaded, "items") else len(uploaded)
        click.echo(f"{count} data in datalake {lake.name!r} from {len(paths)} path(s)")


@click.command()
@click.argument("datalake", required=False)
@click.option("--tag", "tags", multiple=True, help="Only data with this tag (repeatable).")
@click.option("--filename", "filenames", multiple=True, help="Only data with this filename.")
@click.option("--limit", type=click.IntRange(min=0), default=None)
@click.option("--offset", type=click.IntRange(min=0), default=None)
@client_options
def ls(datalake: str | None, tags: tuple[str, ...], filenames: tuple[str, ...],
       limit: int | None, offset: int | None, workspace: Path | None, host: str | None,
       token: str | None) -> None:
    """List datalakes, or the data of DATALAKE (filtered by tag or filename)."""
    with client_from(workspace, host, token) as client:
        if datalake is None:
            for lake in client.list_datalakes():
                click.echo(f"{lake.id}  {lake.name}")
            return
        lake = client.get_datalake(datalake)
        found = lake.list_data(limit=limit, offset=offset, tags=list(tags) or None,
                               filenames=list(filenames) or None)
        for data in found:
            size = f"{data.width}x{data.height}"
            click.echo(f"{data.id}  {data.type.value:5}  {size:>11}  {data.size:>10}  "
                       f"{data.filename}")
        click.echo(f"{len(found)} data", err=True)
