"""``pixlake tags``: listing, creating and deleting tags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pixlake.cli.options import client_from, client_options, confirm, json_option, yes_option
from pixlake.cli.output import echo_json, echo_listing
from pixlake.enums import Target

if TYPE_CHECKING:
    from click.decorators import FC

__all__ = ["tags"]

TAG_COLUMNS = {"name": "NAME", "target": "TARGET", "id": "ID"}

_TARGETS = click.Choice([target.value for target in Target], case_sensitive=False)


def target_option(*, required: bool) -> Callable[[FC], FC]:
    return click.option(
        "--target",
        type=_TARGETS,
        required=required,
        help="Kind of object the tag is for" + ("." if required else " (default: every kind)."),
    )


@click.group()
def tags() -> None:
    """List, create or delete tags; a tag is for one kind of object (its target)."""


@tags.command("ls")
@target_option(required=False)
@json_option
@client_options
def ls(
    target: str | None, as_json: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """List the tags of the organization, by target then name."""
    with client_from(workspace, host, token, reading=True) as client:
        found = client.list_tags(target.upper() if target else None)
    rows = sorted(
        ({"name": tag.name, "target": tag.target.value, "id": str(tag.id)} for tag in found),
        key=lambda row: (row["target"], row["name"]),
    )
    echo_listing(rows, TAG_COLUMNS, as_json=as_json, noun="tag(s)")


@tags.command("create")
@click.argument("name")
@target_option(required=True)
@json_option
@client_options
def create(
    name: str,
    target: str,
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Create tag NAME for objects of kind --target."""
    with client_from(workspace, host, token) as client:
        tag = client.create_tag(name, target.upper())
    if as_json:
        echo_json({"name": tag.name, "target": tag.target.value, "id": str(tag.id)})
    else:
        click.echo(f"created tag {tag.name!r} for {tag.target.value} (id {tag.id})")


@tags.command("delete")
@click.argument("name")
@target_option(required=True)
@yes_option
@client_options
def delete(
    name: str, target: str, yes: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Delete tag NAME of --target; it is detached from every object (for good)."""
    with client_from(workspace, host, token, reading=True) as client:
        tag = client.get_tag(name, target.upper())
        confirm(
            f"Delete tag {name!r} ({tag.target.value}) and detach it from every object? "
            "This cannot be undone.",
            yes,
        )
        tag.delete()
    click.echo(f"deleted tag {name!r} ({tag.target.value})")
