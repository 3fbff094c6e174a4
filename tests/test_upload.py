"""Uploading images and videos into a datalake, and every kind of bad upload."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from pixlake import (
    BadRequestError,
    Client,
    Data,
    DataType,
    EmptyFileError,
    FileMissingError,
    InvalidFilenameError,
    InvalidMediaError,
    MultiData,
    NotFoundError,
    Target,
    UnsupportedMediaError,
    WrongTargetError,
)
from tests.conftest import LiveServer, stored_objects


def assert_nothing_stored(client: Client) -> None:
    assert len(client.get_datalake().list_data()) == 0
    assert client.list_tags() == []
    if client.workspace is not None:
        assert stored_objects(client.workspace) == []
        assert list((client.workspace / "staging").iterdir()) == []


def test_one_path_gives_a_data(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    assert isinstance(data, Data)
    assert data.filename == images[0].name
    assert data.type is DataType.IMAGE
    assert data.content_type == "image/jpeg"
    assert data.size == images[0].stat().st_size
    assert data.width in (320, 640, 800, 1024)
    assert data.datalake_id == client.get_datalake().id
    assert data.large is False
    assert len(data.checksum) == 64


def test_a_list_gives_a_multidata_in_order(client: Client, images: list[Path]) -> None:
    uploaded = client.get_datalake().upload_data([str(p) for p in images[::-1]])
    assert isinstance(uploaded, MultiData)
    assert [d.filename for d in uploaded] == [p.name for p in images[::-1]]


def test_a_folder_is_walked_recursively(client: Client, tmp_path: Path, unique_image) -> None:
    folder = tmp_path / "tree"
    for relative in ("a.jpg", "sub/b.png", "sub/deeper/c.jpg"):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        unique_image(target.name).rename(target)
    (folder / "notes.txt").write_text("not media, skipped when walking a folder")
    uploaded = client.get_datalake().upload_data(folder)
    assert isinstance(uploaded, MultiData)
    assert sorted(d.filename for d in uploaded) == ["a.jpg", "b.png", "c.jpg"]


def test_a_folder_recognises_media_by_their_bytes_and_reports_what_it_skipped(
    client: Client,
    tmp_path: Path,
    unique_image,
    videos: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "shots"
    (folder / "sub").mkdir(parents=True)
    (folder / ".cache").mkdir()
    unique_image("a.jpg").rename(folder / "a.jpg")
    unique_image("x.jpg").rename(folder / "photo.dat")  # a JPEG whatever its name says
    (folder / "sub" / "clip.bin").write_bytes(videos[".mp4"].read_bytes())
    (folder / "sub" / "notes.txt").write_text("not media")
    (folder / "empty.csv").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    unique_image("hidden.jpg").rename(folder / ".cache" / "hidden.jpg")
    with caplog.at_level("WARNING", logger="pixlake"):
        uploaded = client.get_datalake().upload_data(folder)
    assert sorted(d.filename for d in uploaded) == ["a.jpg", "clip.bin", "photo.dat"]
    assert {d.filename: d.type for d in uploaded}["photo.dat"] is DataType.IMAGE
    assert {d.filename: d.type for d in uploaded}["clip.bin"] is DataType.VIDEO
    assert sorted((s.path, s.reason) for s in uploaded.skipped) == sorted(
        [
            (str(folder / ".cache"), "hidden"),
            (str(folder / ".DS_Store"), "hidden"),
            (str(folder / "empty.csv"), "empty file"),
            (str(folder / "sub" / "notes.txt"), "not an image or video"),
        ]
    )
    warned = " ".join(r.getMessage() for r in caplog.records if r.name == "pixlake")
    assert "4 entries" in warned and "notes.txt" in warned and "empty.csv" in warned


def test_errors_name_the_path_as_given(
    client: Client, tmp_path: Path, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shots" / "day1").mkdir(parents=True)
    (tmp_path / "shots" / "day1" / "cut.jpg").write_bytes(images[0].read_bytes()[:3000])
    monkeypatch.chdir(tmp_path)
    given = os.path.join("shots", "day1", "cut.jpg")
    for argument in ("shots", given, [images[1], Path(given)]):
        with pytest.raises(InvalidMediaError, match=f"^{given}: ") as raised:
            client.get_datalake().upload_data(argument)
        assert raised.value.details["path"] == given
        assert raised.value.details["filename"] == "cut.jpg"
    (tmp_path / "shots" / "day1" / "cut.jpg").unlink()
    (tmp_path / "shots" / "day1" / ".keep").write_text("")
    with pytest.raises(UnsupportedMediaError, match="skipped: 1 hidden"):
        client.get_datalake().upload_data("shots")
    assert_nothing_stored(client)


def test_videos_get_their_duration(client: Client, videos: dict[str, Path]) -> None:
    uploaded = client.get_datalake().upload_data(list(videos.values()))
    assert len(uploaded) == 5
    for data in uploaded:
        assert data.type is DataType.VIDEO
        assert (data.width, data.height) == (64, 48)
        assert data.duration == pytest.approx(1.0, abs=0.1)


def test_exif_goes_into_metadata(client: Client, unique_image) -> None:
    data = client.get_datalake().upload_data(unique_image("r.jpg", 60, 40, exif_orientation=6))
    assert (data.width, data.height) == (40, 60)
    assert data.metadata["exif"]["Orientation"] == 6


def test_same_bytes_give_back_the_existing_data(
    client: Client, images: list[Path], tmp_path: Path
) -> None:
    lake = client.get_datalake()
    first = lake.upload_data(images[0])
    again = lake.upload_data(images[0])
    copy = tmp_path / "copy-with-another-name.jpg"
    copy.write_bytes(images[0].read_bytes())
    renamed = lake.upload_data(copy)
    assert again.id == first.id == renamed.id
    assert renamed.filename == images[0].name
    assert len(lake.list_data()) == 1


def test_the_same_file_twice_in_one_call_is_stored_once(client: Client, images: list[Path]) -> None:
    uploaded = client.get_datalake().upload_data([images[0], images[1], images[0]])
    assert len(uploaded) == 2
    assert len(client.get_datalake().list_data()) == 2
    if client.workspace is not None:
        assert len(stored_objects(client.workspace)) == 2


def test_same_bytes_in_two_datalakes_are_two_data(client: Client, images: list[Path]) -> None:
    one = client.get_datalake().upload_data(images[0])
    other = client.create_datalake("second").upload_data(images[0])
    assert one.id != other.id
    assert one.checksum == other.checksum


def test_tags_by_name_are_created(client: Client, images: list[Path]) -> None:
    uploaded = client.get_datalake().upload_data(images[:2], tags=["new-tag", "other"])
    assert {t.name for t in uploaded[0].get_tags()} == {"new-tag", "other"}
    assert client.get_tag("new-tag", Target.DATA).target is Target.DATA


def test_tags_as_objects(client: Client, images: list[Path]) -> None:
    tag = client.create_tag("cat", Target.DATA)
    data = client.get_datalake().upload_data(images[0], tags=[tag])
    assert [t.name for t in data.get_tags()] == ["cat"]


def test_large_follows_the_threshold(tmp_path: Path, unique_image, monkeypatch) -> None:
    monkeypatch.setenv("PIXLAKE_LARGE_FILE_THRESHOLD", "1000")
    with Client(workspace=tmp_path / "ws") as client:
        big = unique_image("big.png", 200, 200)
        assert big.stat().st_size >= 1000
        assert client.get_datalake().upload_data(big).large is True


# Bad input: each refused with a typed error naming the item, and nothing stored.


def test_missing_path(client: Client, tmp_path: Path) -> None:
    with pytest.raises(FileMissingError, match="nowhere.jpg"):
        client.get_datalake().upload_data(tmp_path / "nowhere.jpg")
    assert_nothing_stored(client)


def test_missing_path_among_good_ones(client: Client, images: list[Path], tmp_path: Path) -> None:
    with pytest.raises(FileMissingError, match="nowhere.jpg"):
        client.get_datalake().upload_data([images[0], tmp_path / "nowhere.jpg"], tags=["t"])
    assert_nothing_stored(client)


def test_folder_without_media(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")
    with pytest.raises(UnsupportedMediaError, match="docs"):
        client.get_datalake().upload_data(folder)
    assert_nothing_stored(client)


def test_zero_byte_file(client: Client, images: list[Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty.jpg"):
        client.get_datalake().upload_data([images[0], empty])
    assert_nothing_stored(client)


def test_truncated_jpeg(client: Client, images: list[Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(images[0].read_bytes()[:3000])
    with pytest.raises(InvalidMediaError, match="cut.jpg"):
        client.get_datalake().upload_data([images[1], cut], tags=["t"])
    assert_nothing_stored(client)


def test_text_file_named_jpg(client: Client, tmp_path: Path) -> None:
    fake = tmp_path / "fake.jpg"
    fake.write_text("I am not a picture")
    with pytest.raises(UnsupportedMediaError, match="fake.jpg"):
        client.get_datalake().upload_data(fake)
    assert_nothing_stored(client)


def test_unsupported_type(client: Client, tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    archive.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(UnsupportedMediaError, match="data.zip"):
        client.get_datalake().upload_data(archive)
    assert_nothing_stored(client)


def test_backslash_in_filename(client: Client, unique_image, tmp_path: Path) -> None:
    odd = tmp_path / "back\\slash.jpg"
    unique_image().rename(odd)
    with pytest.raises(InvalidFilenameError, match="slash"):
        client.get_datalake().upload_data(odd)
    assert_nothing_stored(client)


def test_dots_in_filename(client: Client, unique_image, tmp_path: Path) -> None:
    odd = tmp_path / "..hidden..jpg"
    unique_image().rename(odd)
    with pytest.raises(InvalidFilenameError, match=r"\.\."):
        client.get_datalake().upload_data(odd)
    assert_nothing_stored(client)


def test_non_utf8_filename(client: Client, unique_image, tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.jpg"))
    unique_image().rename(odd)
    with pytest.raises(InvalidFilenameError, match="UTF-8"):
        client.get_datalake().upload_data(odd)
    assert_nothing_stored(client)


def test_wrong_target_tag(client: Client, images: list[Path]) -> None:
    asset_tag = client.create_tag("asset-only", Target.ASSET)
    with pytest.raises(WrongTargetError, match="asset-only"):
        client.get_datalake().upload_data(images[0], tags=[asset_tag])
    assert len(client.get_datalake().list_data()) == 0


def test_bad_tag_value(client: Client, images: list[Path]) -> None:
    with pytest.raises(BadRequestError, match="42"):
        client.get_datalake().upload_data(images[0], tags=[42])  # type: ignore[list-item]


def test_empty_list(client: Client) -> None:
    with pytest.raises(BadRequestError):
        client.get_datalake().upload_data([])


# Filenames a file system can't hold are refused by the API itself.


@pytest.fixture
def raw_http(live_server: LiveServer):
    _name, token = live_server.new_user()
    with httpx.Client(
        base_url=live_server.url, headers={"authorization": f"Bearer {token}"}
    ) as http:
        lake_id = http.get("/datalakes").json()[0]["id"]
        yield http, lake_id


@pytest.mark.parametrize(
    "filename, reason",
    [
        ("../escape.jpg", "'/'"),
        ("a/b.jpg", "'/'"),
        ("a\\b.jpg", "backslash|'\\\\\\\\'"),
        ("x" * 300 + ".jpg", "bytes long"),
        ("..", "folder"),
        ("", "empty|filename"),
        (".", "folder"),
        ("CON.jpg", "device"),
        ("lpt1", "device"),
        ("a:b.jpg", "Windows"),
        ("x\u202egpj.jpg", "U\\+202E"),
        ("zero\u200bwidth.jpg", "U\\+200B"),
        ("bom\ufeff.jpg", "U\\+FEFF"),
        ("   ", "whitespace"),
        ("trailing.jpg.", "dot"),
    ],
)
def test_api_refuses_bad_filenames(
    raw_http, images: list[Path], filename: str, reason: str
) -> None:
    http, lake_id = raw_http
    answer = http.put(
        f"/datalakes/{lake_id}/data", params={"filename": filename}, content=images[0].read_bytes()
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] in ("invalid_filename", "bad_request")
    if filename:
        assert re.search(reason, body["message"]), body
    assert http.post(f"/datalakes/{lake_id}/data/search", json={}).json()["items"] == []


def test_api_refuses_unknown_tag_id(raw_http, images: list[Path]) -> None:
    http, lake_id = raw_http
    unknown = "01900000-0000-7000-8000-000000000000"
    answer = http.put(
        f"/datalakes/{lake_id}/data",
        params={"filename": "a.jpg", "tag_ids": unknown},
        content=images[0].read_bytes(),
    )
    assert answer.status_code == 404
    assert unknown in answer.json()["message"]
    assert http.post(f"/datalakes/{lake_id}/data/search", json={}).json()["items"] == []


def test_api_has_no_local_ingest_route(raw_http, images: list[Path]) -> None:
    http, lake_id = raw_http
    answer = http.post(f"/datalakes/{lake_id}/data/ingest-local", json={"paths": [str(images[0])]})
    assert answer.status_code in (404, 405)


def test_upload_to_another_organizations_datalake(
    client: Client, other_client: Client, images: list[Path]
) -> None:
    theirs = other_client.get_datalake()
    with pytest.raises(NotFoundError):
        client.get_datalake(id=theirs.id)
    stolen = type(theirs)(client._connection, theirs._schema)  # forge a handle on their id
    with pytest.raises(NotFoundError):
        stolen.upload_data(images[0])
    assert len(theirs.list_data()) == 0


# The bundle route: many small files in one streamed request.


def _frame(filename: str, body: bytes, size: int | None = None) -> bytes:
    import json
    import struct

    header = json.dumps({"filename": filename, "size": len(body) if size is None else size})
    return struct.pack(">I", len(header)) + header.encode() + body


def _bundle_post(http: httpx.Client, lake_id: str, body: bytes) -> httpx.Response:
    return http.post(
        f"/datalakes/{lake_id}/data/bundle",
        content=body,
        headers={"content-type": "application/x-pixlake-bundle"},
    )


def test_bundle_stores_every_file(raw_http, images: list[Path]) -> None:
    http, lake_id = raw_http
    body = b"".join(_frame(p.name, p.read_bytes()) for p in images[:3])
    answer = _bundle_post(http, lake_id, body)
    assert answer.status_code == 200, answer.text
    assert [row["filename"] for row in answer.json()] == [p.name for p in images[:3]]


@pytest.mark.parametrize(
    "case", ["truncated-file", "truncated-header", "bad-json", "empty", "bad-name", "bad-media"]
)
def test_bad_bundles_store_nothing(raw_http, images: list[Path], case: str) -> None:
    http, lake_id = raw_http
    good = _frame(images[0].name, images[0].read_bytes())
    body = {
        "truncated-file": good + _frame("b.jpg", images[1].read_bytes(), size=10**6),
        "truncated-header": good + b'\x00\x00\x00\x40{"filename"',
        "bad-json": good + b"\x00\x00\x00\x03{x}",
        "empty": b"",
        "bad-name": good + _frame("../b.jpg", images[1].read_bytes()),
        "bad-media": good + _frame("notes.jpg", b"plain text, not a picture"),
    }[case]
    answer = _bundle_post(http, lake_id, body)
    assert answer.status_code == 400
    if case in ("bad-name", "bad-media"):
        assert ("b.jpg" if case == "bad-name" else "notes.jpg") in answer.json()["message"]
    assert http.post(f"/datalakes/{lake_id}/data/search", json={}).json()["items"] == []


def test_server_mode_bundles_small_files(
    live_server: LiveServer, tmp_path: Path, monkeypatch
) -> None:
    """More files than one bundle holds, and one file too big for a bundle."""
    from pixlake.samples import make_image, make_images

    monkeypatch.setattr("pixlake.sdk.datalake.BUNDLE_MAX_FILES", 3)
    monkeypatch.setattr("pixlake.sdk.datalake.BUNDLE_MAX_BYTES", 200_000)
    paths = make_images(tmp_path / "many", 7, seed=77)
    paths.append(make_image(tmp_path / "big.bmp", 300, 300))  # ~270 kB: sent alone
    _name, token = live_server.new_user()
    with Client(api_token=token, host=live_server.url) as client:
        uploaded = client.get_datalake().upload_data(paths, tags=["bundled"])
        assert sorted(d.filename for d in uploaded) == sorted(p.name for p in paths)
        assert len(client.get_datalake().list_data(tags=["bundled"])) == 8


def test_bundles_hold_many_small_files_within_the_byte_bound(tmp_path: Path) -> None:
    """Small files go a few hundred to a request (a request's own cost dominated at 32),
    and the byte bound still splits bundles of larger files."""
    from pixlake.sdk.datalake import BUNDLE_MAX_BYTES, BUNDLE_MAX_FILES, _bundle

    small = []
    for i in range(2 * BUNDLE_MAX_FILES + 10):
        path = tmp_path / f"s{i}.jpg"
        path.write_bytes(b"x" * 100)
        small.append(path)
    assert [len(b) for b in _bundle(small)] == [BUNDLE_MAX_FILES, BUNDLE_MAX_FILES, 10]

    size = BUNDLE_MAX_BYTES // 5 + 1  # five of them are over the bound
    large = []
    for i in range(10):
        path = tmp_path / f"l{i}.jpg"
        path.write_bytes(b"x" * size)
        large.append(path)
    batches = _bundle(large)
    assert [len(b) for b in batches] == [4, 4, 2]
    assert all(sum(p.stat().st_size for p in b) <= BUNDLE_MAX_BYTES for b in batches)
