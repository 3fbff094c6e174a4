"""Model files: storing, listing, downloading and deleting the files of a model version,
in the three deployments (the S3 one with files large enough for multipart uploads)."""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pixlake import (
    BadRequestError,
    ChecksumMismatchError,
    Client,
    ConflictError,
    FileMissingError,
    InvalidFilenameError,
    LimitExceededError,
    ModelFile,
    NotFoundError,
)
from pixlake.core import tables as t
from pixlake.core.context import AppContext
from pixlake.core.services import model_files as model_file_service
from pixlake.core.services.orphans import sweep_orphans
from pixlake.core.sql import bulk_insert
from pixlake.ids import new_id
from pixlake.storage import StagedObject

MiB = 1024 * 1024
LARGE = 26 * MiB
"""Over the large-file threshold (25 MiB): the multipart path on S3, parts of 8 MiB."""


def random_file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        left = size
        while left:
            chunk = os.urandom(min(left, 4 * MiB))
            out.write(chunk)
            left -= len(chunk)
    return path


def sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def new_version(client: Client, name: str = "detector"):
    return client.create_model(name).create_version()


def test_large_file_stored_and_downloaded_verified(client: Client, tmp_path: Path) -> None:
    version = new_version(client)
    weights = random_file(tmp_path / "in" / "best.pt", LARGE + 12345)
    stored = version.store("weights", weights)
    assert isinstance(stored, ModelFile)
    assert (stored.name, stored.filename, stored.size) == ("weights", "best.pt", LARGE + 12345)
    assert stored.checksum == sha256(weights)
    assert stored.large is True
    assert stored.model_version_id == version.id
    assert stored.created_at is not None
    stored.download(tmp_path / "out")
    assert sha256(tmp_path / "out" / "best.pt") == stored.checksum
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["best.pt"]  # no temporary left


