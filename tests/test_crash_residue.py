"""Crash residue swept: staging files, objects no row names and unfinished bucket uploads
are removed once older than the grace period, and nothing a row names, nothing younger."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from click.testing import CliRunner

from pixlake import Client
from pixlake.cli.main import cli
from pixlake.core import tables as t
from pixlake.core.context import AppContext
from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.services.orphans import OBJECT_NAME_COLUMNS, sweep_orphans
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.samples import make_image
from pixlake.settings import Settings
from pixlake.storage import LocalStorage
from tests.services import ServeProcess, pixlake_environment, run_pixlake

DAY_AND_AN_HOUR = 25 * 3600


def age(path: Path, seconds: float = DAY_AND_AN_HOUR) -> None:
    """Make a file look last written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def staging_files(workspace: Path) -> list[Path]:
    return sorted((workspace / "staging").iterdir())


def plant_orphan(ctx: AppContext, datalake_id: uuid.UUID, payload: bytes) -> str:
    """Store bytes under the name an upload would give them, without their row: what a
    process killed between putting the object in place and committing leaves."""
    staged = ctx.storage.stage_stream([payload])
    name = data_service.object_name_for(datalake_id, staged.checksum)
    ctx.storage.commit(staged, name)
    ctx.storage.discard(staged)
    return name


def default_datalake(opened: Workspace) -> uuid.UUID:
    return datalake_service.list_datalakes(opened.context, opened.owner)[0].id


def test_every_column_naming_objects_is_swept() -> None:
    named_by = {
        column
        for table in t.metadata.tables.values()
        for column in table.c
        if column.name == "object_name"
    }
    assert named_by == set(OBJECT_NAME_COLUMNS), "a new table names objects: teach the sweep"


# A real server killed mid-upload


