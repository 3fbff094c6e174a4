"""The kinds of object, declared once (pixlake.core.kinds), and the one liveness rule they
give: an object whose parent (or any ancestor) is in the trash is invisible on every read
route, and visible again once it is restored."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pixlake import Client, NotFoundError, Target
from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.enums import TrashKind
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.asset import Asset
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.label import Label
from pixlake.sdk.model import Model
from pixlake.sdk.model_version import ModelVersion

# The declaration itself


def test_every_parent_is_a_declared_kind_linked_by_a_foreign_key() -> None:
    for key, kind in kinds.KINDS.items():
        assert kind.key == key
        assert kind.organization_column in kind.table.c
        if kind.parent is None:
            assert kind.parent_column is None
            continue
        parent = kinds.KINDS[kind.parent]
        column = kind.table.c[kind.parent_column]
        assert {fk.column for fk in column.foreign_keys} == {parent.table.c.id}


def test_a_kind_has_a_trash_exactly_when_its_table_has_deleted_at() -> None:
    for kind in kinds.KINDS.values():
        assert kind.trashable == ("deleted_at" in kind.table.c), kind.key
    declared = {kind.table for kind in kinds.KINDS.values()}
    # No table grows a trash without being declared as a kind.
    assert {table for table in t.metadata.tables.values() if "deleted_at" in table.c} <= declared
    assert set(kinds.trashable_kinds()) == set(TrashKind)


def test_tag_targets_name_one_kind_each() -> None:
    targets = [kind.tag_target for kind in kinds.KINDS.values() if kind.tag_target]
    assert len(targets) == len(set(targets))
    for target in Target:
        assert kinds.by_tag_target(target).tag_target is target


def test_locks_come_from_an_ancestor_with_a_locked_flag() -> None:
    for kind in kinds.KINDS.values():
        if kind.locked_by is not None:
            lock = kinds.KINDS[kind.locked_by]
            assert lock in kinds.ancestors(kind) and "locked" in lock.table.c
            assert lock.name_column in lock.table.c


def test_lineage_of_a_shape_goes_up_to_its_dataset() -> None:
    assert [kind.key for kind in kinds.lineage(kinds.SHAPE)] == [
        "SHAPE",
        "ANNOTATION",
        "ASSET",
        "DATASET_VERSION",
        "DATASET",
    ]


# One dataset holding an object of every kind, each tagged where tags apply


@dataclass
class World:
    client: Client
    ds: Dataset
    v: DatasetVersion
    asset: Asset
    annotation: Annotation
    label: Label
    model: Model
    model_version: ModelVersion
    downloads: Path

    _folders = itertools.count()

    def download_count(self) -> int:
        """How many files a download of the version writes (into a fresh folder)."""
        return self.v.download(self.downloads / str(next(self._folders)))


def build_world(client: Client, images: list[Path], tmp_path: Path) -> World:
    data = client.get_datalake().upload_data(images[:2])
    ds = client.create_dataset("kinds")
    ds.add_tags("ds-tag")
    v = ds.create_version("v1")
    v.add_tags("v-tag")
    assets = v.add_data(data, tags="a-tag")
    label = v.create_label("cat")
    annotation = assets[0].create_annotation(duration=1)
    annotation.create_rectangle(1, 1, 4, 4, label)
    model = client.create_model("kinds")
    model.add_tags("m-tag")
    model_version = model.create_version(name="best")
    model_version.add_tags("mv-tag")
    return World(
        client=client,
        ds=ds,
        v=v,
        asset=assets[0],
        annotation=annotation,
        label=label,
        model=model,
        model_version=model_version,
        downloads=tmp_path / "downloads",
    )


def seen(read: Callable[[], bool]) -> bool:
    """Whether a read route shows the object: NotFound means it does not."""
    try:
        return read()
    except NotFoundError:
        return False


# Every read route that shows an object of each kind. Counts are of the world above: two
# assets, one of them annotated with one rectangle of label "cat".
READS: dict[str, dict[str, Callable[[World], bool]]] = {
    "DATASET": {
        "get": lambda w: str(w.ds.sync()["id"]) == str(w.ds.id),
        "list": lambda w: w.ds.id in [d.id for d in w.client.list_datasets()],
        "tags": lambda w: [tag.name for tag in w.ds.get_tags()] == ["ds-tag"],
    },
    "DATASET_VERSION": {
        "get": lambda w: str(w.v.sync()["id"]) == str(w.v.id),
        "get by id": lambda w: w.ds.get_version_by_id(w.v.id).id == w.v.id,
        "list": lambda w: w.v.id in [x.id for x in w.ds.list_versions()],
        "tags": lambda w: [tag.name for tag in w.v.get_tags()] == ["v-tag"],
        "stats": lambda w: w.v.retrieve_stats() is not None,
    },
    "ASSET": {
        "get": lambda w: str(w.asset.sync()["id"]) == str(w.asset.id),
        "list": lambda w: w.asset.id in w.v.list_assets().ids,
        "list by tag": lambda w: w.asset.id in w.v.list_assets(tags="a-tag").ids,
        "tags": lambda w: [tag.name for tag in w.asset.get_tags()] == ["a-tag"],
        "stats": lambda w: (
            w.v.retrieve_stats().nb_assets == 2
            and w.v.retrieve_stats().tag_repartition == {"a-tag": 2}
        ),
        "download": lambda w: w.download_count() == 2,
    },
    "ANNOTATION": {
        "get": lambda w: str(w.annotation.sync()["id"]) == str(w.annotation.id),
        "of its asset": lambda w: w.asset.get_annotation().id == w.annotation.id,
        "list of its asset": lambda w: (
            [a.id for a in w.asset.list_annotations()] == [w.annotation.id]
        ),
        "list of its version": lambda w: (
            [a.id for a in w.v.list_annotations()] == [w.annotation.id]
        ),
        "stats": lambda w: w.v.retrieve_stats().nb_annotations == 1,
    },
    "SHAPE": {
        "list": lambda w: len(w.annotation.list_shapes()) == 1,
        "stats": lambda w: (
            w.v.retrieve_stats().nb_objects == 1
            and w.v.retrieve_stats().label_repartition == {"cat": 1}
        ),
    },
    "LABEL": {
        "list": lambda w: [label.id for label in w.v.list_labels()] == [w.label.id],
        "get": lambda w: w.v.get_label("cat").id == w.label.id,
    },
    "MODEL": {
        "get": lambda w: str(w.model.sync()["id"]) == str(w.model.id),
        "get by name": lambda w: w.client.get_model("kinds") == w.model,
        "get by id": lambda w: w.client.get_model_by_id(w.model.id) == w.model,
        "list": lambda w: w.model.id in [m.id for m in w.client.list_models()],
        "list by tag": lambda w: w.client.list_models(tags="m-tag") == [w.model],
        "tags": lambda w: [tag.name for tag in w.model.get_tags()] == ["m-tag"],
    },
    "MODEL_VERSION": {
        "get": lambda w: str(w.model_version.sync()["id"]) == str(w.model_version.id),
        "get by id": lambda w: w.model.get_version_by_id(w.model_version.id) == w.model_version,
        "get by number": lambda w: w.model.get_version(1) == w.model_version,
        "get by name": lambda w: w.model.get_version("best") == w.model_version,
        "list": lambda w: w.model.list_versions() == [w.model_version],
        "tags": lambda w: [tag.name for tag in w.model_version.get_tags()] == ["mv-tag"],
        "lineage": lambda w: w.model_version.list_attached_dataset_versions() == [],
    },
}

TRASH: dict[str, Callable[[World], None]] = {
    "DATASET": lambda w: w.ds.delete(),
    "DATASET_VERSION": lambda w: w.v.delete(),
    "ASSET": lambda w: w.asset.delete(),
    "ANNOTATION": lambda w: w.annotation.delete(),
    "MODEL": lambda w: w.model.delete(),
    "MODEL_VERSION": lambda w: w.model_version.delete(),
}

TRASHED_ID: dict[str, Callable[[World], object]] = {
    "DATASET": lambda w: w.ds.id,
    "DATASET_VERSION": lambda w: w.v.id,
    "ASSET": lambda w: w.asset.id,
    "ANNOTATION": lambda w: w.annotation.id,
    "MODEL": lambda w: w.model.id,
    "MODEL_VERSION": lambda w: w.model_version.id,
}


def visibility(world: World) -> dict[tuple[str, str], bool]:
    return {
        (kind, route): seen(lambda read=read: read(world))
        for kind, routes in READS.items()
        for route, read in routes.items()
    }


def hidden_by(trashed: str) -> set[str]:
    """The kinds whose objects a trashed object of ``trashed`` takes with it: itself and
    every kind below it, as the declaration says."""
    return {
        key for key, kind in kinds.KINDS.items() if trashed in [k.key for k in kinds.lineage(kind)]
    }


def test_hidden_by_follows_the_declared_parents() -> None:
    assert hidden_by("DATASET_VERSION") == {
        "DATASET_VERSION",
        "ASSET",
        "ANNOTATION",
        "SHAPE",
        "LABEL",
    }
    assert hidden_by("ANNOTATION") == {"ANNOTATION", "SHAPE"}
    assert hidden_by("MODEL") == {"MODEL", "MODEL_VERSION", "MODEL_FILE"}


def test_every_trashable_kind_is_walked() -> None:
    # MODEL_FILE's reads are the files' own (tests/test_model_files.py).
    assert set(TRASH) | {"MODEL_FILE"} == {
        kind.key for kind in kinds.KINDS.values() if kind.trashable
    }


@pytest.mark.parametrize("trashed", list(TRASH))
def test_objects_under_the_trash_are_invisible_on_every_route_until_restored(
    client: Client, images: list[Path], tmp_path: Path, trashed: str
) -> None:
    world = build_world(client, images, tmp_path)
    everything = visibility(world)
    assert all(everything.values()), [route for route, ok in everything.items() if not ok]

    TRASH[trashed](world)
    hidden = hidden_by(trashed)
    expected = {(kind, route): kind not in hidden for kind, route in everything}
    assert visibility(world) == expected

    assert client.restore_from_trash([TRASHED_ID[trashed](world)]) == 1
    assert visibility(world) == everything


def test_asset_tags_are_not_found_once_its_version_is_in_the_trash(
    client: Client, images: list[Path], tmp_path: Path
) -> None:
    world = build_world(client, images, tmp_path)
    world.v.delete()
    with pytest.raises(NotFoundError):
        world.asset.sync()
    with pytest.raises(NotFoundError):
        world.asset.get_tags()
    with pytest.raises(NotFoundError):
        world.asset.add_tags("late")


def test_version_tags_are_not_found_once_its_dataset_is_in_the_trash(
    client: Client, images: list[Path], tmp_path: Path
) -> None:
    world = build_world(client, images, tmp_path)
    world.ds.delete()
    with pytest.raises(NotFoundError):
        world.v.sync()
    with pytest.raises(NotFoundError):
        world.v.get_tags()
    with pytest.raises(NotFoundError):
        world.asset.get_tags()
