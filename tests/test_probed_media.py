"""Probing once in embedded mode: the SDK's probes reach the service of the same process
by reference (``pixlake.probed_media``), keyed by the checksum the service computes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pixlake import Client, InvalidMediaError, PayloadTooLargeError
from pixlake.core.services import data as data_service
from pixlake.enums import DataType
from pixlake.media import MediaInfo
from pixlake.probed_media import ProbedMedia
from pixlake.samples import make_image
from pixlake.sdk import local_files
from pixlake.server.app import create_app
from pixlake.storage.base import ObjectStorage
from tests.conftest import stored_objects


class ProbeSpy:
    """Counts the service's own probes (the real function runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = data_service.probe_media

        def counted(*args: Any, **kwargs: Any) -> MediaInfo:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(data_service, "probe_media", counted)


def probes_of(client: Client) -> ProbedMedia:
    probes = client._connection.capabilities.probes
    assert probes is not None
    return probes


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Client]:
    with Client(workspace=tmp_path / "ws") as client:
        yield client


def pictures(folder: Path, count: int, width: int = 64, height: int = 48) -> list[Path]:
    return [make_image(folder / f"p{i:03d}.jpg", width + i, height, seed=i) for i in range(count)]


def test_an_embedded_upload_probes_each_file_once(
    embedded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = pictures(tmp_path / "in", 5)
    spy = ProbeSpy(monkeypatch)
    uploaded = embedded.get_datalake().upload_data(files)
    assert spy.calls == 0, "the service took the SDK's probes"
    assert [(d.width, d.height, d.type) for d in uploaded] == [
        (64 + i, 48, DataType.IMAGE) for i in range(5)
    ]
    assert len(probes_of(embedded)) == 0, "an upload forgets its probes when it ends"


def test_a_probe_recorded_for_other_bytes_is_not_taken(
    embedded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the checksum the service computed finds a probe: facts recorded under any
    other key, or a false claim under the right key, never reach a row."""
    [picture] = pictures(tmp_path / "in", 1)
    other = hashlib.sha256(b"other bytes").hexdigest()
    own = hashlib.sha256(picture.read_bytes()).hexdigest()
    lie = MediaInfo(DataType.IMAGE, "image/png", 1, 1)
    probes = probes_of(embedded)
    probes.record(other, lie)
    probes.record(own, lie)  # overwritten by the upload's own probe of these bytes
    spy = ProbeSpy(monkeypatch)
    stored = embedded.get_datalake().upload_data(picture)
    assert (stored.width, stored.height, stored.content_type) == (64, 48, "image/jpeg")
    assert spy.calls == 0

    assert probes.get(other) == lie  # not the upload's to forget


def test_the_service_holds_a_recorded_probe_to_its_own_pixel_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK probes without the server's limits: the service still refuses an image over
    max_image_pixels, with the error its own probe gives, and stores nothing."""
    monkeypatch.setenv("PIXLAKE_MAX_IMAGE_PIXELS", "1000")
    files = pictures(tmp_path / "in", 2)  # 64x48 = 3072 pixels each
    with Client(workspace=tmp_path / "ws") as client:
        lake = client.get_datalake()
        # Either file may be refused first: the service stages them on several threads.
        with pytest.raises(PayloadTooLargeError, match=r"p00[01]\.jpg") as caught:
            lake.upload_data(files)
        assert caught.value.limit == "max_image_pixels"
        assert (caught.value.details["width"], caught.value.details["height"]) in [
            (64, 48),
            (65, 48),
        ]
        assert len(lake.list_data()) == 0
        assert stored_objects(tmp_path / "ws") == []
        assert len(probes_of(client)) == 0


def test_a_refused_preflight_names_the_first_bad_file_and_records_nothing(
    embedded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preflight runs in batches on two threads; the error is the first bad file's in the
    order given, as one by one, and what the other batches recorded is dropped."""
    monkeypatch.setattr(local_files, "PREFLIGHT_BATCH", 2)
    files = pictures(tmp_path / "in", 9)
    files[4].write_bytes(files[4].read_bytes()[:200])  # truncated: refused
    files[7].write_bytes(b"not a picture at all")
    with pytest.raises(InvalidMediaError, match="p004.jpg"):
        embedded.get_datalake().upload_data(files)
    assert len(probes_of(embedded)) == 0
    assert len(embedded.get_datalake().list_data()) == 0


def test_probes_are_shared_with_an_in_process_app_only(embedded: Client) -> None:
    """A served app never holds the SDK's probes: no client's claim can reach it."""
    context = embedded._connection  # any context will do: the app refuses before using it
    with pytest.raises(ValueError, match="in-process"):
        create_app(context, probed_media=ProbedMedia())  # type: ignore[arg-type]


def test_probes_held_are_bounded() -> None:
    probes = ProbedMedia(max_held=2)
    info = MediaInfo(DataType.IMAGE, "image/jpeg", 4, 3)
    assert probes.record("a", info) and probes.record("b", info)
    assert not probes.record("c", info) and probes.get("c") is None
    assert probes.record("a", info), "a probe held already is replaced"
    probes.forget(["a", "b", "unknown"])
    assert len(probes) == 0


class StageFileSpy:
    """Counts the files the service reads itself (the real staging runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        real = ObjectStorage.stage_file

        def counted(storage: ObjectStorage, source: Path) -> Any:
            self.read.append(Path(source).name)
            return real(storage, source)

        monkeypatch.setattr(ObjectStorage, "stage_file", counted)


def test_an_embedded_upload_reads_each_small_file_once(
    embedded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service stages the bytes the SDK read, probed and hashed, instead of reading the
    files again; what is stored is those bytes, under their own checksum."""
    files = pictures(tmp_path / "in", 5)
    spy = StageFileSpy(monkeypatch)
    uploaded = embedded.get_datalake().upload_data(files)
    assert spy.read == []
    for data, path in zip(uploaded, files, strict=True):
        assert data.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sorted(p.name for p in stored_objects(tmp_path / "ws")) == sorted(
        d.checksum for d in uploaded
    )
    assert probes_of(embedded).bytes_held == 0, "an upload lets go of the bytes it held"


def test_bytes_held_for_a_file_that_changed_size_are_not_staged(
    embedded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held bytes stand for a file only while it has their size (the size its limits were
    checked on): otherwise the service reads the file as it is."""
    [picture, other] = pictures(tmp_path / "in", 2)
    probes = probes_of(embedded)
    stale = b"\xff\xd8 stale bytes"
    probes.hold(str(picture), hashlib.sha256(stale).hexdigest(), stale)
    spy = StageFileSpy(monkeypatch)
    monkeypatch.setattr(local_files, "_probe_and_record", lambda file, probes: None)
    lake = embedded.get_datalake()
    stored = lake.upload_data([picture, other])
    assert spy.read == ["p000.jpg", "p001.jpg"]
    assert stored[0].checksum == hashlib.sha256(picture.read_bytes()).hexdigest()
    assert probes.bytes_held == 0


def test_bytes_held_are_bounded() -> None:
    probes = ProbedMedia(max_bytes_held=10)
    assert probes.hold("/a", "ca", b"12345678")
    assert not probes.hold("/b", "cb", b"123"), "past the bound"
    assert not probes.hold("/a", "ca", b"1"), "one file is held once"
    held = probes.take("/a")
    assert held is not None and held.data == b"12345678" and probes.bytes_held == 0
    assert probes.take("/a") is None
    assert probes.hold("/b", "cb", b"123")
    probes.forget([], ["/b", "/unknown"])
    assert probes.bytes_held == 0 and probes.take("/b") is None


def test_a_small_file_is_read_whole_and_a_larger_one_not_at_all(tmp_path: Path) -> None:
    """The preflight reads a file of the recorded size whole (its first read asks for the
    size the file has); one byte more and it reads nothing, the file is probed by path."""
    limit = 4096
    exact = tmp_path / "exact.bin"
    exact.write_bytes(bytes(range(256)) * (limit // 256))
    over = tmp_path / "over.bin"
    over.write_bytes(b"x" * (limit + 1))
    assert local_files._read_whole(exact, limit) == exact.read_bytes()
    assert local_files._read_whole(over, limit) is None


def test_a_file_growing_while_read_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes held stand for the whole file: when the file grows after its size was read,
    the reads go on to its end (or give up past the limit), never keep a first part."""
    path = tmp_path / "growing.bin"
    path.write_bytes(b"a" * 100)
    real_fstat = local_files.os.fstat

    def fstat_then_grow(fd: int) -> Any:
        status = real_fstat(fd)
        with open(path, "ab") as more:
            more.write(b"b" * 50)
        return status

    monkeypatch.setattr(local_files.os, "fstat", fstat_then_grow)
    assert local_files._read_whole(path, 1000) == b"a" * 100 + b"b" * 50
    path.write_bytes(b"a" * 100)
    assert local_files._read_whole(path, 120) is None
