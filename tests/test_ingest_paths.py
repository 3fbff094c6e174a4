"""The faster ingest paths keep every guarantee: small files held in memory by a local
folder, written once under their final name, and nothing left by a refused upload."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import httpx
import pytest

from pixlake import Client, PixlakeError
from pixlake.errors import StorageError
from pixlake.samples import make_image
from pixlake.settings import Settings
from pixlake.storage.base import StagedObject
from pixlake.storage.factory import storage_from_settings
from pixlake.storage.local import LocalStorage
from tests.conftest import LiveServer, stored_objects

BUDGET = 1024 * 1024


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_workspace_folder_holds_announced_small_files_in_memory(tmp_path: Path) -> None:
    storage = storage_from_settings(Settings(workspace=tmp_path, staging_memory=BUDGET))
    assert isinstance(storage, LocalStorage) and storage.memory_budget is not None
    staged = storage.stage_stream([b"small ", b"file"], expected_size=10)
    assert staged.data == b"small file" and staged.path is None
    assert files_under(storage.staging_dir) == []
    assert storage.memory_budget.free == BUDGET - 10

    storage.commit(staged, "ab/cd/object")
    assert (storage.objects_dir / "ab" / "cd" / "object").read_bytes() == b"small file"
    assert files_under(storage.staging_dir) == [], "written through a staging name, renamed"
    assert storage.memory_budget.free == BUDGET
    storage.discard(staged)  # as every request does at its end: nothing given back twice
    assert storage.memory_budget.free == BUDGET


def test_a_file_of_unknown_size_still_goes_to_a_staging_file(tmp_path: Path) -> None:
    """A file whose size is not announced could outgrow memory and be written twice."""
    storage = LocalStorage(tmp_path / "store", memory_budget=BUDGET)
    staged = storage.stage_stream([b"no size announced"])
    assert staged.data is None and staged.path is not None and staged.path.exists()
    storage.commit(staged, "ab/object")
    assert (tmp_path / "store" / "objects" / "ab" / "object").read_bytes() == b"no size announced"


def test_no_budget_stages_every_file_on_disk(tmp_path: Path) -> None:
    storage = storage_from_settings(Settings(workspace=tmp_path, staging_memory=0))
    assert storage.memory_budget is None
    assert storage.stage_stream([b"small"], expected_size=5).path is not None


def test_a_failed_write_in_place_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store", memory_budget=BUDGET)
    staged = storage.stage_stream([b"bytes"], expected_size=5)
    (storage.objects_dir / "ab").write_text("a file where the object's folder should be")
    try:
        storage.commit(staged, "ab/object")
    except Exception as exc:  # the store's error, naming the object
        assert "ab/object" in str(exc)
    else:
        raise AssertionError("the commit should have failed")
    assert files_under(storage.staging_dir) == []
    storage.discard(staged)
    assert storage.memory_budget is not None and storage.memory_budget.free == BUDGET


def _frame(filename: str, body: bytes) -> bytes:
    header = json.dumps({"filename": filename, "size": len(body)}).encode()
    return struct.pack(">I", len(header)) + header + body


def test_a_refused_bundle_writes_no_byte_in_the_served_workspace(
    live_server: LiveServer, images: list[Path]
) -> None:
    """Good files held in memory, then a bad one: none of them reaches the object store,
    nor stays in staging, and the memory comes back."""
    workspace = live_server.workspace.path
    storage = live_server.workspace.context.storage
    assert storage.memory_budget is not None
    free = storage.memory_budget.free
    objects_before = set(stored_objects(workspace))
    _name, token = live_server.new_user()
    with httpx.Client(
        base_url=live_server.url, headers={"authorization": f"Bearer {token}"}
    ) as http:
        lake_id = http.get("/datalakes").json()[0]["id"]
        body = b"".join(_frame(p.name, p.read_bytes()) for p in images[:3])
        body += _frame("notes.jpg", b"plain text, not a picture")
        answer = http.post(
            f"/datalakes/{lake_id}/data/bundle",
            content=body,
            headers={"content-type": "application/x-pixlake-bundle"},
        )
        assert answer.status_code == 400 and "notes.jpg" in answer.json()["message"]
        assert http.post(f"/datalakes/{lake_id}/data/search", json={}).json()["items"] == []
    assert set(stored_objects(workspace)) == objects_before
    assert files_under(workspace / "staging") == []
    assert storage.memory_budget.free == free


def test_a_failure_to_put_an_object_in_place_commits_no_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are built while the objects are written, but inserted only once every
    object is in place: a store failing on the third file leaves no Data at all."""
    folder = tmp_path / "in"
    files = [make_image(folder / f"p{i}.jpg", 40 + i, 30, seed=i) for i in range(6)]
    real_commit = LocalStorage.commit
    calls: list[str] = []

    def failing_commit(storage: LocalStorage, staged: StagedObject, object_name: str) -> None:
        calls.append(object_name)
        if len(calls) == 3:
            raise StorageError(f"could not store object {object_name!r}")
        real_commit(storage, staged, object_name)

    monkeypatch.setattr(LocalStorage, "commit", failing_commit)
    with Client(workspace=tmp_path / "ws") as client:
        lake = client.get_datalake()
        with pytest.raises(PixlakeError, match="could not store object"):
            lake.upload_data(files)
        assert len(calls) >= 3
        assert len(lake.list_data()) == 0
        monkeypatch.setattr(LocalStorage, "commit", real_commit)
        assert len(lake.upload_data(files)) == 6, "the retry stores them all"
