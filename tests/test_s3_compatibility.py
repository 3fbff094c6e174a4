"""The S3 backend against two different S3-compatible servers.

The suite's own server is ``rclone serve s3``; moto's standalone server, the other one
Python projects commonly test against, checks less but answers differently. Servers differ
in small ways (status codes, which headers they answer with, how they sign and check), so
every storage operation pixlake relies on runs against both: the single signed PUT of
in-memory bytes, a plain PUT of a staged file, a multipart upload, reads, lookups, deletes,
presigned URLs and the start-up check.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest

from pixlake.errors import StorageError
from pixlake.storage.s3 import S3Storage
from tests.services import (
    S3Server,
    free_port,
    start_s3_server,
    stop_process,
    wait_for_port,
)

THRESHOLD = 5 * 1024 * 1024


@pytest.fixture(scope="module", params=["rclone", "moto"])
def s3_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[S3Server]:
    if request.param == "rclone":
        with start_s3_server() as server:
            yield server
        return
    pytest.importorskip("moto.server", reason="moto[server] is in the dev extras")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield S3Server(f"http://127.0.0.1:{port}", "moto-key", "moto-secret")
    finally:
        stop_process(process)


@pytest.fixture
def storage(s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    """A storage on a new bucket of ``s3_server``, found the standard AWS way."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"compat-{uuid.uuid4().hex[:8]}"
    # Explicit: boto3's default session keeps the credentials it first found.
    boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
    ).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket,
        "objects",
        tmp_path / "staging",
        multipart_threshold=THRESHOLD,
        memory_budget=1024 * 1024,
    )


def read(storage: S3Storage, object_name: str) -> bytes:
    with storage.open(object_name) as stream:
        return stream.read()


def test_the_start_up_check(storage: S3Storage, tmp_path: Path) -> None:
    storage.check()
    missing = S3Storage(
        "no-such-bucket-here", "x", tmp_path / "other", multipart_threshold=THRESHOLD
    )
    with pytest.raises(StorageError, match="no-such-bucket-here"):
        missing.check()


def test_in_memory_bytes_go_up_in_one_signed_put(storage: S3Storage) -> None:
    payload = b"small picture" * 100
    staged = storage.stage_stream([payload])
    assert staged.data is not None and storage._signed_put is not None
    assert storage._signed_put(storage._key("ab/small"), staged.data, staged.checksum)
    storage.discard(staged)
    assert read(storage, "ab/small") == payload


def test_a_staged_file_goes_up_whole(storage: S3Storage, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 8000  # over the memory budget, under the threshold
    source = tmp_path / "file.bin"
    source.write_bytes(payload)
    staged = storage.stage_file(source)
    assert staged.path is not None
    storage.commit(staged, "cd/file")
    assert read(storage, "cd/file") == payload
    assert storage.open_sized("cd/file")[1] == len(payload)


def test_a_large_file_goes_up_in_parts(storage: S3Storage, tmp_path: Path) -> None:
    payload = hashlib.sha256(b"seed").digest() * (12 * 1024 * 1024 // 32)
    source = tmp_path / "big.bin"
    source.write_bytes(payload)
    storage.commit(storage.stage_file(source), "ef/big")
    assert read(storage, "ef/big") == payload


def test_lookups_and_deletes(storage: S3Storage) -> None:
    storage.commit(storage.stage_stream([b"to be deleted"]), "gh/gone")
    assert storage.exists("gh/gone")
    storage.delete("gh/gone")
    assert not storage.exists("gh/gone")
    assert not storage.exists("gh/never-there")


def test_presigned_urls_serve_the_bytes_with_their_type(storage: S3Storage) -> None:
    storage.commit(storage.stage_stream([b"\x89PNG fake"]), "ij/picture")
    answer = httpx.get(storage.presigned_url("ij/picture", "image/png", 60))
    assert answer.status_code == 200
    assert answer.content == b"\x89PNG fake"
    assert answer.headers["content-type"] == "image/png"
