"""The trash: deleting and restoring assets, annotations, versions and datasets in both
modes, the walls between organizations, and purging (the service, embedded only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from pixlake import BadRequestError, Client, ConflictError, NotFoundError, Target
from pixlake.core.services.accounts import create_user
from pixlake.core.services.trash import purge_trash
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.enums import TrashKind
from pixlake.errors import LockedError
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.asset import MultiAsset
from pixlake.sdk.data import MultiData
from pixlake.sdk.datalake import Datalake
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.label import Label
from pixlake.settings import Settings
from tests.conftest import stored_objects

TRIANGLE = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]]


@dataclass
class Setup:
    lake: Datalake
    data: MultiData
    ds: Dataset
    v: DatasetVersion
    assets: MultiAsset
    label: Label


def make_setup(client: Client, images: list[Path]) -> Setup:
    lake = client.get_datalake()
    data = lake.upload_data(images)
    ds = client.create_dataset("d")
    v = ds.create_version("v1")
    assets = v.add_data(data[:4])
    return Setup(lake=lake, data=data, ds=ds, v=v, assets=assets, label=v.create_label("cat"))


@pytest.fixture
def env(client: Client, images: list[Path]) -> Setup:
    """A dataset with a version holding four of five uploaded images, and a label 'cat'."""
    return make_setup(client, images)


def annotate(env: Setup, index: int = 0) -> Annotation:
    """An annotation of the index-th asset with a rectangle and a polygon."""
    annotation = env.assets[index].create_annotation(duration=2)
    annotation.create_rectangle(1, 2, 3, 4, env.label)
    annotation.create_polygon(TRIANGLE, env.label)
    return annotation


def trash_ids(client: Client, kind: TrashKind | None = None) -> set[uuid.UUID]:
    return {item.id for item in client.list_trash(kind)}


# Assets


def test_asset_delete_moves_it_to_the_trash(env: Setup) -> None:
    asset = env.assets[0]
    asset.delete()
    assert asset.id not in env.v.list_assets().ids
    assert len(env.v.list_assets()) == 3
    assert env.v.list_deleted_assets().ids == [asset.id]
    assert env.lake.find_data(id=asset.data_id).id == asset.data_id
    with pytest.raises(NotFoundError):
        asset.sync()
    with pytest.raises(NotFoundError):
        env.v.find_asset(id=asset.id)


def test_multiasset_delete_moves_them_to_the_trash(env: Setup) -> None:
    env.assets[1:3].delete()
    assert env.v.list_assets().ids == [env.assets[0].id, env.assets[3].id]
    assert set(env.v.list_deleted_assets().ids) == {env.assets[1].id, env.assets[2].id}
    for asset in env.assets[1:3]:
        assert env.lake.find_data(id=asset.data_id).id == asset.data_id
    assert len(env.lake.list_data()) == 5


def test_deleting_a_deleted_asset_is_not_found(env: Setup) -> None:
    env.assets[0].delete()
    with pytest.raises(NotFoundError):
        env.assets[0].delete()
    with pytest.raises(NotFoundError):
        env.assets[:2].delete()  # all or none: the live one stays
    assert len(env.v.list_assets()) == 3


def test_deleted_asset_hides_its_annotations(env: Setup) -> None:
    annotation = annotate(env)
    annotate(env, 1)
    env.assets[0].delete()
    assert annotation.id not in {a.id for a in env.v.list_annotations()}
    assert len(env.v.list_annotations()) == 1
    with pytest.raises(NotFoundError):
        annotation.sync()
    assert env.v.retrieve_stats().nb_annotations == 1


def test_trashed_asset_cannot_be_annotated(env: Setup) -> None:
    env.assets[0].delete()
    with pytest.raises(NotFoundError):
        env.assets[0].create_annotation()
    with pytest.raises(NotFoundError):
        env.assets[0].list_annotations()
    assert env.v.list_annotations() == []


def test_restore_assets_brings_back_annotations_and_shapes(env: Setup) -> None:
    annotation = annotate(env)
    shapes = [shape._schema for shape in annotation.list_shapes()]
    env.assets[:2].delete()
    assert env.v.restore_assets(env.v.list_deleted_assets()) == 2
    assert len(env.v.list_assets()) == 4
    assert len(env.v.list_deleted_assets()) == 0
    restored = env.assets[0].get_annotation()
    assert restored.id == annotation.id and restored.duration == 2
    assert [shape._schema for shape in restored.list_shapes()] == shapes
    assert env.v.list_annotations() == [annotation]


def test_restored_asset_keeps_its_tags(client: Client, env: Setup) -> None:
    tag = client.create_tag("checked", Target.ASSET)
    env.assets[0].add_tags(tag)
    env.assets[0].delete()
    assert len(env.v.list_assets(tags=tag)) == 0
    env.v.restore_assets(env.assets[0])
    assert env.v.list_assets(tags=tag).ids == [env.assets[0].id]
    assert env.assets[0].get_tags() == [tag]


def test_restore_some_assets(env: Setup) -> None:
    env.assets.delete()
    assert env.v.restore_assets(env.assets[2]) == 1
    assert env.v.restore_assets([env.assets[0].id, str(env.assets[1].id)]) == 2
    assert set(env.v.list_assets().ids) == set(env.assets[:3].ids)
    assert env.v.list_deleted_assets().ids == [env.assets[3].id]


def test_restore_asset_whose_data_is_back_in_the_version(client: Client, env: Setup) -> None:
    old = env.assets[0]
    old.delete()
    new = env.v.add_data(env.data[0])[0]
    assert new.id != old.id
    with pytest.raises(ConflictError):
        env.v.restore_assets([old])
    with pytest.raises(ConflictError):
        client.restore_from_trash([old.id])
    assert env.v.list_deleted_assets().ids == [old.id]
    assert len(env.v.list_assets(data_ids=[old.data_id])) == 1


def test_restore_assets_is_all_or_none(env: Setup) -> None:
    env.assets[:2].delete()
    env.v.add_data(env.data[1])
    with pytest.raises(ConflictError):
        env.v.restore_assets(env.v.list_deleted_assets())
    assert len(env.v.list_deleted_assets()) == 2


def test_restore_a_live_asset_is_not_found(env: Setup) -> None:
    with pytest.raises(NotFoundError):
        env.v.restore_assets([env.assets[0]])
    with pytest.raises(NotFoundError):
        env.v.restore_assets([uuid.uuid4()])
    with pytest.raises(BadRequestError):
        env.v.restore_assets([])


def test_restore_asset_into_another_version_is_not_found(env: Setup) -> None:
    env.assets[0].delete()
    v2 = env.ds.create_version("v2")
    with pytest.raises(NotFoundError):
        v2.restore_assets(env.v.list_deleted_assets())
    assert len(v2.list_assets()) == 0
    assert len(env.v.list_deleted_assets()) == 1


def test_data_of_a_live_or_trashed_asset_cannot_be_deleted(env: Setup) -> None:
    env.assets[0].delete()
    with pytest.raises(ConflictError, match="trash"):
        env.data[0].delete()
    with pytest.raises(ConflictError):
        env.data[1].delete()
    assert env.lake.find_data(id=env.data[0].id) == env.data[0]
    env.data[4].delete()  # in no version
    assert len(env.lake.list_data()) == 4


# The organization's trash


def test_list_trash_has_every_kind(client: Client, env: Setup) -> None:
    annotation = annotate(env)
    annotation.delete()
    env.assets[1].delete()
    v2 = env.ds.create_version("v2")
    v2.delete()
    gone = client.create_dataset("gone")
    gone.delete()
    items = client.list_trash()
    assert [(item.kind, item.id) for item in items] == [
        (TrashKind.ANNOTATION, annotation.id),
        (TrashKind.ASSET, env.assets[1].id),
        (TrashKind.DATASET_VERSION, v2.id),
        (TrashKind.DATASET, gone.id),
    ]
    by_kind = {item.kind: item for item in items}
    assert by_kind[TrashKind.DATASET].name == "gone"
    assert by_kind[TrashKind.DATASET].parent_id is None
    assert by_kind[TrashKind.DATASET_VERSION].name == "d/v2"
    assert by_kind[TrashKind.DATASET_VERSION].parent_id == env.ds.id
    assert by_kind[TrashKind.ASSET].name == env.assets[1].filename
    assert by_kind[TrashKind.ASSET].parent_id == env.v.id
    assert env.assets[0].filename in by_kind[TrashKind.ANNOTATION].name
    assert client.username in by_kind[TrashKind.ANNOTATION].name
    assert by_kind[TrashKind.ANNOTATION].parent_id == env.assets[0].id


def test_trash_items_expire_after_seven_days(client: Client, env: Setup) -> None:
    env.assets[0].delete()
    [item] = client.list_trash()
    assert item.expires_at - item.deleted_at == timedelta(days=7)
    assert item.deleted_at.tzinfo is not None


def test_list_trash_by_kind(client: Client, env: Setup) -> None:
    annotate(env).delete()
    env.assets[1].delete()
    env.ds.create_version("v2").delete()
    assert trash_ids(client, TrashKind.ASSET) == {env.assets[1].id}
    assert [i.kind for i in client.list_trash("DATASET_VERSION")] == [TrashKind.DATASET_VERSION]
    assert client.list_trash(TrashKind.DATASET) == []
    with pytest.raises(BadRequestError, match="GARBAGE"):
        client.list_trash("GARBAGE")


def test_nothing_deleted_means_an_empty_trash(client: Client, env: Setup) -> None:
    annotate(env)
    assert client.list_trash() == []


def test_deleted_annotations_are_in_the_trash(client: Client, env: Setup) -> None:
    annotations = [annotate(env, 0), annotate(env, 1)]
    env.assets[:2].delete_annotations()
    assert trash_ids(client, TrashKind.ANNOTATION) == {a.id for a in annotations}
    assert env.v.list_annotations() == []


def test_restore_an_annotation(client: Client, env: Setup) -> None:
    annotation = annotate(env)
    shapes = annotation.list_shapes()
    annotation.delete()
    assert client.restore_from_trash([annotation.id]) == 1
    assert env.assets[0].get_annotation() == annotation
    assert annotation.list_shapes() == shapes
    assert client.list_trash() == []


def test_restore_an_annotation_whose_place_was_taken(client: Client, env: Setup) -> None:
    old = annotate(env)
    old.delete()
    new = env.assets[0].create_annotation()
    with pytest.raises(ConflictError):
        client.restore_from_trash([old.id])
    assert env.assets[0].get_annotation() == new
    assert trash_ids(client) == {old.id}


def test_restore_a_version(client: Client, env: Setup) -> None:
    annotation = annotate(env)
    env.v.delete()
    with pytest.raises(NotFoundError):
        env.ds.get_version("v1")
    assert env.ds.list_versions() == []
    with pytest.raises(NotFoundError):
        env.assets[0].sync()
    with pytest.raises(NotFoundError):
        env.v.list_assets()
    with pytest.raises(NotFoundError):
        annotation.sync()
    assert trash_ids(client) == {env.v.id}
    assert client.restore_from_trash([env.v.id]) == 1
    v = env.ds.get_version("v1")
    assert v == env.v
    assert v.list_assets().ids == env.assets.ids
    assert v.list_annotations() == [annotation]
    assert len(annotation.list_shapes()) == 2
    assert client.list_trash() == []


def test_restore_a_version_whose_name_was_taken(client: Client, env: Setup) -> None:
    env.v.delete()
    env.ds.create_version("v1")
    with pytest.raises(ConflictError):
        client.restore_from_trash([env.v.id])
    assert trash_ids(client) == {env.v.id}


def test_restore_a_dataset(client: Client, env: Setup) -> None:
    annotation = annotate(env)
    env.ds.delete()
    with pytest.raises(NotFoundError):
        client.get_dataset("d")
    assert client.list_datasets() == []
    with pytest.raises(NotFoundError):
        env.v.sync()
    with pytest.raises(NotFoundError):
        env.assets[0].get_annotation()
    assert client.restore_from_trash([env.ds.id]) == 1
    assert client.get_dataset("d") == env.ds
    assert env.ds.get_version("v1").list_assets().ids == env.assets.ids
    assert env.assets[0].get_annotation() == annotation
    assert env.ds.find_worker(client.username).user_id == client.user_id


def test_restore_a_dataset_whose_name_was_taken(client: Client, env: Setup) -> None:
    env.ds.delete()
    client.create_dataset("d")
    with pytest.raises(ConflictError):
        client.restore_from_trash([env.ds.id])
    assert trash_ids(client) == {env.ds.id}


def test_restore_several_kinds_at_once(client: Client, env: Setup) -> None:
    annotation = annotate(env)
    annotation.delete()
    env.assets[1].delete()
    v2 = env.ds.create_version("v2")
    v2.delete()
    assert client.restore_from_trash([annotation.id, env.assets[1].id, v2.id]) == 3
    assert client.list_trash() == []
    assert len(env.v.list_assets()) == 4
    assert env.ds.get_version("v2") == v2
    assert env.v.list_annotations() == [annotation]


def test_restore_unknown_or_live_ids_is_not_found(client: Client, env: Setup) -> None:
    env.assets[0].delete()
    unknown = uuid.uuid4()
    with pytest.raises(NotFoundError, match=str(unknown)):
        client.restore_from_trash([unknown])
    with pytest.raises(NotFoundError):
        client.restore_from_trash([env.assets[1].id])  # live
    with pytest.raises(NotFoundError):
        client.restore_from_trash([env.assets[0].id, unknown])  # all or none
    assert env.v.list_deleted_assets().ids == [env.assets[0].id]
    with pytest.raises(BadRequestError):
        client.restore_from_trash([])


def test_another_organizations_trash_is_invisible(
    client: Client, other_client: Client, env: Setup
) -> None:
    annotation = annotate(env)
    annotation.delete()
    env.assets[1].delete()
    env.ds.create_version("v2").delete()
    client.create_dataset("gone").delete()
    ours = trash_ids(client)
    assert len(ours) == 4
    assert other_client.list_trash() == []
    for item_id in ours:
        with pytest.raises(NotFoundError):
            other_client.restore_from_trash([item_id])
    assert trash_ids(client) == ours
    forged = DatasetVersion(other_client._connection, env.v._schema)
    with pytest.raises(NotFoundError):
        forged.list_deleted_assets()
    with pytest.raises(NotFoundError):
        forged.restore_assets([env.assets[1].id])
    assert env.v.list_deleted_assets().ids == [env.assets[1].id]


def test_their_trash_is_not_ours(client: Client, other_client: Client) -> None:
    theirs = other_client.create_dataset("theirs")
    theirs.delete()
    assert client.list_trash() == []
    with pytest.raises(NotFoundError):
        client.restore_from_trash([theirs.id])
    assert trash_ids(other_client) == {theirs.id}


def test_deleting_a_locked_version_is_refused(client: Client, env: Setup) -> None:
    env.v.lock()
    with pytest.raises(LockedError):
        env.v.delete()
    with pytest.raises(LockedError):
        env.ds.delete()
    assert client.list_trash() == []


@pytest.mark.parametrize("kind", ["annotation", "asset"])
def test_restore_from_trash_into_a_locked_version(client: Client, env: Setup, kind: str) -> None:
    annotation = annotate(env)
    if kind == "annotation":
        annotation.delete()
        item_id = annotation.id
    else:
        env.assets[0].delete()
        item_id = env.assets[0].id
    env.v.lock()
    with pytest.raises(LockedError):
        client.restore_from_trash([item_id])
    assert trash_ids(client) == {item_id}


# Purging (the service, in an embedded workspace)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Client]:
    """An embedded client of a workspace of the test's own."""
    made = Client(workspace=tmp_path / "purge-workspace")
    yield made
    made.close()


