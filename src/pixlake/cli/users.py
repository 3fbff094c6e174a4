"""``pixlake users``: accounts and their API tokens."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import (
    client_from,
    client_options,
    json_option,
    require_workspace_database,
    settings_for,
    workspace_option,
)
from pixlake.cli.output import echo_listing
from pixlake.defaults import DEFAULT_ORGANIZATION_NAME
from pixlake.enums import Role

_ROLES = click.Choice([role.value for role in Role])


@click.group()
def users() -> None:
    """List users, create them, set their roles and revoke their tokens.

    `users ls` works on a workspace or a server; the others on a workspace directly.
    """


USER_COLUMNS = {"username": "USERNAME", "role": "ROLE", "created_at": "CREATED", "id": "ID"}


@users.command("ls")
@json_option
@client_options
def ls(as_json: bool, workspace: Path | None, host: str | None, token: str | None) -> None:
    """List the users of the organization who can still sign in, with their roles."""
    with client_from(workspace, host, token, reading=True) as client:
        rows = [
            {
                "username": user.username,
                "role": user.role.value,
                "created_at": user.created_at,
                "id": str(user.id),
            }
            for user in client.list_users()
        ]
    echo_listing(rows, USER_COLUMNS, as_json=as_json, noun="user(s)")


@users.command("create")
@click.argument("name")
@click.option(
    "--org",
    default=DEFAULT_ORGANIZATION_NAME,
    show_default=True,
    help="Organization of the user, created if new.",
)
@click.option(
    "--role",
    type=_ROLES,
    default=None,
    help="What the user may do in its organization (see docs/roles.md). "
    "Default: admin for the organization's first user, member after.",
)
@workspace_option
def create(name: str, org: str, role: str | None, workspace: Path | None) -> None:
    """Create user NAME and print its API token (as the last line; it is not shown again)."""
    from pixlake.core.services.accounts import create_user
    from pixlake.core.workspace import open_workspace

    opened = open_workspace(settings_for(workspace))
    try:
        user, token = create_user(opened.context, name, org, role=Role(role) if role else None)
    finally:
        opened.close()
    click.echo(
        f"created user {user.username} ({user.role.value}) in organization {org} (id {user.id})"
    )
    click.echo("API token (store it now, it is not shown again):")
    click.echo(token)


@users.command("revoke")
@click.argument("name")
@workspace_option
def revoke(name: str, workspace: Path | None) -> None:
    """Revoke the API token of user NAME."""
    from pixlake.core.services.accounts import revoke_user
    from pixlake.core.workspace import open_workspace

    require_workspace_database(workspace)
    opened = open_workspace(settings_for(workspace))
    try:
        revoke_user(opened.context, name)
    finally:
        opened.close()
    click.echo(f"revoked the token of {name}")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=_ROLES)
@workspace_option
def set_role(name: str, role: str, workspace: Path | None) -> None:
    """Give user NAME the role ROLE in its organization."""
    from pixlake.core.services.accounts import set_role as set_user_role
    from pixlake.core.workspace import open_workspace

    require_workspace_database(workspace)
    opened = open_workspace(settings_for(workspace))
    try:
        set_user_role(opened.context, name, Role(role))
    finally:
        opened.close()
    click.echo(f"the role of {name} is now {role}")
