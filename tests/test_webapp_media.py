"""Thumbnails, data bytes and galleries for the web app, scoped like the API: in each
deployment (``pixlake ui``'s app over an embedded workspace, and both servers)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image

from pixlake import AnnotationStatus, Client, Label
from pixlake.core.services.accounts import revoke_user
from pixlake.core.services.thumbnails import ThumbnailSource
from pixlake.enums import DataType
from pixlake.samples import make_image
from pixlake.thumbnailing import THUMBNAIL_SIZE
from pixlake.web.sessions import SESSION_COOKIE
from tests.conftest import SERVER_FIXTURES
from tests.webapp_site import Site, serve_workspace, site_of

IMMUTABLE = "private, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def ui_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_workspace(tmp_path_factory.mktemp("ui-media-workspace"))


@pytest.fixture
def site(mode: str, request: pytest.FixtureRequest) -> Site:
    if mode == "embedded":
        return request.getfixturevalue("ui_site")
    return site_of(request.getfixturevalue(SERVER_FIXTURES[mode]))


@pytest.fixture
def user(site: Site) -> Iterator[tuple[Client, str]]:
    token = site.new_token()
    sdk = site.sdk(token)
    yield sdk, token
    sdk.close()


def _picture(answer: httpx.Response) -> Image.Image:
    picture = Image.open(io.BytesIO(answer.content))
    picture.load()
    return picture


def _fresh_image(folder: Path, width: int, height: int, **options: int) -> Path:
    return make_image(
        folder / f"img-{uuid.uuid4().hex[:8]}.jpg",
        width,
        height,
        seed=uuid.uuid4().int % 99_991,
        **options,
    )


def test_thumbnail_is_small_upright_and_cached_for_good(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    sdk, token = user
    # Stored 640x480, to be shown turned a quarter (EXIF orientation 6): 192x256 upright.
    (data,) = sdk.get_datalake().upload_data([_fresh_image(tmp_path, 640, 480, exif_orientation=6)])
    url = f"/data/{data.id}/thumbnail"
    with site.signed_in(token) as browser:
        first = browser.get(url)
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "image/webp"
        assert first.headers["cache-control"] == IMMUTABLE
        assert "x-pixlake-thumbnail" not in first.headers
        picture = _picture(first)
        assert picture.format == "WEBP" and picture.size == (192, THUMBNAIL_SIZE)
        etag = first.headers["etag"]
        again = browser.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and not again.content
        assert browser.get(url).content == first.content
    source = ThumbnailSource(data.id, data.checksum, data.object_name, DataType.IMAGE)
    assert site.context.storage.exists(source.thumbnail_name)  # made once, kept


def test_a_thumbnail_is_refused_to_a_caller_who_may_not_see_it(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    """The route authenticates inside its one worker-thread hop: every way in is checked
    there as by the API's other routes, and an ETag is no way around it."""
    sdk, token = user
    (data,) = sdk.get_datalake().upload_data([_fresh_image(tmp_path, 320, 240)])
    url = f"/data/{data.id}/thumbnail"
    with site.signed_in(token) as browser:
        etag = browser.get(url).headers["etag"]
    revoked_name, revoked_token = site.new_user()
    revoke_user(site.context, revoked_name)
    refused = [
        {},
        {"authorization": "Bearer not-a-token"},
        {"authorization": f"Bearer {revoked_token}"},
        {"authorization": f"Basic {token}"},
        {"cookie": f"{SESSION_COOKIE}=v1.garbage"},
    ]
    with site.browser() as anonymous:
        for headers in refused:
            for ask in ({}, {"if-none-match": etag}):
                answer = anonymous.get(url, headers={**headers, **ask})
                assert answer.status_code == 401, (headers, ask, answer.text)
                assert answer.headers["content-type"] == "application/json"
        owner = anonymous.get(url, headers={"authorization": f"Bearer {token}"})
        assert owner.status_code == 200 and owner.headers["etag"] == etag
    with site.signed_in(site.new_token()) as stranger:
        # Knowing the ETag (the content's checksum) proves nothing: another organization's
        # data answers 404, not 304.
        for ask in ({}, {"if-none-match": etag}):
            answer = stranger.get(url, headers=ask)
            assert answer.status_code == 404, answer.text
            assert answer.json()["code"] == "not_found"


