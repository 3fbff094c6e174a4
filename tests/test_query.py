"""Queries (``q=``) on the listings of assets, data and annotations, their counts and the
version's stats, in embedded mode and against real servers on SQLite and PostgreSQL: what
each field and operator selects, AND with the other filters, paging, bulk methods on a
filtered listing, and bad queries refused with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from pixlake import (
    BadRequestError,
    Client,
    InvalidQueryError,
    LimitExceededError,
    NotFoundError,
)
from pixlake.core import tables as t
from pixlake.core.context import AppContext
from pixlake.limits import MAX_QUERY_LENGTH
from pixlake.sdk.asset import Asset, MultiAsset
from pixlake.sdk.datalake import Datalake
from pixlake.sdk.dataset_version import DatasetVersion


@dataclass
class Gallery:
    """Five assets, each different in what a query can see (see ``gallery``)."""

    lake: Datalake
    v: DatasetVersion
    assets: dict[str, Asset]
    """By filename stem: a0, a1, b2, b3, c_4."""
    me: str

    def names(self, found: MultiAsset | list[Asset]) -> set[str]:
        return {asset.filename.split(".")[0] for asset in found}

    def listed(self, q: str) -> set[str]:
        return self.names(self.v.list_assets(q=q))


@pytest.fixture
def gallery(client: Client, unique_image: Callable[..., Path]) -> Gallery:
    """a0 700x500: asset tag train, data tag night, {"score": 0.9, "cam": "north", "ok":
    true}, an ACCEPTED annotation of two car rectangles and a dog polygon;
    a1.png 320x240: tag test, {"score": 0.2, "cam": "south"}, a PENDING annotation of a dog
    classification;
    b2 1024x768: {"score": "high"}, a PENDING annotation of a car polygon;
    b3 800x600: tags train and hard, no annotation;
    c_4 640x480: {"n": 3}, a REFUSED annotation without shapes.
    The datalake also holds extra.jpg (50x50), in no version."""
    sizes = {"a0.jpg": (700, 500), "a1.png": (320, 240), "b2.jpg": (1024, 768)}
    sizes |= {"b3.jpg": (800, 600), "c_4.jpg": (640, 480), "extra.jpg": (50, 50)}
    lake = client.get_datalake()
    uploaded = lake.upload_data([unique_image(name, *size) for name, size in sizes.items()])
    data = {d.filename: d for d in uploaded}
    data["a0.jpg"].add_tags("night")
    data["a0.jpg"].update_custom_metadata({"score": 0.9, "cam": "north", "ok": True})
    data["a1.png"].update_custom_metadata({"score": 0.2, "cam": "south"})
    data["b2.jpg"].update_custom_metadata({"score": "high"})
    data["c_4.jpg"].update_custom_metadata({"n": 3})
    v = client.create_dataset("gallery").create_version("v1")
    added = v.add_data([d for name, d in data.items() if name != "extra.jpg"])
    assets = {asset.filename.split(".")[0]: asset for asset in added}
    car, dog = v.create_label("car"), v.create_label("dog")
    assets["a0"].add_tags("train")
    assets["a1"].add_tags("test")
    assets["b3"].add_tags(["train", "hard"])
    first = assets["a0"].create_annotation()
    first.create_multiple_rectangles([(1, 1, 10, 10, car), (5, 5, 10, 10, car)])
    first.create_polygon([[0, 0], [10, 0], [5, 8]], dog)
    first.update(status="ACCEPTED")
    assets["a1"].create_annotation().create_classification(dog)
    assets["b2"].create_annotation().create_polygon([[0, 0], [10, 0], [5, 8]], car)
    assets["c_4"].create_annotation().update(status="REFUSED")
    return Gallery(lake=lake, v=v, assets=assets, me=client.username)


ALL = {"a0", "a1", "b2", "b3", "c_4"}


FIELD_CASES = [
    ("width >= 700", {"a0", "b2", "b3"}),
    ("width != 640", ALL - {"c_4"}),
    ("not width = 640", ALL - {"c_4"}),
    ("height < 500", {"a1", "c_4"}),
    ("width > 640.5 and height <= 600", {"a0", "b3"}),
    ('type = "image"', ALL),
    ('type = "VIDEO"', set()),
    ("duration is null", ALL),
    ("size > 0 and size is not null", ALL),
    ('content_type = "image/png"', {"a1"}),
    ('filename like "b%"', {"b2", "b3"}),
    ('filename like "%.png"', {"a1"}),
    ('filename like "B%"', set()),
    ('filename like "c_4.jpg"', {"c_4"}),
    ('filename = "b2.jpg" or filename = "a1.png"', {"a1", "b2"}),
    ('filename in ("a0.jpg", "b3.jpg", "nothing.jpg")', {"a0", "b3"}),
    ('filename not in ("a0.jpg", "b3.jpg")', {"a1", "b2", "c_4"}),
    ("created_at > 2000-01-01 and data.created_at < 2999-12-31T23:59:59Z", ALL),
    ('created_at < "2000-01-01"', set()),
    ('data.filename = "a0.jpg" and data.width = 700', {"a0"}),
]


def test_fields_of_assets(gallery: Gallery) -> None:
    for q, expected in FIELD_CASES:
        assert gallery.listed(q) == expected, q
        assert gallery.v.count_assets(q=q) == len(expected)


def test_created_at_of_a_day_is_the_whole_day(gallery: Gallery) -> None:
    day = gallery.assets["a0"].created_at.date().isoformat()
    assert gallery.listed(f"created_at = {day}") == ALL
    assert gallery.listed(f"created_at > {day}") == set()
    assert gallery.listed(f'created_at <= "{day}"') == ALL
    assert gallery.listed(f"created_at in ({day}, 1999-01-01)") == ALL


TAG_CASES = [
    ('tags.name = "train"', {"a0", "b3"}),
    ('tags.name = "train" and tags.name = "hard"', {"b3"}),
    ('tags.name != "train"', {"a1", "b2", "c_4"}),
    ('tags.name not in ("train", "test")', {"b2", "c_4"}),
    ("tags.name is null", {"b2", "c_4"}),
    ('tags.name like "t%"', {"a0", "a1", "b3"}),
    ('data.tags.name = "night"', {"a0"}),
    ("data.tags.name is not null", {"a0"}),
]


def test_tags(gallery: Gallery) -> None:
    for q, expected in TAG_CASES:
        assert gallery.listed(q) == expected, q


ANNOTATION_CASES = [
    ('annotations.rectangles.label.name = "car"', {"a0"}),
    ('annotations.rectangles.label.name = "car" and width > 640', {"a0"}),
    ('annotations.label.name = "car"', {"a0", "b2"}),
    ('annotations.polygons.label.name in ("dog", "cat")', {"a0"}),
    ('annotations.classifications.label.name = "dog"', {"a1"}),
    ('annotations.points.label.name = "dog" or annotations.lines.label.name = "car"', set()),
    (
        'annotations.label.name = "dog" and not annotations.rectangles.label.name = "car"',
        {"a1"},
    ),
    ('annotations.label.name != "car"', {"a1", "b3", "c_4"}),
    ("annotations.label.name is null", {"b3", "c_4"}),
    ("annotations.count = 0", {"b3"}),
    ("annotations.count >= 1", ALL - {"b3"}),
    ("annotations.shapes.count >= 2", {"a0"}),
    ("annotations.shapes.count = 0", {"b3", "c_4"}),
    ('annotations.status = "accepted"', {"a0"}),
    ('annotations.status != "PENDING"', {"a0", "b3", "c_4"}),
    ('annotations.status in ("PENDING", "REFUSED")', {"a1", "b2", "c_4"}),
    ('annotations.worker.username = "nobody"', set()),
]


def test_annotations_of_assets(gallery: Gallery) -> None:
    for q, expected in ANNOTATION_CASES:
        assert gallery.listed(q) == expected, q


def test_worker_of_annotations(gallery: Gallery) -> None:
    assert gallery.listed(f'annotations.worker.username = "{gallery.me}"') == ALL - {"b3"}


CUSTOM_METADATA_CASES = [
    ("custom_metadata.score > 0.5", {"a0"}),
    ('custom_metadata.score = "high"', {"b2"}),
    ("custom_metadata.score != 0.9", ALL - {"a0"}),
    ("custom_metadata.score is null", {"b3", "c_4"}),
    ("custom_metadata.score is not null", {"a0", "a1", "b2"}),
    ('custom_metadata.cam in ("north", "south")', {"a0", "a1"}),
    ('custom_metadata.cam like "n%"', {"a0"}),
    ("custom_metadata.ok = true", {"a0"}),
    ("custom_metadata.ok = false", set()),
    ("custom_metadata.n = 3 or custom_metadata.n = 3.5", {"c_4"}),
    ('custom_metadata.n in (3, "3")', {"c_4"}),
    ('data.custom_metadata.cam = "north"', {"a0"}),
    ('custom_metadata."cam" = "south"', {"a1"}),
]


def test_labels_are_read_in_the_listed_version_only(gallery: Gallery) -> None:
    """A query on shapes' labels finds them from the version's labels: a fork's shapes
    (same label names, other label rows) and trashed annotations don't count."""
    q = 'annotations.rectangles.label.name = "car"'
    fork = gallery.v.fork("v2")
    fork.list_assets(q='filename = "b2.jpg"')[0].get_annotation().create_rectangle(
        0, 0, 3, 3, fork.get_label("car")
    )
    assert gallery.names(fork.list_assets(q=q)) == {"a0", "b2"}
    assert gallery.listed(q) == {"a0"}
    fork.list_assets(q='filename = "a0.jpg"')[0].get_annotation().delete()
    assert gallery.names(fork.list_assets(q=q)) == {"b2"}
    assert fork.count_assets(q='annotations.label.name = "dog"') == 1
    assert gallery.listed(q) == {"a0"}
    assert gallery.v.count_assets(q='annotations.label.name = "dog"') == 2


