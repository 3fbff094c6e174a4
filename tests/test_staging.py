"""Staging incoming bytes: in memory within a budget for a bucket, on disk otherwise; and
the signed single-request PUT that sends staged bytes to the bucket."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.workspace import open_workspace
from pixlake.errors import EmptyFileError, InvalidMediaError, StorageError
from pixlake.settings import Settings
from pixlake.storage import LocalStorage
from pixlake.storage import base as storage_base
from pixlake.storage.factory import storage_from_settings
from pixlake.storage.s3 import S3Storage
from tests.services import SigningS3Server, run_signature_checking_s3_server

BUDGET = 64 * 1024


@pytest.fixture
def bucket_storage(tmp_path: Path, s3_bucket: str) -> S3Storage:
    return S3Storage(s3_bucket, f"staging-{tmp_path.name}", tmp_path / "staging",
                     multipart_threshold=5 * 1024 * 1024, memory_budget=BUDGET)


def chunks_of(payload: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start:start + size]


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


def test_a_file_over_the_per_file_limit_goes_to_disk(bucket_storage: S3Storage,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_base, "MEMORY_STAGING_MAX_FILE", 2000)
    payload = bytes(range(256)) * 20  # 5,120 bytes, crossing the limit mid-stream
    staged = bucket_storage.stage_stream(chunks_of(payload, 700))
    assert staged.data is None and staged.path is not None
    assert staged.path.read_bytes() == payload
    assert staged.checksum == hashlib.sha256(payload).hexdigest()
    assert bucket_storage.memory_budget is not None
    assert bucket_storage.memory_budget.free == BUDGET  # what was held went to the file
    bucket_storage.discard(staged)
    assert staging_files(bucket_storage) == []


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
        storage = storage_from_settings(Settings(workspace=tmp_path,
                                                 storage_url=f"s3://{s3_bucket}/x", **values))
        assert isinstance(storage, S3Storage)
        return storage

    default = storage_with()
    assert default.memory_budget is not None
    assert default.memory_budget.limit == 256 * 1024 * 1024
    assert storage_with(staging_memory=1234).memory_budget.limit == 1234  # type: ignore[union-attr]
    off = storage_with(staging_memory=0)
    assert off.memory_budget is None
    assert off.stage_stream([b"small"]).path is not None


def test_staged_bytes_reach_the_bucket_in_one_signed_put(bucket_storage: S3Storage,
                                                         s3_bucket: str) -> None:
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
    body = boto3.client("s3").get_object(Bucket=s3_bucket,
                                         Key=f"{bucket_storage.prefix}/signed/odd name+é")
    assert body["Body"].read() == payload


def test_a_refused_signed_put_falls_back_to_put_object(bucket_storage: S3Storage) -> None:
    signed_put = bucket_storage._signed_put
    assert signed_put is not None
    # Aim the signed request at a bucket that does not exist: the store answers 404.
    signed_put._url_before_key = signed_put._url_before_key.replace(
        bucket_storage.bucket, "pixlake-no-such-bucket")
    answers: list[bool] = []
    bucket_storage._signed_put = lambda *args: answers.append(signed_put(*args)) or False  # type: ignore[assignment,func-returns-value]
    staged = bucket_storage.stage_stream([b"fallback bytes"])
    bucket_storage.commit(staged, "fallback/object")
    assert answers == [False]
    with bucket_storage.open("fallback/object") as stream:
        assert stream.read() == b"fallback bytes"


@pytest.fixture(scope="module")
def signing_server() -> Iterator[SigningS3Server]:
    with run_signature_checking_s3_server() as server:
        yield server


def storage_on(server: SigningS3Server, secret: str, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    """A storage on ``server`` found the standard AWS way, for this test only."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    bucket = f"signed-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", aws_access_key_id=server.access_key,
                 aws_secret_access_key=server.secret_key).create_bucket(Bucket=bucket)
    return S3Storage(bucket, "p", tmp_path / "staging", multipart_threshold=5 * 1024 * 1024,
                     memory_budget=BUDGET)


@pytest.mark.parametrize("object_name", ["ab/cdef", "odd name+é/~(1)"])
def test_a_store_checking_signatures_accepts_the_signed_put(
        signing_server: SigningS3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        object_name: str) -> None:
    storage = storage_on(signing_server, signing_server.secret_key, tmp_path, monkeypatch)
    assert storage._signed_put is not None
    staged = storage.stage_stream([b"signed bytes"])
    assert staged.data is not None
    assert storage._signed_put(f"p/{object_name}", staged.data, staged.checksum) is True
    with storage.open(object_name) as stream:
        assert stream.read() == b"signed bytes"
    storage.discard(staged)


def test_a_wrong_secret_is_refused_with_the_object_named(
        signing_server: SigningS3Server, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    storage = storage_on(signing_server, "not-the-secret", tmp_path, monkeypatch)
    staged = storage.stage_stream([b"refused bytes"])
    with pytest.raises(StorageError, match="refused/object"):
        storage.commit(staged, "refused/object")
    storage.discard(staged)
    assert storage.memory_budget is not None
    assert storage.memory_budget.free == BUDGET


@pytest.mark.parametrize("bad, error", [(b"", EmptyFileError),
                                        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, InvalidMediaError)],
                         ids=["empty", "truncated"])
def test_a_refused_batch_gives_memory_back_and_stores_nothing(
        tmp_path: Path, s3_bucket: str, images: list[Path], bad: bytes,
        error: type[Exception]) -> None:
    workspace = open_workspace(Settings(workspace=tmp_path / "ws",
                                        storage_url=f"s3://{s3_bucket}/refused-{tmp_path.name}"))
    try:
        ctx, owner = workspace.context, workspace.owner
        datalake = datalake_service.list_datalakes(ctx, owner)[0]
        staged = [("good.jpg", ctx.storage.stage_stream([images[0].read_bytes()])),
                  ("bad.jpg", ctx.storage.stage_stream([bad]))]
        assert staged[0][1].data is not None
        with pytest.raises(error, match="bad.jpg"):
            data_service.ingest_staged(ctx, owner, datalake.id, staged)
        budget = ctx.storage.memory_budget
        assert budget is not None and budget.free == budget.limit
        listed = boto3.client("s3").list_objects_v2(Bucket=s3_bucket,
                                                    Prefix=f"refused-{tmp_path.name}/")
        assert listed.get("KeyCount", 0) == 0
    finally:
        workspace.close()