@pytest.fixture
def local_env(local: Client, images: list[Path]) -> Setup:
    return make_setup(local, images)


def open_again(client: Client, **settings: float) -> Workspace:
    assert client.workspace is not None
    return open_workspace(Settings(workspace=client.workspace, **settings))


def purge(client: Client, *, everything: bool = False, **settings: float) -> int:
    opened = open_again(client, **settings)
    try:
        return purge_trash(opened.context, None, everything=everything)
    finally:
        opened.close()


def test_purge_keeps_items_younger_than_the_retention(local: Client, local_env: Setup) -> None:
    annotate(local_env)
    local_env.assets[0].delete()
    assert purge(local) == 0
    assert trash_ids(local) == {local_env.assets[0].id}
    assert local_env.v.restore_assets(local_env.v.list_deleted_assets()) == 1
    assert len(local_env.assets[0].get_annotation().list_shapes()) == 2


def test_purge_with_no_retention(local: Client, local_env: Setup) -> None:
    asset = local_env.assets[0]
    annotate(local_env)
    asset.delete()
    objects = sorted(stored_objects(local.workspace))
    assert purge(local, trash_retention_days=0) == 1
    assert local.list_trash() == []
    assert len(local_env.v.list_deleted_assets()) == 0
    with pytest.raises(NotFoundError):
        local_env.v.restore_assets([asset])
    with pytest.raises(NotFoundError):
        local.restore_from_trash([asset.id])
    assert local_env.lake.find_data(id=asset.data_id).id == asset.data_id
    assert sorted(stored_objects(local.workspace)) == objects
    assert len(local_env.v.list_assets()) == 3


