"""Downloads read straight off the socket (``pixlake.sdk.socket_stream``), against a real
HTTP server on 127.0.0.1 that can also send a body short, stall, or answer an error: the
bytes written are the bytes sent, in order, and every failure is typed and leaves nothing."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from pixlake.errors import ChecksumMismatchError, ForbiddenError, NotFoundError, StorageError
from pixlake.sdk import socket_stream
from pixlake.sdk.file_transfer import download_verified
from pixlake.sdk.socket_stream import reads_straight, receive_hashing

KiB = 1024
BODY = os.urandom(700 * KiB + 13)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/ok":
            self._head(200, len(BODY))
            self.wfile.write(BODY)
        elif path == "/short":
            self._head(200, len(BODY))
            self.wfile.write(BODY[:-100])
            self.close_connection = True
        elif path == "/stall":
            self._head(200, len(BODY))
            self.wfile.write(BODY[: 100 * KiB])
            self.wfile.flush()
            time.sleep(1.5)
        elif path in ("/missing", "/expired"):
            status, code = (404, "NOT_FOUND") if path == "/missing" else (403, "FORBIDDEN")
            body = orjson.dumps({"code": code, "message": f"{path[1:]} object"})
            self._head(status, len(body), "application/json")
            self.wfile.write(body)

    def _head(self, status: int, length: int, content_type: str = "application/octet-stream"):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(length))
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 16 KiB: a body of 700 KiB takes 44 turns through the 3 buffers."""
    monkeypatch.setattr(socket_stream, "BLOCK", 16 * KiB)


def receive(url: str, target: Path, timeout: float = 5.0) -> tuple[str, list[int]]:
    told: list[int] = []
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        return receive_hashing(url, fd, target.name, timeout, told.append), told
    finally:
        os.close(fd)


@pytest.mark.parametrize("blocks", ["default", "small"])
def test_the_bytes_written_and_hashed_are_those_sent_in_order(
    server: str, tmp_path: Path, blocks: str, request: pytest.FixtureRequest
) -> None:
    if blocks == "small":
        request.getfixturevalue("small_blocks")
    digest, told = receive(f"{server}/ok?signature=x", tmp_path / "w.bin")
    assert (tmp_path / "w.bin").read_bytes() == BODY
    assert digest == hashlib.sha256(BODY).hexdigest()
    assert sum(told) == len(BODY)
    if blocks == "small":
        assert len(told) == -(-len(BODY) // (16 * KiB))


def test_a_body_cut_short_is_a_storage_error_naming_the_file(server: str, tmp_path: Path) -> None:
    expected = rf"could not download w\.bin: .* after {len(BODY) - 100} of its {len(BODY)} bytes"
    with pytest.raises(StorageError, match=expected):
        receive(f"{server}/short", tmp_path / "w.bin")


def test_a_body_that_stalls_past_the_timeout_is_a_storage_error(
    server: str, tmp_path: Path
) -> None:
    with pytest.raises(StorageError, match=r"could not download w\.bin: (timeout|TimeoutError)"):
        receive(f"{server}/stall", tmp_path / "w.bin", timeout=0.3)


@pytest.mark.parametrize(
    ("path", "error"), [("/missing", NotFoundError), ("/expired", ForbiddenError)]
)
def test_an_error_answer_raises_its_typed_error(
    server: str, tmp_path: Path, path: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"{path[1:]} object"):
        receive(f"{server}{path}", tmp_path / "w.bin")
    assert (tmp_path / "w.bin").read_bytes() == b""


def test_a_connection_refused_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="could not download w.bin: ConnectionRefusedError"):
        receive("http://127.0.0.1:9/ok", tmp_path / "w.bin")


def test_a_failed_write_is_raised_as_it_is(server: str, tmp_path: Path) -> None:
    (tmp_path / "w.bin").write_bytes(b"")
    fd = os.open(tmp_path / "w.bin", os.O_RDONLY)  # writing to it fails (EBADF)
    try:
        with pytest.raises(OSError) as raised:
            receive_hashing(f"{server}/ok", fd, "w.bin", 5.0)
    finally:
        os.close(fd)
    assert not isinstance(raised.value, StorageError)


@pytest.mark.parametrize(
    ("path", "size", "raised"),
    [
        ("/ok", len(BODY), None),
        ("/short", len(BODY), StorageError),
        ("/missing", len(BODY), NotFoundError),
    ],
)
def test_a_served_download_is_renamed_into_place_only_when_whole_and_verified(
    server: str, tmp_path: Path, path: str, size: int, raised: type[Exception] | None
) -> None:
    import httpx

    target = tmp_path / "out" / "w.bin"
    target.parent.mkdir()
    with httpx.Client(timeout=5.0) as http:
        if raised is None:
            download_verified(
                http, f"{server}{path}", target, hashlib.sha256(BODY).hexdigest(), size, served=True
            )
            assert target.read_bytes() == BODY
            with pytest.raises(ChecksumMismatchError):
                download_verified(
                    http, f"{server}{path}", tmp_path / "out" / "x.bin", "0" * 64, size, served=True
                )
        else:
            with pytest.raises(raised):
                download_verified(
                    http,
                    f"{server}{path}",
                    target,
                    hashlib.sha256(BODY).hexdigest(),
                    size,
                    served=True,
                )
    assert sorted(p.name for p in target.parent.iterdir()) == (["w.bin"] if raised is None else [])


@pytest.mark.parametrize(
    ("url", "environment", "straight"),
    [
        ("http://127.0.0.1:8000/objects/a", {}, True),
        ("https://pixlake.example/objects/a", {}, False),
        ("http://pixlake.example/objects/a", {"http_proxy": "http://proxy:3128"}, False),
        (
            "http://pixlake.example/objects/a",
            {"http_proxy": "http://proxy:3128", "no_proxy": "pixlake.example"},
            True,
        ),
    ],
)
def test_only_plain_http_without_a_proxy_is_read_straight(
    monkeypatch: pytest.MonkeyPatch, url: str, environment: dict[str, str], straight: bool
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert reads_straight(url) is straight
