"""Downloads read straight off the socket (``pixlake.sdk.socket_stream``), against a real
HTTP server on 127.0.0.1 that can also send a body short, chunked or without a length,
stall, redirect, or answer an error: the bytes written are the bytes sent, in order, and
every failure is typed and leaves nothing."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import orjson
import pytest

from pixlake.errors import (
    ChecksumMismatchError,
    ForbiddenError,
    NotFoundError,
    RequestTimeoutError,
    StorageError,
)
from pixlake.sdk import socket_stream
from pixlake.sdk.connection import Connection
from pixlake.sdk.file_transfer import Fetch, download_verified
from pixlake.sdk.socket_stream import reads_straight, receive_hashing

KiB = 1024
BODY = os.urandom(700 * KiB + 13)
ERRORS = {
    "/missing": (404, "not_found"),
    "/expired": (403, "forbidden"),
    "/slow-client": (408, "request_timeout"),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
        elif path in ("/chunked", "/chunked-short"):
            self._head(200, None, chunked=True)
            for at in range(0, len(BODY), 50 * KiB):
                piece = BODY[at : at + 50 * KiB]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                if path == "/chunked-short" and at > 300 * KiB:
                    self.close_connection = True
                    return
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/unsized":  # a body that ends with the connection
            self._head(200, None)
            self.wfile.write(BODY)
            self.close_connection = True
        elif path == "/stall":
            self._head(200, len(BODY))
            self.wfile.write(BODY[: 100 * KiB])
            self.wfile.flush()
            time.sleep(1.5)
            self.close_connection = True
        elif path == "/moved":
            self.send_response(302)
            self.send_header("location", "/ok")
            self.send_header("content-length", "0")
            self.end_headers()
        elif path in ERRORS:
            status, code = ERRORS[path]
            body = orjson.dumps({"code": code, "message": f"{path[1:]} object"})
            self._head(status, len(body), content_type="application/json")
            self.wfile.write(body)

    def _head(
        self,
        status: int,
        length: int | None,
        *,
        chunked: bool = False,
        content_type: str = "application/octet-stream",
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        if length is not None:
            self.send_header("content-length", str(length))
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        if length is None and not chunked:
            self.send_header("connection", "close")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextlib.contextmanager
def http_server(host: str, family: socket.AddressFamily = socket.AF_INET) -> Iterator[int]:
    class Server(_Server):
        address_family = family

    httpd = Server((host, 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with http_server("127.0.0.1") as port:
        yield f"http://127.0.0.1:{port}"


TIMEOUT = httpx.Timeout(5.0)


def receive(url: str, target: Path, timeout: httpx.Timeout = TIMEOUT) -> tuple[str, list[int]]:
    told: list[int] = []
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        return receive_hashing(url, fd, target.name, timeout, told.append), told
    finally:
        os.close(fd)


@pytest.mark.parametrize("path", ["/ok", "/chunked", "/unsized"])
def test_the_bytes_written_and_hashed_are_those_sent(
    server: str, tmp_path: Path, path: str
) -> None:
    digest, told = receive(f"{server}{path}?signature=x", tmp_path / "w.bin")
    assert (tmp_path / "w.bin").read_bytes() == BODY
    assert digest == hashlib.sha256(BODY).hexdigest()
    assert sum(told) == len(BODY)


_SHA256 = hashlib.sha256


class _SlowSha256:
    """hashlib's SHA-256, a little slow to take each block."""

    def __init__(self) -> None:
        self._digest = _SHA256()

    def update(self, data: memoryview) -> None:
        time.sleep(0.002)
        self._digest.update(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@pytest.mark.parametrize("slow", ["write", "hash"])
def test_a_buffer_is_filled_again_only_once_hashed_and_written_in_order(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow: str
) -> None:
    """Blocks of 16 KiB (44 turns through 3 buffers), and a writer or a hasher slower than
    the socket: a buffer refilled before its write or its hash would show in the file or
    in the digest."""
    monkeypatch.setattr(socket_stream, "BLOCK", 16 * KiB)
    if slow == "write":
        write = os.write

        def slow_write(fd: int, data: memoryview) -> int:
            time.sleep(0.002)
            return write(fd, data)

        monkeypatch.setattr(socket_stream.os, "write", slow_write)
    else:
        monkeypatch.setattr(socket_stream.hashlib, "sha256", _SlowSha256)
    digest, told = receive(f"{server}/ok", tmp_path / "w.bin")
    assert (tmp_path / "w.bin").read_bytes() == BODY
    assert digest == _SHA256(BODY).hexdigest()
    assert len(told) == -(-len(BODY) // (16 * KiB))


@pytest.mark.parametrize("path", ["/short", "/chunked-short"])
def test_a_body_cut_short_is_a_storage_error_naming_the_file(
    server: str, tmp_path: Path, path: str
) -> None:
    with pytest.raises(StorageError, match=r"could not download w\.bin: "):
        receive(f"{server}{path}", tmp_path / "w.bin")


def test_a_body_with_a_length_cut_short_says_how_much_came(server: str, tmp_path: Path) -> None:
    expected = rf"w\.bin: the connection closed after {len(BODY) - 100} of its {len(BODY)} bytes"
    with pytest.raises(StorageError, match=expected):
        receive(f"{server}/short", tmp_path / "w.bin")


def test_a_body_that_stalls_past_the_read_timeout_is_a_storage_error(
    server: str, tmp_path: Path
) -> None:
    with pytest.raises(StorageError, match=r"could not download w\.bin: (timeout|TimeoutError)"):
        receive(f"{server}/stall", tmp_path / "w.bin", timeout=httpx.Timeout(0.3))


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/missing", NotFoundError),
        ("/expired", ForbiddenError),
        ("/slow-client", RequestTimeoutError),
    ],
)
def test_an_error_answer_raises_its_typed_error(
    server: str, tmp_path: Path, path: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"{path[1:]} object") as raised:
        receive(f"{server}{path}", tmp_path / "w.bin")
    assert type(raised.value) is error
    assert (tmp_path / "w.bin").read_bytes() == b""


