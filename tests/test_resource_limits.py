"""Resource limits (issue 9, item 2), against real servers on 127.0.0.1 with small limits:
request bodies, files, decoded pixels, decodes at once, headers and slow clients."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image, ImageFile

from pixlake import Client, PayloadTooLargeError
from pixlake.bundle import frame_header
from pixlake.media import ImageLimits, probe_media
from pixlake.samples import make_image
from pixlake.server.connection_limits import LimitedH11Protocol, limited_protocol
from pixlake.settings import KiB, MiB, Settings
from tests.conftest import LiveServer, _serve

LIMITS = dict(
    max_request_body=64 * KiB,
    max_file_size=1 * MiB,
    max_image_pixels=1_000_000,
    max_concurrent_decodes=1,
    max_header_bytes=4 * KiB,
    max_header_count=20,
    client_timeout=1,
)


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server as ``pixlake serve`` configures it, with small limits."""
    yield from _serve(Settings(workspace=tmp_path_factory.mktemp("limited"), **LIMITS))


@pytest.fixture(scope="module", params=["httptools", "h11"])
def any_parser_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The same, once with each HTTP parser uvicorn may run."""
    protocol = limited_protocol() if request.param == "httptools" else LimitedH11Protocol
    assert request.param in protocol.__name__.lower()
    yield from _serve(
        Settings(workspace=tmp_path_factory.mktemp(f"limited-{request.param}"), **LIMITS), protocol
    )


@pytest.fixture
def token(limited_server: LiveServer) -> str:
    return limited_server.new_user()[1]


@pytest.fixture
def http(limited_server: LiveServer, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=limited_server.url, timeout=30, headers={"authorization": f"Bearer {token}"}
    ) as made:
        yield made


@pytest.fixture
def datalake_id(http: httpx.Client) -> str:
    answer = http.post("/datalakes", json={"name": f"lake-{uuid.uuid4().hex[:8]}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def staging_files(server: LiveServer) -> list[Path]:
    return list(server.workspace.context.storage.staging_dir.iterdir())


def stored_data(http: httpx.Client, datalake_id: str) -> list[dict]:
    answer = http.post(f"/datalakes/{datalake_id}/data/search", json={})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def error_of(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert answer.headers["connection"] == "close"
    return body


def raw_exchange(server: LiveServer, data: bytes) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(data)
        return read_until_closed(sock)


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def raw_answer(received: bytes) -> tuple[int, dict]:
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower(), head
    return int(head.split(b" ", 2)[1]), json.loads(body)


def assert_still_answers(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/health", timeout=30).status_code == 200


def png_bomb(path: Path, width: int, height: int, trailing: bytes = b"") -> Path:
    """A PNG of one colour: a few kB that decode to width x height x 4 bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", (width, height)).save(path, compress_level=9)
    with open(path, "ab") as out:
        out.write(trailing)
    return path