def test_small_files_listed_by_name_and_found(client: Client, tmp_path: Path) -> None:
    version = new_version(client)
    config = tmp_path / "config.yaml"
    config.write_text("lr: 0.01\n")
    empty = tmp_path / "notes.txt"
    empty.write_bytes(b"")
    version.store("config", config)
    version.store("b-notes", empty)
    assert [f.name for f in version.list_files()] == ["b-notes", "config"]
    found = version.get_file("config")
    assert (found.filename, found.size, found.large) == ("config.yaml", 9, False)
    assert found.sync()["checksum"] == sha256(config)
    with pytest.raises(NotFoundError):
        version.get_file("missing")
    found.download(tmp_path / "out")
    assert (tmp_path / "out" / "config.yaml").read_text() == "lr: 0.01\n"
    version.get_file("b-notes").download(tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_bytes() == b""


def test_the_same_bytes_stored_twice_are_held_once(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    model = client.create_model("shared-weights")
    weights = random_file(tmp_path / "w.bin", 3 * MiB)
    first = model.create_version().store("weights", weights)
    copy = tmp_path / "copy" / "other-name.bin"
    copy.parent.mkdir()
    copy.write_bytes(weights.read_bytes())
    second = model.create_version().store("also", copy)
    assert first.id != second.id and first.object_name == second.object_name
    assert platform.storage.size_of(first.object_name) == 3 * MiB
    second.download(tmp_path / "out")
    assert sha256(tmp_path / "out" / "other-name.bin") == first.checksum


def test_a_folder_is_stored_zipped(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "saved_model"
    (folder / "variables").mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(b"graph")
    (folder / "variables" / "data-0").write_bytes(os.urandom(1000))
    stored = new_version(client).store("savedmodel", folder, do_zip=True)
    assert stored.filename == "saved_model.zip"
    stored.download(tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "saved_model.zip") as archive:
        assert sorted(archive.namelist()) == ["saved_model.pb", "variables/data-0"]
        assert archive.read("saved_model.pb") == b"graph"
        assert archive.read("variables/data-0") == (folder / "variables" / "data-0").read_bytes()


def test_replace_sends_the_old_file_to_the_trash(client: Client, tmp_path: Path) -> None:
    version = new_version(client)
    old = tmp_path / "a" / "best.pt"
    old.parent.mkdir()
    old.write_bytes(b"epoch 1")
    new = tmp_path / "b" / "best.pt"
    new.parent.mkdir()
    new.write_bytes(b"epoch 2")
    first = version.store("weights", old)
    with pytest.raises(ConflictError) as refused:
        version.store("weights", new)
    assert refused.value.details["name"] == "weights"
    assert [f.checksum for f in version.list_files()] == [first.checksum]  # nothing stored
    second = version.store("weights", new, replace=True)
    assert [f.id for f in version.list_files()] == [second.id]
    assert second.checksum == sha256(new)
    with pytest.raises(NotFoundError):
        first.sync()
    assert first.id in {item.id for item in client.list_trash()}


def test_delete_goes_to_the_trash_and_restore_brings_it_back(
    client: Client, tmp_path: Path
) -> None:
    version = new_version(client)
    path = tmp_path / "w.bin"
    path.write_bytes(b"weights")
    stored = version.store("weights", path)
    stored.delete()
    assert version.list_files() == []
    with pytest.raises(NotFoundError):
        stored.reset_url()
    client.restore_from_trash([stored.id])
    assert [f.id for f in version.list_files()] == [stored.id]


def test_download_keeps_an_existing_file_unless_force_replace(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "w.bin"
    path.write_bytes(b"weights")
    stored = new_version(client).store("weights", path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "w.bin").write_bytes(b"mine")
    stored.download(out)
    assert (out / "w.bin").read_bytes() == b"mine"
    stored.download(out, force_replace=True)
    assert (out / "w.bin").read_bytes() == b"weights"


def _overwrite_object(platform: AppContext, object_name: str, payload: bytes) -> None:
    """Put other bytes under an object's name, as a corrupted store would hold them."""
    staged = platform.storage.stage_stream([payload])
    platform.storage.commit(staged, object_name)
    platform.storage.discard(staged)


def test_a_download_not_matching_its_checksum_leaves_nothing(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    path = tmp_path / "w.bin"
    path.write_bytes(b"the real weights")
    stored = new_version(client).store("weights", path)
    _overwrite_object(platform, stored.object_name, b"something else!!")
    out = tmp_path / "out"
    with pytest.raises(ChecksumMismatchError):
        stored.download(out)
    assert list(out.iterdir()) == []


# Bad input: each refused with a typed error, and nothing stored.


def test_store_of_a_missing_path(client: Client, tmp_path: Path) -> None:
    version = new_version(client)
    with pytest.raises(FileMissingError):
        version.store("weights", tmp_path / "nowhere.pt")
    assert version.list_files() == []


def test_store_of_a_folder_without_do_zip(client: Client, tmp_path: Path) -> None:
    version = new_version(client)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.bin").write_bytes(b"a")
    with pytest.raises(BadRequestError, match="do_zip"):
        version.store("weights", tmp_path / "folder")
    assert version.list_files() == []


@pytest.mark.parametrize("name", ["a/b", "a\\b", "..", "w..1", "bad\x01name", "", "tab\tname"])
def test_store_with_a_bad_name(client: Client, tmp_path: Path, name: str) -> None:
    version = new_version(client)
    path = tmp_path / "w.bin"
    path.write_bytes(b"w")
    with pytest.raises(InvalidFilenameError) as refused:
        version.store(name, path)
    assert "model file name" in refused.value.message
    assert version.list_files() == []


@pytest.mark.parametrize("name", ["a/b", "a\\b", "..", "bad\x1fname"])
def test_the_api_refuses_a_bad_name_too(client: Client, name: str) -> None:
    """What the SDK refuses first, the API refuses on its own (another client)."""
    version = new_version(client)
    announced = {"name": name, "filename": "w.bin", "size": 1}
    with pytest.raises(InvalidFilenameError):
        client._connection.request(
            "POST", f"/model-versions/{version.id}/files/uploads", json=announced
        )
    assert version.list_files() == []


def test_the_api_refuses_a_file_whose_bytes_it_does_not_hold(client: Client) -> None:
    version = new_version(client)
    created = {"name": "w", "filename": "w.bin", "size": 10, "checksum": "ab" * 32}
    with pytest.raises(BadRequestError, match="upload them first"):
        client._connection.request("POST", f"/model-versions/{version.id}/files", json=created)
    assert version.list_files() == []


@pytest.mark.parametrize("upload_id", ["no-such-upload", "bad\u00ad\U00020f8a id"])
def test_the_api_refuses_an_upload_id_it_did_not_give(client: Client, upload_id: str) -> None:
    """An upload id the store never gave (or one no store would give) is refused as bad
    input on every store, whether or not it takes direct uploads."""
    version = new_version(client)
    created = {
        "name": "w",
        "filename": "w.bin",
        "size": 10,
        "checksum": "ab" * 32,
        "upload_id": upload_id,
    }
    with pytest.raises(BadRequestError):
        client._connection.request("POST", f"/model-versions/{version.id}/files", json=created)
    assert version.list_files() == []


def test_a_version_holds_at_most_max_files(client: Client, platform: AppContext) -> None:
    maximum = platform.settings.max_files_per_model_version
    version = new_version(client)
    # Filled in one bulk insert: storing them one by one would take long, and the rows
    # are all the limit reads.
    now = datetime.now(UTC)
    rows = [
        {
            "id": new_id(),
            "organization_id": client.organization_id,
            "model_version_id": version.id,
            "name": f"f{index}",
            "filename": "f",
            "object_name": model_file_service.object_name_for(client.organization_id, "0" * 64),
            "size": 1,
            "checksum": "0" * 64,
            "large": False,
            "created_at": now,
        }
        for index in range(maximum)
    ]
    with platform.db.write() as conn:
        bulk_insert(conn, t.model_files, rows)
    with pytest.raises(LimitExceededError) as refused:
        client._connection.request(
            "POST",
            f"/model-versions/{version.id}/files/uploads",
            json={"name": "one-more", "filename": "f", "size": 1},
        )
    assert refused.value.limit == "max_files_per_model_version"
    assert len(version.list_files()) == maximum


def test_another_organizations_files_answer_404(
    client: Client, other_client: Client, tmp_path: Path
) -> None:
    version = new_version(client)
    path = tmp_path / "w.bin"
    path.write_bytes(b"secret weights")
    stored = version.store("weights", path)
    theirs = other_client._connection
    announced = {"name": "x", "filename": "x.bin", "size": 1}
    created = {**announced, "checksum": stored.checksum, "size": stored.size}
    requests = [
        ("GET", f"/model-files/{stored.id}", None),
        ("POST", f"/model-files/{stored.id}/url", None),
        ("DELETE", f"/model-files/{stored.id}", None),
        ("GET", f"/model-versions/{version.id}/files", None),
        ("POST", f"/model-versions/{version.id}/files/uploads", announced),
        ("POST", f"/model-versions/{version.id}/files", created),
    ]
    for method, route, body in requests:
        with pytest.raises(NotFoundError):
            theirs.request(method, route, json=body)
    with pytest.raises(NotFoundError):
        theirs.request(
            "PUT",
            f"/model-versions/{version.id}/files/content",
            params={"name": "x", "filename": "x.bin"},
            content=b"x",
        )
    assert [f.id for f in version.list_files()] == [stored.id]


def test_files_of_a_model_in_the_trash_are_out_of_reach(client: Client, tmp_path: Path) -> None:
    model = client.create_model("soon-deleted")
    version = model.create_version()
    path = tmp_path / "w.bin"
    path.write_bytes(b"w")
    stored = version.store("weights", path)
    model.delete()
    with pytest.raises(NotFoundError):
        version.store("more", path)
    with pytest.raises(NotFoundError):
        stored.sync()


# Bytes go only when nothing names them any more.


def test_purge_removes_bytes_only_when_nothing_else_names_them(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    model = client.create_model("purged")
    shared = tmp_path / "shared.bin"
    shared.write_bytes(os.urandom(1000))
    alone = tmp_path / "alone.bin"
    alone.write_bytes(os.urandom(1000))
    kept = model.create_version().store("weights", shared)
    doomed_version = model.create_version()
    twin = doomed_version.store("weights", shared)
    single = doomed_version.store("other", alone)
    twin.delete()
    single.delete()
    client.purge_trash(everything=True)
    assert platform.storage.size_of(single.object_name) is None
    assert platform.storage.size_of(kept.object_name) == 1000
    kept.download(tmp_path / "out")
    assert sha256(tmp_path / "out" / "shared.bin") == kept.checksum


def test_release_objects_keeps_what_a_row_still_names(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    path = tmp_path / "w.bin"
    path.write_bytes(os.urandom(100))
    stored = new_version(client).store("weights", path)
    orphan = model_file_service.object_name_for(stored.object_name.split("/")[1], "cd" * 32)
    _plant(platform, orphan, b"nobody names me")
    assert model_file_service.release_objects(platform, [stored.object_name, orphan]) == 1
    assert platform.storage.size_of(stored.object_name) == 100
    assert platform.storage.size_of(orphan) is None


def _plant(platform: AppContext, object_name: str, payload: bytes) -> None:
    staged: StagedObject = platform.storage.stage_stream([payload])
    platform.storage.commit(staged, object_name)
    platform.storage.discard(staged)


@pytest.mark.parametrize("mode", ["embedded"], indirect=True)
def test_the_orphan_sweep_keeps_model_files_and_removes_their_orphans(
    client: Client, platform: AppContext, tmp_path: Path
) -> None:
    """On a workspace of its own: the sweep looks at every organization's objects."""
    path = tmp_path / "w.bin"
    path.write_bytes(os.urandom(100))
    stored = new_version(client).store("weights", path)
    trashed = new_version(client, "other").store("weights", tmp_path / "w.bin")
    trashed.delete()
    organization = stored.object_name.split("/")[1]
    orphan = model_file_service.object_name_for(organization, "ef" * 32)
    _plant(platform, orphan, b"left by a killed upload")
    report = sweep_orphans(platform, now=time.time() + 30 * 24 * 3600)
    assert report.objects.count == 1
    assert platform.storage.size_of(stored.object_name) == 100
    assert platform.storage.size_of(orphan) is None


@pytest.mark.parametrize("mode", ["server-pg-s3"], indirect=True)
def test_large_files_go_straight_to_the_bucket_in_presigned_parts(
    client: Client, server, tmp_path: Path
) -> None:
    version = new_version(client)
    announced = {"name": "w", "filename": "w.bin", "size": LARGE + 1, "checksum": "ab" * 32}
    route = f"/model-versions/{version.id}/files/uploads"
    plan = client._connection.request("POST", route, json=announced)
    assert plan["method"] == "direct" and plan["upload_id"]
    assert len(plan["urls"]) == -(-(LARGE + 1) // plan["part_size"]) > 1
    assert not any(url.startswith(server.url) for url in plan["urls"])  # not the API's
    assert "X-Amz-Signature=" in plan["urls"][0]
    unhashed = client._connection.request("POST", route, json={**announced, "checksum": None})
    assert (unhashed["method"], unhashed["urls"]) == ("direct", [])
    assert version.list_files() == []  # planning stores nothing


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads over HTTP in parallel ranges from 1 MiB, in ranges of 5 MiB."""
    from pixlake.sdk import file_transfer

    monkeypatch.setattr(file_transfer, "RANGED_MIN", MiB)
    monkeypatch.setattr(file_transfer, "RANGE_SIZE", 5 * MiB)


def ranges_asked(client: Client) -> list[str | None]:
    """The Range header of every request the client's downloads send from now on (None
    for a request without one)."""
    asked: list[str | None] = []
    hooks = client._connection.downloads.event_hooks
    hooks["request"] = [
        *hooks["request"],
        lambda request: asked.append(request.headers.get("range")),
    ]
    return asked


@pytest.mark.parametrize("mode", ["server", "server-pg-s3"], indirect=True)
def test_large_downloads_fetch_ranges_in_parallel_from_a_bucket_only(
    client: Client, platform: AppContext, tmp_path: Path, small_ranges: None
) -> None:
    """From a bucket a large file comes in parallel ranges; from the API's own route (a
    local folder) in one stream, which costs the server less CPU, read straight off the
    socket rather than through the downloads client."""
    version = new_version(client)
    size = 26 * MiB + 7  # 6 ranges, the last short
    weights = random_file(tmp_path / "w.bin", size)
    stored = version.store("weights", weights)
    asked = ranges_asked(client)
    stored.download(tmp_path / "out")
    assert sha256(tmp_path / "out" / "w.bin") == sha256(weights)
    if platform.storage.direct_uploads:
        ranges = [f"bytes={at}-{min(at + 5 * MiB, size) - 1}" for at in range(0, size, 5 * MiB)]
        assert len(asked) == len(ranges) and set(asked) == set(ranges)
    else:
        assert asked == []
    _overwrite_object(platform, stored.object_name, os.urandom(26 * MiB + 7))
    with pytest.raises(ChecksumMismatchError):
        stored.download(tmp_path / "again")
    assert list((tmp_path / "again").iterdir()) == []
