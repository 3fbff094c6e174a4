"""``pixlake models``: the model registry from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli import model_files
from pixlake.cli.options import client_from, client_options, json_option
from pixlake.cli.output import echo_json, echo_listing
from pixlake.enums import Framework, InferenceType

__all__ = ["models"]

MODEL_COLUMNS = {
    "name": "NAME",
    "versions": "VERSIONS",
    "framework": "FRAMEWORK",
    "type": "TYPE",
    "tags": "TAGS",
    "created_at": "CREATED",
    "id": "ID",
    "description": "DESCRIPTION",
}


@click.group()
def models() -> None:
    """List or create models (each a series of numbered versions with their files)."""


@models.command("ls")
@json_option
@client_options
def ls(as_json: bool, workspace: Path | None, host: str | None, token: str | None) -> None:
    """List the models of the organization, with their versions' count and tags."""
    with client_from(workspace, host, token, reading=True) as client:
        rows = [
            {
                "name": model.name,
                "versions": len(model.list_versions()),
                "framework": model.framework.value,
                "type": model.type.value,
                "tags": [tag.name for tag in model.get_tags()],
                "created_at": model.created_at,
                "id": str(model.id),
                "description": model.description,
            }
            for model in client.list_models()
        ]
    echo_listing(rows, MODEL_COLUMNS, as_json=as_json, noun="model(s)")


@models.command("create")
@click.argument("name")
@click.option("--description", default=None, help="What the model is for.")
@click.option(
    "--framework",
    type=click.Choice([f.value for f in Framework], case_sensitive=False),
    default=None,
    help="The framework it is built with.",
)
@click.option(
    "--type",
    "inference_type",
    type=click.Choice([i.value for i in InferenceType], case_sensitive=False),
    default=None,
    help="What it predicts.",
)
@click.option("--tag", "tags", multiple=True, help="Tag the model with NAME (repeatable).")
@json_option
@client_options
def create(
    name: str,
    description: str | None,
    framework: str | None,
    inference_type: str | None,
    tags: tuple[str, ...],
    as_json: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Create model NAME (the name must be free in the organization)."""
    with client_from(workspace, host, token) as client:
        model = client.create_model(
            name,
            description,
            type=inference_type.upper() if inference_type else None,
            framework=framework.upper() if framework else None,
        )
        if tags:
            model.add_tags(list(tags))
    if as_json:
        echo_json(
            {
                "name": model.name,
                "id": str(model.id),
                "framework": model.framework.value,
                "type": model.type.value,
                "tags": list(tags),
                "created_at": model.created_at,
                "description": model.description,
            }
        )
    else:
        click.echo(f"created model {model.name!r} (id {model.id})")


# The files of a version (cli/model_files.py).
models.add_command(model_files.push)
models.add_command(model_files.pull)
