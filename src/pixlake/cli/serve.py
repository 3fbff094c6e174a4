"""``pixlake serve``: the HTTP API behind uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import settings_for, workspace_option
from pixlake.settings import Settings


def _settings_help() -> str:
    lines = ["\b", "Settings (environment variables):"]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default is not None else "(see description)"
        lines.append(f"  PIXLAKE_{name.upper()} = {default}")
        lines.append(f"      {field.description}")
    return "\n".join(lines)


@click.command(epilog=_settings_help())
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(workspace: Path | None, host: str, port: int, log_level: str) -> None:
    """Run the HTTP API for a workspace with uvicorn."""
    import uvicorn

    from pixlake.core.workspace import open_workspace
    from pixlake.server.app import create_app

    opened = open_workspace(settings_for(workspace))
    app = create_app(opened.context)
    click.echo(f"pixlake serving workspace {opened.path} on http://{host}:{port}", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
    finally:
        opened.close()
