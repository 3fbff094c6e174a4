"""Several stateless ``pixlake serve`` processes on one PostgreSQL database and one bucket,
and a server killed in the middle of an upload."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from sqlalchemy import create_engine, func, select

from pixlake import Client, Target
from pixlake.core import tables as t
from pixlake.samples import make_image, make_images
from tests.services import (
    POSTGRES_SERVER,
    ServeProcess,
    make_postgres_database,
    pixlake_environment,
    run_pixlake,
)


@dataclass
class Deployment:
    env: dict[str, str]
    database_url: str
    bucket: str
    prefix: str
    token: str


@contextmanager
def deployment(tmp_path: Path, s3_bucket: str) -> Iterator[Deployment]:
    """A fresh database and bucket prefix, upgraded, with one user; no server yet."""
    with make_postgres_database(POSTGRES_SERVER) as database_url:
        prefix = f"run-{uuid.uuid4().hex[:8]}"
        env = pixlake_environment(
            database_url=database_url,
            storage_url=f"s3://{s3_bucket}/{prefix}",
            secret_key="shared-by-every-server-of-this-deployment",
            workspace=str(tmp_path / "admin"),
        )
        upgraded = run_pixlake(env, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        created = run_pixlake(env, "users", "create", "alice", "--org", "acme")
        assert created.returncode == 0, created.stderr
        yield Deployment(
            env, database_url, s3_bucket, prefix, created.stdout.strip().splitlines()[-1]
        )


def server_for(deploy: Deployment, tmp_path: Path, name: str) -> ServeProcess:
    # Each process has a folder of its own, for staging only.
    return ServeProcess({**deploy.env, "PIXLAKE_WORKSPACE": str(tmp_path / name)}).start()


def scenario(clients: list[Client], images: list[Path], downloads: Path) -> dict[str, Any]:
    """A session of work alternating between the clients; returns what it ended with."""
    first, second = clients[0], clients[-1]
    first.get_datalake().upload_data(images[:5], tags=["first"])
    second.get_datalake().upload_data(images[5:], tags=["second"])
    second.create_dataset("ds", description="shared")
    first.get_dataset("ds").create_version("v1", type="OBJECT_DETECTION")
    version = second.get_dataset("ds").get_version("v1")
    version.add_data(second.get_datalake().list_data())
    first.get_dataset("ds").get_version("v1").create_label("cat")
    for index, asset in enumerate(version.list_assets()):
        client = clients[index % len(clients)]
        mine = client.get_dataset("ds").get_version("v1")
        annotation = mine.find_asset(id=asset.id).create_annotation(float(index))
        annotation.create_rectangle(index, index, 10, 10, mine.get_label("cat"))
    hard = second.create_tag("hard", Target.ASSET)
    second.get_dataset("ds").get_version("v1").list_assets()[:3].add_tags(hard)
    first.get_dataset("ds").get_version("v1").list_assets()[9].delete()
    second.get_dataset("ds").get_version("v1").fork("v2")
    first.get_dataset("ds").get_version("v2").list_assets().download(downloads)

    final = first.get_dataset("ds")
    return {
        "data": sorted(
            (d.filename, d.checksum, tuple(tag.name for tag in d.get_tags()))
            for d in second.get_datalake().list_data()
        ),
        "versions": [(v.version, v.type.value) for v in final.list_versions()],
        "stats": {v.version: v.retrieve_stats().model_dump() for v in final.list_versions()},
        "trash": sorted((i.kind.value, i.name) for i in second.list_trash()),
        "durations": sorted(a.duration for a in final.get_version("v1").list_annotations()),
        "downloaded": sorted((p.name, p.stat().st_size) for p in downloads.iterdir()),
    }


def test_two_servers_behave_as_one(tmp_path: Path, s3_bucket: str) -> None:
    images = make_images(tmp_path / "images", 10, seed=31)
    results = []
    for run, server_names in (("two", ["a", "b"]), ("one", ["a"])):
        with deployment(tmp_path / run, s3_bucket) as deploy:
            servers = [server_for(deploy, tmp_path / run, name) for name in server_names]
            clients = [Client(api_token=deploy.token, host=s.url) for s in servers]
            try:
                results.append(scenario(clients, images, tmp_path / run / "downloads"))
            finally:
                for client in clients:
                    client.close()
                for server in servers:
                    server.stop()
    two_servers, one_server = results
    assert two_servers == one_server
    assert len(two_servers["data"]) == 10
    assert two_servers["stats"]["v2"]["nb_assets"] == 9


def test_a_signed_url_from_one_server_works_on_another(
    tmp_path: Path, s3_bucket: str, images: list[Path]
) -> None:
    """With a local store, URLs are signed by the API: any server must accept any other's."""
    with deployment(tmp_path, s3_bucket) as deploy:
        env = {**deploy.env, "PIXLAKE_STORAGE_URL": f"file://{tmp_path / 'shared-objects'}"}
        local = Deployment(env, deploy.database_url, deploy.bucket, deploy.prefix, deploy.token)
        one, two = server_for(local, tmp_path, "one"), server_for(local, tmp_path, "two")
        try:
            with Client(api_token=deploy.token, host=one.url) as client:
                url = client.get_datalake().upload_data(images[0]).reset_url()
            assert url.startswith(one.url)
            assert httpx.get(url.replace(one.url, two.url)).content == images[0].read_bytes()
        finally:
            one.stop()
            two.stop()


def _count_data(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.data)).scalar_one()
    finally:
        engine.dispose()


def _stored_keys(bucket: str, prefix: str) -> set[str]:
    s3 = boto3.client("s3")
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def test_server_killed_during_an_upload_then_retried(
    tmp_path: Path, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [
        make_image(tmp_path / "many" / f"img_{i:03d}.jpg", 48, 32, seed=1000 + i)
        for i in range(500)
    ]
    monkeypatch.setattr("pixlake.sdk.datalake.BUNDLE_MAX_FILES", 4)  # many requests
    with deployment(tmp_path, s3_bucket) as deploy:
        server = server_for(deploy, tmp_path, "server")
        failures: list[BaseException] = []

        def upload() -> None:
            try:
                with Client(api_token=deploy.token, host=server.url) as client:
                    client.get_datalake().upload_data(paths, max_workers=2)
            except BaseException as exc:  # the crash is expected
                failures.append(exc)

        uploader = threading.Thread(target=upload)
        uploader.start()
        deadline = time.monotonic() + 60
        while _count_data(deploy.database_url) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        uploader.join(timeout=60)
        stored_before = _count_data(deploy.database_url)
        assert failures, "the upload should have failed with the server"
        assert 60 <= stored_before < 500

        # Whatever is visible is whole: every row's object is in the bucket.
        restarted = server_for(deploy, tmp_path, "again")
        with Client(api_token=deploy.token, host=restarted.url) as client:
            lake = client.get_datalake()
            keys = _stored_keys(deploy.bucket, deploy.prefix)
            visible = lake.list_data()
            assert len(visible) == stored_before
            assert all(f"{deploy.prefix}/{d.object_name}" in keys for d in visible)

            retried = lake.upload_data(paths, max_workers=2)

            assert len(retried) == 500
            everything = lake.list_data()
            assert len(everything) == 500
            assert sorted(d.filename for d in everything) == sorted(p.name for p in paths)
            assert len({d.checksum for d in everything}) == 500
            keys = _stored_keys(deploy.bucket, deploy.prefix)
            assert all(f"{deploy.prefix}/{d.object_name}" in keys for d in everything)
        restarted.stop()
