"""Issue 9, items 1 and 3 and the bounds of item 2: nothing stored that can't be read back,
every malformed input a typed 4xx, every client text and bulk request bounded.

Tests taking ``client`` run embedded, against a server on SQLite and against one on
PostgreSQL and S3, since what a database stores (NUL, surrogates, NaN in JSON, binds) is
where they differ."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from pixlake import BadRequestError, Client
from pixlake.core.services.accounts import create_user
from pixlake.core.workspace import open_workspace
from pixlake.errors import (
    ForbiddenError,
    InsufficientStorageError,
    LimitExceededError,
    PixlakeError,
)
from pixlake.limits import (
    MAX_DOWNLOAD_BUNDLE,
    MAX_IDS_PER_REQUEST,
    MAX_LOCAL_PATHS_PER_REQUEST,
    MAX_MODEL_LABELS,
    MAX_NAME_LENGTH,
    MAX_SHAPES_PER_REQUEST,
    MAX_TAGS_PER_REQUEST,
    MAX_TEXT_LENGTH,
    OFFSET_BOUND,
    limit_name_for_items,
)
from pixlake.sdk.annotation import SHAPE_CHUNK
from pixlake.sdk.asset import BULK_CHUNK
from pixlake.sdk.datalake import LOCAL_INGEST_CHUNK
from pixlake.server.app import create_app
from pixlake.settings import Settings
from tests.conftest import LiveServer, free_port


def _request(client: Client, method: str, path: str, **kwargs):
    return client._connection.request(method, path, **kwargs)


def _send(client: Client, method: str, path: str, body: object):
    """``body`` as Python's JSON writer has it (NaN as ``NaN``, a lone surrogate as
    ``\\ud800``): what any client may send, and httpx's own writer refuses to."""
    return _request(
        client,
        method,
        path,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )


def _uploaded(client: Client, images: list[Path]):
    return client.get_datalake().upload_data(images[:1])[0]


# 1. Nothing stored that can't be read back


def test_nan_in_custom_metadata_is_refused_and_listings_keep_working(
    client: Client, images: list[Path]
) -> None:
    data = _uploaded(client, images)
    for bad in (b'{"v": NaN}', b'{"v": Infinity}', b'{"deep": [{"v": -Infinity}]}'):
        # Written by hand: Python's JSON writer sends these, httpx's refuses to.
        with pytest.raises(BadRequestError, match="finite") as caught:
            _request(
                client,
                "PATCH",
                f"/data/{data.id}/custom-metadata",
                content=b'{"custom_metadata": ' + bad + b"}",
                headers={"content-type": "application/json"},
            )
        assert caught.value.details["field"].startswith("custom_metadata.")
    with pytest.raises(BadRequestError, match="finite"):
        data.update_custom_metadata({"v": float("nan")})  # the SDK checks before sending
    assert client.get_datalake().list_data()[0].custom_metadata == {}
    data.update_custom_metadata({"v": 1.5, "n": None, "ok": [True, "x", {"k": 2}]})
    assert data.sync()["custom_metadata"] == {"v": 1.5, "n": None, "ok": [True, "x", {"k": 2}]}


def test_metadata_nested_too_deep_is_refused_before_anything_is_stored(
    client: Client, images: list[Path]
) -> None:
    data = _uploaded(client, images)
    value: dict = {}
    for _ in range(255):
        value = {"a": value}
    with pytest.raises(LimitExceededError) as caught:
        _send(
            client,
            "PATCH",
            f"/data/{data.id}/custom-metadata",
            {"custom_metadata": {"deep": value}},
        )
    assert caught.value.limit == "max_json_depth"
    assert caught.value.details["max"] == 32
    # Nothing was committed, and the data is as readable as before.
    assert data.sync()["custom_metadata"] == {}
    assert client.get_datalake().list_data()[0].custom_metadata == {}
    value = {}
    for _ in range(30):
        value = {"a": value}
    data.update_custom_metadata({"deep": value})  # 32 objects, counting the outer one
    with pytest.raises(LimitExceededError):
        data.update_custom_metadata({"deep": {"a": value}})  # the SDK checks it too
    assert data.sync()["custom_metadata"]["deep"] == value


