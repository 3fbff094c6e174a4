"""Security headers on every response, download URLs built from a trusted base, and
signatures kept out of the access log."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from pixlake import Client
from pixlake.core.workspace import open_workspace
from pixlake.server.access_log import REDACTED, RedactSignatures, redact_signatures
from pixlake.server.app import create_app
from pixlake.server.headers import USER_BYTES_POLICY
from pixlake.server.signing import sign_object_url
from pixlake.settings import Settings
from tests.conftest import LiveServer, _serve
from tests.services import PIXLAKE, free_port, pixlake_environment, run_pixlake, stop_process

UNKNOWN_ID = "01900000-0000-7000-8000-000000000000"


def assert_api_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def assert_user_bytes_headers(
    response: httpx.Response, checksum: str, disposition: str, max_age_at_most: int
) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == USER_BYTES_POLICY
    assert response.headers["content-disposition"] == f'{disposition}; filename="{checksum}"'
    cache = re.fullmatch(r"private, max-age=(\d+), immutable", response.headers["cache-control"])
    assert cache is not None, response.headers["cache-control"]
    assert 0 < int(cache.group(1)) <= max_age_at_most


# Every response: JSON, errors, FastAPI's own answers.


def test_nosniff_and_no_store_on_json_and_error_responses(client: Client) -> None:
    http = client._connection.http
    answers = [
        http.get("/datalakes"),  # JSON
        http.get(f"/datasets/{UNKNOWN_ID}"),  # a pixlake error (404)
        http.get("/no/such/route"),  # FastAPI's own 404
        http.post("/datalakes", json={"name": 42}),  # a validation error (400)
        http.get("/health"),  # unauthenticated
    ]
    assert [a.status_code for a in answers] == [200, 404, 404, 400, 200]
    for answer in answers:
        assert_api_headers(answer)


def test_docs_and_openapi_are_public(live_server: LiveServer) -> None:
    """The API's description is public on purpose (docs/security.md): it holds no data."""
    with httpx.Client(base_url=live_server.url) as anonymous:
        docs, schema = anonymous.get("/docs"), anonymous.get("/openapi.json")
        refused = anonymous.get("/datalakes")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "pixlake"
    assert refused.status_code == 401
    for answer in (docs, schema, refused):
        assert_api_headers(answer)


def test_nosniff_on_an_unexpected_error(tmp_path: Path) -> None:
    opened = open_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        app = create_app(opened.context)

        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("a defect")

        async def ask() -> httpx.Response:
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
                return await http.get("/boom")

        answer = asyncio.run(ask())
        assert answer.status_code == 500
        assert answer.json()["code"] == "service_error"
        assert_api_headers(answer)
    finally:
        opened.close()


# Served user bytes: the /objects route and the download bundle.


def test_object_headers_on_a_real_server(live_server: LiveServer, unique_image) -> None:
    _name, token = live_server.new_user()
    settings = live_server.workspace.context.settings
    with Client(api_token=token, host=live_server.url) as client:
        data = client.get_datalake().upload_data(unique_image())
        typed = httpx.get(data.reset_url())
        assert_user_bytes_headers(typed, data.checksum, "inline", settings.url_expiry_seconds)
        assert typed.headers["content-type"] == "image/jpeg"
        # Bulk URLs name no media type: the bytes are then an attachment.
        urls = client._connection.request("POST", "/data/urls", json={"ids": [str(data.id)]})
        untyped = httpx.get(urls["urls"][str(data.id)])
        assert_user_bytes_headers(untyped, data.checksum, "attachment", settings.url_expiry_seconds)
        assert untyped.content == typed.content
        # Objects over 1 MiB are sent as a file response rather than in one body.
        large = client.get_datalake().upload_data(unique_image("large.bmp", 1024, 1024))
        assert large.size > 1024 * 1024
        sent = httpx.get(large.reset_url())
        assert_user_bytes_headers(sent, large.checksum, "inline", settings.url_expiry_seconds)
        assert len(sent.content) == large.size


def test_object_headers_from_the_bucket(live_server_pg_s3: LiveServer, unique_image) -> None:
    """Presigned URLs of the bucket ask it for the same disposition and cache policy (a
    bucket can't be asked for nosniff or a CSP; it is an origin of its own)."""
    _name, token = live_server_pg_s3.new_user()
    expiry = live_server_pg_s3.workspace.context.settings.url_expiry_seconds
    with Client(api_token=token, host=live_server_pg_s3.url) as client:
        data = client.get_datalake().upload_data(unique_image())
        url = data.reset_url()
    assert not url.startswith(live_server_pg_s3.url)
    answer = httpx.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-disposition"] == f'inline; filename="{data.checksum}"'
    assert answer.headers["cache-control"] == f"private, max-age={expiry}, immutable"


def test_object_headers_in_embedded_mode(tmp_path: Path, unique_image) -> None:
    with Client(workspace=tmp_path / "ws") as client:
        image = unique_image()
        data = client.get_datalake().upload_data(image)
        opened = open_workspace(Settings(workspace=tmp_path / "ws"))
        settings = opened.context.settings
        opened.close()
        url, _expires = sign_object_url(
            "http://embedded.pixlake",
            settings.secret_key or "",
            data._schema.object_name,
            "image/jpeg",
            60,
        )
        answer = client._connection.http.get(url)
        assert_user_bytes_headers(answer, data.checksum, "inline", 60)
        assert answer.content == image.read_bytes()
        forged = client._connection.http.get(url.replace("signature=", "signature=0"))
        assert forged.status_code == 403
        assert_api_headers(forged)


