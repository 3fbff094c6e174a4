"""``pixlake datasets``: listing, creating and deleting datasets."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import client_from, client_options, confirm, json_option, yes_option
from pixlake.cli.output import echo_json, echo_listing

__all__ = ["datasets"]

DATASET_COLUMNS = {
    "name": "NAME",
    "versions": "VERSIONS",
    "tags": "TAGS",
    "created_at": "CREATED",
    "id": "ID",
    "description": "DESCRIPTION",
}


@click.group()
def datasets() -> None:
    """List, create or delete datasets (each a series of versions)."""


@datasets.command("ls")
@json_option
@client_options
def ls(as_json: bool, workspace: Path | None, host: str | None, token: str | None) -> None:
    """List the datasets of the organization, with their versions' count and tags."""
    with client_from(workspace, host, token, reading=True) as client:
        rows = [
            {
                "name": dataset.name,
                "versions": len(dataset.list_versions()),
                "tags": [tag.name for tag in dataset.get_tags()],
                "created_at": dataset.created_at,
                "id": str(dataset.id),
                "description": dataset.description,
            }
            for dataset in client.list_datasets()
        ]
    echo_listing(rows, DATASET_COLUMNS, as_json=as_json, noun="dataset(s)")


@datasets.command("create")
@click.argument("name")
@click.option("--description", default="", help="What the dataset is for.")
@click.option("--tag", "tags", multiple=True, help="Tag the dataset with NAME (repeatable).")
@json_option
@client_options
def create(
    name: str,
    description: str,
    tags: tuple[str, ...],
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Create dataset NAME (the name must be free in the organization)."""
    with client_from(workspace, host, token) as client:
        dataset = client.create_dataset(name, description)
        if tags:
            dataset.add_tags(list(tags))
    if as_json:
        echo_json(
            {
                "name": dataset.name,
                "id": str(dataset.id),
                "tags": list(tags),
                "created_at": dataset.created_at,
                "description": dataset.description,
            }
        )
    else:
        click.echo(f"created dataset {dataset.name!r} (id {dataset.id})")


@datasets.command("delete")
@click.argument("name")
@click.option(
    "--force", is_flag=True, help="Even if a model version is attached to one of its versions."
)
@yes_option
@client_options
def delete(
    name: str,
    force: bool,
    yes: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Move dataset NAME and its versions to the trash (`pixlake trash restore` brings
    it back until the retention period ends)."""
    with client_from(workspace, host, token, reading=True) as client:
        dataset = client.get_dataset(name)
        count = len(dataset.list_versions())
        confirm(f"Move dataset {name!r} and its {count} version(s) to the trash?", yes)
        dataset.delete(force=force)
    click.echo(f"moved dataset {name!r} to the trash (id {dataset.id})")
