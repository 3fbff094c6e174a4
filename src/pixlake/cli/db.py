"""``pixlake db``: the database schema."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import require_workspace, settings_for, workspace_option

database_option = click.option(
    "--database-url",
    default=None,
    help="Database to act on (default: PIXLAKE_DATABASE_URL, else the workspace's SQLite).",
)


@click.group()
def db() -> None:
    """Upgrade the database schema, or show its revision."""


@db.command("upgrade")
@database_option
@workspace_option
def upgrade(database_url: str | None, workspace: Path | None) -> None:
    """Bring the database to the newest schema revision (creating it when empty).

    Run it once per deployment, before starting servers of a newer pixlake.
    """
    from pixlake.core.db import Database
    from pixlake.core.migrate import current_revision, head_revision, upgrade

    settings = settings_for(workspace, database_url=database_url)
    settings.workspace_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url)
    try:
        database.check()
        before = current_revision(database)
        upgrade(database)
    finally:
        database.dispose()
    after = head_revision()
    if before == after:
        click.echo(f"{database.safe_url} is already at revision {after}")
    else:
        click.echo(f"upgraded {database.safe_url} from revision {before or 'none'} to {after}")


@db.command("current")
@database_option
@workspace_option
def current(database_url: str | None, workspace: Path | None) -> None:
    """Show the database's schema revision and the newest one."""
    from pixlake.core.db import Database
    from pixlake.core.migrate import current_revision, head_revision

    settings = settings_for(workspace, database_url=database_url)
    if settings.database_url is None:
        require_workspace(workspace)  # else SQLite's "unable to open database file"
    database = Database(settings.effective_database_url)
    try:
        database.check()
        revision = current_revision(database)
    finally:
        database.dispose()
    click.echo(f"database revision: {revision or 'none'}; newest: {head_revision()}")