def test_custom_metadata(gallery: Gallery) -> None:
    for q, expected in CUSTOM_METADATA_CASES:
        assert gallery.listed(q) == expected, q


def test_parentheses_and_precedence(gallery: Gallery) -> None:
    q = '(tags.name = "train" or custom_metadata.cam = "south") and width < 750'
    assert gallery.listed(q) == {"a0", "a1"}
    assert gallery.listed(
        'tags.name = "train" or custom_metadata.cam = "south" and width < 300'
    ) == {
        "a0",
        "b3",
    }
    assert gallery.listed('not (tags.name = "train" or width < 700)') == {"b2"}


def test_q_is_anded_with_the_other_filters(gallery: Gallery) -> None:
    v = gallery.v
    assert gallery.names(v.list_assets(tags="train", q="width > 750")) == {"b3"}
    assert gallery.names(v.list_assets(filenames=["a0.jpg", "a1.png"], q="width > 500")) == {"a0"}
    data_ids = [gallery.assets["b2"].data_id, gallery.assets["c_4"].data_id]
    assert gallery.names(v.list_assets(data_ids=data_ids, q="annotations.count = 1")) == {
        "b2",
        "c_4",
    }
    assert gallery.listed("") == ALL  # a blank query filters nothing


def test_paging_a_filtered_listing(gallery: Gallery) -> None:
    q = "annotations.count >= 1"
    whole = gallery.v.list_assets(q=q)
    assert [a.id for a in whole] == sorted(a.id for a in whole)  # id order, as unfiltered
    assert [a.id for a in gallery.v.list_assets(q=q, limit=2)] == [a.id for a in whole[:2]]
    assert [a.id for a in gallery.v.list_assets(q=q, offset=1, limit=2)] == [
        a.id for a in whole[1:3]
    ]


