"""``pixlake upload``, ``pixlake ls`` and ``pixlake data rm``: the files of a datalake."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.cli.datalakes import DATALAKE_COLUMNS, datalake_rows
from pixlake.cli.options import (
    client_from,
    client_options,
    confirm,
    json_option,
    parse_ids,
    yes_option,
)
from pixlake.cli.output import echo_listing
from pixlake.enums import Target
from pixlake.errors import NotFoundError

if TYPE_CHECKING:
    from pixlake import Datalake, MultiData

__all__ = ["data", "ls", "upload"]

DATA_COLUMNS = {
    "id": "ID",
    "type": "TYPE",
    "size": "SIZE",
    "bytes": "BYTES",
    "tags": "TAGS",
    "created_at": "CREATED",
    "filename": "FILENAME",
}

datalake_option = click.option(
    "--datalake", default=None, help="Datalake name (default: the default one)."
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@datalake_option
@click.option("--tag", "tags", multiple=True, help="Tag every file with NAME (repeatable).")
@click.option("--max-workers", type=click.IntRange(min=1), default=None, help="Parallel uploads.")
@client_options
def upload(
    paths: tuple[Path, ...],
    datalake: str | None,
    tags: tuple[str, ...],
    max_workers: int | None,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Upload image and video files, or folders of them, into a datalake."""
    from pixlake import MultiData  # the SDK: loaded by the commands that use it, not by --help

    with client_from(workspace, host, token) as client:
        lake = client.get_datalake(datalake)
        uploaded = lake.upload_data(list(paths), tags=list(tags), max_workers=max_workers)
        count = len(uploaded) if isinstance(uploaded, MultiData) else 1
        click.echo(f"{count} data in datalake {lake.name!r} from {len(paths)} path(s)")


@click.command()
@click.argument("datalake", required=False)
@click.option(
    "--tag", "tags", multiple=True, help="Only data with this tag (repeatable: any of them)."
)
@click.option(
    "--filename",
    "filenames",
    multiple=True,
    help="Only data with this filename (repeatable: any of them).",
)
@click.option(
    "--limit", type=click.IntRange(min=0), default=None, help="At most this many (default: all)."
)
@click.option("--offset", type=click.IntRange(min=0), default=None, help="Skip this many first.")
@json_option
@client_options
def ls(
    datalake: str | None,
    tags: tuple[str, ...],
    filenames: tuple[str, ...],
    limit: int | None,
    offset: int | None,
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """List datalakes, or the data of DATALAKE (filtered by tag or filename)."""
    with client_from(workspace, host, token, reading=True) as client:
        if datalake is None:
            echo_listing(
                datalake_rows(client), DATALAKE_COLUMNS, as_json=as_json, noun="datalake(s)"
            )
            return
        lake = client.get_datalake(datalake)
        found = lake.list_data(
            limit=limit, offset=offset, tags=list(tags) or None, filenames=list(filenames) or None
        )
        names = _tag_names_by_data(client, lake, {d.id for d in found}, filenames)
        rows = [_data_row(item, names.get(item.id, [])) for item in found]
    echo_listing(rows, DATA_COLUMNS, as_json=as_json, noun="data")


def _data_row(item: Any, tag_names: list[str]) -> dict[str, Any]:
    size = f"{item.width}x{item.height}" if item.width is not None else None
    return {
        "id": str(item.id),
        "type": item.type.value,
        "size": size,
        "bytes": item.size,
        "tags": tag_names,
        "created_at": item.created_at,
        "filename": item.filename,
    }


def _tag_names_by_data(
    client: Any, lake: Datalake, wanted: set[Any], filenames: tuple[str, ...]
) -> dict[Any, list[str]]:
    """The tag names of the listed data: one listing per data tag rather than one request
    per data, since a datalake has far fewer tags than files."""
    names: dict[Any, list[str]] = {}
    if not wanted:
        return names
    for tag in sorted(client.list_tags(Target.DATA), key=lambda tag: tag.name):
        for item in lake.list_data(tags=[tag], filenames=list(filenames) or None):
            if item.id in wanted:
                names.setdefault(item.id, []).append(tag.name)
    return names


@click.group()
def data() -> None:
    """Remove data from a datalake (`pixlake upload` adds them, `pixlake ls` lists them)."""


@data.command("rm")
@click.argument("filenames", nargs=-1)
@click.option("--id", "ids", multiple=True, help="Also the data with this id (repeatable).")
@datalake_option
@yes_option
@client_options
def rm(
    filenames: tuple[str, ...],
    ids: tuple[str, ...],
    datalake: str | None,
    yes: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Delete for good the data named FILENAMES (every data of each name) or with the given
    ids, bytes included; all or none. Data that are assets of a version are refused (delete
    those assets first). Admins only."""
    if not filenames and not ids:
        raise click.UsageError("give FILENAMES or --id ID")
    parse_ids(ids, "--id")
    with client_from(workspace, host, token, reading=True) as client:
        lake = client.get_datalake(datalake)
        doomed = _data_to_remove(lake, filenames, ids)
        confirm(
            f"Delete {len(doomed)} data from datalake {lake.name!r}, bytes included? "
            "This cannot be undone.",
            yes,
        )
        doomed.delete()
    click.echo(f"deleted {len(doomed)} data from datalake {lake.name!r}")


def _data_to_remove(lake: Datalake, filenames: tuple[str, ...], ids: tuple[str, ...]) -> MultiData:
    """Every data named, or a NotFoundError naming what is not there (nothing is deleted)."""
    found = lake.list_data(filenames=list(filenames)) if filenames else lake.list_data(limit=0)
    missing = sorted(set(filenames) - {item.filename for item in found})
    if missing:
        raise NotFoundError(
            f"no data named {', '.join(map(repr, missing))} in datalake {lake.name!r}",
            details={"filenames": missing},
        )
    for id in dict.fromkeys(ids):
        item = lake.find_data(id=id)
        if item not in found:
            found += item
    return found
