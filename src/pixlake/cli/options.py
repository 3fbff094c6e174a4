"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pixlake.settings import Settings

__all__ = ["client_from", "client_options", "settings_for", "workspace_option"]

workspace_option = click.option(
    "--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Workspace folder (default: PIXLAKE_HOME, else ~/.pixlake).",
)


def client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--token", default=None,
                           help="API token (default for --host: PIXLAKE_API_TOKEN).")(command)
    command = click.option("--host", envvar="PIXLAKE_HOST", default=None,
                           help="URL of a pixlake server (or PIXLAKE_HOST); "
                                "embedded workspace when unset.")(command)
    return workspace_option(command)


def client_from(workspace: Path | None, host: str | None, token: str | None):
    from pixlake import Client

    if workspace is not None:
        return Client(workspace=workspace, api_token=token)
    return Client(api_token=token, host=host)


def settings_for(workspace: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if workspace is not None:
        values["workspace"] = workspace
    return Settings(**values)
