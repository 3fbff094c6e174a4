"""``pixlake ui``: the web app over an embedded workspace, on this machine only."""

from __future__ import annotations

import contextlib
import socket
import webbrowser
from pathlib import Path

import click

from pixlake.cli.options import settings_for, workspace_option

LOOPBACK = "127.0.0.1"


@click.command()
@workspace_option
@click.option(
    "--port",
    default=0,
    show_default="a free port",
    type=click.IntRange(min=0, max=65535),
    help="Port to listen on (on 127.0.0.1 only).",
)
@click.option("--no-browser", is_flag=True, help="Print the link without opening a browser.")
def ui(workspace: Path | None, port: int, no_browser: bool) -> None:
    """Open the web app on a workspace of this machine.

    Listens on 127.0.0.1 only and prints a one-time sign-in link (it signs the workspace's
    owner in once); opens it in the browser unless --no-browser.
    """
    import uvicorn

    from pixlake.core.workspace import open_workspace
    from pixlake.server.serving import uvicorn_config
    from pixlake.web.local import login_url, workspace_app

    settings = settings_for(workspace)
    opened = open_workspace(settings)
    try:
        app = workspace_app(opened)
        # Bound here, before uvicorn starts, so that the link printed names the port.
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((LOOPBACK, port))
        bound_port = listening.getsockname()[1]
        url = login_url(app, opened, f"http://{LOOPBACK}:{bound_port}")
        config = uvicorn_config(app, settings, host=LOOPBACK, port=bound_port, log_level="warning")
        server = uvicorn.Server(config)
        click.echo(f"pixlake web app for {opened.path}: open {url}")
        if not no_browser:
            webbrowser.open(url)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
            server.run(sockets=[listening])
    finally:
        opened.close()