def test_purge_everything(local: Client, local_env: Setup) -> None:
    annotation = annotate(local_env, 1)
    annotation.delete()
    local_env.assets[0].delete()
    v2 = local_env.ds.create_version("v2")
    v2.add_data(local_env.data)[0].create_annotation().create_classification(v2.create_label("dog"))
    v2.delete()
    other = local.create_dataset("other")
    other_v = other.create_version("v1")
    other_v.add_data(local_env.data[4]).add_tags(local.create_tag("t", Target.ASSET))
    other.delete()
    assert purge(local, everything=True) == 4
    assert local.list_trash() == []
    for item_id in (annotation.id, local_env.assets[0].id, v2.id, other.id):
        with pytest.raises(NotFoundError):
            local.restore_from_trash([item_id])
    assert len(local_env.v.list_assets()) == 3
    assert local_env.v.list_labels() == [local_env.label]
    assert len(local.get_datalake().list_data()) == 5


def test_purged_data_can_be_deleted(local: Client, local_env: Setup) -> None:
    local_env.assets[0].delete()
    data = local_env.data[0]
    with pytest.raises(ConflictError):
        data.delete()
    purge(local, everything=True)
    data.delete()
    with pytest.raises(NotFoundError):
        local_env.lake.find_data(id=data.id)


