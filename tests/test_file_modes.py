"""Files and secrets: what a workspace holds only its owner may read, its signing key is
private from the moment it exists, and a key file others may read is refused."""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixlake import Client
from pixlake.core.workspace import SECRET_FILE, open_workspace
from pixlake.errors import InsecureFileError
from pixlake.samples import make_image
from pixlake.settings import Settings
from tests.services import free_port, pixlake_environment, run_pixlake

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems start processes with (files 0644, folders 0755)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_signing_key_is_private_from_its_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no umask to take permissions away and no chmod afterwards, only the mode given
    # when the file is created can make it private.
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(pathlib.Path, "chmod", lambda *args, **kwargs: None)
    previous = os.umask(0)
    try:
        opened = open_workspace(Settings(workspace=tmp_path / "ws"))
        opened.close()
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "ws" / SECRET_FILE) == 0o600


def test_the_workspace_and_everything_in_it_is_private(tmp_path: Path, usual_umask: None) -> None:
    workspace = tmp_path / "ws"
    with Client(workspace=workspace) as client:
        [data] = client.get_datalake().upload_data([make_image(tmp_path / "a.jpg", 32, 24, seed=3)])
        folders = [workspace, workspace / "objects", workspace / "staging"]
        object_file = workspace / "objects" / data.object_name
        folders += [p for p in object_file.parents if workspace / "objects" in p.parents]
        database_files = [p for p in workspace.iterdir() if p.name.startswith("pixlake.db")]
        assert len(database_files) >= 2  # the database and its write-ahead log, at least
        for folder in folders:
            assert mode_of(folder) == 0o700, folder
        for file in [object_file, workspace / SECRET_FILE, *database_files]:
            assert mode_of(file) == 0o600, file


def test_a_staging_file_is_private(tmp_path: Path, usual_umask: None) -> None:
    opened = open_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        staged = opened.context.storage.stage_stream([b"bytes on their way"])
        assert staged.path is not None
        assert mode_of(staged.path) == 0o600
        opened.context.storage.discard(staged)
    finally:
        opened.close()


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    open_workspace(Settings(workspace=workspace)).close()
    key = workspace / SECRET_FILE
    key.chmod(0o644)
    with pytest.raises(InsecureFileError) as refused:
        open_workspace(Settings(workspace=workspace))
    assert f"chmod 600 {key}" in refused.value.message

    served = run_pixlake(
        pixlake_environment(workspace=str(workspace)), "serve", "--port", str(free_port())
    )
    assert served.returncode == 1
    assert served.stderr.strip().splitlines()[-1] == f"error: {refused.value.message}"

    key.chmod(0o600)
    open_workspace(Settings(workspace=workspace)).close()


def test_a_key_given_in_the_environment_needs_no_key_file(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    opened = open_workspace(Settings(workspace=workspace, secret_key="k" * 64))
    opened.close()
    assert not (workspace / SECRET_FILE).exists()
