"""``pixlake download``: the files of a dataset version, or of a datalake, into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pixlake.cli.options import client_from, client_options
from pixlake.errors import BadRequestError

if TYPE_CHECKING:
    from pixlake import MultiAsset, MultiData

__all__ = ["download"]


@click.command()
@click.argument("dataset", required=False)
@click.argument("version", required=False)
@click.option(
    "--datalake",
    default=None,
    help="Download the data of this datalake instead of a dataset version.",
)
@click.option(
    "--tag", "tags", multiple=True, help="With --datalake: only data with this tag (repeatable)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into, created if missing (default: ./VERSION, or ./DATALAKE).",
)
@click.option("--force", is_flag=True, help="Download files already in the folder again.")
@click.option("--max-workers", type=click.IntRange(min=1), default=None, help="Parallel downloads.")
@client_options
def download(
    dataset: str | None,
    version: str | None,
    datalake: str | None,
    tags: tuple[str, ...],
    out: Path | None,
    force: bool,
    max_workers: int | None,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Download the files of VERSION of DATASET, or with --datalake NAME those of a
    datalake, into a folder.

    Files already there are kept (unless --force); two files with the same name are both
    written, the second as NAME.<8 hex digits of its id>.EXT.
    """
    if datalake is not None and dataset is not None:
        raise click.UsageError("give either DATASET VERSION or --datalake, not both")
    if datalake is None and (dataset is None or version is None):
        raise click.UsageError("give DATASET VERSION, or --datalake NAME")
    if tags and datalake is None:
        raise click.UsageError("--tag selects data of a datalake: use it with --datalake")
    items: MultiData | MultiAsset
    with client_from(workspace, host, token, reading=True) as client:
        if datalake is not None:
            lake = client.get_datalake(datalake)
            items = lake.list_data(tags=list(tags) or None)
            folder = out or default_folder(lake.name, "datalake")
        else:
            found = client.get_dataset(str(dataset)).get_version(str(version))
            items = found.list_assets()
            folder = out or default_folder(found.version, "version")
        written = items.download(folder, force_replace=force, max_workers=max_workers)
    # Every listed item has its own file (data and assets here are never listed twice).
    kept = len(items) - written
    message = f"downloaded {written} file(s) to {folder}"
    if kept:
        message += f"; {kept} already there, kept (--force downloads them again)"
    click.echo(message)


def default_folder(name: str, kind: str) -> Path:
    """``./NAME`` for a version or datalake NAME that is one plain folder name.

    Names are anyone's text in the organization: a version named ``..`` or ``/etc`` must
    not choose where files are written, so such a name needs an explicit ``--out``.
    """
    folder = Path(name)
    if name in (".", "..") or "\\" in name or folder.name != name or folder.is_absolute():
        raise BadRequestError(
            f"{kind} {name!r} is not a plain folder name: pass --out DIR to say where to "
            "download it",
            details={kind: name},
        )
    return folder
