"""Data: reading, URLs, downloads, metadata, deletion, listing and finding."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
import pytest

from pixlake import BadRequestError, Client, NotFoundError, Target


def read_url(url: str) -> bytes:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).read_bytes()
    return httpx.get(url).raise_for_status().content


def test_sync_refreshes_and_returns_fields(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    fields = data.sync()
    assert fields["id"] == str(data.id)
    assert fields["filename"] == images[0].name


def test_reset_url_reads_the_bytes(client: Client, images: list[Path], mode: str) -> None:
    data = client.get_datalake().upload_data(images[0])
    url = data.reset_url()
    assert url.startswith("file://" if mode == "embedded" else "http://127.0.0.1")
    body = read_url(url)
    assert body == images[0].read_bytes()
    assert hashlib.sha256(body).hexdigest() == data.checksum
    assert data.url == url


def test_download_writes_the_file(client: Client, images: list[Path], tmp_path: Path) -> None:
    data = client.get_datalake().upload_data(images[0])
    data.download(tmp_path / "out")
    written = tmp_path / "out" / images[0].name
    assert written.read_bytes() == images[0].read_bytes()
    assert [p.name for p in (tmp_path / "out").iterdir()] == [images[0].name]


def test_download_skips_existing_unless_forced(
    client: Client, images: list[Path], tmp_path: Path
) -> None:
    data = client.get_datalake().upload_data(images[0])
    target = tmp_path / images[0].name
    target.write_bytes(b"keep me")
    data.download(tmp_path)
    assert target.read_bytes() == b"keep me"
    data.download(tmp_path, force_replace=True)
    assert target.read_bytes() == images[0].read_bytes()


def test_failed_download_leaves_no_partial_file(
    client: Client, images: list[Path], tmp_path: Path, mode: str
) -> None:
    data = client.get_datalake().upload_data(images[0])
    data._url = None
    # Break the bytes behind the data: the download fails and leaves nothing behind.
    if mode == "embedded":
        Path(unquote(urlparse(data.reset_url()).path)).unlink()
    else:
        data.delete()
    with pytest.raises((NotFoundError, OSError)):
        data.download(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_update_custom_metadata_merges(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    data.update_custom_metadata({"camera": "front", "score": 0.5})
    data.update_custom_metadata({"score": 0.9, "nested": {"a": [1, 2]}})
    assert data.custom_metadata == {"camera": "front", "score": 0.9, "nested": {"a": [1, 2]}}
    assert data.sync()["custom_metadata"]["camera"] == "front"


def test_delete_removes_data_and_bytes(client: Client, images: list[Path]) -> None:
    lake = client.get_datalake()
    data = lake.upload_data(images[0])
    data.delete()
    with pytest.raises(NotFoundError):
        lake.find_data(id=data.id)
    assert len(lake.list_data()) == 0
    if client.workspace is not None:
        assert not any((client.workspace / "objects").rglob(data.checksum))
    again = lake.upload_data(images[0])  # the same bytes can come back
    assert again.id != data.id


def test_list_data_in_creation_order_with_limit_offset(client: Client, images: list[Path]) -> None:
    lake = client.get_datalake()
    uploaded = lake.upload_data(images)
    listed = lake.list_data()
    # Server mode uploads in parallel, so creation order is arrival order.
    assert sorted(d.id for d in uploaded) == [d.id for d in listed]
    uploaded = listed
    assert [d.id for d in lake.list_data(limit=2)] == [d.id for d in uploaded[:2]]
    assert [d.id for d in lake.list_data(limit=2, offset=3)] == [d.id for d in uploaded[3:5]]
    assert len(lake.list_data(offset=10)) == 0
    assert len(lake.list_data(limit=0)) == 0


def test_list_data_pages_by_key(client: Client, images: list[Path], monkeypatch) -> None:
    lake = client.get_datalake()
    lake.upload_data(images)
    uploaded = lake.list_data()
    monkeypatch.setattr("pixlake.sdk.datalake.MAX_PAGE_SIZE", 2)
    assert [d.id for d in lake.list_data()] == [d.id for d in uploaded]
    assert [d.id for d in lake.list_data(offset=1, limit=3)] == [d.id for d in uploaded[1:4]]


def test_list_data_filters(client: Client, images: list[Path]) -> None:
    lake = client.get_datalake()
    lake.upload_data(images)
    uploaded = lake.list_data()
    red = client.create_tag("red", Target.DATA)
    blue = client.create_tag("blue", Target.DATA)
    uploaded[:2].add_tags(red)
    uploaded[1:3].add_tags(blue)
    assert [d.id for d in lake.list_data(tags=[red])] == [d.id for d in uploaded[:2]]
    assert [d.id for d in lake.list_data(tags="red")] == [d.id for d in uploaded[:2]]
    assert [d.id for d in lake.list_data(tags=["red", blue])] == [d.id for d in uploaded[:3]]
    names = [images[4].name, images[0].name]
    assert {d.filename for d in lake.list_data(filenames=names)} == set(names)
    assert len(lake.list_data(tags=[red], filenames=[uploaded[1].filename])) == 1
    assert len(lake.list_data(tags=[red], filenames=[uploaded[4].filename])) == 0


def test_list_data_with_unknown_tag_name(client: Client) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        client.get_datalake().list_data(tags=["nope"])


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"offset": -5}, {"limit": 1.5}, {"offset": "2"}])
def test_list_data_refuses_bad_paging(client: Client, kwargs: dict) -> None:
    with pytest.raises(BadRequestError, match=next(iter(kwargs))):
        client.get_datalake().list_data(**kwargs)


def test_find_data(client: Client, images: list[Path]) -> None:
    lake = client.get_datalake()
    uploaded = lake.upload_data(images[:3])
    assert lake.find_data(filename=images[1].name).id == uploaded[1].id
    assert lake.find_data(id=uploaded[2].id).filename == images[2].name
    assert lake.find_data(id=str(uploaded[2].id)).id == uploaded[2].id
    with pytest.raises(NotFoundError, match="missing.jpg"):
        lake.find_data(filename="missing.jpg")
    with pytest.raises(NotFoundError):
        lake.find_data(id="01900000-0000-7000-8000-000000000000")
    with pytest.raises(BadRequestError):
        lake.find_data()


def test_find_data_of_another_datalake(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    with pytest.raises(NotFoundError):
        client.create_datalake("elsewhere").find_data(id=data.id)


def test_another_organizations_data_is_not_found(
    client: Client, other_client: Client, images: list[Path]
) -> None:
    theirs = other_client.get_datalake().upload_data(images[0])
    lake = client.get_datalake()
    with pytest.raises(NotFoundError):
        lake.find_data(id=theirs.id)
    forged = type(theirs)(client._connection, theirs._schema)
    for attempt in (
        forged.sync,
        forged.reset_url,
        forged.get_tags,
        forged.delete,
        lambda: forged.update_custom_metadata({"x": 1}),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert other_client.get_datalake().find_data(id=theirs.id).custom_metadata == {}


def test_datalakes(client: Client, other_client: Client) -> None:
    default = client.get_datalake()
    assert default.name == "default"
    created = client.create_datalake("cameras")
    assert client.get_datalake("cameras").id == created.id
    assert client.get_datalake(id=created.id).name == "cameras"
    assert [d.name for d in client.list_datalakes()] == ["default", "cameras"]
    assert "cameras" not in [d.name for d in other_client.list_datalakes()]
    with pytest.raises(NotFoundError, match="nope"):
        client.get_datalake("nope")
    from pixlake import ConflictError

    with pytest.raises(ConflictError, match="cameras"):
        client.create_datalake("cameras")
    with pytest.raises(NotFoundError):
        other_client.get_datalake(id=created.id)


def test_server_downloads_come_in_bundles(
    live_server, images: list[Path], tmp_path: Path, monkeypatch
) -> None:
    from pixlake.bundle import ByteReader, read_frames

    monkeypatch.setattr("pixlake.sdk.transfer.BUNDLE_FILES", 2)
    _name, token = live_server.new_user()
    with Client(api_token=token, host=live_server.url) as client:
        uploaded = client.get_datalake().upload_data(images)
        assert uploaded.download(tmp_path / "out") == 5
        for path in images:
            assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes()
    answer = httpx.post(
        f"{live_server.url}/data/download",
        json={"ids": [str(d.id) for d in uploaded[:2]]},
        headers={"authorization": f"Bearer {token}"},
    )
    frames = {
        name: b"".join(chunks) for name, chunks in read_frames(ByteReader(iter([answer.content])))
    }
    folder = images[0].parent
    assert frames == {str(d.id): (folder / d.filename).read_bytes() for d in uploaded[:2]}


def test_download_bundle_refusals(live_server, images: list[Path]) -> None:
    _name, token = live_server.new_user()
    _other, other_token = live_server.new_user()
    headers = {"authorization": f"Bearer {token}"}
    with Client(api_token=other_token, host=live_server.url) as other:
        theirs = other.get_datalake().upload_data(images[0])
    unknown = "01900000-0000-7000-8000-000000000000"
    for ids, status in (
        ([unknown], 404),
        ([str(theirs.id)], 404),
        ([unknown] * 257, 400),
        ([], 400),
    ):
        answer = httpx.post(f"{live_server.url}/data/download", json={"ids": ids}, headers=headers)
        assert answer.status_code == status, answer.text
    assert (
        httpx.post(f"{live_server.url}/data/download", json={"ids": [str(theirs.id)]}).status_code
        == 401
    )