def start_upload(
    url: str, token: str, datalake_id: str, sent: threading.Event, release: threading.Event
) -> threading.Thread:
    """PUT a file whose bytes stop arriving after 3 MiB, as a client would while the
    server is killed."""

    def body() -> Iterator[bytes]:
        for _ in range(3):
            yield b"\xff" * (1024 * 1024)
        sent.set()
        release.wait(30)

    def send() -> None:
        with contextlib.suppress(httpx.TransportError):  # the server is killed mid-way
            httpx.put(
                f"{url}/datalakes/{datalake_id}/data",
                params={"filename": "big.jpg"},
                content=body(),
                headers={"authorization": f"Bearer {token}"},
                timeout=30,
            )

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def test_a_killed_upload_leaves_a_staging_file_that_gc_removes(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    env = pixlake_environment(workspace=str(workspace))
    created = run_pixlake(env, "users", "create", "alice", "--org", "acme")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    server = ServeProcess(env).start()
    sent, release = threading.Event(), threading.Event()
    try:
        datalake_id = httpx.get(
            f"{server.url}/datalakes", headers={"authorization": f"Bearer {token}"}
        ).json()[0]["id"]
        upload = start_upload(server.url, token, datalake_id, sent, release)
        assert sent.wait(30)
        deadline = time.monotonic() + 30
        while not (
            staging_files(workspace)
            and staging_files(workspace)[0].stat().st_size >= 3 * 1024 * 1024
        ):
            assert time.monotonic() < deadline, "the upload was never staged"
            time.sleep(0.05)
        server.kill()
    finally:
        release.set()
        server.stop()
    upload.join(30)
    [left] = staging_files(workspace)
    size = left.stat().st_size

    young = run_pixlake(env, "gc")
    assert young.returncode == 0, young.stderr
    assert "removed 0 staging file(s), 0 bytes" in young.stdout
    assert left.exists(), "a young staging file may belong to an upload in flight"

    age(left)
    swept = run_pixlake(env, "gc")
    assert swept.returncode == 0, swept.stderr
    assert f"removed 1 staging file(s), {size:,} bytes" in swept.stdout
    assert staging_files(workspace) == []


def test_serve_sweeps_residue_at_start_up(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    image = make_image(tmp_path / "kept.jpg", 32, 24, seed=1)
    opened = open_workspace(Settings(workspace=workspace))
    try:
        datalake_id = default_datalake(opened)
        [kept] = data_service.ingest_local_files(
            opened.context, opened.owner, datalake_id, [str(image)]
        )
        orphan = plant_orphan(opened.context, datalake_id, b"orphaned bytes")
        storage = opened.context.storage
        assert isinstance(storage, LocalStorage)
        for name in (kept.object_name, orphan):
            age(storage.local_path(name))
        leftover = storage.new_staging_path()
        leftover.write_bytes(b"half an upload")
        age(leftover)
    finally:
        opened.close()

    server = ServeProcess(pixlake_environment(workspace=str(workspace))).start()
    try:
        assert not leftover.exists(), "staging files are swept before listening"
        deadline = time.monotonic() + 30
        while storage.local_path(orphan).exists():
            assert time.monotonic() < deadline, "the orphaned object was never swept"
            time.sleep(0.05)
        assert storage.local_path(kept.object_name).read_bytes() == image.read_bytes()
    finally:
        server.stop()


def test_opening_an_embedded_workspace_sweeps_old_staging_files(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    Client(workspace=workspace).close()
    old, young = workspace / "staging" / "old.part", workspace / "staging" / "young.part"
    old.write_bytes(b"a killed upload's bytes")
    young.write_bytes(b"an upload in flight")
    age(old)
    with Client(workspace=workspace):
        assert not old.exists()
        assert young.exists()


# The sweep itself, on both stores


@pytest.fixture(params=["local", "s3"])
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    settings = Settings(workspace=tmp_path / "ws")
    if request.param == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        settings = Settings(
            workspace=tmp_path / "ws",
            database_url=request.getfixturevalue("postgres_url"),
            storage_url=f"s3://{bucket}/sweep-{uuid.uuid4().hex[:8]}",
        )
    opened = open_workspace(settings)
    yield opened
    opened.close()


def test_old_orphans_go_named_and_young_objects_stay(platform: Workspace, tmp_path: Path) -> None:
    ctx = platform.context
    datalake_id = default_datalake(platform)
    image = make_image(tmp_path / "named.jpg", 32, 24, seed=uuid.uuid4().int % 100_000)
    [named] = data_service.ingest_local_files(ctx, platform.owner, datalake_id, [str(image)])
    orphan = plant_orphan(ctx, datalake_id, uuid.uuid4().bytes * 100)

    now = sweep_orphans(ctx)
    assert now.objects.count == 0, "every object is younger than the grace period"
    assert ctx.storage.exists(orphan)

    # A day and an hour later, as far as the sweep can tell:
    later = sweep_orphans(ctx, now=time.time() + DAY_AND_AN_HOUR)
    assert (later.objects.count, later.objects.bytes) == (1, 1600)
    assert not ctx.storage.exists(orphan)
    assert ctx.storage.exists(named.object_name)
    with ctx.storage.open(named.object_name) as stream:
        assert stream.read() == image.read_bytes()
    again = sweep_orphans(ctx, now=time.time() + DAY_AND_AN_HOUR)
    assert again.objects.count == 0


def test_objects_pixlake_does_not_name_are_left(platform: Workspace) -> None:
    ctx = platform.context
    staged = ctx.storage.stage_stream([b"someone else's file"])
    ctx.storage.commit(staged, "notes/readme.txt")
    ctx.storage.discard(staged)
    report = sweep_orphans(ctx, now=time.time() + DAY_AND_AN_HOUR)
    assert report.foreign_objects == 1
    assert ctx.storage.exists("notes/readme.txt")


def test_an_unfinished_bucket_upload_is_aborted(
    tmp_path: Path, s3_bucket: str, postgres_url: str
) -> None:
    prefix = f"multipart-{uuid.uuid4().hex[:8]}"
    opened = open_workspace(
        Settings(
            workspace=tmp_path / "ws",
            database_url=postgres_url,
            storage_url=f"s3://{s3_bucket}/{prefix}",
        )
    )
    try:
        name = data_service.object_name_for(default_datalake(opened), "ab" * 32)
        s3 = boto3.session.Session().client("s3")
        upload = s3.create_multipart_upload(Bucket=s3_bucket, Key=f"{prefix}/{name}")
        s3.upload_part(
            Bucket=s3_bucket,
            Key=f"{prefix}/{name}",
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=b"\x00" * 5000,
        )

        assert sweep_orphans(opened.context).unfinished_uploads.count == 0
        later = sweep_orphans(opened.context, now=time.time() + DAY_AND_AN_HOUR)
        assert (later.unfinished_uploads.count, later.unfinished_uploads.bytes) == (1, 5000)
        left = s3.list_multipart_uploads(Bucket=s3_bucket, Prefix=f"{prefix}/")
        assert left.get("Uploads", []) == []
    finally:
        opened.close()


def test_an_object_written_again_while_swept_is_put_back(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    staged = storage.stage_stream([b"same bytes"])
    storage.commit(staged, "a/b/c")
    [listed] = storage.list_objects()
    # An upload of the same bytes renames its own staging file into place after the
    # listing: a new file, which must survive the delete of the one listed.
    again = storage.stage_stream([b"same bytes"])
    storage.commit(again, "a/b/c")
    assert storage.delete_unchanged([listed]) == []
    assert storage.local_path("a/b/c").read_bytes() == b"same bytes"
    [relisted] = storage.list_objects()
    assert storage.delete_unchanged([relisted]) == [relisted]
    assert not storage.exists("a/b/c")
    assert list(storage.staging_dir.iterdir()) == []


# The commands


def test_trash_purge_sweeps_residue(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    opened = open_workspace(Settings(workspace=workspace))
    try:
        orphan = plant_orphan(opened.context, default_datalake(opened), b"x" * 1234)
        path = opened.context.storage.local_path(orphan)
        assert path is not None
        age(path)
    finally:
        opened.close()
    result = CliRunner().invoke(cli, ["trash", "purge", "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "purged 0 item(s)" in result.output
    assert "removed 1 orphaned object(s), 1,234 bytes" in result.output
    assert not path.exists()


def test_gc_help_says_what_it_removes() -> None:
    result = CliRunner().invoke(cli, ["gc", "--help"])
    assert result.exit_code == 0
    assert "PIXLAKE_ORPHAN_GRACE_HOURS" in result.output
    assert "staging files" in result.output


def test_a_stored_export_is_swept_once_older_than_the_grace_period(
    platform: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from pixlake.core.services import datasets, exports
    from pixlake.enums import AnnotationFileType, InferenceType
    from pixlake.formats.writers import coco
    from pixlake.schemas import ExportRequest

    class FrozenClock(datetime):
        """The COCO document's date_created, to the second: two exports that straddle a
        second would otherwise be two documents."""

        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return datetime(2026, 1, 1, tzinfo=UTC)

    monkeypatch.setattr(coco, "datetime", FrozenClock)

    ctx, owner = platform.context, platform.owner
    created = datasets.create_dataset(ctx, owner, f"exported-{uuid.uuid4().hex[:6]}", "")
    version = datasets.create_version(
        ctx, owner, created.id, "v1", "", InferenceType.OBJECT_DETECTION
    )
    plan = exports.plan_export(
        ctx, owner, version.id, ExportRequest(format=AnnotationFileType.COCO)
    )
    stored = exports.store_export(ctx, plan)
    assert stored.startswith(f"exports/{owner.organization_id}/")
    with ctx.storage.open(stored) as stream:
        assert b'"categories"' in stream.read()
    assert exports.store_export(ctx, plan) == stored  # the same export is one object

    assert sweep_orphans(ctx).objects.count == 0
    assert ctx.storage.exists(stored)
    later = sweep_orphans(ctx, now=time.time() + DAY_AND_AN_HOUR)
    assert later.objects.count == 1 and later.foreign_objects == 0
    assert not ctx.storage.exists(stored)
