"""The official picsellia SDK, unchanged, against a real pixlake server.

Each flow runs the PyPI package (pinned in the dev extras) against a uvicorn server
configured as ``pixlake serve`` configures it, on SQLite and a folder and on PostgreSQL
and an S3 bucket, and checks what pixlake then holds through pixlake's own SDK.
"""

from __future__ import annotations

import os

# Importing picsellia reconfigures logging (every existing logger disabled) unless told not
# to; set before the import below.
os.environ.setdefault("PICSELLIA_SDK_CUSTOM_LOGGING", "1")

import hashlib
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import picsellia
import pytest
from picsellia import exceptions as pic_errors

from pixlake import Client as PixlakeClient
from pixlake.samples import make_images
from tests.conftest import SERVER_FIXTURES, LiveServer


@pytest.fixture(params=list(SERVER_FIXTURES))
def compat_server(request: pytest.FixtureRequest) -> LiveServer:
    server: LiveServer = request.getfixturevalue(SERVER_FIXTURES[request.param])
    return server


class Account:
    """A fresh user in a fresh organization, seen by both SDKs."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.organization = f"org-{uuid.uuid4().hex[:10]}"
        self.username, self.token = server.new_user(self.organization)

    def picsellia(self, organization_name: str | None = None) -> picsellia.Client:
        return picsellia.Client(
            api_token=self.token,
            organization_name=organization_name or self.organization,
            host=self.server.url,
        )

    def pixlake(self) -> PixlakeClient:
        return PixlakeClient(api_token=self.token, host=self.server.url)


@pytest.fixture
def account(compat_server: LiveServer) -> Account:
    return Account(compat_server)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return make_images(tmp_path / "photos", 4)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_connects_with_and_without_an_organization_name(account: Account) -> None:
    named = account.picsellia()
    assert named.get_datalake().name == "default"
    unnamed = picsellia.Client(api_token=account.token, host=account.server.url)
    assert unnamed.get_datalake().id == named.get_datalake().id


def test_upload_tags_listing_urls_and_delete(account: Account, photos: list[Path]) -> None:
    client = account.picsellia()
    lake = client.get_datalake()
    one = lake.upload_data(str(photos[0]), tags=["raw"])
    many = lake.upload_data([str(p) for p in photos], tags=["raw"])
    assert len(many) == 4
    # The same bytes twice are one data, content-addressed as pixlake stores them.
    assert str(one.id) in {str(d.id) for d in many}
    own = account.pixlake().get_datalake()
    stored = own.list_data()
    assert len(stored) == 4
    assert {d.checksum for d in stored} == {_sha256(p) for p in photos}
    assert {t.name for t in stored[0].get_tags()} == {"raw"}

    car = lake.create_data_tag("car")
    assert lake.get_data_tag("car").id == car.id
    many[:2].add_tags(car)
    assert len(lake.list_data(tags=["car"])) == 2
    with pytest.raises(pic_errors.NoDataError):  # the SDK's answer to an empty listing
        lake.list_data(tags=["nobody-made-this-tag"])
    assert len(own.list_data(tags=["car"])) == 2
    many[:1].remove_tags(car)
    assert len(lake.list_data(tags=["car"])) == 1

    url = many[0].reset_url()
    assert url.startswith("http")
    data = lake.list_data()
    assert len(data) == 4
    victim = data[3]
    victim.delete()
    assert len(lake.list_data()) == 3
    assert len(own.list_data()) == 3


def test_dataset_versions_assets_and_their_methods(
    account: Account, photos: list[Path], tmp_path: Path
) -> None:
    client = account.picsellia()
    lake = client.get_datalake()
    lake.upload_data([str(p) for p in photos])
    dataset = client.create_dataset("animals")
    assert client.get_dataset("animals").id == dataset.id
    version = dataset.create_version("first", type="OBJECT_DETECTION")
    assert dataset.get_version("first").id == version.id
    version.add_data(lake.list_data(), tags=["batch-1"])

    assets = version.list_assets()
    assert len(assets) == 4
    assert len(version.list_assets(tags=["batch-1"])) == 4
    found = version.find_asset(filename=photos[2].name)
    assert found.filename == photos[2].name
    # A q of the SDK's user goes to pixlake's query language, ANDed with its tag filter.
    queried = version.list_assets(q=f'filename = "{photos[2].name}"', tags=["batch-1"])
    assert [a.filename for a in queried] == [photos[2].name]
    with pytest.raises(pic_errors.BadRequestError):
        version.list_assets(q="filename = ")

    asset = assets[0]
    assert asset.reset_url().startswith("http")
    assert [t.name for t in asset.get_tags()] == ["batch-1"]
    assert asset.get_data().filename == asset.filename
    assert [t.name for t in asset.get_data_tags()] == []
    checked = version.get_or_create_asset_tag("checked")
    asset.add_tags(checked)
    assert len(version.list_assets(tags=["checked"])) == 1
    assets[1:3].add_tags(checked)
    assert len(version.list_assets(tags=["checked"])) == 3

    assert len(assets.as_multidata()) == 4
    assert len(assets.as_list_of_data()) == 4
    train, val = assets.split(0.5)
    assert len(train) == 2 and len(val) == 2
    target = tmp_path / "download"
    val.download(str(target))
    assert sorted(p.name for p in target.iterdir()) == sorted(a.filename for a in val)
    by_name = {p.name: p for p in photos}
    for path in target.iterdir():
        assert path.read_bytes() == by_name[path.name].read_bytes()

    own = account.pixlake().get_dataset("animals").get_version("first")
    assert own.type.value == "OBJECT_DETECTION"
    assert len(own.list_assets(tags=["checked"])) == 3
    asset.delete()
    assets[1:2].delete()
    assert len(version.list_assets()) == 2
    assert len(own.list_assets()) == 2


def test_labels_annotations_shapes_stats_fork_and_lock(
    account: Account, photos: list[Path]
) -> None:
    client = account.picsellia()
    lake = client.get_datalake()
    lake.upload_data([str(p) for p in photos])
    version = client.create_dataset("shapes").create_version("v1", type="OBJECT_DETECTION")
    version.add_data(lake.list_data())
    assets = version.list_assets()
    cat = version.get_or_create_label("cat")
    assert version.get_or_create_label("cat").id == cat.id
    dog = version.get_or_create_label("dog")

    annotation = assets[0].create_annotation(duration=2.5)
    annotation.create_rectangle(1, 2, 3, 4, cat)
    annotation.create_multiple_rectangles([(5, 6, 7, 8, dog), (9, 10, 11, 12, cat)])
    annotation.create_polygon([[1, 1], [20, 1], [20, 20]], dog)
    annotation.create_classification(cat)
    rectangles = annotation.list_rectangles()
    assert sorted((r.x, r.y, r.w, r.h) for r in rectangles) == [
        (1, 2, 3, 4),
        (5, 6, 7, 8),
        (9, 10, 11, 12),
    ]
    assert len(annotation.list_polygons()) == 1
    assert len(annotation.list_classifications()) == 1
    assert assets[0].get_annotation().id == annotation.id
    assert len(assets[0].list_annotations()) == 1
    assert len(version.list_annotations()) == 1

    stats = version.retrieve_stats()
    assert stats.nb_annotations == 1
    assert stats.nb_objects == 5
    assert stats.label_repartition == {"cat": 3, "dog": 2}
    workers = client.get_dataset("shapes").list_workers()
    assert [w.username for w in workers] == [account.username]

    # What the official SDK wrote is what pixlake's own SDK reads.
    own_version = account.pixlake().get_dataset("shapes").get_version("v1")
    own_asset = own_version.find_asset(filename=assets[0].filename)
    own_annotation = own_asset.get_annotation()
    assert own_annotation.duration == 2.5
    assert sorted((r.x, r.y, r.w, r.h) for r in own_annotation.list_rectangles()) == [
        (1, 2, 3, 4),
        (5, 6, 7, 8),
        (9, 10, 11, 12),
    ]

    forked, _job = version.fork(version="v2", with_annotations=True)
    assert len(forked.list_assets()) == 4
    version.lock()
    assert account.pixlake().get_dataset("shapes").get_version("v1").locked
    with pytest.raises(pic_errors.PicselliaError):
        assets[1].create_annotation(duration=1.0)
    version.unlock()
    assets[0].delete_annotations()
    with pytest.raises(pic_errors.NoDataError):
        version.list_annotations()


def test_what_pixlake_writes_the_official_sdk_reads(account: Account, photos: list[Path]) -> None:
    own = account.pixlake()
    lake = own.get_datalake()
    data = lake.upload_data(photos, tags=["from-pixlake"])
    version = own.create_dataset("mixed").create_version("v1")
    version.add_data(data)
    label = version.create_label("bird")
    asset = version.list_assets()[0]
    asset.create_annotation(duration=1.0).create_rectangle(10.4, 20.6, 30.0, 40.0, label)

    client = account.picsellia()
    pic_lake = client.get_datalake()
    assert len(pic_lake.list_data(tags=["from-pixlake"])) == 4
    pic_version = client.get_dataset("mixed").get_version("v1")
    pic_asset = pic_version.find_asset(filename=asset.filename)
    rectangle = pic_asset.get_annotation().list_rectangles()[0]
    # The SDK's rectangles are integers: coordinates are rounded to the nearest.
    assert (rectangle.x, rectangle.y, rectangle.w, rectangle.h) == (10, 21, 30, 40)


# Bad input


def test_an_unknown_organization_name_is_the_sdk_not_found(account: Account) -> None:
    with pytest.raises(pic_errors.PicselliaError):
        account.picsellia("no-such-organization")


def test_a_token_of_another_organization_does_not_open_this_one(
    compat_server: LiveServer,
) -> None:
    first, second = Account(compat_server), Account(compat_server)
    with pytest.raises(pic_errors.PicselliaError):
        picsellia.Client(
            api_token=second.token, organization_name=first.organization, host=first.server.url
        )


class Wire:
    """The compatibility API by hand, for what the SDK would never send."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.http = httpx.Client(
            base_url=account.server.url, headers={"Authorization": f"Bearer {account.token}"}
        )
        ping = self.http.get("/api/home/ping").json()
        self.org_id = ping["default_organization"]
        organization = self.http.get(f"/api/organization/{self.org_id}").json()
        self.connector = organization["default_connector_id"]
        self.lake = self.http.get(f"/api/organization/{self.org_id}/datalake").json()["id"]

    def announce(self, filename: str = "photo.jpg") -> tuple[str, str]:
        """An object name and its presigned upload URL."""
        object_name = self.http.post(
            f"/api/organization/{self.org_id}/connector/{self.connector}/generate_object_name",
            json={"filename": filename, "type": "DATA"},
        ).json()["object_name"]
        answer = self.http.post(
            f"/api/object-storage/{self.connector}/generate_presigned_url",
            json={"object_name": object_name, "content_type": "image/jpeg"},
        ).json()
        return object_name, answer["presigned_url_data"]["url"]

    def create_data(self, object_name: str) -> httpx.Response:
        return self.http.post(
            f"/api/datalake/{self.lake}/datas",
            json={"type": "IMAGE", "filename": "photo.jpg", "object_name": object_name},
        )


