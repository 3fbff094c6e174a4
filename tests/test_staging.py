"""Staging incoming bytes: in memory within a budget for a bucket, on disk otherwise; and
the signed single-request PUT that sends staged bytes to the bucket."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.workspace import open_workspace
from pixlake.errors import (
    EmptyFileError,
    InsufficientStorageError,
    InvalidMediaError,
    StorageError,
)
from pixlake.settings import Settings
from pixlake.storage import LocalStorage, base
from pixlake.storage.base import PIPELINED_STAGING_MIN
from pixlake.storage.factory import storage_from_settings
from pixlake.storage.s3 import S3Storage
from pixlake.storage.signed_put import put_object_url
from tests.services import S3Server, start_s3_server

BUDGET = 64 * 1024


@pytest.fixture
def bucket_storage(tmp_path: Path, s3_bucket: str) -> S3Storage:
    return S3Storage(
        s3_bucket,
        f"staging-{tmp_path.name}",
        tmp_path / "staging",
        multipart_threshold=5 * 1024 * 1024,
        memory_budget=BUDGET,
    )


def chunks_of(payload: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def staging_files(storage: S3Storage | LocalStorage) -> list[Path]:
    return list(storage.staging_dir.iterdir())


def test_a_small_file_is_staged_in_memory(bucket_storage: S3Storage) -> None:
    payload = b"\x01" * 1000
    staged = bucket_storage.stage_stream(chunks_of(payload, 300))
    assert staged.data == payload and staged.path is None
    assert staged.size == 1000
    assert staged.checksum == hashlib.sha256(payload).hexdigest()
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET - 1000
    assert staging_files(bucket_storage) == []

    bucket_storage.discard(staged)
    bucket_storage.discard(staged)  # twice: the memory is given back once
    assert staged.data is None
    assert bucket_storage.memory_budget.free == BUDGET


def test_a_file_over_the_per_file_limit_goes_to_disk(bucket_storage: S3Storage) -> None:
    bucket_storage.memory_staging_max_file = 2000
    payload = bytes(range(256)) * 20  # 5,120 bytes, crossing the limit mid-stream
    staged = bucket_storage.stage_stream(chunks_of(payload, 700))
    assert staged.data is None and staged.path is not None
    assert staged.path.read_bytes() == payload
    assert staged.checksum == hashlib.sha256(payload).hexdigest()
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET  # what was held went to the file
    bucket_storage.discard(staged)
    assert staging_files(bucket_storage) == []


def test_a_file_known_to_be_large_never_enters_memory(bucket_storage: S3Storage) -> None:
    bucket_storage.memory_staging_max_file = 2000
    budget = bucket_storage.memory_budget
    assert budget is not None

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            assert budget.free == BUDGET  # nothing held, not even the first chunks
            yield b"z" * 1000

    staged = bucket_storage.stage_stream(chunks(), expected_size=5000)
    assert staged.path is not None and staged.path.read_bytes() == b"z" * 5000
    bucket_storage.discard(staged)


def test_memory_staging_stays_below_the_multipart_threshold(tmp_path: Path, s3_bucket: str) -> None:
    storage = S3Storage(
        s3_bucket, "threshold", tmp_path / "staging", multipart_threshold=4096, memory_budget=BUDGET
    )
    assert storage.memory_staging_max_file == 4095
    assert storage.stage_stream([b"a" * 4095]).data is not None
    assert storage.stage_stream([b"b" * 4096]).path is not None


def test_a_failed_spill_gives_memory_back(bucket_storage: S3Storage, tmp_path: Path) -> None:
    """The file a spill needs can't be created (no such folder, too many open files...)."""
    bucket_storage.memory_staging_max_file = 1000
    bucket_storage.new_staging_path = lambda: tmp_path / "gone" / "x.part"  # type: ignore[method-assign]
    with pytest.raises(FileNotFoundError):
        bucket_storage.stage_stream(chunks_of(b"s" * 1600, 600))
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET


