"""Tags: creation, lookup, renaming, deletion and the target rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pixlake import (
    BadRequestError,
    Client,
    ConflictError,
    LockedError,
    NotFoundError,
    Tag,
    Target,
    WrongTargetError,
)


def test_create_get_list(client: Client) -> None:
    car = client.create_tag("car", Target.DATA)
    assert isinstance(car, Tag) and car.name == "car" and car.target is Target.DATA
    assert client.get_tag("car", Target.DATA) == car
    client.create_tag("car", Target.ASSET)  # same name, other target: another tag
    client.create_tag("bus", "DATA")
    assert {t.name for t in client.list_tags(Target.DATA)} == {"car", "bus"}
    assert len(client.list_tags()) == 3
    assert [t.target for t in client.list_tags(Target.ASSET)] == [Target.ASSET]


def test_every_target_exists(client: Client) -> None:
    for target in Target:
        assert client.create_tag(f"t-{target.value}", target).target is target


def test_duplicate_name_is_a_conflict(client: Client) -> None:
    client.create_tag("car", Target.DATA)
    with pytest.raises(ConflictError, match="car"):
        client.create_tag("car", Target.DATA)


def test_update_and_delete(client: Client, images: list[Path]) -> None:
    tag = client.create_tag("car", Target.DATA)
    data = client.get_datalake().upload_data(images[0])
    data.add_tags(tag)
    tag.update(name="vehicle")
    assert tag.name == "vehicle"
    assert [t.name for t in data.get_tags()] == ["vehicle"]
    with pytest.raises(NotFoundError):
        client.get_tag("car", Target.DATA)
    client.create_tag("bus", Target.DATA)
    with pytest.raises(ConflictError):
        tag.update(name="bus")
    tag.delete()
    assert data.get_tags() == []
    with pytest.raises(NotFoundError):
        client.get_tag("vehicle", Target.DATA)


def test_unknown_names_and_targets(client: Client) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        client.get_tag("ghost", Target.DATA)
    with pytest.raises(BadRequestError, match="PLANET"):
        client.create_tag("x", "PLANET")
    with pytest.raises(BadRequestError):
        client.create_tag("", Target.DATA)


def test_data_tags(client: Client, images: list[Path]) -> None:
    tag_bicycle = client.create_tag("bicycle", Target.DATA)
    tag_car = client.create_tag("car", Target.DATA)
    tag_truck = client.create_tag("truck", Target.DATA)
    data = client.get_datalake().upload_data(images[0])
    data.add_tags(tag_bicycle)
    data.add_tags([tag_car, tag_truck])
    assert [t.name for t in data.get_tags()] == ["bicycle", "car", "truck"]
    data.remove_tags([tag_car])
    data.remove_tags(tag_car)  # not attached any more: nothing to do
    assert [t.name for t in data.get_tags()] == ["bicycle", "truck"]


def test_tag_of_the_wrong_target(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    asset_tag = client.create_tag("asset-tag", Target.ASSET)
    with pytest.raises(WrongTargetError, match="asset-tag"):
        data.add_tags(asset_tag)
    with pytest.raises(WrongTargetError):
        client.get_datalake().list_data().add_tags([asset_tag])
    assert data.get_tags() == []


def test_unknown_tag_id(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    tag = client.create_tag("short-lived", Target.DATA)
    tag.delete()
    with pytest.raises(NotFoundError, match=str(tag.id)):
        data.add_tags(tag)
    with pytest.raises(NotFoundError):
        client.get_tag_by_id(tag.id)


def test_another_organizations_tag(
    client: Client, other_client: Client, images: list[Path]
) -> None:
    theirs = other_client.create_tag("secret", Target.DATA)
    data = client.get_datalake().upload_data(images[0])
    with pytest.raises(NotFoundError):
        data.add_tags(Tag(client._connection, theirs._schema))
    assert client.list_tags() == []
    client.create_tag("secret", Target.DATA)  # names are per organization


@pytest.mark.parametrize("value", [3, None, [3], b"car", [], ["car", 3]])
def test_add_tags_refuses_non_tags(client: Client, images: list[Path], value) -> None:
    data = client.get_datalake().upload_data(images[0])
    with pytest.raises(BadRequestError):
        data.add_tags(value)


def test_a_plain_string_is_one_tag_name(client: Client, images: list[Path]) -> None:
    lake = client.get_datalake()
    data = lake.upload_data(images[:2], tags="single")
    assert [t.name for t in client.list_tags()] == ["single"]
    assert [t.name for t in data[0].get_tags()] == ["single"]
    version = client.create_dataset("d").create_version("v")
    assets = version.add_data(data, tags="checked")
    assert [t.name for t in assets[1].get_tags()] == ["checked"]
    assert {(t.name, t.target) for t in client.list_tags()} == {
        ("single", Target.DATA),
        ("checked", Target.ASSET),
    }
    assert len(lake.list_data(tags="single")) == 2
    assert len(version.list_assets(tags="checked")) == 2
    single = client.get_tag("single", Target.DATA)
    assert len(lake.upload_data(images[2:4], tags=single)) == 2  # one Tag, not in a list
    assert len(lake.list_data(tags=single)) == 4


def _one_of_each(client: Client, images: list[Path]) -> list[tuple[Any, Target, list[Any]]]:
    """(taggable, its tag target, the objects it tags) for every kind and both collections."""
    data = client.get_datalake().upload_data(images[:2])
    dataset = client.create_dataset("tagged")
    version = dataset.create_version("v1")
    assets = version.add_data(data)
    return [
        (data[0], Target.DATA, [data[0]]),
        (data, Target.DATA, list(data)),
        (assets[0], Target.ASSET, [assets[0]]),
        (assets, Target.ASSET, list(assets)),
        (dataset, Target.DATASET, [dataset]),
        (version, Target.DATASET_VERSION, [version]),
    ]


def test_add_tags_takes_a_tag_a_name_or_a_list_on_every_object(
    client: Client, images: list[Path]
) -> None:
    for item, target, objects in _one_of_each(client, images):
        existing = client.get_or_create_tag("existing", target)
        item.add_tags("by-name")
        item.add_tags(["listed", existing])
        item.add_tags(existing)
        for obj in objects:
            assert [t.name for t in obj.get_tags()] == ["by-name", "existing", "listed"]
        created = client.get_tag("by-name", target)
        assert created.target is target
        item.remove_tags("by-name")
        item.remove_tags([existing, "listed"])
        for obj in objects:
            assert obj.get_tags() == []
        item.remove_tags(created)  # not attached any more: nothing to do
        with pytest.raises(NotFoundError, match="never-made"):
            item.remove_tags(["listed", "never-made"])
        assert sorted(t.name for t in client.list_tags(target)) == ["by-name", "existing", "listed"]


def test_add_tags_by_name_refused_creates_no_tag(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    version = client.create_dataset("locked").create_version("v1")
    asset = version.add_data(data)[0]
    version.lock()
    with pytest.raises(LockedError):
        asset.add_tags("too-late")
    assert client.list_tags(Target.ASSET) == []
    with pytest.raises(WrongTargetError):
        data.add_tags(["fine", client.create_tag("asset-only", Target.ASSET)])
    assert client.list_tags(Target.DATA) == []
    with pytest.raises(BadRequestError):
        data.add_tags(" ")
    assert client.list_tags(Target.DATA) == []


def test_tag_names_per_request_are_bounded(client: Client, images: list[Path]) -> None:
    from pixlake.errors import LimitExceededError
    from pixlake.limits import MAX_TAGS_PER_REQUEST

    data = client.get_datalake().upload_data(images[0])
    names = [f"t{index}" for index in range(MAX_TAGS_PER_REQUEST + 1)]
    # The server refuses what the SDK would never send in one request...
    with pytest.raises(LimitExceededError, match="tags") as refused:
        client._connection.request(
            "POST",
            "/tags/attach",
            json={"target": "DATA", "object_ids": [str(data.id)], "tags": names},
        )
    assert refused.value.details["max"] == MAX_TAGS_PER_REQUEST
    assert client.list_tags() == []
    # ...and the SDK sends as many names in several requests.
    data.add_tags(names)
    assert len(data.get_tags()) == len(names)
