"""``pixlake.Client``: the SDK's client, plus the embedded mode when no host is given."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from pixlake.gcpause import paused_gc
from pixlake.sdk import client as sdk_client
from pixlake.sdk.connection import Connection

__all__ = ["Client"]

_APPLICATION_PACKAGES = ("a2wsgi", "fastapi", "sqlalchemy", "starlette")
"""What the embedded mode imports beyond the SDK's packages. The application is built by
its first request (pixlake.embedded), so they are looked for when the workspace opens, not
found missing in the middle of a script."""


class Client(sdk_client.Client):
    """A connection to a pixlake platform, embedded in this process or served.

    Embedded (the default): ``Client()`` opens the workspace at ``$PIXLAKE_HOME``
    (``~/.pixlake``), ``Client(workspace="dir")`` another one; no server, no network.

    Server: ``Client(api_token=..., host="http://127.0.0.1:8080")``, or the
    ``PIXLAKE_API_TOKEN`` and ``PIXLAKE_HOST`` environment variables. This needs only the
    SDK's own packages (see the README's installation section).

    Args:
        api_token: the user's token (required in server mode; in embedded mode it selects
            a user of the workspace other than its owner).
        host: base URL of a pixlake server; when set (or PIXLAKE_HOST is), server mode.
        workspace: workspace folder for embedded mode; wins over ``host``.

    Raises:
        ImportError: embedded mode on an installation of the SDK alone, which lacks the
            application's packages.
    """

    def __init__(
        self,
        api_token: str | None = None,
        host: str | None = None,
        workspace: str | Path | None = None,
    ) -> None:
        host = None if workspace is not None else sdk_client.resolve_host(host)
        if host:
            super().__init__(api_token, host)
        else:
            # Opening a workspace imports and builds tens of thousands of objects that live
            # as long as the process; collections along the way would only walk them again
            # (pixlake.gcpause, docs/startup.md).
            with paused_gc():
                super().__init__(connection=_in_process(workspace, api_token))


def _in_process(workspace: str | Path | None, api_token: str | None) -> Connection:
    # Imported here, not above: a client machine of a team server installs the SDK's
    # packages alone, and must be able to import pixlake and reach the server.
    missing = next((name for name in _APPLICATION_PACKAGES if find_spec(name) is None), None)
    try:
        if missing is not None:
            raise ModuleNotFoundError(f"No module named {missing!r}", name=missing)
        from pixlake.embedded import connect_in_process
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("pixlake"):
            raise  # a broken installation, not a missing dependency
        raise ImportError(
            f"embedded mode needs pixlake's application packages ({exc.name} is missing): "
            "install pixlake with its dependencies (pip install pixlake), or give "
            "host= to connect to a server"
        ) from exc
    return connect_in_process(Path(workspace) if workspace is not None else None, api_token)
