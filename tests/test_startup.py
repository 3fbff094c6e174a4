"""What starting pixlake loads: each case runs a fresh interpreter and reads its sys.modules.

Start-up time is measured by ``benchmarks/startup.py``; these tests hold the behaviour that
makes it short, so that one eager import added anywhere fails here rather than slowing every
user's ``import pixlake`` and ``pixlake --help`` unnoticed (docs/startup.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY_PACKAGES = (
    "a2wsgi",
    "alembic",
    "av",
    "boto3",
    "botocore",
    "fastapi",
    "httpx",
    "PIL",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "starlette",
    "tqdm",
    "uvicorn",
)
"""Packages whose import costs tens of milliseconds or more, each needed only by some work."""

APPLICATION = ("pixlake.core", "pixlake.server", "pixlake.embedded", "pixlake.storage")


def _loaded_after(code: str, *args: str) -> set[str]:
    """The top-level packages and pixlake modules a fresh interpreter holds after ``code``."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps(sorted(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return {name for name in names if name.startswith("pixlake")} | {
        name.split(".")[0] for name in names
    }


def _of(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in loaded if any(name == p or name.startswith(p + ".") for p in prefixes)
    )


def test_import_pixlake_loads_no_heavy_package() -> None:
    loaded = _loaded_after("import pixlake")
    assert _of(loaded, HEAVY_PACKAGES) == []
    assert _of(loaded, ("pixlake.sdk", *APPLICATION)) == []


def test_public_names_still_load_on_first_use() -> None:
    loaded = _loaded_after(
        """
        import pixlake
        from pixlake import Client, MultiAsset, NotFoundError, Rectangle
        assert Client.__module__ == "pixlake.client"
        assert MultiAsset.__module__ == "pixlake.sdk.asset"
        assert [getattr(pixlake, name) for name in pixlake.__all__]
        """
    )
    assert {"pixlake.client", "pixlake.sdk.asset", "pydantic", "httpx"} <= loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    import pixlake

    with pytest.raises(AttributeError, match="no attribute 'Clinet'"):
        pixlake.Clinet  # noqa: B018


def test_the_sdk_loads_neither_the_application_nor_tqdm_nor_the_media_probes() -> None:
    """``from pixlake import Client`` is what every script starts with: the SDK needs pydantic
    and httpx, not the server's packages, nor tqdm before a bar is shown, nor Pillow and
    PyAV before a file is probed."""
    loaded = _loaded_after("import pixlake; [getattr(pixlake, name) for name in pixlake.__all__]")
    assert _of(loaded, tuple(p for p in HEAVY_PACKAGES if p not in ("pydantic", "httpx"))) == []
    assert _of(loaded, APPLICATION) == []


_EVERY_HELP = """
        import sys
        import click
        from pixlake.cli.main import cli

        def helps(group, path):
            yield [*path, "--help"]
            for name, command in group.commands.items():
                if isinstance(command, click.Group):
                    yield from helps(command, [*path, name])
                else:
                    yield [*path, name, "--help"]

        for argv in helps(cli, []):
            if argv[0] in sys.argv[1:]:
                continue
            try:
                cli.main(argv, prog_name="pixlake", standalone_mode=False)
            except SystemExit:
                pass
        """


def test_help_of_every_command_loads_no_heavy_package() -> None:
    """``pixlake --help`` and every ``--help`` below it, in one interpreter: what any of them
    loads adds up. ``serve --help`` lists the settings from their table, without pydantic."""
    loaded = _loaded_after(_EVERY_HELP)
    assert _of(loaded, HEAVY_PACKAGES) == []
    assert _of(loaded, ("pixlake.sdk", "pixlake.settings", *APPLICATION)) == []


def test_serve_help_still_lists_every_setting() -> None:
    """The settings options are made when the command is used, and are all there."""
    from click.testing import CliRunner

    from pixlake.cli.main import cli
    from pixlake.settings import Settings

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for name in Settings.model_fields:
        assert f"PIXLAKE_{name.upper()}" in result.output
        if name not in ("home", "workspace"):
            assert f"--{name.replace('_', '-')}" in result.output


def test_an_embedded_client_builds_only_what_it_serves(tmp_path: Path) -> None:
    """On an existing, up-to-date workspace: no migration scripts (alembic), and not the
    compatibility API, which an embedded application does not mount."""
    from pixlake import Client

    workspace = tmp_path / "ws"
    Client(workspace=workspace).close()  # created (and stamped) here
    loaded = _loaded_after(
        """
        import sys
        from pixlake import Client
        with Client(workspace=sys.argv[1]) as client:
            assert client.get_datalake().name == "default"
        """,
        str(workspace),
    )
    assert "pixlake.server.app" in loaded  # the same application, in this process
    assert _of(loaded, ("alembic", "pixlake.server.compat", "boto3", "botocore")) == []
    # Only the routers of the paths it asked for (/me, /datalakes...) are built, and
    # opening the workspace sweeps staging files without the full orphan sweep's imports.
    unused = ("datasets", "assets", "annotations", "annotation_files", "models", "trash")
    assert _of(loaded, tuple(f"pixlake.server.routers.{name}" for name in unused)) == []
    assert "pixlake.server.routers.datalakes" in loaded
    # GET /me, the owner's, is answered from the workspace it opened (the next test).
    assert "pixlake.server.routers.me" not in loaded
    assert _of(loaded, ("pixlake.core.services.orphans", "yaml")) == []


def test_an_embedded_client_builds_no_application_until_a_request_needs_it(
    tmp_path: Path,
) -> None:
    """``Client()`` on an existing workspace opens its database and knows its owner: the
    web framework, the application and its event loop come with the first request."""
    from pixlake import Client

    workspace = tmp_path / "ws"
    Client(workspace=workspace).close()
    loaded = _loaded_after(
        """
        import sys, threading
        from pixlake import Client
        client = Client(workspace=sys.argv[1])
        assert client.username == "owner"
        assert not any(t.name == "pixlake-embedded" for t in threading.enumerate())
        # A SQLite workspace needs no part of SQLAlchemy's PostgreSQL dialect.
        assert "sqlalchemy.dialects.postgresql" not in sys.modules
        client.close()
        """,
        str(workspace),
    )
    assert "pixlake.embedded" in loaded
    unbuilt = ("fastapi", "starlette", "a2wsgi", "anyio", "uvicorn", "alembic", "jinja2")
    assert _of(loaded, unbuilt) == []
    assert _of(loaded, ("pixlake.server", "pixlake.web")) == []


def test_the_owner_identity_is_what_the_application_answers(tmp_path: Path) -> None:
    """The ``GET /me`` an embedded connection starts with is the application's own answer,
    value for value, and it is handed out once: later calls ask the application."""
    from pixlake.embedded import ApplicationOnDemand, connect_in_process

    connection = connect_in_process(tmp_path / "ws")
    try:
        transport = connection.http._transport
        assert isinstance(transport, ApplicationOnDemand)
        known = connection.me()
        assert not transport.built
        asked = connection.me()
        assert transport.built
        assert asked == known
        assert asked == connection.request("GET", "/me")
    finally:
        connection.close()