class DecodeSpy:
    """Counts full decodes (``ImageFile.load``) and the most running at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, pause: threading.Event | None = None):
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        self._pause = pause
        original = ImageFile.ImageFile.load

        def load(image, *args, **kwargs):
            with self._lock:
                self.calls += 1
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
            try:
                if self._pause is not None:
                    self._pause.wait(0.3)  # give a concurrent decode the chance to overlap
                return original(image, *args, **kwargs)
            finally:
                with self._lock:
                    self.running -= 1

        monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# Request bodies of JSON routes (max_request_body)


def test_json_body_over_max_request_body_is_refused_from_its_content_length(
    limited_server: LiveServer, http: httpx.Client
) -> None:
    name = f"lake-{uuid.uuid4().hex[:8]}"
    # Valid JSON: before the limit, this created the datalake.
    body = json.dumps({"name": name}).encode() + b" " * (100 * KiB)
    error = error_of(
        http.post("/datalakes", content=body, headers={"content-type": "application/json"}), 413
    )
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"limit": "max_request_body", "max": 64 * KiB}
    assert name not in {lake["name"] for lake in http.get("/datalakes").json()}
    assert_still_answers(limited_server)


def test_chunked_json_body_over_max_request_body_is_refused_as_it_arrives(
    http: httpx.Client,
) -> None:
    name = f"lake-{uuid.uuid4().hex[:8]}"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts
        yield json.dumps({"name": name}).encode()
        for _ in range(100):
            yield b" " * KiB

    error = error_of(
        http.post("/datalakes", content=chunks(), headers={"content-type": "application/json"}), 413
    )
    assert error["details"]["limit"] == "max_request_body"
    assert name not in {lake["name"] for lake in http.get("/datalakes").json()}


def test_json_body_within_max_request_body_is_accepted(http: httpx.Client) -> None:
    body = json.dumps({"name": f"lake-{uuid.uuid4().hex[:8]}"}).encode() + b" " * (60 * KiB)
    answer = http.post("/datalakes", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 201, answer.text


# Files (max_file_size)


def test_file_over_max_file_size_is_refused_from_its_content_length_before_staging(
    limited_server: LiveServer, token: str, datalake_id: str
) -> None:
    # Only the head is sent: the answer comes before a single byte of the file.
    head = (
        f"PUT /datalakes/{datalake_id}/data?filename=big.jpg HTTP/1.1\r\n"
        f"host: 127.0.0.1\r\nauthorization: Bearer {token}\r\n"
        f"content-length: {2 * MiB}\r\n\r\n"
    ).encode()
    status, error = raw_answer(raw_exchange(limited_server, head))
    assert status == 413
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"filename": "big.jpg", "limit": "max_file_size", "max": MiB}
    assert staging_files(limited_server) == []


def test_file_over_max_file_size_sent_whole_gets_the_refusal(
    limited_server: LiveServer, http: httpx.Client, datalake_id: str
) -> None:
    answer = http.put(
        f"/datalakes/{datalake_id}/data",
        params={"filename": "big.jpg"},
        content=b"\xff" * (2 * MiB),
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["details"]["limit"] == "max_file_size"
    assert stored_data(http, datalake_id) == []


def test_chunked_file_over_max_file_size_is_refused_and_its_staging_dropped(
    limited_server: LiveServer, http: httpx.Client, datalake_id: str, tmp_path: Path
) -> None:
    picture = make_image(tmp_path / "p.jpg", 64, 48).read_bytes()

    def chunks() -> Iterator[bytes]:  # a real JPEG start, then more than the limit
        yield picture
        for _ in range(40):
            yield b"\x00" * (64 * KiB)

    answer = http.put(
        f"/datalakes/{datalake_id}/data", params={"filename": "big.jpg"}, content=chunks()
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["details"] == {"filename": "big.jpg", "limit": "max_file_size", "max": MiB}
    assert staging_files(limited_server) == []
    assert stored_data(http, datalake_id) == []


def test_bundle_frame_over_max_file_size_is_refused_before_staging_it(
    limited_server: LiveServer, http: httpx.Client, datalake_id: str, tmp_path: Path
) -> None:
    small = make_image(tmp_path / "small.jpg", 64, 48).read_bytes()

    def bundle() -> Iterator[bytes]:
        yield frame_header("small.jpg", len(small)) + small
        yield frame_header("huge.jpg", 2 * MiB)  # its bytes never need to come
        yield b"\x00" * KiB

    answer = http.post(f"/datalakes/{datalake_id}/data/bundle", content=bundle())
    assert answer.status_code == 413, answer.text
    assert answer.json()["details"] == {
        "filename": "huge.jpg",
        "limit": "max_file_size",
        "max": MiB,
    }
    assert staging_files(limited_server) == []
    assert stored_data(http, datalake_id) == []  # all or none: small.jpg is not kept


def test_file_up_to_max_file_size_uploads(
    limited_server: LiveServer, token: str, tmp_path: Path
) -> None:
    # Noise compresses badly: a real picture of most of the limit.
    path = tmp_path / "noise.png"
    Image.effect_noise((580, 580), 64).convert("RGB").save(path)
    assert 0.6 * MiB < path.stat().st_size <= MiB
    with Client(api_token=token, host=limited_server.url) as client:
        data = client.get_datalake().upload_data(path)
    assert data.size == path.stat().st_size


def test_sdk_upload_over_max_file_size_raises_payload_too_large(
    limited_server: LiveServer, token: str, tmp_path: Path
) -> None:
    path = tmp_path / "big.png"
    Image.effect_noise((900, 900), 64).convert("RGB").save(path)
    assert path.stat().st_size > MiB
    with (
        Client(api_token=token, host=limited_server.url) as client,
        pytest.raises(PayloadTooLargeError, match="big.png") as caught,
    ):
        client.get_datalake().upload_data(path)
    assert caught.value.limit == "max_file_size"


# Decoded pixels (max_image_pixels) and decodes at once (max_concurrent_decodes)


def test_image_over_max_image_pixels_is_refused_from_its_header_before_any_decode(
    limited_server: LiveServer, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trailing bytes defeat the cheap end-of-file check: this one would be decoded.
    bomb = png_bomb(tmp_path / "bomb.png", 2000, 2000, trailing=b"\x01" * 100)
    spy = DecodeSpy(monkeypatch)  # the server runs in this process: it sees its decodes
    with (
        Client(api_token=token, host=limited_server.url) as client,
        pytest.raises(PayloadTooLargeError, match="bomb.png") as caught,
    ):
        client.get_datalake().upload_data(bomb)
    assert caught.value.limit == "max_image_pixels"
    assert caught.value.details["max"] == 1_000_000
    assert (caught.value.details["width"], caught.value.details["height"]) == (2000, 2000)
    assert spy.calls == 0
    assert staging_files(limited_server) == []


def test_png_bomb_under_max_image_pixels_is_probed_without_decoding_a_pixel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probing used to decode every PNG (Pillow looks for EXIF after the image data):
    a 308 kB PNG of 81 Mpx cost 324 MB."""
    limits = ImageLimits.of(max_pixels=10_000_000, max_concurrent_decodes=1)
    plain = png_bomb(tmp_path / "plain.png", 3000, 3000)
    junk = png_bomb(tmp_path / "junk.png", 3000, 3000, trailing=b"\x01" * 100)
    spy = DecodeSpy(monkeypatch)
    for path in (plain, junk):
        info = probe_media(path, limits=limits)
        assert (info.width, info.height) == (3000, 3000)
    assert spy.calls == 0


