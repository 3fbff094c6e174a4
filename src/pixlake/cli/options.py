"""Options shared by several commands, and the client they describe."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.errors import BadRequestError, NotFoundError, UnauthorizedError

if TYPE_CHECKING:
    from pixlake import Client
    from pixlake.settings import Settings

__all__ = [
    "check_host",
    "client_from",
    "client_options",
    "confirm",
    "is_embedded",
    "json_option",
    "parse_ids",
    "require_workspace",
    "require_workspace_database",
    "server_token",
    "settings_for",
    "workspace_option",
    "yes_option",
]

workspace_option = click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder (default: PIXLAKE_HOME, else ~/.pixlake).",
)

json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document instead of a table, for scripts.",
)

yes_option = click.option(
    "--yes", "-y", is_flag=True, help="Do it without asking for confirmation."
)


def client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workspace`` for embedded mode, ``--host`` and ``--token`` for server mode."""
    command = click.option(
        "--token", default=None, help="API token (default for --host: PIXLAKE_API_TOKEN)."
    )(command)
    command = click.option(
        "--host",
        envvar="PIXLAKE_HOST",
        default=None,
        help="URL of a pixlake server (or PIXLAKE_HOST); embedded workspace when unset.",
    )(command)
    return workspace_option(command)


def is_embedded(workspace: Path | None, host: str | None) -> bool:
    """Whether these options name an embedded workspace (``--workspace`` wins over a host)."""
    return workspace is not None or not host


def client_from(
    workspace: Path | None, host: str | None, token: str | None, *, reading: bool = False
) -> Client:
    """The client the options describe.

    ``reading``: the command only reads, so an embedded workspace must exist already;
    opening one creates it, and a mistyped folder would otherwise answer as an empty one.
    """
    from pixlake import Client

    if is_embedded(workspace, host):
        if reading:
            require_workspace(workspace)
        return Client(workspace=settings_for(workspace).workspace_dir, api_token=token)
    return Client(api_token=server_token(token, host), host=check_host(str(host)))


def check_host(host: str) -> str:
    """``host`` when it is an http(s) URL; else an error naming the option, not httpx's
    message about a request nobody asked for."""
    if not host.startswith(("http://", "https://")):
        raise BadRequestError(
            f"--host {host!r} is not a server URL: write it as http://HOST:PORT (or https://...)",
            details={"host": host},
        )
    return host


def server_token(token: str | None, host: str | None) -> str:
    """``--token``, else PIXLAKE_API_TOKEN, else an error that names the option (the SDK's
    own message names its argument, ``api_token``)."""
    found = token or os.environ.get("PIXLAKE_API_TOKEN")
    if not found:
        raise UnauthorizedError(
            f"a token is needed to use the server at {host}: pass --token TOKEN "
            "(or set PIXLAKE_API_TOKEN); `pixlake users create NAME` prints one"
        )
    return found


def require_workspace(workspace: Path | None) -> None:
    """Raise NotFoundError unless the workspace folder exists and holds something."""
    folder = settings_for(workspace).workspace_dir
    if not folder.is_dir() or not any(folder.iterdir()):
        raise NotFoundError(
            f"no workspace at {folder}: check --workspace (or PIXLAKE_HOME); "
            "`pixlake upload` or `pixlake quickstart` creates one",
            details={"workspace": str(folder)},
        )


def require_workspace_database(workspace: Path | None) -> None:
    """``require_workspace`` for an operator's command on the workspace's own SQLite file;
    with PIXLAKE_DATABASE_URL set, the database lives elsewhere and the folder may be empty."""
    if settings_for(workspace).database_url is None:
        require_workspace(workspace)


def parse_ids(values: Sequence[str], what: str) -> list[uuid.UUID]:
    """``values`` as ids, or a BadRequestError naming the first that is not one (``what``
    says where it was given, such as ``--id``), before anything is asked of the platform."""
    parsed = []
    for value in values:
        try:
            parsed.append(uuid.UUID(value))
        except ValueError:
            raise BadRequestError(
                f"{what} {value!r} is not an id (ids look like "
                "01a23c88-96ca-703f-8bee-95bd6c484c72)",
                details={"id": value},
            ) from None
    return parsed


class NotConfirmedError(click.ClickException):
    """A destructive command nobody could confirm; shown as pixlake errors are."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def confirm(question: str, yes: bool) -> None:
    """Ask ``question`` before something destructive, unless ``--yes`` was given.

    Without a terminal there is nobody to answer: refuse rather than guess.
    """
    if yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise NotConfirmedError(
            f"{question} Not confirmed: stdin is not a terminal; "
            "pass --yes to do it without asking."
        )
    click.confirm(question, abort=True, err=True)


def settings_for(workspace: Path | None, **overrides: Any) -> Settings:
    # Imported here: pydantic is not needed to parse options or print --help.
    from pixlake.settings import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    if workspace is not None:
        values["workspace"] = workspace
    return Settings(**values)