def test_a_video_gets_a_frame_as_thumbnail(
    site: Site, user: tuple[Client, str], videos: dict[str, Path]
) -> None:
    sdk, token = user
    (data,) = sdk.get_datalake().upload_data([videos[".mp4"]])
    with site.signed_in(token) as browser:
        answer = browser.get(f"/data/{data.id}/thumbnail")
    assert answer.status_code == 200 and "x-pixlake-thumbnail" not in answer.headers
    assert _picture(answer).size == (64, 48)  # already small: kept at its size


@pytest.mark.parametrize("damage", ["undecodable", "missing"])
def test_unreadable_media_gets_a_placeholder(
    site: Site, user: tuple[Client, str], tmp_path: Path, damage: str
) -> None:
    sdk, token = user
    (data,) = sdk.get_datalake().upload_data([_fresh_image(tmp_path, 320, 240)])
    storage = site.context.storage
    if damage == "missing":
        storage.delete(data.object_name)
    else:  # the stored bytes rot: a JPEG's head, then noise
        staged = storage.stage_stream([b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8])
        storage.commit(staged, data.object_name)
        storage.discard(staged)
    with site.signed_in(token) as browser:
        answer = browser.get(f"/data/{data.id}/thumbnail")
    assert answer.status_code == 200
    assert answer.headers["x-pixlake-thumbnail"] == "placeholder"
    assert answer.headers["cache-control"] == "no-cache" and "etag" not in answer.headers
    assert _picture(answer).size == (THUMBNAIL_SIZE, THUMBNAIL_SIZE)


def test_data_bytes_through_the_api(site: Site, user: tuple[Client, str], tmp_path: Path) -> None:
    sdk, token = user
    path = _fresh_image(tmp_path, 320, 240)
    (data,) = sdk.get_datalake().upload_data([path])
    with site.signed_in(token) as browser:
        answer = browser.get(f"/data/{data.id}/content")
    assert answer.status_code == 200 and answer.content == path.read_bytes()
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-security-policy"] == "default-src 'none'; sandbox"


@dataclass
class Version:
    data: list
    assets: list
    version_id: str
    dataset_id: str
    cat: Label
    dog: Label


def _annotated_version(sdk: Client, folder: Path) -> Version:
    """Five assets: a cat box on 0 and 1, a dog polygon on 1 and 2, tag ``keep`` on 0 and
    3, the annotation of 1 accepted; 4 has nothing."""
    data = sdk.get_datalake().upload_data([_fresh_image(folder, 320, 240) for _ in range(5)])
    version = sdk.create_dataset(f"d-{uuid.uuid4().hex[:6]}").create_version("v1")
    assets = version.add_data(data)
    cat, dog = version.create_label("cat"), version.create_label("dog")
    assets[0].create_annotation().create_rectangle(10, 20, 30, 40, cat)
    second = assets[1].create_annotation()
    second.create_rectangle(1, 2, 3, 4, cat)
    second.create_polygon([[0, 0], [10, 0], [10, 10]], dog)
    second.update(status=AnnotationStatus.ACCEPTED)
    assets[2].create_annotation().create_polygon([[5, 5], [50, 5], [50, 50]], dog)
    for index in (0, 3):
        assets[index].add_tags("keep")
    return Version(data, assets, str(version.id), str(version.dataset_id), cat, dog)