def test_a_reused_buffer_does_not_change_held_bytes(bucket_storage: S3Storage) -> None:
    buffer = bytearray(b"first")

    def chunks() -> Iterator[bytearray]:
        yield buffer
        buffer[:] = b"other"
        yield buffer

    staged = bucket_storage.stage_stream(chunks())  # type: ignore[arg-type]
    assert staged.data == b"firstother"
    assert staged.checksum == hashlib.sha256(b"firstother").hexdigest()


def test_once_the_budget_is_spent_files_go_to_disk(bucket_storage: S3Storage) -> None:
    first = bucket_storage.stage_stream([b"a" * (BUDGET - 100)])
    second = bucket_storage.stage_stream([b"b" * 500])
    assert first.data is not None
    assert second.data is None and second.path is not None
    assert second.path.read_bytes() == b"b" * 500

    bucket_storage.discard(first)
    third = bucket_storage.stage_stream([b"c" * 500])
    assert third.data == b"c" * 500  # memory given back is used again
    for staged in (second, third):
        bucket_storage.discard(staged)
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET
    assert staging_files(bucket_storage) == []


@pytest.mark.parametrize("size", [1000, 200_000], ids=["in-memory", "on-disk"])
def test_a_broken_stream_leaves_nothing_behind(bucket_storage: S3Storage, size: int) -> None:
    def broken() -> Iterator[bytes]:
        yield b"x" * size
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        bucket_storage.stage_stream(broken())
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET
    assert staging_files(bucket_storage) == []


def test_a_local_folder_always_stages_on_disk(tmp_path: Path) -> None:
    """Its commit is a rename of the staging file: nothing to gain from memory."""
    storage = LocalStorage(tmp_path / "store")
    assert storage.memory_budget is None
    staged = storage.stage_stream([b"small"])
    assert staged.data is None and staged.path is not None
    storage.commit(staged, "ab/object")
    assert (tmp_path / "store" / "objects" / "ab" / "object").read_bytes() == b"small"


def test_staging_memory_setting(tmp_path: Path, s3_bucket: str) -> None:
    def storage_with(**values: object) -> S3Storage:
        storage = storage_from_settings(
            Settings(workspace=tmp_path, storage_url=f"s3://{s3_bucket}/x", **values)
        )
        assert isinstance(storage, S3Storage)
        return storage

    default = storage_with()
    assert default.memory_budget is not None
    assert default.memory_budget.limit == 256 * 1024 * 1024
    assert storage_with(staging_memory=1234).memory_budget.limit == 1234  # type: ignore[union-attr]
    off = storage_with(staging_memory=0)
    assert off.memory_budget is None
    assert off.stage_stream([b"small"]).path is not None


def test_staged_bytes_reach_the_bucket_in_one_signed_put(
    bucket_storage: S3Storage, s3_bucket: str
) -> None:
    assert bucket_storage._signed_put is not None
    answers: list[bool] = []
    signed_put = bucket_storage._signed_put

    def spy(key: str, body: bytes, sha256_hex: str) -> bool:
        answers.append(signed_put(key, body, sha256_hex))
        return answers[-1]

    bucket_storage._signed_put = spy  # type: ignore[assignment]
    payload = bytes(range(256)) * 40
    staged = bucket_storage.stage_stream([payload])
    bucket_storage.commit(staged, "signed/odd name+é")
    assert answers == [True]
    assert staged.data is None
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET
    body = boto3.client("s3").get_object(
        Bucket=s3_bucket, Key=f"{bucket_storage.prefix}/signed/odd name+é"
    )
    assert body["Body"].read() == payload


def test_the_signed_put_declares_the_hash_of_its_body(bucket_storage: S3Storage) -> None:
    """Not every store checks the body against the declared SHA-256 (AWS does, rclone does
    not), so the request itself is checked here."""
    signed_put = bucket_storage._signed_put
    assert signed_put is not None
    sent: list[Any] = []
    session = signed_put._http

    class Recording:
        def send(self, request: Any) -> Any:
            sent.append(request)
            return session.send(request)

    signed_put._http = Recording()
    payload = b"hashed bytes" * 300
    staged = bucket_storage.stage_stream([payload])
    bucket_storage.commit(staged, "signed/hashed")
    assert len(sent) == 1
    headers = {name.lower(): value for name, value in sent[0].headers.items()}
    assert headers["x-amz-content-sha256"] == hashlib.sha256(payload).hexdigest()
    assert sent[0].body == payload


