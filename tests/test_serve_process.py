"""The real ``pixlake serve`` process: started as a subprocess on a loopback port.

One server runs for the whole module, on its own workspace; users are created (and revoked)
with the ``pixlake users`` command while it runs, exactly as an operator would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import pixlake
from pixlake.samples import make_images
from tests.services import (
    PIXLAKE,
    free_port,
    pixlake_environment,
    run_pixlake,
    stop_process,
)

STARTUP_TIMEOUT = 20.0
SOME_ID = "01a21db0-0000-7000-8000-000000000000"


def pixlake_command(*args: str) -> subprocess.CompletedProcess[str]:
    return run_pixlake(pixlake_environment(), *args)


def create_user(workspace: Path, name: str, org: str) -> str:
    """Run ``pixlake users create`` and return the token on its last line."""
    done = pixlake_command("users", "create", name, "--org", org, "--workspace", str(workspace))
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert token.startswith("pxl_")
    return token


@dataclass
class Server:
    url: str
    port: int
    workspace: Path
    token: str
    process: subprocess.Popen[bytes]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"pixlake serve exited with {process.returncode}:\n"
                + log.read_text(errors="replace")
            )
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(
        f"pixlake serve did not answer /health within {STARTUP_TIMEOUT} s:\n"
        + log.read_text(errors="replace")
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    workspace = root / "ws"
    token = create_user(workspace, "alice", "acme")
    port = free_port()
    log = root / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                PIXLAKE,
                "serve",
                "--workspace",
                str(workspace),
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--log-level",
                "warning",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=pixlake_environment(),
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, process, log)
        yield Server(url=url, port=port, workspace=workspace, token=token, process=process)
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def alice(server: Server) -> Iterator[pixlake.Client]:
    with pixlake.Client(api_token=server.token, host=server.url) as client:
        yield client


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_images(tmp_path_factory.mktemp("images"), 4, seed=7)


@pytest.fixture(scope="module")
def uploaded(alice: pixlake.Client, images: list[Path]) -> pixlake.MultiData:
    result = alice.get_datalake().upload_data(images[0].parent)
    assert isinstance(result, pixlake.MultiData)
    return result


def error_code(response: httpx.Response) -> str:
    return response.json()["code"]


# Authentication


def test_health_needs_no_token(server: Server) -> None:
    response = httpx.get(f"{server.url}/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/me"),
        ("GET", "/datalakes"),
        ("POST", "/datalakes"),
        ("GET", "/tags"),
        ("GET", f"/data/{SOME_ID}"),
        ("GET", f"/datalakes/{SOME_ID}"),
        ("PUT", f"/datalakes/{SOME_ID}/data?filename=a.jpg"),
        ("POST", f"/data/{SOME_ID}/url"),
    ],
)
def test_routes_without_token_answer_401(server: Server, method: str, path: str) -> None:
    response = httpx.request(method, f"{server.url}{path}")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert body["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pxl_not-a-real-token",
        "Bearer",
        "Basic YWxpY2U6c2VjcmV0",
    ],
)
def test_wrong_token_answers_401(server: Server, header: str) -> None:
    response = httpx.get(f"{server.url}/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def test_client_with_a_wrong_token_raises_unauthorized(server: Server) -> None:
    with pytest.raises(pixlake.UnauthorizedError):
        pixlake.Client(api_token="pxl_wrong", host=server.url)


def test_client_acts_as_the_created_user(alice: pixlake.Client) -> None:
    assert alice.mode == "server"
    assert alice.username == "alice"
    assert alice.organization_name == "acme"


def test_embedded_ingest_route_is_not_served(server: Server, alice: pixlake.Client) -> None:
    lake = alice.get_datalake()
    response = httpx.post(
        f"{server.url}/datalakes/{lake.id}/data/ingest-local",
        json={"paths": ["/etc/passwd"]},
        headers={"Authorization": f"Bearer {server.token}"},
    )

    assert response.status_code in (404, 405)


# Data over the network


def test_upload_and_list(
    alice: pixlake.Client, uploaded: pixlake.MultiData, images: list[Path]
) -> None:
    listed = alice.get_datalake().list_data()

    assert [d.filename for d in uploaded] == [p.name for p in images]
    # Parallel PUTs reach the server in any order, so the listing is compared as a set.
    assert sorted((d.filename, d.size) for d in listed) == sorted(
        (p.name, p.stat().st_size) for p in images
    )
    assert {d.id for d in listed} == set(uploaded.ids)


def test_url_serves_the_exact_bytes_without_a_token(
    server: Server, uploaded: pixlake.MultiData, images: list[Path]
) -> None:
    data = uploaded[1]
    url = data.reset_url()

    assert url.startswith(f"http://127.0.0.1:{server.port}/objects/")
    response = httpx.get(url)
    assert response.status_code == 200
    assert "authorization" not in response.request.headers
    assert response.content == images[1].read_bytes()


def test_url_with_an_altered_signature_answers_403(uploaded: pixlake.MultiData) -> None:
    url = httpx.URL(uploaded[0].reset_url())
    signature = url.params["signature"]
    altered = signature[:-1] + ("0" if signature[-1] != "0" else "1")

    response = httpx.get(url.copy_set_param("signature", altered))

    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_url_with_an_extended_expiry_answers_403(uploaded: pixlake.MultiData) -> None:
    url = httpx.URL(uploaded[0].reset_url())
    later = int(url.params["expires"]) + 86_400

    response = httpx.get(url.copy_set_param("expires", str(later)))

    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_download_writes_identical_files(
    uploaded: pixlake.MultiData, images: list[Path], tmp_path: Path
) -> None:
    count = uploaded.download(tmp_path / "downloads")

    assert count == len(images)
    for image in images:
        assert (tmp_path / "downloads" / image.name).read_bytes() == image.read_bytes()
    assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == sorted(
        p.name for p in images
    )


# Accounts managed while the server runs


def test_revoked_token_is_refused_without_restart(server: Server) -> None:
    token = create_user(server.workspace, "carol", "acme")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.url}/me", headers=headers).status_code == 200

    done = pixlake_command("users", "revoke", "carol", "--workspace", str(server.workspace))

    assert done.returncode == 0, done.stderr
    response = httpx.get(f"{server.url}/me", headers=headers)
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    with pytest.raises(pixlake.UnauthorizedError):
        pixlake.Client(api_token=token, host=server.url)
    assert server.process.poll() is None
    with pixlake.Client(api_token=server.token, host=server.url) as still_valid:
        assert still_valid.username == "alice"


def test_other_organization_cannot_see_the_data(
    server: Server, alice: pixlake.Client, uploaded: pixlake.MultiData
) -> None:
    token = create_user(server.workspace, "mallory", "other")
    headers = {"Authorization": f"Bearer {token}"}
    lake = alice.get_datalake()
    data = uploaded[0]

    for path in (f"/datalakes/{lake.id}", f"/data/{data.id}"):
        response = httpx.get(f"{server.url}{path}", headers=headers)
        assert response.status_code == 404, path
        assert error_code(response) == "not_found"
    url_response = httpx.post(f"{server.url}/data/{data.id}/url", headers=headers)
    assert url_response.status_code == 404

    with pixlake.Client(api_token=token, host=server.url) as mallory:
        assert mallory.organization_name == "other"
        assert lake.id not in [d.id for d in mallory.list_datalakes()]
        assert len(mallory.get_datalake().list_data()) == 0
        with pytest.raises(pixlake.NotFoundError):
            mallory.get_datalake(id=lake.id)


_PICSELLIA_SCRIPT = """
import json, os, sys
from picsellia import Client