def test_bulk_methods_on_a_filtered_listing(gallery: Gallery) -> None:
    v = gallery.v
    picked = v.list_assets(q='tags.name = "train"')
    picked.add_tags("picked")
    assert gallery.listed('tags.name = "picked"') == {"a0", "b3"}
    picked.remove_tags("picked")
    assert gallery.listed('tags.name = "picked"') == set()
    v.list_assets(q="annotations.count = 1 and annotations.shapes.count = 0").delete()
    assert v.count_assets() == 4
    assert gallery.listed("width = 640") == set()
    assert v.list_deleted_assets()[0].filename == "c_4.jpg"


def test_listing_data_of_a_datalake(gallery: Gallery) -> None:
    lake = gallery.lake

    def names(q: str) -> set[str]:
        return {d.filename for d in lake.list_data(q=q)}

    assert names('tags.name = "night"') == {"a0.jpg"}
    assert names("width < 100") == {"extra.jpg"}
    assert names('filename like "%.png" or custom_metadata.cam = "north"') == {"a1.png", "a0.jpg"}
    assert names("custom_metadata.n >= 3 and height = 480") == {"c_4.jpg"}
    assert lake.count_data(q="width >= 640") == 4
    assert lake.count_data() == 6
    assert {d.filename for d in lake.list_data(tags="night", q="width > 1000")} == set()
    with pytest.raises(InvalidQueryError) as caught:
        lake.list_data(q="annotations.count = 1")  # data have no annotations
    assert caught.value.token == "annotations.count"
    with pytest.raises(InvalidQueryError):
        lake.count_data(q='data.filename = "a0.jpg"')