def test_a_refused_signed_put_falls_back_to_put_object(bucket_storage: S3Storage) -> None:
    signed_put = bucket_storage._signed_put
    assert signed_put is not None
    # Aim the signed request at a bucket that does not exist: the store answers 404.
    signed_put._url_before_key = signed_put._url_before_key.replace(
        bucket_storage.bucket, "pixlake-no-such-bucket"
    )
    answers: list[bool] = []
    bucket_storage._signed_put = lambda *args: answers.append(signed_put(*args)) or False  # type: ignore[assignment,func-returns-value]
    staged = bucket_storage.stage_stream([b"fallback bytes"])
    bucket_storage.commit(staged, "fallback/object")
    assert answers == [False]
    with bucket_storage.open("fallback/object") as stream:
        assert stream.read() == b"fallback bytes"


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "eu-south-2"])
@pytest.mark.parametrize("bucket", ["pixlake-objects", "pixlake.dotted.name"])
def test_signed_puts_go_where_put_object_goes_on_aws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, region: str, bucket: str
) -> None:
    """No request leaves the machine: the URLs are compared before sending."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    storage = S3Storage(
        bucket, "p", tmp_path / "staging", multipart_threshold=1 << 20, memory_budget=BUDGET
    )
    assert storage._signed_put is not None
    for key in ["p/ab/cd", "p/odd name+é/~(1)%.jpg"]:
        expected = put_object_url(storage.client, bucket, key)
        assert storage._signed_put.url(key) == expected
        if region != "us-east-1":
            assert f".{region}." in expected
        presigned = storage.client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}
        )
        assert presigned.split("?")[0] == expected  # reset_url() names the Region too


def test_signed_puts_give_up_after_failing_again_and_again(
    bucket_storage: S3Storage, caplog: pytest.LogCaptureFixture
) -> None:
    signed_put = bucket_storage._signed_put
    assert signed_put is not None
    signed_put._url_before_key = signed_put._url_before_key.replace(
        bucket_storage.bucket, "pixlake-no-such-bucket"
    )
    with caplog.at_level(logging.WARNING, logger="pixlake.storage.signed_put"):
        for index in range(25):
            staged = bucket_storage.stage_stream([f"object {index}".encode()])
            bucket_storage.commit(staged, f"give-up/{index}")  # put_object stores them
    assert not signed_put.enabled
    assert len([r for r in caplog.records if "in a row" in r.message]) == 1
    with bucket_storage.open("give-up/24") as stream:
        assert stream.read() == b"object 24"


@pytest.fixture(scope="module")
def signing_server() -> Iterator[S3Server]:
    with start_s3_server() as server:
        yield server


def storage_on(
    server: S3Server, secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> S3Storage:
    """A storage on ``server`` found the standard AWS way, for this test only."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    bucket = f"signed-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3", aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key
    ).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket, "p", tmp_path / "staging", multipart_threshold=5 * 1024 * 1024, memory_budget=BUDGET
    )


@pytest.mark.parametrize("object_name", ["ab/cdef", "odd name+é/~(1)"])
def test_a_store_checking_signatures_accepts_the_signed_put(
    signing_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, object_name: str
) -> None:
    storage = storage_on(signing_server, signing_server.secret_key, tmp_path, monkeypatch)
    assert storage._signed_put is not None
    staged = storage.stage_stream([b"signed bytes"])
    assert staged.data is not None
    assert storage._signed_put(f"p/{object_name}", staged.data, staged.checksum) is True
    with storage.open(object_name) as stream:
        assert stream.read() == b"signed bytes"
    storage.discard(staged)