host, token, work, *paths = sys.argv[1:]
client = Client(api_token=token, organization_name="acme", host=host)
lake = client.get_datalake()
uploaded = lake.upload_data(paths, tags=["from-picsellia"])
listed = lake.list_data(tags=["from-picsellia"])
again = lake.list_data(ids=[d.id for d in listed])  # an XGET
dataset = client.create_dataset("from-picsellia")
version = dataset.create_version("v1", type="OBJECT_DETECTION")
version.add_data(listed)
assets = version.list_assets()
cat = version.get_or_create_label("cat")
assets[0].create_annotation().create_rectangle(2, 3, 10, 12, cat)
coco = version.export_annotation_file("COCO", work)
copy = dataset.create_version("v2", type="OBJECT_DETECTION")
copy.add_data(listed)
imported = copy.import_annotations_coco_file(coco)
model = client.create_model("from-picsellia")
model_version = model.create_version(name="v1", labels={"0": "cat"})
weights = os.path.join(work, "best.pt")
with open(weights, "wb") as handle:
    handle.write(b"weights" * 100)
model_version.store("weights", weights)
print(json.dumps({
    "uploaded": len(uploaded),
    "listed": sorted(d.filename for d in listed),
    "by_ids": len(again),
    "assets": len(assets),
    "multidata": len(assets.as_multidata()),
    "imported": sorted(imported.values()),
    "files": [f.name for f in model_version.list_files()],
}))
"""


def test_the_official_picsellia_sdk_runs_against_pixlake_serve(
    server: Server, alice: pixlake.Client, tmp_path: Path
) -> None:
    paths = make_images(tmp_path / "for-picsellia", 3)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _PICSELLIA_SCRIPT,
            server.url,
            server.token,
            str(tmp_path),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PICSELLIA_SDK_CUSTOM_LOGGING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    names = sorted(p.name for p in paths)
    assert result == {
        "uploaded": 3,
        "listed": names,
        "by_ids": 3,
        "assets": 3,
        "multidata": 3,
        "imported": [1],
        "files": ["weights"],
    }
    dataset = alice.get_dataset("from-picsellia")
    assert sorted(a.filename for a in dataset.get_version("v1").list_assets()) == names
    # The boxes exported by the official SDK and imported back, as pixlake's SDK reads them.
    (box,) = [
        (r.x, r.y, r.w, r.h)
        for asset in dataset.get_version("v2").list_assets()
        for annotation in asset.list_annotations()
        for r in annotation.list_rectangles()
    ]
    assert box == (2, 3, 10, 12)
    (stored,) = alice.get_model("from-picsellia").get_version("v1").list_files()
    assert stored.size == len(b"weights" * 100)