def test_listing_annotations(gallery: Gallery) -> None:
    by_asset = {asset.id: name for name, asset in gallery.assets.items()}

    def annotated(q: str) -> set[str]:
        return {by_asset[a.asset_id] for a in gallery.v.list_annotations(q=q)}

    assert annotated('status = "PENDING"') == {"a1", "b2"}
    assert annotated('annotations.status = "pending"') == {"a1", "b2"}
    assert annotated('label.name = "car"') == {"a0", "b2"}
    assert annotated('rectangles.label.name = "car"') == {"a0"}
    assert annotated("shapes.count = 0") == {"c_4"}
    assert annotated("shapes.count >= 1 and width > 650") == {"a0", "b2"}
    assert annotated('filename like "a%"') == {"a0", "a1"}
    assert annotated('tags.name = "train" or data.tags.name = "night"') == {"a0"}
    assert annotated(f'worker.username = "{gallery.me}"') == {"a0", "a1", "b2", "c_4"}
    assert annotated("created_at > 2000-01-01 and updated_at > 2000-01-01") == {
        "a0",
        "a1",
        "b2",
        "c_4",
    }
    assert annotated('custom_metadata.cam = "south"') == {"a1"}
    assert len(gallery.v.list_annotations(status="PENDING", q='label.name = "dog"')) == 1


def test_stats_count_images_per_label_and_take_q(gallery: Gallery) -> None:
    stats = gallery.v.retrieve_stats()
    assert (stats.nb_assets, stats.nb_annotations, stats.nb_objects) == (5, 4, 5)
    assert stats.label_repartition == {"car": 3, "dog": 2}
    assert stats.label_image_repartition == {"car": 2, "dog": 2}
    assert stats.tag_repartition == {"train": 2, "test": 1, "hard": 1}
    part = gallery.v.retrieve_stats(q='tags.name = "train"')
    assert (part.nb_assets, part.nb_annotations, part.nb_objects) == (2, 1, 3)
    assert part.label_repartition == {"car": 2, "dog": 1}
    assert part.label_image_repartition == {"car": 1, "dog": 1}
    assert part.tag_repartition == {"train": 2, "hard": 1}
    none = gallery.v.retrieve_stats(q="width > 5000")
    assert (none.nb_assets, none.label_image_repartition) == (0, {"car": 0, "dog": 0})
    with pytest.raises(InvalidQueryError):
        gallery.v.retrieve_stats(q="width >")


def test_long_chains_of_or_run_on_every_database(gallery: Gallery) -> None:
    terms = " or ".join(f"width = {n}" for n in range(2000, 4000))
    chain = terms[: MAX_QUERY_LENGTH - 20].rsplit(" or ", 1)[0] + " or width = 1024"
    assert chain.count(" or ") > 600  # deeper than SQLite's 1,000 if written as one chain
    assert gallery.listed(chain) == {"b2"}
    deep_and = " and ".join(["width > 1"] * 700)
    assert gallery.v.count_assets(q=deep_and) == 5


# Bad queries: refused, naming where, and nothing changed


@dataclass
class Small:
    lake: Datalake
    v: DatasetVersion


@pytest.fixture
def small(client: Client, unique_image: Callable[..., Path]) -> Small:
    """A version of one asset (one.jpg, 64x48) with an annotation of one rectangle."""
    lake = client.get_datalake()
    v = client.create_dataset("small").create_version("v1")
    asset = v.add_data(lake.upload_data(unique_image("one.jpg")))[0]
    asset.create_annotation().create_rectangle(1, 1, 5, 5, v.create_label("car"))
    return Small(lake, v)


def row_counts(platform: AppContext) -> dict[str, int]:
    """Rows of every table of the platform (its tables still exist: each is counted)."""
    with platform.db.read() as conn:
        names = set(inspect(conn).get_table_names())
        assert {table.name for table in t.metadata.sorted_tables} <= names
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in t.metadata.sorted_tables
            if table.name != "idempotency_keys"
        }


BAD_QUERIES = [
    ("(width > 1", 0, "("),
    ("width > 1)", 9, ")"),
    ('filename = "a0.jpg', 11, '"a0.jpg'),
    ('colour = "red"', 0, "colour"),
    ("width => 1", 6, "=>"),
    ("width between 1", 6, "between"),
    ('width > "wide"', 8, '"wide"'),
    ("custom_metadata. = 1", 17, "="),
    ('filename = "x" ; drop table assets', 15, ";"),
    ('filename = "x" -- and everything else', 15, "-"),
    ('filename = "x" /* */', 15, "/"),
]


