"""``pixlake serve``: the HTTP API behind uvicorn."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.cli.options import settings_for, workspace_option
from pixlake.errors import BadRequestError, PixlakeError
from pixlake.limits import fixed_bounds
from pixlake.loopback import is_loopback

if TYPE_CHECKING:
    from pixlake.core.context import AppContext


def _settings_help() -> str:
    # The table is read by this command's help only, not by every command's import.
    from pixlake.setting_specs import SETTING_SPECS, env_name

    lines = ["\b", "Settings (environment variables, or the matching options above):"]
    for spec in SETTING_SPECS:
        default = spec.default if spec.default is not None else "(see description)"
        lines.append(f"  {env_name(spec.name)} = {default}")
        lines.append(f"      {spec.description}")
    lines += [
        "",
        "\b",
        "Fixed bounds of every request (the API's OpenAPI document states them; docs/limits.md):",
    ]
    lines += [f"  {name} = {value}" for name, value in fixed_bounds().items()]
    return "\n".join(lines)


# Settings with an option of their own; the others are read from the environment only.
_NOT_OPTIONS = {"home", "workspace"}


def setting_options() -> list[click.Option]:
    """One ``--name`` option per setting, so a new setting needs no edit here."""
    from pixlake.setting_specs import SETTING_SPECS, env_name

    options = []
    for spec in SETTING_SPECS:
        if spec.name in _NOT_OPTIONS:
            continue
        flag, env = spec.name.replace("_", "-"), f"{env_name(spec.name)}."
        if spec.kind is bool:
            options.append(click.Option([f"--{flag}/--no-{flag}"], default=None, help=env))
            continue
        click_type: Any = spec.kind if spec.kind in (int, float) else str
        options.append(click.Option([f"--{flag}"], default=None, type=click_type, help=env))
    return options


class _SettingsCommand(click.Command):
    """A command with an option per setting, and the settings listed after its help.

    Both are made the first time the command is parsed or its help shown, not when the
    module is imported, from the settings' table (``pixlake.setting_specs``), which needs
    no pydantic: the help costs little more than any other.
    """

    def __init__(self, *args: Any, settings_after: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._settings_after = settings_after
        self._settings_added = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not self._settings_added:
            self._settings_added = True
            names = [param.name for param in self.params]
            at = names.index(self._settings_after) + 1
            self.params[at:at] = setting_options()
        return super().get_params(ctx)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog is None:
            self.epilog = _settings_help()
        super().format_epilog(ctx, formatter)


@click.command(cls=_SettingsCommand, settings_after="workers")
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes sharing the port (each stateless).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(
    workspace: Path | None, host: str, port: int, workers: int, log_level: str, **overrides: object
) -> None:
    """Run the HTTP API with uvicorn.

    The database must be at the newest schema revision: run `pixlake db upgrade` after
    installing a newer pixlake.
    """
    from pixlake.core.workspace import open_workspace
    from pixlake.server.app import create_app
    from pixlake.server.serving import run_server, uvicorn_config
    from pixlake.setting_specs import env_name

    settings = settings_for(workspace, **overrides)
    if not is_loopback(host) and not settings.secret_key:
        raise BadRequestError(
            f"refusing to listen on {host} with the default signing secret: set "
            "PIXLAKE_SECRET_KEY (or --secret-key) to a long random value, the same on "
            "every server"
        )
    # Checks the database, its schema and the object store before listening.
    opened = open_workspace(settings, upgrade=False)
    click.echo(f"pixlake serving {opened.context.db.safe_url} on http://{host}:{port}", err=True)
    # Listing a large bucket takes a while: crash residue is swept while requests are served.
    threading.Thread(
        target=_sweep_residue, args=(opened.context,), name="pixlake-sweep", daemon=True
    ).start()
    try:
        if workers == 1:
            run_server(
                uvicorn_config(
                    create_app(opened.context), settings, host=host, port=port, log_level=log_level
                )
            )
            return
        # Worker processes rebuild the app from the environment: hand the settings over.
        for name, value in settings.model_dump(exclude_none=True).items():
            os.environ[env_name(name)] = str(value)
        run_server(
            uvicorn_config(
                "pixlake.server.asgi:app_from_environment",
                settings,
                host=host,
                port=port,
                log_level=log_level,
                workers=workers,
                factory=True,
            )
        )
    finally:
        opened.close()


def _sweep_residue(context: AppContext) -> None:
    from pixlake.cli.gc import echo_sweep
    from pixlake.core.services.orphans import sweep_orphans

    try:
        report = sweep_orphans(context)
    except PixlakeError as exc:  # the server serves on; `pixlake gc` can try again
        click.echo(f"sweeping crash residue failed: {exc.message}", err=True)
        return
    if report.removed_anything:
        click.echo("swept crash residue at start-up:", err=True)
        echo_sweep(report, err=True)