def test_data_used_elsewhere_still_cannot_be_deleted_after_a_purge(
    local: Client, local_env: Setup
) -> None:
    v2 = local_env.ds.create_version("v2")
    v2.add_data(local_env.data[:2])
    local_env.assets[:2].delete()
    v2.list_assets()[1].delete()
    purge(local, everything=True)
    with pytest.raises(ConflictError):
        local_env.data[0].delete()  # live in v2
    local_env.data[1].delete()
    with pytest.raises(ConflictError):
        local_env.data[2].delete()  # live in v1


def test_purge_a_version_with_annotations_and_labels(local: Client, local_env: Setup) -> None:
    annotate(local_env)
    annotate(local_env, 1)
    local_env.assets[1].add_tags(local.create_tag("checked", Target.ASSET))
    local_env.v.delete()
    with pytest.raises(ConflictError):
        local_env.data[0].delete()
    assert purge(local, trash_retention_days=0) == 1
    with pytest.raises(NotFoundError):
        local.restore_from_trash([local_env.v.id])
    v1 = local_env.ds.create_version("v1")
    assert len(v1.list_assets()) == 0 and v1.list_labels() == []
    local_env.data.delete()
    assert len(local_env.lake.list_data()) == 0


def test_purge_as_an_organization_leaves_the_others(local: Client, local_env: Setup) -> None:
    local_env.assets[0].delete()
    opened = open_again(local)
    try:
        _user, token = create_user(opened.context, "stranger", "elsewhere")
    finally:
        opened.close()
    with Client(workspace=local.workspace, api_token=token) as stranger:
        theirs = stranger.create_dataset("theirs")
        theirs.delete()
        opened = open_again(local)
        try:
            assert purge_trash(opened.context, opened.owner, everything=True) == 1
        finally:
            opened.close()
        assert local.list_trash() == []
        assert trash_ids(stranger) == {theirs.id}
        assert purge(local, everything=True) == 1
        assert stranger.list_trash() == []