def test_bundle_headers(live_server: LiveServer, unique_image) -> None:
    _name, token = live_server.new_user()
    with Client(api_token=token, host=live_server.url) as client:
        data = client.get_datalake().upload_data(unique_image())
        answer = client._connection.http.post("/data/download", json={"ids": [str(data.id)]})
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"] == USER_BYTES_POLICY
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["cache-control"] == "no-store"


# Download URLs are built from the configured public URL, never from a spoofed Host.


@pytest.fixture
def raw_http(live_server: LiveServer, unique_image) -> Iterator[tuple[httpx.Client, str]]:
    _name, token = live_server.new_user()
    with Client(api_token=token, host=live_server.url) as client:
        data = client.get_datalake().upload_data(unique_image())
    with httpx.Client(
        base_url=live_server.url, headers={"authorization": f"Bearer {token}"}
    ) as http:
        yield http, str(data.id)


@pytest.mark.parametrize(
    "host, named",
    [
        ("evil.example", "evil.example"),
        ("evil.example:8080", "evil.example"),
        ("localhost.evil.example", "localhost.evil.example"),
        ("10.0.0.1", "10.0.0.1"),
        # Headers a URL parser and a browser read differently are refused whole.
        ("evil.example\\@127.0.0.1", "evil.example\\@127.0.0.1"),
        ("127.0.0.1@evil.example", "127.0.0.1@evil.example"),
        ("127.0.0.1/@evil.example", "127.0.0.1/@evil.example"),
    ],
)
def test_spoofed_host_is_refused_without_a_public_url(raw_http, host: str, named: str) -> None:
    http, data_id = raw_http
    for answer in (
        http.post(f"/data/{data_id}/url", headers={"host": host}),
        http.post("/data/urls", json={"ids": [data_id]}, headers={"host": host}),
    ):
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert "PIXLAKE_PUBLIC_URL" in body["message"]
        assert body["details"] == {"host": named, "setting": "public_url"}
        assert_api_headers(answer)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]"])
def test_loopback_host_builds_urls_without_a_public_url(raw_http, host: str) -> None:
    http, data_id = raw_http
    port = urlsplit(str(http.base_url)).port
    answer = http.post(f"/data/{data_id}/url", headers={"host": f"{host}:{port}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"].startswith(f"http://{host}:{port}/objects/")


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _serve(
        Settings(
            workspace=tmp_path_factory.mktemp("public-url"),
            public_url="https://pixlake.example.com/api",
        )
    )


def test_spoofed_host_does_not_appear_in_urls(public_server: LiveServer, unique_image) -> None:
    _name, token = public_server.new_user()
    with Client(api_token=token, host=public_server.url) as client:
        data = client.get_datalake().upload_data(unique_image())
    with httpx.Client(
        base_url=public_server.url,
        headers={"authorization": f"Bearer {token}", "host": "evil.example"},
    ) as http:
        one = http.post(f"/data/{data.id}/url").json()["url"]
        many = http.post("/data/urls", json={"ids": [str(data.id)]}).json()
    for url in (one, *many["urls"].values()):
        assert url.startswith("https://pixlake.example.com/api/objects/")
        assert "evil" not in url
    assert many["through_api"] is True


# Signatures are kept out of the access log.


@pytest.mark.parametrize(
    "line, expected",
    [
        ("/objects/a/b?expires=9&signature=abc123", f"/objects/a/b?expires=9&signature={REDACTED}"),
        (
            "/objects/a?signature=abc&content_type=image%2Fjpeg",
            f"/objects/a?signature={REDACTED}&content_type=image%2Fjpeg",
        ),
        ("/objects/a?Signature=abc", f"/objects/a?Signature={REDACTED}"),
        ("/objects/a?sig%6Eature=abc", f"/objects/a?sig%6Eature={REDACTED}"),
        ("/objects/a?signatures=abc", "/objects/a?signatures=abc"),
        ("/datalakes?name=x", "/datalakes?name=x"),
        ("/health", "/health"),
    ],
)
def test_redact_signatures(line: str, expected: str) -> None:
    assert redact_signatures(line) == expected


def test_access_log_record_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("pixlake.test.access")
    logger.addFilter(RedactSignatures())
    with caplog.at_level(logging.INFO, logger="pixlake.test.access"):
        # The very call uvicorn's access logger makes.
        logger.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/objects/x?expires=1&signature=deadbeef",
            "1.1",
            200,
        )
    assert "deadbeef" not in caplog.text
    assert f"signature={REDACTED}" in caplog.text


def test_access_log_has_no_signature(tmp_path: Path, unique_image) -> None:
    """A real ``pixlake serve`` logging every request: the signed URL it was asked for
    appears in its access log with the signature masked."""
    env = pixlake_environment()
    workspace = tmp_path / "ws"
    created = run_pixlake(
        env, "users", "create", "alice", "--org", "acme", "--workspace", str(workspace)
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                PIXLAKE,
                "serve",
                "--workspace",
                str(workspace),
                "--port",
                str(port),
                "--log-level",
                "info",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
        with Client(api_token=token, host=url) as client:
            data = client.get_datalake().upload_data(unique_image())
            signed = data.reset_url()
        signature = re.search(r"signature=([0-9a-f]+)", signed)
        assert signature is not None
        assert httpx.get(signed).status_code == 200
        marker = uuid.uuid4().hex
        assert httpx.get(f"{signed}&marker={marker}").status_code == 200
    finally:
        stop_process(process)
    text = log.read_text()
    assert marker in text  # the access log was written, and holds the request line
    assert signature.group(1) not in text
    assert f"signature={REDACTED}" in text
