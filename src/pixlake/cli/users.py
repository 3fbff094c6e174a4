"""``pixlake users``: accounts and their API tokens."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import settings_for, workspace_option
from pixlake.core.services.accounts import DEFAULT_ORGANIZATION_NAME


@click.group()
def users() -> None:
    """Create users and revoke their tokens."""


@users.command("create")
@click.argument("name")
@click.option("--org", default=DEFAULT_ORGANIZATION_NAME, show_default=True,
              help="Organization of the user, created if new.")
@workspace_option
def create(name: str, org: str, workspace: Path | None) -> None:
    """Create user NAME and print its API token (as the last line; it is not shown again)."""
    from pixlake.core.services.accounts import create_user
    from pixlake.core.workspace import open_workspace

    opened = open_workspace(settings_for(workspace))
    try:
        user, token = create_user(opened.context, name, org)
    finally:
        opened.close()
    click.echo(f"created user {user.username} in organization {org} (id {user.id})")
    click.echo("API token (store it now, it is not shown again):")
    click.echo(token)


@users.command("revoke")
@click.argument("name")
@workspace_option
def revoke(name: str, workspace: Path | None) -> None:
    """Revoke the API token of user NAME."""
    from pixlake.core.services.accounts import revoke_user
    from pixlake.core.workspace import open_workspace

    opened = open_workspace(settings_for(workspace))
    try:
        revoke_user(opened.context, name)
    finally:
        opened.close()
    click.echo(f"revoked the token of {name}")
