"""``pixlake versions``: the versions of a dataset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.cli.options import client_from, client_options, confirm, json_option, yes_option
from pixlake.cli.output import echo_json, echo_listing

if TYPE_CHECKING:
    from pixlake import DatasetVersion

__all__ = ["versions"]

VERSION_COLUMNS = {
    "version": "VERSION",
    "locked": "LOCKED",
    "tags": "TAGS",
    "created_at": "CREATED",
    "id": "ID",
    "description": "DESCRIPTION",
}

dataset_argument = click.argument("dataset")
version_argument = click.argument("version")


@click.group()
def versions() -> None:
    """List, create, fork, lock, unlock or delete versions of a dataset, or count what one
    holds."""


def version_row(version: DatasetVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "locked": version.locked,
        "tags": [tag.name for tag in version.get_tags()],
        "created_at": version.created_at,
        "id": str(version.id),
        "description": version.description,
    }


def _echo_version(version: DatasetVersion, done: str, as_json: bool) -> None:
    if as_json:
        echo_json(version_row(version))
    else:
        click.echo(f"{done} version {version.version!r} (id {version.id})")


@versions.command("ls")
@dataset_argument
@json_option
@client_options
def ls(
    dataset: str, as_json: bool, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """List the versions of DATASET, with whether each is locked and its tags."""
    with client_from(workspace, host, token, reading=True) as client:
        rows = [version_row(v) for v in client.get_dataset(dataset).list_versions()]
    echo_listing(rows, VERSION_COLUMNS, as_json=as_json, noun="version(s)")


@versions.command("create")
@dataset_argument
@version_argument
@click.option("--description", default="", help="What the version holds.")
@json_option
@client_options
def create(
    dataset: str,
    version: str,
    description: str,
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Create an empty VERSION of DATASET."""
    with client_from(workspace, host, token) as client:
        created = client.get_dataset(dataset).create_version(version, description)
        _echo_version(created, "created", as_json)


@versions.command("fork")
@dataset_argument
@version_argument
@click.argument("new_version")
@click.option("--description", default="", help="What the new version holds.")
@click.option(
    "--without-annotations",
    is_flag=True,
    help="Copy the assets, labels and asset tags but not the annotations.",
)
@json_option
@client_options
def fork(
    dataset: str,
    version: str,
    new_version: str,
    description: str,
    without_annotations: bool,
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Create NEW_VERSION of DATASET with the assets of VERSION (no bytes are copied)."""
    with client_from(workspace, host, token) as client:
        source = client.get_dataset(dataset).get_version(version)
        forked = source.fork(new_version, description, with_annotations=not without_annotations)
        _echo_version(forked, f"forked {version!r} into", as_json)


@versions.command("lock")
@dataset_argument
@version_argument
@client_options
def lock(
    dataset: str, version: str, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Refuse every write to VERSION of DATASET until it is unlocked."""
    with client_from(workspace, host, token, reading=True) as client:
        client.get_dataset(dataset).get_version(version).lock()
    click.echo(f"locked version {version!r} of dataset {dataset!r}")


@versions.command("unlock")
@dataset_argument
@version_argument
@client_options
def unlock(
    dataset: str, version: str, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Allow writes to VERSION of DATASET again."""
    with client_from(workspace, host, token, reading=True) as client:
        client.get_dataset(dataset).get_version(version).unlock()
    click.echo(f"unlocked version {version!r} of dataset {dataset!r}")


@versions.command("delete")
@dataset_argument
@version_argument
@click.option("--force", is_flag=True, help="Even if a model version is attached to it.")
@yes_option
@client_options
def delete(
    dataset: str,
    version: str,
    force: bool,
    yes: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Move VERSION of DATASET, with its assets and annotations, to the trash."""
    with client_from(workspace, host, token, reading=True) as client:
        found = client.get_dataset(dataset).get_version(version)
        assets = found.retrieve_stats().nb_assets
        confirm(
            f"Move version {version!r} of dataset {dataset!r} and its {assets} asset(s) "
            "to the trash?",
            yes,
        )
        found.delete(force=force)
    click.echo(f"moved version {version!r} of dataset {dataset!r} to the trash (id {found.id})")


@versions.command("stats")
@dataset_argument
@version_argument
@json_option
@client_options
def stats(
    dataset: str,
    version: str,
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Count the assets, annotations and shapes of VERSION of DATASET, per label and per
    asset tag."""
    with client_from(workspace, host, token, reading=True) as client:
        counted = client.get_dataset(dataset).get_version(version).retrieve_stats()
    if as_json:
        echo_json(counted.model_dump(mode="json"))
        return
    click.echo(f"assets       {counted.nb_assets}")
    click.echo(f"annotations  {counted.nb_annotations}")
    click.echo(f"shapes       {counted.nb_objects}")
    for title, counts in (
        ("shapes per label", counted.label_repartition),
        ("assets per tag", counted.tag_repartition),
    ):
        click.echo(f"{title}:" + ("" if counts else " none"))
        width = max(map(len, counts), default=0)
        for name, count in sorted(counts.items()):
            click.echo(f"  {name.ljust(width)}  {count}")