@pytest.mark.parametrize(("q", "position", "token"), BAD_QUERIES)
def test_bad_queries_name_position_and_token(
    small: Small, platform: AppContext, q: str, position: int, token: str
) -> None:
    before = row_counts(platform)
    calls: list[Callable[[], Any]] = [
        lambda: small.v.list_assets(q=q),
        lambda: small.v.count_assets(q=q),
        lambda: small.v.retrieve_stats(q=q),
        lambda: small.v.list_annotations(q=q),
        lambda: small.lake.list_data(q=q),
        lambda: small.lake.count_data(q=q),
    ]
    for call in calls:
        with pytest.raises(BadRequestError) as caught:
            call()
        error = caught.value
        assert isinstance(error, InvalidQueryError), error
        assert (error.details["position"], error.details["token"]) == (position, token)
        assert f"position {position}" in str(error)
    assert row_counts(platform) == before


@pytest.mark.parametrize(
    "q",
    [
        'filename = "x\\" or \\"1\\"=\\"1"',
        "filename = \"x' or '1'='1\"",
        'filename = "x; drop table assets; --"',
        'filename = "/* x */ a0.jpg"',
        'filename like "%\'; delete from data; --%"',
        'tags.name = "train\\" or 1=1 --"',
        'custom_metadata."cam\' or 1=1 --" = "north"',
        'custom_metadata.cam = "north\') or (1=1"',
    ],
)
def test_sql_inside_strings_matches_nothing_and_changes_nothing(
    small: Small, platform: AppContext, q: str
) -> None:
    before = row_counts(platform)
    assert len(small.v.list_assets(q=q)) == 0
    assert small.v.count_assets(q=q) == 0
    assert small.v.retrieve_stats(q=q).nb_assets == 0
    assert small.v.list_annotations(q=q) == []
    assert small.lake.count_data(q=q) == 0
    assert row_counts(platform) == before
    assert small.v.count_assets() == 1


def test_a_query_over_the_length_limit(small: Small, client: Client) -> None:
    longest = "width > 0" + " " * (MAX_QUERY_LENGTH - len("width > 0"))
    assert small.v.count_assets(q=longest) == 1  # the bound itself passes, URL and all
    assert len(small.v.list_assets(q=longest)) == 1
    too_long = longest + " "
    for call in (
        lambda: small.v.list_assets(q=too_long),
        lambda: small.v.count_assets(q=too_long),
        lambda: small.lake.list_data(q=too_long),
        lambda: small.v.retrieve_stats(q=too_long),
        lambda: small.v.list_annotations(q=too_long),
    ):
        with pytest.raises(LimitExceededError) as caught:
            call()
        assert caught.value.limit == "max_query_length"
    # The server refuses it as well when a client sends it anyway.
    for path, method in (
        (f"/versions/{small.v.id}/assets/count", "GET"),
        (f"/versions/{small.v.id}/stats", "GET"),
        (f"/versions/{small.v.id}/assets/search", "POST"),
        (f"/datalakes/{small.lake.id}/data/search", "POST"),
    ):
        with pytest.raises(LimitExceededError) as caught:
            client._connection.request(
                method, path, params={"q": too_long}, json={} if method == "POST" else None
            )
        assert caught.value.limit == "max_query_length"
        assert caught.value.details["position"] == MAX_QUERY_LENGTH


def test_another_organization_gets_404(small: Small, other_client: Client) -> None:
    forged_version = DatasetVersion(other_client._connection, small.v._schema)
    forged_lake = Datalake(other_client._connection, small.lake._schema)
    for call in (
        lambda: forged_version.count_assets(q="width > 0"),
        lambda: forged_version.list_assets(q="width > 0"),
        lambda: forged_version.retrieve_stats(q="width > 0"),
        lambda: forged_version.list_annotations(q="width > 0"),
        lambda: forged_lake.count_data(q="width > 0"),
        lambda: forged_lake.list_data(q="width > 0"),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_keyset_pages_of_a_filtered_listing(gallery: Gallery, client: Client) -> None:
    """Page by page (two at a time) through ``next_after``, the query on every page."""
    q = "annotations.count >= 1 or width > 700"
    path = f"/versions/{gallery.v.id}/assets/search"
    seen: list[str] = []
    after = None
    while True:
        body: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
        page = client._connection.request("POST", path, json=body, params={"q": q})
        seen += [item["filename"].split(".")[0] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == [a.filename.split(".")[0] for a in gallery.v.list_assets(q=q)]
    assert set(seen) == ALL


def test_the_api_documents_q(client: Client) -> None:
    document = client._connection.request("GET", "/openapi.json")
    operation = document["paths"]["/versions/{version_id}/assets/search"]["post"]
    (q,) = [p for p in operation["parameters"] if p["name"] == "q"]
    assert q["in"] == "query"
    assert q["schema"]["maxLength"] == MAX_QUERY_LENGTH
    assert "invalid_query" in str(operation["responses"]["400"])
