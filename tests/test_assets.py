"""Assets of a dataset version: adding data, listing, finding, tags, bulk operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake import BadRequestError, Client, DataType, NotFoundError, Target
from pixlake.errors import WrongTargetError
from pixlake.sdk.asset import Asset, MultiAsset


@pytest.fixture
def version(client: Client):
    return client.create_dataset("animals").create_version("first")


def test_add_data_makes_one_asset_per_data(client: Client, version, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images)
    assets = version.add_data(data)
    assert isinstance(assets, MultiAsset) and len(assets) == 5
    assert [a.data_id for a in assets] == data.ids
    again = version.add_data(data[:2])  # the same data again: the same assets
    assert again.ids == assets.ids[:2]
    assert len(version.list_assets()) == 5
    single = version.add_data(data[0])
    assert single.ids == assets.ids[:1]
    assert len(version.add_data(list(data[3:]))) == 2


def test_asset_properties(client: Client, version, images: list[Path], videos) -> None:
    lake = client.get_datalake()
    picture = lake.upload_data(images[0])
    clip = lake.upload_data(videos[".mp4"])
    image_asset, video_asset = version.add_data([picture, clip])
    assert image_asset.dataset_version_id == version.id
    assert image_asset.data_id == picture.id
    assert image_asset.object_name == picture.object_name
    assert image_asset.filename == picture.filename
    assert image_asset.large is False
    assert image_asset.type is DataType.IMAGE
    assert (image_asset.width, image_asset.height) == (picture.width, picture.height)
    assert image_asset.duration is None
    assert video_asset.type is DataType.VIDEO
    assert video_asset.duration == pytest.approx(1.0, abs=0.1)
    assert image_asset.sync()["id"] == str(image_asset.id)


def test_listed_and_added_assets_match_the_asset_read_alone(
    client: Client, version, unique_image, videos
) -> None:
    """Listings and add_data answer with JSON the database writes; a single read goes
    through validated models. Every field agrees, in every mode, trash included."""
    lake = client.get_datalake()
    picture = lake.upload_data(unique_image("exif.jpg", exif_orientation=6))
    clip = lake.upload_data(videos[".mp4"])
    picture.update_custom_metadata({"note": 'tab\there "quoted" é', "n": 1.5, "list": [1, None]})
    added = version.add_data([picture, clip, picture])
    in_trash = version.add_data(lake.upload_data(unique_image("gone.png")))[0]

    def fields(asset: Asset) -> dict:
        return asset._schema.model_dump()

    before_delete = fields(in_trash)
    in_trash.delete()
    listed = {a.id: fields(a) for a in version.list_assets()}
    trashed = {a.id: fields(a) for a in version.list_deleted_assets()}
    for asset in added:
        alone = fields(asset)
        asset.sync()  # GET /assets/{id}: a validated model
        assert fields(asset) == alone == listed[asset.id]
    in_the_trash = trashed[in_trash.id]
    assert in_the_trash.pop("deleted_at") is not None
    assert before_delete.pop("deleted_at") is None
    assert in_the_trash == before_delete
    assert listed[added[1].id]["duration"] == pytest.approx(1.0, abs=0.1)
    assert isinstance(listed[added[1].id]["duration"], float)
    assert listed[added[0].id]["metadata"]["exif"]["Orientation"] == 6
    assert listed[added[0].id]["custom_metadata"]["note"] == 'tab\there "quoted" é'


def test_data_from_several_datalakes(client: Client, version, images: list[Path]) -> None:
    one = client.get_datalake().upload_data(images[:2])
    other = client.create_datalake("second").upload_data(images[2:4])
    assets = version.add_data(list(one) + list(other))
    assert len(assets) == 4
    assert [d.id for d in assets.as_list_of_data()] == one.ids + other.ids
    with pytest.raises(BadRequestError, match="2 datalakes"):
        assets.as_multidata()
    with pytest.raises(BadRequestError, match="2 datalakes"):
        assets.as_multidata(force_refresh=False)
    assert len(assets[:2].as_multidata()) == 2


def test_list_assets_filters_and_paging(
    client: Client, version, images: list[Path], monkeypatch
) -> None:
    data = client.get_datalake().upload_data(images)
    assets = version.add_data(data)
    hard = client.create_tag("hard", Target.ASSET)
    assets[1:3].add_tags(hard)
    assert version.list_assets().ids == assets.ids
    assert version.list_assets(tags=[hard]).ids == assets.ids[1:3]
    assert version.list_assets(tags="hard").ids == assets.ids[1:3]
    assert version.list_assets(filenames=[assets[4].filename]).ids == [assets[4].id]
    assert version.list_assets(data_ids=[data[0].id, data[3].id]).ids == [
        assets[0].id,
        assets[3].id,
    ]
    assert version.list_assets(limit=2, offset=1).ids == assets.ids[1:3]
    monkeypatch.setattr("pixlake.sdk.dataset_version.MAX_PAGE_SIZE", 2)
    assert version.list_assets().ids == assets.ids
    assert version.list_assets(offset=1, limit=3).ids == assets.ids[1:4]
    assert isinstance(version.list_assets()[:10], MultiAsset)


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"offset": -2}])
def test_list_assets_refuses_negative_paging(version, kwargs) -> None:
    with pytest.raises(BadRequestError):
        version.list_assets(**kwargs)


def test_find_asset(client: Client, version, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images)
    assets = version.add_data(data)
    assert version.find_asset(id=assets[2].id) == assets[2]
    assert version.find_asset(filename=assets[3].filename) == assets[3]
    assert version.find_asset(data=data[1]) == assets[1]
    with pytest.raises(NotFoundError, match="nope.jpg"):
        version.find_asset(filename="nope.jpg")
    with pytest.raises(BadRequestError):
        version.find_asset()
    other = client.create_dataset("other").create_version("v")
    with pytest.raises(NotFoundError):
        other.find_asset(id=assets[0].id)


def test_asset_tags(client: Client, version, images: list[Path]) -> None:
    assets = version.add_data(client.get_datalake().upload_data(images), tags=["new"])
    hard = client.create_tag("hard", Target.ASSET)
    assets[0].add_tags(hard)
    assert [t.name for t in assets[0].get_tags()] == ["hard", "new"]
    assets.remove_tags(client.get_tag("new", Target.ASSET))
    assert [t.name for t in assets[1].get_tags()] == []
    data_tag = client.create_tag("for-data", Target.DATA)
    with pytest.raises(WrongTargetError):
        assets.add_tags(data_tag)
    with pytest.raises(WrongTargetError):
        assets[0].add_tags(data_tag)
    with pytest.raises(WrongTargetError):
        version.add_data(client.get_datalake().list_data()[:1], tags=[data_tag])


def test_asset_data_and_url(client: Client, version, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    data.add_tags(client.create_tag("bicycle", Target.DATA))
    asset = version.add_data(data)[0]
    assert asset.get_data() == data
    assert [t.name for t in asset.get_data_tags()] == ["bicycle"]
    assert asset.reset_url() == data.reset_url() or client.mode == "server"
    assert asset.to_data_schema().checksum == data.checksum


def test_multiasset_download(client: Client, version, images: list[Path], tmp_path: Path) -> None:
    assets = version.add_data(client.get_datalake().upload_data(images))
    assert assets.download(tmp_path / "out", max_workers=2) == 5
    for path in images:
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes()
    assert assets.download(tmp_path / "out") == 0
    assert assets[:1].download(tmp_path / "out", force_replace=True) == 1
    assert version.download(tmp_path / "whole") == 5


def test_version_download_of_two_assets_with_one_filename_writes_both(
    client: Client, version, unique_image, tmp_path: Path
) -> None:
    sources = [unique_image("frame.png"), unique_image("frame.png")]
    assets = version.add_data(client.get_datalake().upload_data(sources))
    assert version.download(tmp_path / "out") == 2
    second = f"frame.{assets[1].data_id.hex[-8:]}.png"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(["frame.png", second])
    assert (tmp_path / "out" / second).read_bytes() == sources[1].read_bytes()


def test_multiasset_list_behaviour(client: Client, version, images: list[Path]) -> None:
    assets = version.add_data(client.get_datalake().upload_data(images))
    assert isinstance(assets[0], Asset) and isinstance(assets[1:], MultiAsset)
    joined = assets[:2] + assets[2:]
    assert joined.ids == assets.ids
    grown = assets[:1]
    grown += assets[1:2]
    assert grown.ids == assets.ids[:2]
    first, second = assets.split(0.4)
    assert (len(first), len(second)) == (2, 3)
    for bad in (-0.5, 2, "half", float("nan")):
        with pytest.raises(BadRequestError):
            assets.split(bad)
    with pytest.raises(BadRequestError):
        assets + client.get_datalake().list_data()


def test_adding_another_organizations_data(
    client: Client, other_client: Client, version, images: list[Path]
) -> None:
    theirs = other_client.get_datalake().upload_data(images[0])
    mine = client.get_datalake().upload_data(images[1])
    forged = type(theirs)(client._connection, theirs._schema)
    with pytest.raises(NotFoundError, match=str(theirs.id)):
        version.add_data([mine, forged])
    assert len(version.list_assets()) == 0


def test_bad_add_data_arguments(client: Client, version) -> None:
    with pytest.raises(BadRequestError):
        version.add_data([])
    with pytest.raises(BadRequestError):
        version.add_data(["not data"])  # type: ignore[list-item]


def test_another_organization_cannot_reach_assets(
    client: Client, other_client: Client, version, images: list[Path]
) -> None:
    asset = version.add_data(client.get_datalake().upload_data(images[0]))[0]
    forged = Asset(other_client._connection, asset._schema)
    for attempt in (
        forged.sync,
        forged.delete,
        forged.get_tags,
        forged.list_annotations,
        forged.create_annotation,
        forged.get_annotation,
        forged.get_data,
        lambda: MultiAsset(other_client._connection, [forged]).delete(),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert len(version.list_assets()) == 1


def test_data_used_by_an_asset_cannot_be_deleted(
    client: Client, version, images: list[Path]
) -> None:
    from pixlake import ConflictError

    data = client.get_datalake().upload_data(images[0])
    asset = version.add_data(data)[0]
    with pytest.raises(ConflictError, match=images[0].name):
        data.delete()
    asset.delete()
    with pytest.raises(ConflictError, match="trash"):
        data.delete()
