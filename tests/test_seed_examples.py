"""Every example of the API reference (Asset, MultiAsset), run as written.

Only the setup around each example is added: the objects the example names (``client``,
``data``, ``asset``, ``one_asset``, ``my_worker``...) are made first, then the example's
lines run unchanged. Every test runs in embedded and in server mode.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixlake import Client, Target
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user


@pytest.fixture
def dataset_version(client: Client, images: list[Path]):
    data = client.get_datalake().upload_data(images)
    version = client.create_dataset("foo_dataset").create_version("first")
    version.add_data(data)
    return version


@pytest.fixture
def second_username(client: Client, platform: AppContext) -> str:
    """Another user of the client's organization, to be a second worker."""
    name = f"second-{os.urandom(4).hex()}"
    create_user(platform, name, client.organization_name)
    return name


def test_add_tags_example(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])

    tag_bicycle = client.create_tag("bicycle", Target.DATA)
    tag_car = client.create_tag("car", Target.DATA)
    tag_truck = client.create_tag("truck", Target.DATA)

    data.add_tags(tag_bicycle)
    data.add_tags([tag_car, tag_truck])

    assert [t.name for t in data.get_tags()] == ["bicycle", "car", "truck"]


def test_get_tags_example(client: Client, dataset_version) -> None:
    asset = dataset_version.list_assets()[0]
    asset.add_tags(client.create_tag("bicycle", Target.ASSET))

    tags = asset.get_tags()
    assert tags[0].name == "bicycle"


def test_get_data_example(dataset_version) -> None:
    asset = dataset_version.list_assets()[0]

    data = asset.get_data()
    assert data.id == asset.data_id
    assert data.filename == asset.filename


def test_get_data_tags_example(client: Client, dataset_version) -> None:
    asset = dataset_version.list_assets()[0]
    asset.get_data().add_tags(client.create_tag("bicycle", Target.DATA))

    tags = asset.get_data_tags()
    assert tags[0].name == "bicycle"


def test_get_annotation_example(client: Client, dataset_version) -> None:
    one_asset = dataset_version.list_assets()[0]
    dataset = client.get_dataset("foo_dataset")
    my_worker = dataset.find_worker(client.username)
    one_asset.create_annotation(0.5)

    some_annotation = one_asset.get_annotation(my_worker)
    my_annotation = one_asset.get_annotation()
    assert some_annotation == my_annotation


def test_create_annotation_example(client: Client, dataset_version, second_username: str) -> None:
    one_asset = dataset_version.list_assets()[0]
    my_worker_1 = client.get_dataset("foo_dataset").add_worker(second_username)

    some_annotation = one_asset.create_annotation(0.120, my_worker_1)

    assert some_annotation.worker_id == my_worker_1.id
    assert some_annotation.duration == pytest.approx(0.120)


def test_list_annotations_example(dataset_version) -> None:
    one_asset = dataset_version.list_assets()[0]
    one_asset.create_annotation()

    annotations = one_asset.list_annotations()

    assert len(annotations) == 1


def test_delete_annotations_example(dataset_version) -> None:
    one_asset = dataset_version.list_assets()[0]
    label = dataset_version.create_label("cat")
    one_asset.create_annotation().create_rectangle(1, 2, 3, 4, label)

    one_asset.delete_annotations()

    assert one_asset.list_annotations() == []
    assert dataset_version.retrieve_stats().nb_objects == 0


def test_asset_delete_example(dataset_version) -> None:
    one_asset = dataset_version.list_assets()[0]

    one_asset.delete()

    assert one_asset.id not in dataset_version.list_assets().ids
    assert one_asset.id in dataset_version.list_deleted_assets().ids


def test_multiasset_delete_example(client: Client, tmp_path: Path) -> None:
    from pixlake.samples import make_images

    data = client.get_datalake().upload_data(make_images(tmp_path / "many", 12, seed=5))
    dataset = client.create_dataset("many").create_version("first")
    dataset.add_data(data)

    some_assets = dataset.list_assets()[:10]
    some_assets.delete()

    assert len(dataset.list_assets()) == 2


def test_download_example(
    client: Client, dataset_version, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    bunch_of_assets = client.get_dataset("foo_dataset").get_version("first").list_assets()
    bunch_of_assets.download("./downloads/")

    assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == sorted(
        a.filename for a in bunch_of_assets
    )


def test_multiasset_delete_annotations_example(
    client: Client, dataset_version, second_username: str
) -> None:
    multiple_assets = dataset_version.list_assets()
    dataset = client.get_dataset("foo_dataset")
    mine = dataset.find_worker(client.username)
    theirs = dataset.add_worker(second_username)
    for asset in multiple_assets[:3]:
        asset.create_annotation(worker=mine)
        asset.create_annotation(worker=theirs)

    multiple_assets.delete_annotations(workers=[theirs])

    remaining = dataset_version.list_annotations()
    assert len(remaining) == 3
    assert {a.worker_id for a in remaining} == {mine.id}


def test_as_list_of_data_and_as_multidata(
    client: Client, dataset_version, images: list[Path]
) -> None:
    assets = dataset_version.list_assets()
    as_list = assets.as_list_of_data()
    assert [d.id for d in as_list] == [a.data_id for a in assets]
    multidata = assets.as_multidata()
    assert multidata.ids == [a.data_id for a in assets]
    offline = assets.as_multidata(force_refresh=False)
    assert offline.ids == multidata.ids
    assert [d.checksum for d in offline] == [d.checksum for d in multidata]


def test_copy_and_split(dataset_version) -> None:
    assets = dataset_version.list_assets()
    copied = assets.copy()
    assert copied.ids == assets.ids and copied is not assets
    first, second = assets.split(0.8)
    assert len(first) == round(0.8 * len(assets))
    assert first.ids + second.ids == assets.ids


def test_reset_url_and_to_data_schema(dataset_version, images: list[Path]) -> None:
    asset = dataset_version.list_assets()[0]
    assert asset.reset_url()
    schema = asset.to_data_schema()
    assert schema.id == asset.data_id
    assert schema.filename == asset.filename
    assert (schema.width, schema.height, schema.type) == (asset.width, asset.height, asset.type)