def test_version_gallery_pages_by_key_with_shapes(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    sdk, token = user
    made = _annotated_version(sdk, tmp_path)
    url = f"/versions/{made.version_id}/gallery"
    with site.signed_in(token) as browser:
        seen, after = [], None
        while True:
            page = browser.post(url, json={"limit": 2, "after": after}).json()
            assert len(page["items"]) <= 2
            seen.extend(page["items"])
            if page["next_after"] is None:
                break
            after = page["next_after"]
        assert [item["id"] for item in seen] == sorted(str(a.id) for a in made.assets)
        by_id = {item["id"]: item for item in seen}
        first = by_id[str(made.assets[0].id)]
        assert first["data_id"] == str(made.data[0].id)
        assert (first["width"], first["height"], first["type"]) == (320, 240, "IMAGE")
        (annotation,) = first["annotations"]
        (box,) = annotation["shapes"]
        geometry = (box["kind"], box["x"], box["y"], box["w"], box["h"])
        assert geometry == ("RECTANGLE", 10, 20, 30, 40)
        assert box["label_id"] == str(made.cat.id)
        second = by_id[str(made.assets[1].id)]
        assert second["annotations"][0]["status"] == "ACCEPTED"
        assert sorted(s["kind"] for s in second["annotations"][0]["shapes"]) == [
            "POLYGON",
            "RECTANGLE",
        ]
        assert by_id[str(made.assets[4].id)]["annotations"] == []

        def ids(body: dict) -> list[str]:
            answer = browser.post(url, json=body)
            assert answer.status_code == 200, answer.text
            return [item["id"] for item in answer.json()["items"]]

        def expected(*indexes: int) -> list[str]:
            return sorted(str(made.assets[i].id) for i in indexes)

        assert ids({"labels": ["dog"]}) == expected(1, 2)
        assert ids({"labels": ["cat", "dog"]}) == expected(0, 1, 2)
        assert ids({"tags": ["keep"]}) == expected(0, 3)
        assert ids({"status": "ACCEPTED"}) == expected(1)
        assert ids({"labels": ["cat"], "tags": ["keep"]}) == expected(0)
        name = made.data[3].filename
        assert ids({"filename": name[4:10].upper()}) == expected(3)
        # The query language, as list_assets(q=...) reads it, ANDed with the filters.
        assert ids({"q": 'annotations.label.name = "dog"'}) == expected(1, 2)
        assert ids({"q": f'filename = "{name}"'}) == expected(3)
        assert ids({"q": 'annotations.label.name = "cat"', "tags": ["keep"]}) == expected(0)
        malformed = browser.post(url, json={"q": "filename = "})
        assert malformed.status_code == 400
        assert malformed.json()["message"]


def test_version_gallery_pages_backwards(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    sdk, token = user
    made = _annotated_version(sdk, tmp_path)
    ids = sorted(str(a.id) for a in made.assets)
    url = f"/versions/{made.version_id}/gallery"
    with site.signed_in(token) as browser:

        def page(**keys: object) -> dict:
            answer = browser.post(url, json={"limit": 2, **keys})
            assert answer.status_code == 200, answer.text
            return answer.json()

        before = page(before=ids[3])
        assert [item["id"] for item in before["items"]] == ids[1:3]
        assert (before["prev_before"], before["next_after"]) == (ids[1], ids[2])
        first = page(before=ids[1])
        assert [item["id"] for item in first["items"]] == ids[:1]
        assert first["prev_before"] is None
        assert page()["prev_before"] is None
        assert page(after=ids[1])["prev_before"] == ids[2]
        # The asset view's previous and next asset under the filter: one each.
        kept = [str(made.assets[i].id) for i in (0, 3)]
        previous = browser.post(url, json={"limit": 1, "before": kept[1], "tags": ["keep"]})
        assert [item["id"] for item in previous.json()["items"]] == kept[:1]


def test_version_gallery_counts(site: Site, user: tuple[Client, str], tmp_path: Path) -> None:
    sdk, token = user
    made = _annotated_version(sdk, tmp_path)
    url = f"/versions/{made.version_id}/gallery/counts"
    with site.signed_in(token) as browser:
        everything = browser.post(url, json={}).json()
        assert (everything["images"], everything["shapes"]) == (5, 4)
        labels = {c["name"]: (c["images"], c["shapes"]) for c in everything["labels"]}
        assert labels == {"cat": (2, 2), "dog": (2, 2)}
        assert [(c["name"], c["images"]) for c in everything["tags"]] == [("keep", 2)]
        kept = browser.post(url, json={"tags": ["keep"]}).json()
        assert (kept["images"], kept["shapes"]) == (2, 1)
        labels = {c["name"]: (c["images"], c["shapes"]) for c in kept["labels"]}
        assert labels == {"cat": (1, 1), "dog": (0, 0)}  # every label, 0 included


def test_version_gallery_counts_leave_out_the_trash_with_or_without_a_filter(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    """Counts without a filter are read another way (from the labels' shapes): they agree
    with those of a filter that keeps every asset, trash and all."""
    sdk, token = user
    made = _annotated_version(sdk, tmp_path)
    version = sdk.get_dataset_by_id(made.dataset_id).get_version_by_id(made.version_id)
    bird = version.create_label("bird")  # no shape: counted 0
    assert bird.name == "bird"
    (first,) = made.assets[0].list_annotations()
    first.create_rectangle(50, 50, 5, 5, made.cat)  # a second cat on the same image
    made.assets[3].create_annotation().create_rectangle(1, 1, 2, 2, made.dog)
    made.assets[3].delete()  # its annotation stays unmarked, hidden by the asset's trash
    trashed = made.assets[4].create_annotation()
    trashed.create_rectangle(1, 1, 2, 2, made.cat)
    trashed.delete()
    url = f"/versions/{made.version_id}/gallery/counts"
    expected_labels = {"bird": (0, 0), "cat": (2, 3), "dog": (2, 2)}
    with site.signed_in(token) as browser:
        for wanted in ({}, {"filename": "img-"}):
            counts = browser.post(url, json=wanted).json()
            assert (counts["images"], counts["shapes"]) == (4, 5), wanted
            labels = {c["name"]: (c["images"], c["shapes"]) for c in counts["labels"]}
            assert labels == expected_labels, wanted
            assert [c["name"] for c in counts["labels"]] == ["bird", "cat", "dog"]
            assert [(c["name"], c["images"]) for c in counts["tags"]] == [("keep", 1)], wanted


def test_datalake_gallery_and_counts(site: Site, user: tuple[Client, str], tmp_path: Path) -> None:
    sdk, token = user
    lake = sdk.create_datalake(f"lake-{uuid.uuid4().hex[:6]}")
    data = lake.upload_data([_fresh_image(tmp_path, 320, 240) for _ in range(3)])
    data[1].add_tags("sunny")
    with site.signed_in(token) as browser:
        page = browser.post(f"/datalakes/{lake.id}/gallery", json={"limit": 100}).json()
        assert [item["id"] for item in page["items"]] == sorted(str(d.id) for d in data)
        assert page["next_after"] is None
        sunny = browser.post(f"/datalakes/{lake.id}/gallery", json={"tags": ["sunny"]}).json()
        assert [item["id"] for item in sunny["items"]] == [str(data[1].id)]
        queried = browser.post(
            f"/datalakes/{lake.id}/gallery", json={"q": f'filename = "{data[2].filename}"'}
        ).json()
        assert [item["id"] for item in queried["items"]] == [str(data[2].id)]
        counts = browser.post(f"/datalakes/{lake.id}/gallery/counts", json={}).json()
        assert counts["images"] == 3
        assert [(c["name"], c["images"]) for c in counts["tags"]] == [("sunny", 1)]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"limit": 0}, 400),
        ({"limit": -1}, 400),
        ({"limit": 101}, 400),
        ({"after": "not-an-id"}, 400),
        ({"after": str(uuid.uuid4()), "before": str(uuid.uuid4())}, 400),
        ({"page": 2}, 400),  # an unknown parameter
        ({"status": "MAYBE"}, 400),
        ({"filename": ""}, 400),
        ({"filename": "a\x00b"}, 400),
        ({"labels": ["no-such-label"]}, 404),
        ({"tags": ["no-such-tag"]}, 404),
    ],
    ids=[
        "zero",
        "negative",
        "too-many",
        "bad-key",
        "after-and-before",
        "unknown-param",
        "bad-status",
        "empty-filename",
        "nul",
        "unknown-label",
        "unknown-tag",
    ],
)
def test_gallery_bad_input(
    site: Site, user: tuple[Client, str], tmp_path: Path, body: dict, status: int
) -> None:
    sdk, token = user
    version = sdk.create_dataset(f"d-{uuid.uuid4().hex[:6]}").create_version("v1")
    with site.signed_in(token) as browser:
        answer = browser.post(f"/versions/{version.id}/gallery", json=body)
        assert answer.status_code == status, answer.text
        assert answer.json()["message"]
        if not {"limit", "after", "before"} & body.keys():
            counts = browser.post(f"/versions/{version.id}/gallery/counts", json=body)
            assert counts.status_code == status, counts.text


def test_another_organizations_ids_answer_404_without_bytes(
    site: Site, user: tuple[Client, str], tmp_path: Path
) -> None:
    sdk, _token = user
    made = _annotated_version(sdk, tmp_path)
    data_id, asset_id = made.data[0].id, made.assets[0].id
    lake_id = sdk.get_datalake().id
    with site.signed_in(site.new_token()) as stranger:
        reads = [
            stranger.get(f"/datasets/{made.dataset_id}"),
            stranger.get(f"/versions/{made.version_id}"),
            stranger.get(f"/assets/{asset_id}"),
            stranger.get(f"/data/{data_id}/thumbnail"),
            stranger.get(f"/data/{data_id}/content"),
            stranger.post(f"/versions/{made.version_id}/gallery", json={}),
            stranger.post(f"/versions/{made.version_id}/gallery/counts", json={}),
            stranger.post(f"/datalakes/{lake_id}/gallery", json={}),
            stranger.post(f"/datalakes/{lake_id}/gallery/counts", json={}),
        ]
    for answer in reads:
        assert answer.status_code == 404, (answer.request.url, answer.text)
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["code"] == "not_found"
