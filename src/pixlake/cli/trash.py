"""``pixlake trash``: what was deleted, bringing it back, and removing it for good."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from pixlake.cli.options import settings_for, workspace_option
from pixlake.enums import TrashKind


@click.group()
def trash() -> None:
    """List, restore or purge deleted datasets, versions, assets and annotations.

    These commands work on a workspace directly, for every organization in it.
    """


@trash.command("list")
@click.option("--kind", type=click.Choice([k.value for k in TrashKind]), default=None,
              help="Only items of this kind.")
@workspace_option
def list_items(kind: str | None, workspace: Path | None) -> None:
    """List what is in the trash, oldest first, with when each item expires."""
    from pixlake.core.services.trash import list_trash
    from pixlake.core.workspace import open_workspace

    opened = open_workspace(settings_for(workspace))
    try:
        items = list_trash(opened.context, None, TrashKind(kind) if kind else None)
    finally:
        opened.close()
    for item in items:
        click.echo(f"{item.id}  {item.kind.value:15}  deleted {item.deleted_at:%Y-%m-%d %H:%M}"
                   f"  expires {item.expires_at:%Y-%m-%d %H:%M}  {item.name}")
    click.echo(f"{len(items)} item(s) in the trash", err=True)


@trash.command("restore")
@click.argument("ids", nargs=-1, required=True)
@workspace_option
def restore(ids: tuple[str, ...], workspace: Path | None) -> None:
    """Bring the items with these IDS back (all or none)."""
    from pixlake.core.services.trash import restore_from_trash
    from pixlake.core.workspace import open_workspace
    from pixlake.errors import BadRequestError

    try:
        parsed = [uuid.UUID(i) for i in ids]
    except ValueError as exc:
        raise BadRequestError(f"not an id: {exc}") from exc
    opened = open_workspace(settings_for(workspace))
    try:
        count = restore_from_trash(opened.context, None, parsed)
    finally:
        opened.close()
    click.echo(f"restored {count} item(s)")


@trash.command("purge")
@click.option("--all", "everything", is_flag=True,
              help="Purge every item now, not only those past the retention period.")
@workspace_option
def purge(everything: bool, workspace: Path | None) -> None:
    """Remove for good the items older than the retention period (PIXLAKE_TRASH_RETENTION_DAYS,
    7 days by default). Data in datalakes are never removed by a purge. Then sweeps crash
    residue, as `pixlake gc` does."""
    from pixlake.cli.gc import echo_sweep
    from pixlake.core.services.orphans import sweep_orphans
    from pixlake.core.services.trash import purge_trash
    from pixlake.core.workspace import open_workspace

    opened = open_workspace(settings_for(workspace), sweep=False)
    try:
        count = purge_trash(opened.context, None, everything=everything)
        swept = sweep_orphans(opened.context)
    finally:
        opened.close()
    click.echo(f"purged {count} item(s)")
    echo_sweep(swept)