@pytest.fixture
def wire(account: Account) -> Iterator[Wire]:
    found = Wire(account)
    yield found
    found.http.close()


def _put(url: str, body: bytes, **headers: str) -> httpx.Response:
    # No token: the URL's signature is the only credential, as with a bucket's.
    return httpx.put(url, content=body, headers={"Content-Type": "image/jpeg", **headers})


def test_an_upload_url_works_once(wire: Wire, photos: list[Path]) -> None:
    object_name, url = wire.announce()
    assert _put(url, photos[0].read_bytes()).status_code == 201
    again = _put(url, photos[1].read_bytes())
    assert again.status_code == 409
    assert "used already" in again.json()["message"]
    created = wire.create_data(object_name)
    assert created.status_code == 200, created.text
    assert created.json()["filename"] == "photo.jpg"
    assert wire.create_data(object_name).status_code == 409  # one data per upload
    stored = wire.account.pixlake().get_datalake().list_data()
    assert [d.checksum for d in stored] == [_sha256(photos[0])]


def test_an_expired_upload_url_is_refused(wire: Wire, photos: list[Path]) -> None:
    from pixlake.server.signing import sign_upload_url

    object_name, url = wire.announce()
    upload_id = url.split("/uploads/")[1].split("?")[0]
    settings = wire.account.server.workspace.context.settings
    expired = sign_upload_url(wire.account.server.url, settings.secret_key or "", upload_id, -5)
    answer = _put(expired, photos[0].read_bytes())
    assert answer.status_code == 403
    assert "expired" in answer.json()["message"]
    assert wire.create_data(object_name).status_code == 400  # nothing was received


