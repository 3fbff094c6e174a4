"""Running on PostgreSQL and an S3-compatible bucket: start-up faults, presigned URLs,
objects in the bucket, and concurrent clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from click.testing import CliRunner

from pixlake import Client
from pixlake.cli.main import cli
from pixlake.core.services.accounts import create_user
from pixlake.settings import Settings
from pixlake.storage.s3 import S3Storage
from tests.conftest import LiveServer, _serve


def serve_fails(*args: str, env: dict[str, str] | None = None) -> str:
    """Run ``pixlake serve`` expecting a clean refusal; return what it said."""
    result = CliRunner().invoke(cli, ["serve", "--port", "9", *args], env=env)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: ")
    return result.output


def test_unreachable_database_at_start(tmp_path: Path) -> None:
    said = serve_fails(
        "--workspace",
        str(tmp_path),
        "--database-url",
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
    )
    assert "cannot use the database at postgresql+psycopg://postgres@127.0.0.1:1/nowhere" in said


def test_password_is_not_shown(tmp_path: Path) -> None:
    said = serve_fails(
        "--workspace",
        str(tmp_path),
        "--database-url",
        "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/nowhere",
    )
    assert "hunter2" not in said and "***" in said


def test_missing_bucket_at_start(tmp_path: Path, s3_bucket: str) -> None:
    said = serve_fails(
        "--workspace", str(tmp_path), "--storage-url", "s3://no-such-bucket-here/prefix"
    )
    assert "no-such-bucket-here" in said and "no such bucket" in said


@pytest.mark.parametrize("which", ["unknown key", "wrong secret"])
def test_wrong_credentials_at_start(tmp_path: Path, s3_bucket: str, which: str) -> None:
    import os

    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    wrong = (
        {"AWS_ACCESS_KEY_ID": "nobody", "AWS_SECRET_ACCESS_KEY": secret}
        if which == "unknown key"
        else {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    )
    said = serve_fails(
        "--workspace", str(tmp_path), "--storage-url", f"s3://{s3_bucket}/x", env=wrong
    )
    assert "credentials" in said and s3_bucket in said


def test_unreachable_bucket_at_start(tmp_path: Path) -> None:
    said = serve_fails(
        "--workspace",
        str(tmp_path),
        "--storage-url",
        "s3://bucket-one/x",
        env={
            "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
            "AWS_ACCESS_KEY_ID": "k",
            "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "1",
        },
    )
    assert "bucket-one" in said


def test_default_secret_is_refused_beyond_loopback(tmp_path: Path) -> None:
    said = serve_fails("--workspace", str(tmp_path), "--host", "0.0.0.0")
    assert "PIXLAKE_SECRET_KEY" in said
    said = serve_fails("--workspace", str(tmp_path), "--host", "0.0.0.0", "--secret-key", "")
    assert "PIXLAKE_SECRET_KEY" in said


def test_serve_help_lists_every_setting() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    for name in Settings.model_fields:
        assert f"PIXLAKE_{name.upper()}" in result.output
    for option in (
        "--database-url",
        "--storage-url",
        "--secret-key",
        "--workers",
        "--large-file-threshold",
        "--trash-retention-days",
    ):
        assert option in result.output


@pytest.fixture
def pg_s3_client(live_server_pg_s3: LiveServer) -> Iterator[Client]:
    _name, token = live_server_pg_s3.new_user()
    with Client(api_token=token, host=live_server_pg_s3.url) as client:
        yield client


def test_urls_point_at_the_bucket(pg_s3_client: Client, images: list[Path]) -> None:
    import os

    data = pg_s3_client.get_datalake().upload_data(images[0])
    url = data.reset_url()
    assert url.startswith(os.environ["AWS_ENDPOINT_URL"])  # bytes never go through the API
    assert "X-Amz-Signature" in url
    assert httpx.get(url).content == images[0].read_bytes()


def test_objects_live_in_the_bucket(
    pg_s3_client: Client, images: list[Path], s3_bucket: str
) -> None:
    s3 = boto3.client("s3")
    data = pg_s3_client.get_datalake().upload_data(images[0])
    key = f"objects/{data.object_name}"
    assert s3.head_object(Bucket=s3_bucket, Key=key)["ContentLength"] == data.size
    data.delete()
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=s3_bucket, Key=key)


def test_presigned_url_expires(
    tmp_path: Path, postgres_url: str, s3_bucket: str, images: list[Path]
) -> None:
    settings = Settings(
        workspace=tmp_path,
        database_url=postgres_url,
        storage_url=f"s3://{s3_bucket}/expiring",
        url_expiry_seconds=3,
    )
    servers = _serve(settings)
    server = next(servers)
    try:
        _name, token = server.new_user()
        with Client(api_token=token, host=server.url) as client:
            url = client.get_datalake().upload_data(images[0]).reset_url()
        # The signing time is whole seconds: the URL lives between 2 and 3 s from now.
        assert httpx.get(url).status_code == 200
        time.sleep(4.5)
        expired = httpx.get(url)
        # AWS answers 403, rclone 400; both with AccessDenied and none of the bytes.
        assert expired.status_code in (400, 403)
        assert "AccessDenied" in expired.text
        assert images[0].read_bytes() not in expired.content
    finally:
        servers.close()


def test_large_files_go_up_in_parts(tmp_path: Path, s3_bucket: str) -> None:
    """Above the large-file threshold boto3 uploads in parts; the object is whole."""
    from pixlake.storage.base import StagedObject

    storage = S3Storage(
        s3_bucket, "multipart", tmp_path / "staging", multipart_threshold=5 * 1024 * 1024
    )
    payload = bytes(range(256)) * (12 * 1024 * 1024 // 256)
    source = tmp_path / "big.bin"
    source.write_bytes(payload)
    staged = storage.stage_file(source)
    assert isinstance(staged, StagedObject)
    storage.commit(staged, "big/object")
    with storage.open("big/object") as stream:
        assert stream.read() == payload
    assert not staged.path.exists()


def test_same_bytes_uploaded_at_once_give_one_data(
    pg_s3_client: Client, live_server_pg_s3: LiveServer, images: list[Path]
) -> None:
    """Eight clients race to upload the same file: one Data, one object."""
    org = pg_s3_client.organization_name
    tokens = [
        create_user(live_server_pg_s3.workspace.context, f"racer-{i}-{time.time_ns()}", org)[1]
        for i in range(8)
    ]
    barrier = threading.Barrier(len(tokens))
    ids: list[object] = []
    errors: list[BaseException] = []

    def race(token: str) -> None:
        try:
            with Client(api_token=token, host=live_server_pg_s3.url) as racer:
                lake = racer.get_datalake()
                barrier.wait()
                ids.append(lake.upload_data(images[0]).id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
    assert len(pg_s3_client.get_datalake().list_data()) == 1


def test_two_workers_annotating_at_once_lose_nothing(
    pg_s3_client: Client, live_server_pg_s3: LiveServer, images: list[Path]
) -> None:
    version = pg_s3_client.create_dataset("race").create_version("v")
    assets = version.add_data(pg_s3_client.get_datalake().upload_data(images))
    version.create_label("cat")
    other_name = f"colleague-{time.time_ns()}"
    _user, token = create_user(
        live_server_pg_s3.workspace.context, other_name, pg_s3_client.organization_name
    )
    pg_s3_client.get_dataset("race").add_worker(other_name)
    errors: list[BaseException] = []

    def annotate(client_token: str | None) -> None:
        try:
            client = (
                pg_s3_client
                if client_token is None
                else Client(api_token=client_token, host=live_server_pg_s3.url)
            )
            mine = client.get_dataset("race").get_version("v")
            label = mine.get_label("cat")
            for asset in mine.list_assets():
                annotation = asset.create_annotation(1.0)
                annotation.create_multiple_rectangles([(i, i, 5, 5, label) for i in range(20)])
            if client is not pg_s3_client:
                client.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=annotate, args=(t,)) for t in (None, token)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stats = version.retrieve_stats()
    assert stats.nb_annotations == 2 * len(assets)
    assert stats.nb_objects == 2 * 20 * len(assets)
    assert stats.label_repartition == {"cat": 2 * 20 * len(assets)}
