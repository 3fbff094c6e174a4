"""No process prints pydantic's warning about the alias FastAPI gives request bodies
(pixlake.server.body_alias_warning): each case runs a fresh interpreter in which that
warning is an error, set before pixlake builds anything, so that a request that would
warn fails (a 500) and the script with it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

ERROR_ON_THE_WARNING = """
import sys, warnings
from pydantic.warnings import UnsupportedFieldAttributeWarning
warnings.simplefilter("error", UnsupportedFieldAttributeWarning)
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(ERROR_ON_THE_WARNING) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=180
    )


def test_embedded_requests_with_bodies_do_not_warn(
    tmp_path: Path, unique_image: Callable[..., Path]
) -> None:
    picture = unique_image()
    done = _run(
        """
        from pixlake import Client
        client = Client(workspace=sys.argv[1])
        lake = client.get_datalake()
        data = lake.upload_data(sys.argv[2])          # a body named "body"
        assert len(lake.list_data(q="width > 1")) == 1  # "query"
        version = client.create_dataset("d").create_version("v1")
        version.add_data(data)
        assets = version.list_assets(q="width > 1")
        assets.add_tags(["seen"])                     # "object_ids"
        assert version.count_assets() == 1
        """,
        str(tmp_path / "ws"),
        str(picture),
    )
    assert done.returncode == 0, done.stderr
    assert "UnsupportedFieldAttributeWarning" not in done.stderr


def test_a_served_application_documents_its_bodies_without_warning(tmp_path: Path) -> None:
    """The API document builds the schema of every route's body, as validation does."""
    done = _run(
        """
        from pixlake.core.workspace import open_workspace
        from pixlake.server.app import create_app
        from pixlake.settings import Settings
        workspace = open_workspace(Settings(home=sys.argv[1]))
        document = create_app(workspace.context).openapi()
        assert len(document["paths"]) > 50
        """,
        str(tmp_path / "ws"),
    )
    assert done.returncode == 0, done.stderr
    assert "UnsupportedFieldAttributeWarning" not in done.stderr