def test_a_redirection_is_not_followed(server: str, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"w\.bin: the server answered 302 Found"):
        receive(f"{server}/moved", tmp_path / "w.bin")


def test_a_connection_refused_is_a_storage_error(tmp_path: Path) -> None:
    with socket.socket() as bound:  # bound and not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with pytest.raises(StorageError, match=r"w\.bin: ConnectionRefusedError"):
            receive(f"http://127.0.0.1:{port}/ok", tmp_path / "w.bin")


def test_an_ipv6_host_is_reached(tmp_path: Path) -> None:
    try:
        context = http_server("::1", socket.AF_INET6)
        port = context.__enter__()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        digest, _ = receive(f"http://[::1]:{port}/ok", tmp_path / "w.bin")
    finally:
        context.__exit__(None, None, None)
    assert digest == hashlib.sha256(BODY).hexdigest()


def test_a_failed_write_is_raised_as_it_is(server: str) -> None:
    fd = os.open("/dev/full", os.O_WRONLY)  # every write fails: no space left
    try:
        with pytest.raises(OSError, match="No space left") as raised:
            receive_hashing(f"{server}/ok", fd, "w.bin", TIMEOUT)
    finally:
        os.close(fd)
    assert not isinstance(raised.value, StorageError)


@pytest.mark.parametrize("path", ["/ok", "/short", "/missing"])
def test_a_socket_download_is_renamed_into_place_only_when_whole_and_verified(
    server: str, tmp_path: Path, path: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    checksum = hashlib.sha256(BODY).hexdigest()
    with httpx.Client(timeout=TIMEOUT) as http:

        def download(name: str, checksum: str) -> None:
            download_verified(
                http, f"{server}{path}", folder / name, checksum, len(BODY), fetch=Fetch.SOCKET
            )

        if path == "/ok":
            download("w.bin", checksum)
            assert (folder / "w.bin").read_bytes() == BODY
            with pytest.raises(ChecksumMismatchError):
                download("x.bin", "0" * 64)
        else:
            with pytest.raises(StorageError if path == "/short" else NotFoundError):
                download("w.bin", checksum)
    assert sorted(p.name for p in folder.iterdir()) == (["w.bin"] if path == "/ok" else [])


@pytest.mark.parametrize(
    ("url", "environment", "straight"),
    [
        ("http://127.0.0.1:8000/objects/a", {}, True),
        ("https://pixlake.example/objects/a", {}, False),
        ("http://pixlake.example/objects/a", {"http_proxy": "http://proxy:3128"}, False),
        ("http://pixlake.example/objects/a", {"all_proxy": "socks5://proxy:1080"}, False),
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
    for name in ("http_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert reads_straight(url) is straight


def test_only_a_connection_s_own_downloads_client_is_bypassed() -> None:
    own = Connection(httpx.Client(base_url="http://127.0.0.1:8000"))
    given = Connection(
        httpx.Client(base_url="http://127.0.0.1:8000"),
        downloads=httpx.Client(proxy="http://proxy:3128"),
    )
    try:
        assert own.owns_downloads
        assert not given.owns_downloads
    finally:
        own.close()
        given.close()