def test_png_exif_after_the_image_data_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_image(tmp_path / "s.png", 40, 30)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: width and height swap
    raw = exif.tobytes()
    whole = source.read_bytes()
    iend = whole.rindex(b"IEND") - 4
    import zlib

    chunk = (
        len(raw).to_bytes(4, "big") + b"eXIf" + raw + zlib.crc32(b"eXIf" + raw).to_bytes(4, "big")
    )
    late = tmp_path / "late-exif.png"
    late.write_bytes(whole[:iend] + chunk + whole[iend:])
    spy = DecodeSpy(monkeypatch)
    info = probe_media(late, limits=ImageLimits.of(10_000, 1))
    assert (info.width, info.height) == (30, 40)
    assert spy.calls == 0


def test_truncated_png_is_still_refused_without_decoding(tmp_path: Path) -> None:
    whole = png_bomb(tmp_path / "w.png", 500, 500).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[:-20])
    with pytest.raises(Exception, match="cut.png: image is truncated"):
        probe_media(cut, limits=ImageLimits.of(10_000_000, 1))


def test_full_decodes_wait_for_one_of_max_concurrent_decodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIFs have no end marker Pillow can trust: each is decoded to prove it complete.
    paths = [make_image(tmp_path / f"{i}.gif", 300, 200, seed=i) for i in range(4)]
    limits = ImageLimits.of(max_pixels=10_000_000, max_concurrent_decodes=1)
    spy = DecodeSpy(monkeypatch, pause=threading.Event())
    threads = [threading.Thread(target=probe_media, args=(path, None, limits)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert spy.calls == 4
    assert spy.most_at_once == 1


# Headers (max_header_count, max_header_bytes)


def test_too_many_headers_are_refused_with_431(limited_server: LiveServer) -> None:
    headers = {f"x-padding-{i}": "1" for i in range(30)}
    answer = httpx.get(f"{limited_server.url}/health", headers=headers, timeout=30)
    error = error_of(answer, 431)
    assert error["code"] == "headers_too_large"
    assert error["details"] == {"limit": "max_header_count", "max": 20}


def test_headers_over_max_header_bytes_are_refused_with_431_on_either_parser(
    any_parser_server: LiveServer,
) -> None:
    # Never finished: the refusal comes from the bytes alone.
    head = b"GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: " + b"a" * (8 * KiB)
    status, error = raw_answer(raw_exchange(any_parser_server, head))
    assert status == 431
    assert error["details"] == {"limit": "max_header_bytes", "max": 4 * KiB}
    assert_still_answers(any_parser_server)


def test_headers_within_max_header_bytes_are_accepted_on_either_parser(
    any_parser_server: LiveServer,
) -> None:
    answer = httpx.get(
        f"{any_parser_server.url}/health", timeout=30, headers={"x-padding": "a" * (3 * KiB)}
    )
    assert answer.status_code == 200


# Slow clients (client_timeout)


def test_half_open_request_is_timed_out_on_either_parser(any_parser_server: LiveServer) -> None:
    status, error = raw_answer(
        raw_exchange(any_parser_server, b"GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n")
    )
    assert status == 408
    assert error["code"] == "request_timeout"
    assert error["details"]["limit"] == "client_timeout"
    assert_still_answers(any_parser_server)


def test_connection_that_sends_nothing_is_timed_out(any_parser_server: LiveServer) -> None:
    status, error = raw_answer(raw_exchange(any_parser_server, b""))
    assert status == 408
    assert error["details"]["limit"] == "client_timeout"


def test_stalled_upload_body_is_timed_out_and_its_staging_released(
    any_parser_server: LiveServer, tmp_path: Path
) -> None:
    server = any_parser_server
    _name, token = server.new_user()
    with httpx.Client(
        base_url=server.url, timeout=30, headers={"authorization": f"Bearer {token}"}
    ) as http:
        datalake_id = http.post("/datalakes", json={"name": "lake"}).json()["id"]
        picture = make_image(tmp_path / "p.jpg", 64, 48).read_bytes()
        head = (
            f"PUT /datalakes/{datalake_id}/data?filename=slow.jpg HTTP/1.1\r\n"
            f"host: 127.0.0.1\r\nauthorization: Bearer {token}\r\n"
            f"content-length: {512 * KiB}\r\n\r\n"
        ).encode()
        parts = urlsplit(server.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            sock.sendall(head + picture + b"\x00" * (100 * KiB))  # then nothing more
            status, error = raw_answer(read_until_closed(sock))
        assert status == 408
        assert error["details"]["limit"] == "client_timeout"
        assert staging_files(server) == []
        assert stored_data(http, datalake_id) == []
    assert_still_answers(server)


def test_stalled_json_body_is_timed_out(any_parser_server: LiveServer) -> None:
    head = (
        b"POST /datalakes HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        b'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"name"'
    )
    status, error = raw_answer(raw_exchange(any_parser_server, head))
    assert status == 408
    assert error["code"] == "request_timeout"


def test_worker_processes_get_the_same_limits() -> None:
    """``serve --workers N`` hands its configuration to N spawned processes by pickling."""
    import pickle

    from pixlake.server.serving import uvicorn_config

    settings = Settings(max_header_bytes=5000, client_timeout=7)
    config = uvicorn_config(
        "pixlake.server.asgi:app_from_environment",
        settings,
        host="127.0.0.1",
        port=8080,
        workers=2,
        factory=True,
    )
    copy = pickle.loads(pickle.dumps(config))
    assert copy.http is limited_protocol()
    assert (copy.head_limits.max_header_bytes, copy.head_limits.client_timeout) == (5000, 7)


def test_a_request_the_parser_cannot_read_gets_the_error_body(
    any_parser_server: LiveServer,
) -> None:
    """A malformed request line is answered 400 with pixlake's JSON body, not plain text."""
    status, error = raw_answer(
        raw_exchange(any_parser_server, b"GET /he alth HTTP/1.1 extra\r\nhost: 127.0.0.1\r\n\r\n")
    )
    assert status == 400
    assert error["code"] == "bad_request"
    assert_still_answers(any_parser_server)
