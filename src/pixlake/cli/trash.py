"""``pixlake trash``: what was deleted, bringing it back, and removing it for good."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.cli.options import (
    client_from,
    client_options,
    confirm,
    is_embedded,
    json_option,
    parse_ids,
    require_workspace,
    settings_for,
    yes_option,
)
from pixlake.cli.output import echo_listing
from pixlake.enums import TrashKind

if TYPE_CHECKING:
    from pixlake.schemas import TrashItem

TRASH_COLUMNS = {
    "id": "ID",
    "kind": "KIND",
    "deleted_at": "DELETED",
    "expires_at": "EXPIRES",
    "name": "NAME",
}


@click.group()
def trash() -> None:
    """List, restore or purge deleted datasets, versions, assets, annotations, models,
    model versions and model files.

    On a workspace without --token, these commands act on every organization in it; with
    --host (or --token), on the organization of the token's user, through the API.
    """


def _workspace_wide(workspace: Path | None, host: str | None, token: str | None) -> bool:
    """The workspace's own operator (no token) sees the trash of every organization."""
    return is_embedded(workspace, host) and token is None


def _trash_rows(items: Sequence[TrashItem]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(item.id),
            "kind": item.kind.value,
            "deleted_at": item.deleted_at,
            "expires_at": item.expires_at,
            "name": item.name,
            "parent_id": str(item.parent_id) if item.parent_id else None,
        }
        for item in items
    ]


@trash.command("list")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in TrashKind], case_sensitive=False),
    default=None,
    help="Only items of this kind.",
)
@json_option
@client_options
def list_items(
    kind: str | None, as_json: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """List what is in the trash, oldest first, with when each item expires."""
    if _workspace_wide(workspace, host, token):
        from pixlake.core.services.trash import list_trash
        from pixlake.core.workspace import open_workspace

        require_workspace(workspace)
        opened = open_workspace(settings_for(workspace))
        try:
            items = list_trash(opened.context, None, TrashKind(kind.upper()) if kind else None)
        finally:
            opened.close()
    else:
        with client_from(workspace, host, token, reading=True) as client:
            items = client.list_trash(kind.upper() if kind else None)
    echo_listing(_trash_rows(items), TRASH_COLUMNS, as_json=as_json, noun="item(s) in the trash")


@trash.command("restore")
@click.argument("ids", nargs=-1, required=True)
@client_options
def restore(
    ids: tuple[str, ...], workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Bring the items with these IDS back (all or none)."""
    parsed = parse_ids(ids, "ID")
    if _workspace_wide(workspace, host, token):
        from pixlake.core.services.trash import restore_from_trash
        from pixlake.core.workspace import open_workspace

        require_workspace(workspace)
        opened = open_workspace(settings_for(workspace))
        try:
            count = restore_from_trash(opened.context, None, parsed)
        finally:
            opened.close()
    else:
        with client_from(workspace, host, token, reading=True) as client:
            count = client.restore_from_trash(list(parsed))
    click.echo(f"restored {count} item(s)")


@trash.command("purge")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Purge every item now, not only those past the retention period "
    "(asks first, unless --yes).",
)
@yes_option
@client_options
def purge(
    everything: bool, yes: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Remove for good the items older than the retention period (PIXLAKE_TRASH_RETENTION_DAYS,
    7 days by default). Data in datalakes are never removed by a purge. On a workspace,
    then sweeps crash residue, as `pixlake gc` does."""
    if everything:
        confirm(
            "Remove every item of the trash for good, including those that could still "
            "be restored?",
            yes,
        )
    if not _workspace_wide(workspace, host, token):
        with client_from(workspace, host, token, reading=True) as client:
            click.echo(f"purged {client.purge_trash(everything=everything)} item(s)")
        return
    from pixlake.cli.gc import echo_sweep
    from pixlake.core.services.orphans import sweep_orphans
    from pixlake.core.services.trash import purge_trash
    from pixlake.core.workspace import open_workspace

    require_workspace(workspace)
    opened = open_workspace(settings_for(workspace), sweep=False)
    try:
        count = purge_trash(opened.context, None, everything=everything)
        swept = sweep_orphans(opened.context)
    finally:
        opened.close()
    click.echo(f"purged {count} item(s)")
    echo_sweep(swept)