def test_an_upload_url_is_bound_to_its_object_name(wire: Wire, photos: list[Path]) -> None:
    first_name, first_url = wire.announce("first.jpg")
    second_name, second_url = wire.announce("second.jpg")
    second_id = second_url.split("/uploads/")[1].split("?")[0]
    first_id = first_url.split("/uploads/")[1].split("?")[0]
    # The first URL's signature, on the second upload: refused.
    forged = first_url.replace(first_id, second_id)
    assert _put(forged, photos[0].read_bytes()).status_code == 403
    assert wire.create_data(second_name).status_code == 400
    assert len(wire.account.pixlake().get_datalake().list_data()) == 0
    assert first_name != second_name


def test_an_upload_larger_than_its_limit_is_refused(wire: Wire) -> None:
    object_name, url = wire.announce()
    limit = wire.account.server.workspace.context.settings.max_file_size
    # A client announcing more than the limit is refused before any byte is read (HTTP
    # clients won't send a Content-Length they don't keep, so the request is written here).
    target = httpx.URL(url)
    head = (
        f"PUT {target.raw_path.decode()} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n"
        f"Content-Type: image/jpeg\r\nContent-Length: {limit + 1}\r\n\r\n"
    )
    with socket.create_connection((target.host, target.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"x" * 16)
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line
    assert wire.create_data(object_name).status_code == 400


def test_a_data_naming_an_object_never_uploaded_is_refused(wire: Wire) -> None:
    object_name, _url = wire.announce()
    answer = wire.create_data(object_name)
    assert answer.status_code == 400
    assert object_name in answer.json()["message"]
    unknown = wire.create_data(f"{wire.org_id}/{uuid.uuid4()}/made-up.jpg")
    assert unknown.status_code == 400
    assert len(wire.account.pixlake().get_datalake().list_data()) == 0


def test_an_xget_with_a_malformed_body_is_a_400(wire: Wire) -> None:
    answer = wire.http.request("XGET", f"/api/datalake/{wire.lake}/datas", content=b"{not json")
    assert answer.status_code == 400
    good = wire.http.request("XGET", f"/api/datalake/{wire.lake}/datas", json={"ids": []})
    assert good.status_code == 200
    assert good.json()["items"] == []


def test_an_unsupported_route_is_a_clear_404(wire: Wire) -> None:
    answer = wire.http.get("/api/deployment/list")
    assert answer.status_code == 404
    assert answer.json()["message"]
    multipart = wire.http.post(
        f"/api/object-storage/{wire.connector}/generate_part_presigned_url", json={}
    )
    assert 400 <= multipart.status_code < 500


def test_another_organizations_ids_answer_404(
    compat_server: LiveServer, photos: list[Path]
) -> None:
    owner = Account(compat_server)
    client = owner.picsellia()
    lake = client.get_datalake()
    data = lake.upload_data(str(photos[0]), tags=["raw"])
    version = client.create_dataset("private").create_version("v1")
    version.add_data(lake.list_data())
    asset = version.list_assets()[0]
    label = version.get_or_create_label("secret")
    annotation = asset.create_annotation(duration=1.0)
    annotation.create_rectangle(1, 1, 2, 2, label)
    tag = lake.get_data_tag("raw")
    owner_wire = Wire(owner)

    intruder = Wire(Account(compat_server))
    ids = {
        "org": owner_wire.org_id,
        "conn": owner_wire.connector,
        "lake": str(lake.id),
        "data": str(data.id),
        "dataset": str(version.origin_id),
        "version": str(version.id),
        "asset": str(asset.id),
        "annotation": str(annotation.id),
        "tag": str(tag.id),
    }
    reads = [
        "/api/organization/{org}",
        "/api/organization/{org}/datalake",
        "/api/organization/{org}/datasets",
        "/api/datalake/{lake}",
        "/api/datalake/{lake}/datas",
        "/api/datalake/{lake}/tags",
        "/api/datalake/{lake}/tags/find?name=raw",
        "/api/data/{data}",
        "/api/data/{data}/presigned-url",
        "/api/dataset/{dataset}",
        "/api/dataset/{dataset}/versions",
        "/api/dataset/version/{version}",
        "/api/dataset/version/{version}/assets",
        "/api/dataset/version/{version}/labels",
        "/api/dataset/version/{version}/annotations",
        "/api/dataset/version/{version}/stats",
        "/api/asset/{asset}",
        "/api/asset/{asset}/annotations",
        "/api/annotation/{annotation}",
        "/api/annotation/{annotation}/rectangles",
        "/api/job/{version}",
        "/api/access/dataset/{dataset}/users",
    ]
    for path in reads:
        answer = intruder.http.get(path.format(**ids))
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
    writes: list[tuple[str, str, Any]] = [
        ("POST", "/api/tag/{tag}/attach", [ids["data"]]),
        (
            "POST",
            "/api/organization/{org}/connector/{conn}/generate_object_name",
            {"filename": "x.jpg", "type": "DATA"},
        ),
        ("POST", "/api/dataset/version/{version}/assets", {"data_ids": [ids["data"]]}),
        (
            "POST",
            "/api/annotation/{annotation}/bulk-rectangles",
            {"rectangles": [{"x": 1, "y": 1, "w": 1, "h": 1, "label_id": str(label.id)}]},
        ),
        ("DELETE", "/api/data/{data}", None),
        ("DELETE", "/api/asset/{asset}", None),
        ("POST", "/api/dataset/version/{version}/lock", None),
    ]
    for method, path, body in writes:
        answer = intruder.http.request(method, path.format(**ids), json=body)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
    # And nothing changed for the owner.
    assert len(version.list_assets()) == 1
    assert len(annotation.list_rectangles()) == 1
    assert len(lake.list_data()) == 1


@pytest.mark.parametrize("parser", ["h11", "httptools"])
def test_xget_reaches_the_app_on_both_http_parsers(
    parser: str, tmp_path: Path, photos: list[Path]
) -> None:
    from pixlake.server import connection_limits
    from pixlake.settings import Settings
    from tests.conftest import _serve

    protocol = (
        connection_limits.LimitedH11Protocol
        if parser == "h11"
        else connection_limits.LimitedHttpToolsProtocol
    )
    served = _serve(Settings(workspace=tmp_path / "workspace"), protocol=protocol)
    server = next(served)
    try:
        account = Account(server)
        lake = account.picsellia().get_datalake()
        lake.upload_data([str(p) for p in photos[:2]])
        listed = lake.list_data()
        by_ids = lake.list_data(ids=[d.id for d in listed])  # an XGET
        assert sorted(str(d.id) for d in by_ids) == sorted(str(d.id) for d in listed)
        # The keep-alive connection goes on serving after the XGET.
        assert len(lake.list_data(ids=[listed[0].id])) == 1
    finally:
        next(served, None)


def test_the_compatibility_api_can_be_turned_off(tmp_path: Path) -> None:
    from pixlake.settings import Settings
    from tests.conftest import _serve

    served = _serve(Settings(workspace=tmp_path / "workspace", compat_api=False))
    server = next(served)
    try:
        _username, token = server.new_user("off")
        answer = httpx.get(
            f"{server.url}/api/home/ping", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 404
    finally:
        next(served, None)


# Models


def test_models_versions_and_files(account: Account, tmp_path: Path) -> None:
    client = account.picsellia()
    model = client.create_model("detector", description="finds cats")
    assert client.get_model("detector").id == model.id
    assert client.get_model_by_id(model.id).name == "detector"
    assert [m.name for m in client.list_models()] == ["detector"]
    with pytest.raises(pic_errors.ResourceNotFoundError):
        client.get_model("no-such-model")

    version = model.create_version(
        name="v1", labels={"0": "cat", "1": "dog"}, type="OBJECT_DETECTION", framework="PYTORCH"
    )
    assert version.version == 1
    assert version.labels == {"0": "cat", "1": "dog"}
    assert model.get_version("v1").id == version.id
    assert model.get_version(1).id == version.id
    assert client.get_model_version_by_id(version.id).name == "v1"
    assert [v.name for v in model.list_versions()] == ["v1"]

    weights = tmp_path / "best.pt"
    weights.write_bytes(b"\x00weights" * 1000)
    stored = version.store("weights", weights)
    assert stored.filename == "best.pt" and stored.name == "weights"
    config = tmp_path / "config.yaml"
    config.write_text("epochs: 3\n")
    version.store("config", config)
    assert sorted(f.name for f in version.list_files()) == ["config", "weights"]
    with pytest.raises(pic_errors.PicselliaError):  # a name taken, without replace
        version.store("weights", config)
    replaced = version.store("weights", config, replace=True)
    assert replaced.filename == "config.yaml"

    target = tmp_path / "downloaded"
    found = version.get_file("weights")
    assert found.reset_url().startswith("http")  # asked by object name
    found.download(str(target))
    assert (target / "config.yaml").read_bytes() == config.read_bytes()
    version.get_file("config").delete()
    assert [f.name for f in version.list_files()] == ["weights"]

    # What the official SDK stored is what pixlake's own SDK sees, bytes included.
    own = account.pixlake().get_model("detector")
    own_version = own.get_version("v1")
    assert own_version.labels == {"0": "cat", "1": "dog"}
    assert own_version.framework.value == "PYTORCH"
    (own_file,) = own_version.list_files()
    assert own_file.checksum == _sha256(config)

    # And what pixlake's SDK stores, the official SDK reads.
    onnx = account.pixlake().create_model("exported", framework="ONNX")
    onnx_version = onnx.create_version(labels={"0": "person"}, type="OBJECT_DETECTION")
    onnx_version.store("model", weights)
    read = client.get_model("exported").get_version(1)
    assert read.name == "1" and read.labels == {"0": "person"}
    assert read.framework.value == "ONNX" and read.type.value == "OBJECT_DETECTION"
    (read_file,) = read.list_files()
    read_file.download(str(tmp_path / "onnx"))
    assert (tmp_path / "onnx" / "best.pt").read_bytes() == weights.read_bytes()


# Annotation files: COCO, YOLO and Pascal VOC through the SDK's own methods


def _annotated_version(account: Account, photos: list[Path]) -> Any:
    """A detection version of the photos: two annotated, boxes of cats and dogs."""
    client = account.picsellia()
    lake = client.get_datalake()
    lake.upload_data([str(p) for p in photos])
    dataset = client.create_dataset("files")
    version = dataset.create_version("source", type="OBJECT_DETECTION")
    version.add_data(lake.list_data())
    cat = version.get_or_create_label("cat")
    dog = version.get_or_create_label("dog")
    assets = {a.filename: a for a in version.list_assets()}
    first, second = (assets[photos[0].name], assets[photos[1].name])
    first.create_annotation().create_multiple_rectangles([(2, 3, 10, 12, cat), (20, 4, 8, 8, dog)])
    second.create_annotation().create_rectangle(5, 5, 16, 20, dog)
    return dataset, version


def _boxes(account: Account, version_name: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each asset's boxes, read by pixlake's own SDK."""
    own = account.pixlake().get_dataset("files").get_version(version_name)
    labels = {label.id: label.name for label in own.list_labels()}
    found: dict[str, list[tuple[Any, ...]]] = {}
    for asset in own.list_assets():
        annotations = asset.list_annotations()
        if annotations:
            found[asset.filename] = sorted(
                (labels[r.label.id], r.x, r.y, r.w, r.h) for r in annotations[-1].list_rectangles()
            )
    return found


def test_coco_export_and_import_through_the_sdk(
    account: Account, photos: list[Path], tmp_path: Path
) -> None:
    import json

    dataset, version = _annotated_version(account, photos)
    path = version.export_annotation_file("COCO", str(tmp_path / "out"))
    document = json.loads(Path(path).read_text())
    # pixlake's exporter wrote it: ids from 1 (docs/formats.md), the version's labels.
    assert [c["name"] for c in document["categories"]] == ["cat", "dog"]
    assert min(c["id"] for c in document["categories"]) == 1
    assert min(a["id"] for a in document["annotations"]) == 1
    assert len(document["annotations"]) == 3
    assert {i["file_name"] for i in document["images"]} == {p.name for p in photos}

    target = dataset.create_version("from-coco", type="OBJECT_DETECTION")
    target.add_data(account.picsellia().get_datalake().list_data())
    written = target.import_annotations_coco_file(path)
    assert sorted(written.values()) == [1, 2]
    assert _boxes(account, "from-coco") == _boxes(account, "source")
    # REPLACE (the default) again: the same boxes, not twice as many.
    target.import_annotations_coco_file(path)
    assert _boxes(account, "from-coco") == _boxes(account, "source")


def test_yolo_and_voc_export_and_import_through_the_sdk(
    account: Account, photos: list[Path], tmp_path: Path
) -> None:
    import zipfile

    import yaml

    dataset, version = _annotated_version(account, photos)
    yolo = Path(version.export_annotation_file("YOLO", str(tmp_path / "yolo")))
    folder = tmp_path / "yolo-files"
    with zipfile.ZipFile(yolo) as archive:
        archive.extractall(folder)
    config = yaml.safe_load((folder / "data.yaml").read_text())
    assert config["nc"] == 2
    # The SDK's YOLO importer takes `names` as a list only (Ultralytics writes a mapping).
    (folder / "data.yaml").write_text(
        yaml.safe_dump({"nc": 2, "names": [config["names"][0], config["names"][1]]})
    )
    labels = sorted(folder.glob("*.txt"))
    assert len(labels) == len(photos)

    lake = account.picsellia().get_datalake()
    from_yolo = dataset.create_version("from-yolo", type="OBJECT_DETECTION")
    from_yolo.add_data(lake.list_data())
    from_yolo.import_annotations_yolo_files(str(folder / "data.yaml"), [str(p) for p in labels])
    source, imported = _boxes(account, "source"), _boxes(account, "from-yolo")
    assert imported.keys() == source.keys()
    for filename, boxes in source.items():  # the SDK truncates what YOLO normalised
        for (label, *coords), (got_label, *got) in zip(boxes, imported[filename], strict=True):
            assert label == got_label
            assert all(abs(a - b) <= 1 for a, b in zip(coords, got, strict=True))

    voc = Path(version.export_annotation_file("PASCAL_VOC", str(tmp_path / "voc")))
    with zipfile.ZipFile(voc) as archive:
        archive.extractall(tmp_path / "voc-files")
    from_voc = dataset.create_version("from-voc", type="OBJECT_DETECTION")
    from_voc.add_data(lake.list_data())
    for xml in sorted((tmp_path / "voc-files").glob("*.xml")):
        # The SDK's VOC reader refuses a file without an object (an unannotated image).
        if "<object>" in xml.read_text():
            from_voc.import_annotation_voc_file(str(xml))
    assert _boxes(account, "from-voc") == source


def test_an_export_the_sdk_cannot_take_is_a_clear_400(wire: Wire, photos: list[Path]) -> None:
    version = wire.account.picsellia().create_dataset("d").create_version("v")
    route = f"/api/dataset/version/{version.id}/annotations/export"
    for body in (
        {"type": "COCO", "export_video": True},
        {"type": "COCO", "export_key": "ASSET_ID"},
        {"type": "TFRECORD"},
    ):
        answer = wire.http.post(route, json=body)
        assert answer.status_code in (400, 422), (body, answer.text)


def test_another_organizations_models_and_exports_answer_404(
    compat_server: LiveServer, photos: list[Path], tmp_path: Path
) -> None:
    owner = Account(compat_server)
    client = owner.picsellia()
    model = client.create_model("private-model")
    model_version = model.create_version(name="v1")
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"secret weights")
    stored = model_version.store("weights", weights)
    lake = client.get_datalake()
    lake.upload_data(str(photos[0]))
    version = client.create_dataset("private").create_version("v1", type="OBJECT_DETECTION")
    version.add_data(lake.list_data())
    asset = version.list_assets()[0]
    label = version.get_or_create_label("secret")
    owner_wire = Wire(owner)

    intruder = Wire(Account(compat_server))
    ids = {
        "org": owner_wire.org_id,
        "conn": owner_wire.connector,
        "model": str(model.id),
        "mv": str(model_version.id),
        "file": str(stored.id),
        "version": str(version.id),
        "asset": str(asset.id),
        "label": str(label.id),
    }
    reads = [
        "/api/organization/{org}/models",
        "/api/organization/{org}/models/find?name=private-model",
        "/api/organization/{org}/modelversions/find?id={mv}",
        "/api/model/{model}",
        "/api/model/{model}/versions",
        "/api/model/{model}/versions/find?name=v1",
        "/api/model/version/{mv}",
        "/api/model/version/{mv}/modelfiles",
        "/api/model/version/{mv}/modelfiles/find?name=weights",
        "/api/model/file/{file}",
        "/api/dataset/version/{version}/labelgroups",
    ]
    for path in reads:
        answer = intruder.http.get(path.format(**ids))
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
    # The intruder's own model version, to store into with the owner's upload.
    own_model = intruder.http.post(
        f"/api/organization/{intruder.org_id}/models", json={"name": "m"}
    ).json()
    own_version = intruder.http.post(f"/api/model/{own_model['id']}/versions", json={}).json()
    writes: list[tuple[str, str, Any]] = [
        ("POST", "/api/organization/{org}/models", {"name": "x"}),
        ("PATCH", "/api/model/{model}", {"name": "stolen"}),
        ("DELETE", "/api/model/{model}", None),
        ("POST", "/api/model/{model}/versions", {"name": "v2"}),
        ("PATCH", "/api/model/version/{mv}", {"name": "stolen"}),
        ("DELETE", "/api/model/version/{mv}", None),
        ("DELETE", "/api/model/file/{file}", None),
        (
            "POST",
            "/api/model/version/{mv}/modelfiles",
            {"name": "x", "object_name": stored.object_name},
        ),
        ("POST", "/api/dataset/version/{version}/annotations/export", {"type": "COCO"}),
        ("PATCH", "/api/dataset/version/{version}", {"type": "SEGMENTATION"}),
        ("XGET", "/api/dataset/version/{version}/bulk-labels", {"names": ["x"]}),
        (
            "POST",
            "/api/object-storage/{conn}/retrieve_presigned_url",
            {"object_name": stored.object_name},
        ),
        (
            "POST",
            "/api/dataset/version/{version}/bulk-annotations",
            {"annotations": [{"asset_id": ids["asset"], "classifications": []}]},
        ),
    ]
    for method, path, body in writes:
        answer = intruder.http.request(method, path.format(**ids), json=body)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
    # The owner's object name through the intruder's own connector: no URL either.
    url = intruder.http.post(
        f"/api/object-storage/{intruder.connector}/retrieve_presigned_url",
        json={"object_name": stored.object_name},
    )
    assert url.status_code == 404, url.text
    # An object name announced for the owner's model version, in the intruder's.
    mine = intruder.http.post(
        f"/api/organization/{intruder.org_id}/connector/{intruder.connector}/generate_object_name",
        json={
            "filename": "w.bin",
            "type": "MODEL_FILE",
            "context": {"model_version_id": ids["mv"]},
        },
    )
    assert mine.status_code == 404, mine.text
    taken = intruder.http.post(
        f"/api/model/version/{own_version['id']}/modelfiles",
        json={"name": "x", "object_name": stored.object_name},
    )
    assert taken.status_code == 400, taken.text
    # And nothing changed for the owner.
    assert client.get_model("private-model").name == "private-model"
    assert [f.name for f in model_version.list_files()] == ["weights"]
    assert account_types(owner) == "OBJECT_DETECTION"


def account_types(account: Account) -> str:
    return account.pixlake().get_dataset("private").get_version("v1").type.value


def test_a_model_file_upload_is_bound_to_its_purpose(wire: Wire, tmp_path: Path) -> None:
    model = wire.http.post(f"/api/organization/{wire.org_id}/models", json={"name": "m"}).json()
    version = wire.http.post(f"/api/model/{model['id']}/versions", json={}).json()
    # Bytes announced for a data don't become a model file, nor the other way round.
    object_name, url = wire.announce()
    assert _put(url, b"not a model").status_code == 201
    answer = wire.http.post(
        f"/api/model/version/{version['id']}/modelfiles",
        json={"name": "w", "object_name": object_name},
    )
    assert answer.status_code == 400 and object_name in answer.json()["message"]
    model_name = wire.http.post(
        f"/api/organization/{wire.org_id}/connector/{wire.connector}/generate_object_name",
        json={
            "filename": "w.bin",
            "type": "MODEL_FILE",
            "context": {"model_version_id": version["id"]},
        },
    ).json()["object_name"]
    assert wire.create_data(model_name).status_code == 400
    unknown_type = wire.http.post(
        f"/api/organization/{wire.org_id}/connector/{wire.connector}/generate_object_name",
        json={"filename": "w.bin", "type": "CAMPAIGN_FILE"},
    )
    assert unknown_type.status_code == 400 and "CAMPAIGN_FILE" in unknown_type.json()["message"]
    files = wire.http.get(f"/api/model/version/{version['id']}/modelfiles").json()
    assert files["items"] == []


def test_received_bytes_are_used_soon_or_swept(wire: Wire, photos: list[Path]) -> None:
    import time
    from datetime import timedelta

    from sqlalchemy import select, update

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.core.services.orphans import sweep_orphans

    ctx = wire.account.server.workspace.context
    object_name, url = wire.announce()
    assert _put(url, photos[0].read_bytes()).status_code == 201
    with ctx.db.read() as conn:
        stored = conn.execute(
            select(t.compat_uploads.c.stored_object).where(
                t.compat_uploads.c.announced_name == object_name
            )
        ).scalar_one()
    assert stored.startswith("compat-uploads/")
    assert ctx.storage.exists(stored)
    # Bytes received longer ago than half the grace period are not used any more...
    with ctx.db.write() as conn:
        conn.execute(
            update(t.compat_uploads)
            .where(t.compat_uploads.c.announced_name == object_name)
            .values(received_at=utcnow() - timedelta(hours=ctx.settings.orphan_grace_hours))
        )
    answer = wire.create_data(object_name)
    assert answer.status_code == 400 and "too long ago" in answer.json()["message"]
    # ...and the sweep removes them once older than the grace period.
    sweep_orphans(ctx, now=time.time() + ctx.settings.orphan_grace_hours * 3600 + 3600)
    assert not ctx.storage.exists(stored)
    assert len(wire.account.pixlake().get_datalake().list_data()) == 0


def test_bulk_annotations_refuse_what_is_not_the_versions(wire: Wire, photos: list[Path]) -> None:
    client = wire.account.picsellia()
    lake = client.get_datalake()
    lake.upload_data([str(p) for p in photos[:2]])
    dataset = client.create_dataset("bulk")
    version = dataset.create_version("v1", type="OBJECT_DETECTION")
    other = dataset.create_version("v2", type="OBJECT_DETECTION")
    version.add_data(lake.list_data())
    other.add_data(lake.list_data())
    asset = version.list_assets()[0]
    foreign_asset = other.list_assets()[0]
    label = version.get_or_create_label("cat")
    foreign_label = other.get_or_create_label("cat")
    route = f"/api/dataset/version/{version.id}/bulk-annotations"

    def box(label_id: Any, x: int = 1) -> dict[str, Any]:
        return {"x": x, "y": 1, "w": 4, "h": 4, "label_id": str(label_id)}

    refused = [
        ({"asset_id": str(foreign_asset.id), "rectangles": [box(label.id)]}, 404),
        ({"asset_id": str(asset.id), "rectangles": [box(foreign_label.id)]}, 404),
        ({"asset_id": str(asset.id), "rectangles": [{"x": 1, "label_id": str(label.id)}]}, 400),
        ({"asset_id": str(asset.id), "keypoints": [[1, 2, 2]]}, 400),
    ]
    for item, status in refused:
        # A good asset first: a refused request stores nothing of it either.
        good = {"asset_id": str(asset.id), "rectangles": [box(label.id)]}
        answer = wire.http.post(route, json={"annotations": [good, item]})
        assert answer.status_code == status, (item, answer.text)
    from pixlake.limits import MAX_SHAPES_PER_REQUEST

    many = {"asset_id": str(asset.id), "rectangles": [box(label.id)] * MAX_SHAPES_PER_REQUEST}
    too_many = wire.http.post(route, json={"annotations": [many, many]})
    assert too_many.status_code == 413
    with pytest.raises(pic_errors.NoDataError):
        version.list_annotations()
    malformed = wire.http.request(
        "XGET", f"/api/dataset/version/{version.id}/bulk-labels", content=b'{"names": ['
    )
    assert malformed.status_code == 400
    done = wire.http.post(
        route, json={"annotations": [{"asset_id": str(asset.id), "rectangles": [box(label.id)]}]}
    )
    assert done.status_code == 200 and list(done.json().values()) == [1]
