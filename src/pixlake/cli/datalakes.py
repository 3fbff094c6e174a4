"""``pixlake datalakes``: listing and creating datalakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pixlake.cli.options import client_from, client_options, json_option
from pixlake.cli.output import echo_json, echo_listing

__all__ = ["datalake_rows", "datalakes"]


@click.group()
def datalakes() -> None:
    """List or create datalakes (where uploaded files live)."""


def datalake_rows(client: Any) -> list[dict[str, Any]]:
    return [
        {"name": lake.name, "created_at": lake.created_at, "id": str(lake.id)}
        for lake in client.list_datalakes()
    ]


DATALAKE_COLUMNS = {"name": "NAME", "created_at": "CREATED", "id": "ID"}


@datalakes.command("ls")
@json_option
@client_options
def ls(as_json: bool, workspace: Path | None, host: str | None, token: str | None) -> None:
    """List the datalakes of the organization."""
    with client_from(workspace, host, token, reading=True) as client:
        echo_listing(datalake_rows(client), DATALAKE_COLUMNS, as_json=as_json, noun="datalake(s)")


@datalakes.command("create")
@click.argument("name")
@json_option
@client_options
def create(
    name: str, as_json: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Create datalake NAME (the name must be free in the organization)."""
    with client_from(workspace, host, token) as client:
        lake = client.create_datalake(name)
        if as_json:
            echo_json({"name": lake.name, "created_at": lake.created_at, "id": str(lake.id)})
        else:
            click.echo(f"created datalake {lake.name!r} (id {lake.id})")
