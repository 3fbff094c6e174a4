"""Purging the registry's items (issue 12 item 4): rows go for good, and a model file's
bytes go only once nothing else names the same content.

The files themselves are stored by ``ModelVersion.store``; here their rows are written
straight into the platform's database, naming one object put in its storage, so that the
purge's release of bytes is tested on its own, on each storage backend."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import insert, update

from pixlake import Client, ModelVersion, NotFoundError, TrashKind
from pixlake.core import tables as t
from pixlake.core.context import AppContext, utcnow
from pixlake.ids import new_id


def _put_object(platform: AppContext, tmp_path: Path, content: bytes) -> str:
    source = tmp_path / "weights.bin"
    source.write_bytes(content)
    object_name = f"test-models/{hashlib.sha256(content).hexdigest()}"
    staged = platform.storage.stage_file(source)
    try:
        platform.storage.commit(staged, object_name)
    finally:
        platform.storage.discard(staged)
    return object_name


def _file_row(
    client: Client, platform: AppContext, version: ModelVersion, name: str, object_name: str
) -> UUID:
    file_id = new_id()
    with platform.db.write() as conn:
        conn.execute(
            insert(t.model_files).values(
                id=file_id,
                organization_id=client.organization_id,
                model_version_id=version.id,
                name=name,
                filename=f"{name}.bin",
                object_name=object_name,
                size=7,
                checksum=object_name.rsplit("/", 1)[-1],
                large=False,
                created_at=utcnow(),
            )
        )
    return file_id


def _trash_file(platform: AppContext, file_id: UUID) -> None:
    with platform.db.write() as conn:
        conn.execute(
            update(t.model_files).where(t.model_files.c.id == file_id).values(deleted_at=utcnow())
        )


def test_a_trashed_file_is_listed_restored_and_purged(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    version = client.create_model("detector").create_version(name="best")
    object_name = _put_object(platform, tmp_path, b"weights")
    file_id = _file_row(client, platform, version, "weights", object_name)
    _trash_file(platform, file_id)
    [item] = client.list_trash(TrashKind.MODEL_FILE)
    assert (item.id, item.name, item.parent_id) == (file_id, "detector/best/weights", version.id)
    assert client.restore_from_trash([file_id]) == 1
    assert client.list_trash() == []
    _trash_file(platform, file_id)
    assert client.purge_trash(everything=True) == 1
    assert client.list_trash() == []
    assert not platform.storage.exists(object_name)


def test_purge_keeps_bytes_another_file_still_names(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    model = client.create_model("detector")
    first, second = model.create_version(), model.create_version()
    object_name = _put_object(platform, tmp_path, b"weights")
    _file_row(client, platform, first, "weights", object_name)
    _file_row(client, platform, second, "weights", object_name)  # the same content, stored once

    first.delete()
    assert client.purge_trash(everything=True) == 1
    assert platform.storage.exists(object_name)  # the second version's file names it
    with platform.storage.open(object_name) as stream:
        assert stream.read() == b"weights"

    # A model in the trash still names its files' content, until it is purged itself.
    model.delete()
    assert platform.storage.exists(object_name)
    assert client.purge_trash(everything=True) == 1
    assert not platform.storage.exists(object_name)
    for gone in (model.sync, second.sync):
        with pytest.raises(NotFoundError):
            gone()