def test_a_wrong_secret_is_refused_with_the_object_named(
    signing_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = storage_on(signing_server, "not-the-secret", tmp_path, monkeypatch)
    staged = storage.stage_stream([b"refused bytes"])
    with pytest.raises(StorageError, match="refused/object"):
        storage.commit(staged, "refused/object")
    storage.discard(staged)
    assert storage.memory_budget is not None
    assert storage.memory_budget.free == BUDGET


@pytest.mark.parametrize(
    "bad, error",
    [(b"", EmptyFileError), (b"\xff\xd8\xff\xe0" + b"\x00" * 40, InvalidMediaError)],
    ids=["empty", "truncated"],
)
def test_a_refused_batch_gives_memory_back_and_stores_nothing(
    tmp_path: Path, s3_bucket: str, images: list[Path], bad: bytes, error: type[Exception]
) -> None:
    workspace = open_workspace(
        Settings(workspace=tmp_path / "ws", storage_url=f"s3://{s3_bucket}/refused-{tmp_path.name}")
    )
    try:
        ctx, owner = workspace.context, workspace.owner
        datalake = datalake_service.list_datalakes(ctx, owner)[0]
        staged = [
            ("good.jpg", ctx.storage.stage_stream([images[0].read_bytes()])),
            ("bad.jpg", ctx.storage.stage_stream([bad])),
        ]
        assert staged[0][1].data is not None
        with pytest.raises(error, match="bad.jpg"):
            data_service.ingest_staged(ctx, owner, datalake.id, staged)
        budget = ctx.storage.memory_budget
        assert budget is not None and budget.free == budget.limit
        listed = boto3.client("s3").list_objects_v2(
            Bucket=s3_bucket, Prefix=f"refused-{tmp_path.name}/"
        )
        assert listed.get("KeyCount", 0) == 0
    finally:
        workspace.close()


# Large bodies of known size: hashed and written in a thread while the next bytes arrive.


async def async_chunks(payload: bytes, size: int, fail_at: int | None = None) -> Any:
    for start in range(0, len(payload), size):
        if fail_at is not None and start >= fail_at:
            raise ConnectionError("the client went away")
        yield payload[start : start + size]


@pytest.mark.parametrize("chunk", [1000, 256 * 1024, 3 * 1024 * 1024])
def test_a_large_body_is_staged_whole_and_in_order(tmp_path: Path, chunk: int) -> None:
    storage = LocalStorage(tmp_path / "store")
    payload = os.urandom(PIPELINED_STAGING_MIN + 12345)
    staged = asyncio.run(storage.stage_async_stream(async_chunks(payload, chunk), len(payload)))
    assert staged.path is not None and staged.path.read_bytes() == payload
    assert (staged.size, staged.checksum) == (len(payload), hashlib.sha256(payload).hexdigest())
    storage.discard(staged)
    assert staging_files(storage) == []


def test_a_large_body_broken_midway_leaves_nothing_behind(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    payload = os.urandom(PIPELINED_STAGING_MIN + 1)
    broken = async_chunks(payload, 256 * 1024, fail_at=len(payload) // 2)
    with pytest.raises(ConnectionError):
        asyncio.run(storage.stage_async_stream(broken, len(payload)))
    assert staging_files(storage) == []


def test_a_large_body_on_a_full_disk_is_a_507_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path / "store")
    payload = os.urandom(PIPELINED_STAGING_MIN + 1)
    real_create = base.create_private_file

    class FillingFile:
        """A staging file on a disk that fills up after a few writes."""

        def __init__(self, path: Path) -> None:
            self._file = real_create(path)
            self._writes = 0

        def write(self, chunk: bytes) -> int:
            self._writes += 1
            if self._writes > 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self._file.write(chunk)

        def close(self) -> None:
            self._file.close()

    monkeypatch.setattr(base, "create_private_file", FillingFile)
    with pytest.raises(InsufficientStorageError):
        asyncio.run(storage.stage_async_stream(async_chunks(payload, 256 * 1024), len(payload)))
    assert staging_files(storage) == []
