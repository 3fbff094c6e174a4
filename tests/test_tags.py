"""Tags: creation, lookup, renaming, deletion and the target rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake import (
    BadRequestError,
    Client,
    ConflictError,
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


def test_another_organizations_tag(client: Client, other_client: Client,
                                   images: list[Path]) -> None:
    theirs = other_client.create_tag("secret", Target.DATA)
    data = client.get_datalake().upload_data(images[0])
    with pytest.raises(NotFoundError):
        data.add_tags(Tag(client._connection, theirs._schema))
    assert client.list_tags() == []
    client.create_tag("secret", Target.DATA)  # names are per organization


@pytest.mark.parametrize("value", ["car", 3, None, ["car"]])
def test_add_tags_refuses_non_tags(client: Client, images: list[Path], value) -> None:
    data = client.get_datalake().upload_data(images[0])
    with pytest.raises(BadRequestError):
        data.add_tags(value)