def test_custom_metadata_over_max_json_bytes_is_refused_once_merged(
    client: Client, images: list[Path]
) -> None:
    data = _uploaded(client, images)
    with pytest.raises(LimitExceededError) as caught:
        data.update_custom_metadata({"big": "x" * (64 * 1024)})  # checked by the server
    assert caught.value.limit == "max_json_bytes"
    data.update_custom_metadata({"a": "x" * 40_000})
    with pytest.raises(LimitExceededError, match="max_json_bytes"):
        data.update_custom_metadata({"b": "y" * 40_000})  # each fits, not both
    assert set(data.sync()["custom_metadata"]) == {"a"}


def test_custom_metadata_answer_is_built_before_the_commit(
    client: Client, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer that fails to build rolls the change back instead of following it."""
    if client.mode != "embedded":
        pytest.skip("patches the application, which runs in this process only embedded")
    from pixlake.schemas import DataPublic

    data = _uploaded(client, images)

    def failing(self):
        raise RuntimeError("the answer could not be written")

    monkeypatch.setattr(DataPublic, "answer", failing)
    with pytest.raises(PixlakeError):
        data.update_custom_metadata({"k": 1})
    monkeypatch.undo()
    assert data.sync()["custom_metadata"] == {}


# 3. Malformed text: NUL and lone surrogates, refused on both databases


@pytest.mark.parametrize("bad", ["nul\x00inside", "lone \ud800 surrogate"])
def test_nul_or_lone_surrogate_in_any_text_is_refused(
    client: Client, images: list[Path], bad: str
) -> None:
    with pytest.raises(BadRequestError) as caught:
        _send(client, "POST", "/datasets", {"name": "d", "description": bad})
    assert caught.value.details["field"] == "description"
    with pytest.raises(BadRequestError):
        _send(client, "POST", "/datasets", {"name": bad})
    with pytest.raises(BadRequestError):
        _send(client, "POST", "/tags", {"name": bad, "target": "DATA"})
    data = _uploaded(client, images)
    with pytest.raises(BadRequestError) as caught:
        _send(client, "PATCH", f"/data/{data.id}/custom-metadata", {"custom_metadata": {"k": bad}})
    assert caught.value.details["field"] == "custom_metadata.k"
    with pytest.raises(BadRequestError):
        _send(client, "PATCH", f"/data/{data.id}/custom-metadata", {"custom_metadata": {bad: 1}})
    with pytest.raises(BadRequestError) as caught:
        _send(
            client,
            "POST",
            f"/datalakes/{client.get_datalake().id}/data/search",
            {"filenames": ["fine.jpg", bad]},
        )
    assert caught.value.details["field"] == "filenames[1]"
    assert client.list_datasets() == []
    assert client.list_tags() == []
    assert client.get_datalake().list_data()[0].custom_metadata == {}


def test_nul_in_query_string_text_is_refused(client: Client, images: list[Path]) -> None:
    for path in ("/datasets", "/datalakes", "/tags"):
        with pytest.raises(BadRequestError) as caught:
            _request(client, "GET", path, params={"name": "a\x00b"})
        assert caught.value.details["field"] == "name"
        with pytest.raises(LimitExceededError) as caught:
            _request(client, "GET", path, params={"name": "n" * (MAX_NAME_LENGTH + 1)})
        assert caught.value.limit == "max_name_length"
    datalake = client.get_datalake()
    with pytest.raises(BadRequestError):
        datalake.upload_data(images[:1], tags=["a\x00b"])
    assert len(datalake.list_data()) == 0
    assert client.list_tags() == []


# 2. Bounds on texts and bulk requests, named in the typed error


def test_text_over_its_bound_is_refused_naming_field_and_index(
    client: Client, images: list[Path]
) -> None:
    with pytest.raises(LimitExceededError) as caught:
        client.create_dataset("d", description="x" * (MAX_TEXT_LENGTH + 1))
    assert caught.value.limit == "max_text_length"
    assert caught.value.details["field"] == "description"
    with pytest.raises(LimitExceededError) as caught:
        client.create_dataset("n" * (MAX_NAME_LENGTH + 1))
    assert caught.value.limit == "max_name_length"
    ds = client.create_dataset("d", description="x" * MAX_TEXT_LENGTH)
    version = ds.create_version("v1")
    label = version.create_label("cat")
    asset = version.add_data([_uploaded(client, images)])[0]
    annotation = asset.create_annotation()
    shape = {"kind": "RECTANGLE", "label_id": str(label.id), "x": 0, "y": 0, "w": 2, "h": 2}
    shapes = [shape, shape, shape, {**shape, "text": "t" * (MAX_TEXT_LENGTH + 1)}]
    with pytest.raises(LimitExceededError) as caught:
        _request(client, "POST", f"/annotations/{annotation.id}/shapes", json={"shapes": shapes})
    assert caught.value.details["field"] == "shapes[3].text"
    assert caught.value.limit == "max_text_length"
    with pytest.raises(BadRequestError) as caught:
        _send(
            client,
            "POST",
            f"/annotations/{annotation.id}/shapes",
            {"shapes": [shape, {**shape, "text": "a\x00b"}]},
        )
    assert caught.value.details["field"] == "shapes[1].text"
    assert _request(client, "GET", f"/annotations/{annotation.id}/shapes") == []


def test_bulk_requests_over_their_bound_are_refused_before_the_work(
    client: Client, images: list[Path]
) -> None:
    data = _uploaded(client, images)
    too_many = [str(data.id)] + [str(uuid.uuid4()) for _ in range(MAX_IDS_PER_REQUEST)]
    with pytest.raises(LimitExceededError) as caught:
        _request(client, "POST", "/data/delete", json={"ids": too_many})
    assert caught.value.limit == "max_ids_per_request"
    assert caught.value.details["max"] == MAX_IDS_PER_REQUEST
    tag = client.create_tag("t", "DATA")
    tag_ids = [str(tag.id)] * (MAX_TAGS_PER_REQUEST + 1)
    with pytest.raises(LimitExceededError) as caught:
        _request(
            client,
            "POST",
            "/tags/attach",
            json={"target": "DATA", "object_ids": [str(data.id)], "tag_ids": tag_ids},
        )
    assert caught.value.limit == "max_tags_per_request"
    # Refused before anything was done: the data is still there, untagged.
    assert [d.id for d in client.get_datalake().list_data()] == [data.id]
    assert data.get_tags() == []


def test_shapes_over_the_bulk_bound_are_refused(client: Client, images: list[Path]) -> None:
    version = client.create_dataset("d").create_version("v1")
    label = version.create_label("cat")
    annotation = version.add_data([_uploaded(client, images)])[0].create_annotation()
    shape = {"kind": "POINT", "label_id": str(label.id), "coords": [[1.0, 1.0]]}
    with pytest.raises(LimitExceededError) as caught:
        _request(
            client,
            "POST",
            f"/annotations/{annotation.id}/shapes",
            json={"shapes": [shape] * (MAX_SHAPES_PER_REQUEST + 1)},
        )
    assert caught.value.limit == "max_shapes_per_request"
    assert _request(client, "GET", f"/annotations/{annotation.id}/shapes") == []


def test_sdk_chunks_are_the_bounds_the_server_states() -> None:
    assert (BULK_CHUNK, SHAPE_CHUNK) == (MAX_IDS_PER_REQUEST, MAX_SHAPES_PER_REQUEST)
    assert LOCAL_INGEST_CHUNK <= MAX_LOCAL_PATHS_PER_REQUEST
    # Errors name a bound by its value, so no two bounds of one kind share a value.
    item_bounds = [
        MAX_IDS_PER_REQUEST,
        MAX_SHAPES_PER_REQUEST,
        MAX_TAGS_PER_REQUEST,
        MAX_LOCAL_PATHS_PER_REQUEST,
        MAX_DOWNLOAD_BUNDLE,
        MAX_MODEL_LABELS,
    ]
    assert len(set(item_bounds)) == len(item_bounds)
    assert [limit_name_for_items(value) for value in item_bounds] == [
        "max_ids_per_request",
        "max_shapes_per_request",
        "max_tags_per_request",
        "max_local_paths_per_request",
        "max_download_bundle",
        "max_model_labels",
    ]
    assert MAX_NAME_LENGTH != MAX_TEXT_LENGTH

    with tempfile.TemporaryDirectory() as folder:
        opened = open_workspace(Settings(workspace=Path(folder)))
        try:
            document = create_app(opened.context).openapi()
        finally:
            opened.close()
    shapes_body = document["paths"]["/annotations/{annotation_id}/shapes"]["post"]["requestBody"][
        "content"
    ]["application/json"]["schema"]
    assert shapes_body["properties"]["shapes"]["maxItems"] == MAX_SHAPES_PER_REQUEST
    shape_in = document["components"]["schemas"]["ShapeIn"]
    assert shape_in["properties"]["text"]["anyOf"][0]["maxLength"] == MAX_TEXT_LENGTH
    document = document["components"]["schemas"]
    assert document["IdList"]["properties"]["ids"]["maxItems"] == MAX_IDS_PER_REQUEST
    assert document["DatasetCreate"]["properties"]["description"]["maxLength"] == MAX_TEXT_LENGTH
    assert document["DataQuery"]["properties"]["offset"]["exclusiveMaximum"] == OFFSET_BOUND


# 3. Malformed numbers and filters


def test_offset_beyond_64_bits_is_refused(client: Client, images: list[Path]) -> None:
    datalake = client.get_datalake()
    _uploaded(client, images)
    with pytest.raises(LimitExceededError) as caught:
        _request(client, "POST", f"/datalakes/{datalake.id}/data/search", json={"offset": 2**63})
    assert caught.value.details["field"] == "offset"
    assert caught.value.limit == "offset_bound"
    page = _request(
        client, "POST", f"/datalakes/{datalake.id}/data/search", json={"offset": OFFSET_BOUND - 1}
    )
    assert page["items"] == []


def test_filters_as_large_as_the_bound_work_and_larger_are_refused(
    client: Client, images: list[Path]
) -> None:
    """10,000 values are one statement on both databases; one more is refused."""
    datalake = client.get_datalake()
    data = _uploaded(client, images)
    filenames = [f"missing-{i}.jpg" for i in range(MAX_IDS_PER_REQUEST - 1)] + [data.filename]
    found = datalake.list_data(filenames=filenames)
    assert [d.id for d in found] == [data.id]
    ids = [str(uuid.uuid4()) for _ in range(MAX_IDS_PER_REQUEST - 1)] + [str(data.id)]
    page = _request(client, "POST", f"/datalakes/{datalake.id}/data/search", json={"ids": ids})
    assert [item["id"] for item in page["items"]] == [str(data.id)]
    with pytest.raises(LimitExceededError) as caught:
        datalake.list_data(filenames=[*filenames, "one-more.jpg"])
    assert caught.value.limit == "max_ids_per_request"
    assert caught.value.details["field"] == "filenames"


# 3. Unauthenticated and framing inputs


def test_non_ascii_signature_is_forbidden_not_a_crash(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        response = http.get(
            "/objects/some/object", params={"expires": 2**40, "signature": "é" * 64}
        )
        assert response.status_code == 403
        assert response.json()["code"] == ForbiddenError.code
        assert http.get("/health").status_code == 200


def test_bundle_frame_header_nested_60000_deep_is_refused(
    client: Client, server: LiveServer
) -> None:
    header = b"[" * 60_000  # within the header's 64 KiB
    body = struct.pack(">I", len(header)) + header
    datalake = client.get_datalake()
    with pytest.raises(BadRequestError, match="malformed bundle frame header"):
        _request(
            client,
            "POST",
            f"/datalakes/{datalake.id}/data/bundle",
            content=body,
            headers={"content-type": "application/x-pixlake-bundle"},
        )
    assert len(datalake.list_data()) == 0


# 3. FastAPI's own errors in pixlake's body


def test_framework_errors_use_the_pixlake_error_body(server: LiveServer) -> None:
    _name, token = server.new_user()
    with httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {token}"}) as http:
        unknown = http.get("/no/such/route")
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "not_found"
        wrong_method = http.put("/health")
        assert wrong_method.status_code == 405
        assert set(wrong_method.json()) == {"code", "message", "details"}
        assert "GET" in wrong_method.headers["allow"]
        for body in (b"{not json", b"[" * 100_000 + b"]" * 100_000):
            response = http.post(
                "/datasets", content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400, response.text
            assert response.json()["code"] == "bad_request"
        assert http.get("/health").status_code == 200


# 3. A full disk, and a 500 that leaves the connection usable


@contextmanager
def _running(app) -> Iterator[str]:
    """``app`` served by uvicorn on a loopback port, for the block; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started:
                break
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: a disk that a few megabytes fill."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"can't mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _noise_png(path: Path, side: int) -> Path:
    """A PNG that doesn't compress: ``side``² pixels of noise, about 3·side² bytes."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path)
    return path


def test_full_disk_answers_insufficient_storage_and_the_server_recovers(
    tmp_path: Path, small_disk: Path
) -> None:
    opened = open_workspace(
        Settings(workspace=tmp_path / "workspace", storage_url=small_disk.as_uri())
    )
    try:
        _user, token = create_user(opened.context, "filler", "full-disk-org")
        with (
            _running(create_app(opened.context)) as url,
            Client(api_token=token, host=url) as client,
        ):
            datalake = client.get_datalake()
            too_big = _noise_png(tmp_path / "big" / "noise.png", 1000)  # ~3 MB
            with pytest.raises(InsufficientStorageError) as caught:
                datalake.upload_data([too_big])
            assert caught.value.status_code == 507
            assert len(datalake.list_data()) == 0
            assert list((small_disk / "staging").iterdir()) == []  # nothing left behind
            small = _noise_png(tmp_path / "small" / "fits.png", 100)
            assert datalake.upload_data([small])[0].filename == "fits.png"
    finally:
        opened.close()


def test_a_500_leaves_the_connection_usable_for_the_next_request(tmp_path: Path) -> None:
    opened = open_workspace(Settings(workspace=tmp_path / "workspace"))
    try:
        app = create_app(opened.context)

        @app.get("/test-only/fails")
        def fails() -> None:
            raise RuntimeError("a bug")

        with _running(app) as url, httpx.Client(base_url=url) as http:
            for _ in range(10):
                failed = http.get("/test-only/fails")
                assert failed.status_code == 500
                assert failed.json()["code"] == "service_error"
                # The same keep-alive connection answers the next request.
                assert http.get("/health").status_code == 200
    finally:
        opened.close()


def test_deleting_data_answers_success_once_committed_even_if_the_store_fails(
    tmp_path: Path, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are gone for good once committed: a store failing afterwards leaves an
    object no row names, never an error answer after the commit."""
    from pixlake.core.services import data as data_service
    from pixlake.core.services import datalakes as datalake_service
    from pixlake.core.services.accounts import actor_for_username
    from pixlake.errors import NotFoundError

    opened = open_workspace(Settings(workspace=tmp_path / "workspace"))
    try:
        ctx = opened.context
        create_user(ctx, "deleter", "delete-org")
        actor = actor_for_username(ctx, "deleter")
        datalake = datalake_service.create_datalake(ctx, actor, "lake")
        stored = data_service.ingest_local_files(ctx, actor, datalake.id, [str(images[0])])

        def store_down(_object_name: str) -> None:
            raise OSError("the object store is unreachable")

        monkeypatch.setattr(ctx.storage, "delete", store_down)
        assert data_service.delete_data(ctx, actor, [stored[0].id]) == 1
        with pytest.raises(NotFoundError):
            data_service.get_data(ctx, actor, stored[0].id)
    finally:
        opened.close()
