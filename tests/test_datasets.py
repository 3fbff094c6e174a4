"""Datasets and their versions: naming, updating, forking, locking, stats, deleting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake import Client, ConflictError, NotFoundError, Target
from pixlake.enums import InferenceType
from pixlake.errors import BadRequestError, LockedError, WrongTargetError


def test_create_get_list_update(client: Client) -> None:
    dataset = client.create_dataset("animals", description="four legs")
    assert (dataset.name, dataset.description) == ("animals", "four legs")
    assert client.get_dataset("animals") == dataset
    assert client.get_dataset_by_id(dataset.id).name == "animals"
    client.create_dataset("plants")
    assert [d.name for d in client.list_datasets()] == ["animals", "plants"]
    dataset.update(name="fauna", description="")
    assert client.get_dataset("fauna").description == ""
    with pytest.raises(NotFoundError, match="animals"):
        client.get_dataset("animals")


def test_duplicate_dataset_name(client: Client) -> None:
    client.create_dataset("animals")
    with pytest.raises(ConflictError, match="animals"):
        client.create_dataset("animals")
    other = client.create_dataset("plants")
    with pytest.raises(ConflictError):
        other.update(name="animals")
    assert len(client.list_datasets()) == 2


def test_unknown_dataset_and_version(client: Client) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        client.get_dataset("nope")
    dataset = client.create_dataset("animals")
    with pytest.raises(NotFoundError, match="v9"):
        dataset.get_version("v9")
    with pytest.raises(NotFoundError):
        client.get_dataset_by_id("01900000-0000-7000-8000-000000000000")


def test_versions(client: Client) -> None:
    dataset = client.create_dataset("animals")
    first = dataset.create_version(
        "first", description="initial", type=InferenceType.OBJECT_DETECTION
    )
    second = dataset.create_version("second", type="CLASSIFICATION")
    third = dataset.create_version("third")
    assert first.type is InferenceType.OBJECT_DETECTION
    assert second.type is InferenceType.CLASSIFICATION
    assert third.type is InferenceType.NOT_CONFIGURED
    assert [v.version for v in dataset.list_versions()] == ["first", "second", "third"]
    assert dataset.get_version("second") == second
    assert dataset.get_version_by_id(first.id).description == "initial"
    first.update(description="changed", type=InferenceType.SEGMENTATION)
    assert dataset.get_version("first").type is InferenceType.SEGMENTATION
    with pytest.raises(ConflictError, match="second"):
        dataset.create_version("second")
    with pytest.raises(ConflictError):
        third.update(version="first")
    with pytest.raises(BadRequestError):
        dataset.create_version("bad-type", type="SPACESHIP")


def test_version_of_another_dataset_by_id(client: Client) -> None:
    one = client.create_dataset("one").create_version("v")
    with pytest.raises(NotFoundError):
        client.create_dataset("two").get_version_by_id(one.id)


def test_fork_keeps_assets_labels_tags_and_annotations(client: Client, images: list[Path]) -> None:
    version = client.create_dataset("animals").create_version("first")
    assets = version.add_data(client.get_datalake().upload_data(images), tags=["train"])
    cat = version.create_label("cat")
    annotation = assets[0].create_annotation(1.5)
    annotation.create_rectangle(1, 2, 3, 4, cat)
    annotation.create_polygon([[0, 0], [5, 0], [5, 5]], cat)
    assets[4].delete()  # in the trash: not part of the fork

    fork = version.fork("second", description="copy")
    stats = fork.retrieve_stats()
    assert (stats.nb_assets, stats.nb_annotations, stats.nb_objects) == (4, 1, 2)
    assert stats.label_repartition == {"cat": 2} and stats.tag_repartition == {"train": 4}
    forked = fork.list_assets()
    assert [a.data_id for a in forked] == [a.data_id for a in assets[:4]]
    assert set(forked.ids).isdisjoint(assets.ids)
    assert forked[0].get_annotation().duration == 1.5
    assert fork.get_label("cat").id != cat.id

    bare = version.fork("third", with_annotations=False)
    assert bare.retrieve_stats().nb_annotations == 0
    assert [lb.name for lb in bare.list_labels()] == ["cat"]
    # The source is untouched, and no byte was copied.
    assert version.retrieve_stats().nb_objects == 2
    if client.workspace is not None:
        objects = [p for p in (client.workspace / "objects").rglob("*") if p.is_file()]
        assert len(objects) == 5
    with pytest.raises(ConflictError):
        version.fork("second")


def test_stats(client: Client, images: list[Path]) -> None:
    version = client.create_dataset("animals").create_version("first")
    assets = version.add_data(client.get_datalake().upload_data(images))
    cat, dog = version.create_label("cat"), version.create_label("dog")
    version.create_label("unused")
    assets[:2].add_tags(client.create_tag("hard", Target.ASSET))
    first = assets[0].create_annotation()
    first.create_multiple_rectangles([(0, 0, 1, 1, cat), (1, 1, 2, 2, cat)])
    assets[1].create_annotation().create_classification(dog)
    stats = version.retrieve_stats()
    assert stats.nb_assets == 5
    assert stats.nb_annotations == 2
    assert stats.nb_objects == 3
    assert stats.label_repartition == {"cat": 2, "dog": 1, "unused": 0}
    assert stats.tag_repartition == {"hard": 2}


def test_locked_version_refuses_writes(client: Client, images: list[Path]) -> None:
    version = client.create_dataset("animals").create_version("first")
    data = client.get_datalake().upload_data(images)
    version.add_data(data[:2])
    version.lock()
    assert version.locked
    with pytest.raises(LockedError, match="first"):
        version.add_data(data[2:])
    with pytest.raises(LockedError):
        version.update(description="nope")
    with pytest.raises(LockedError):
        version.delete()
    with pytest.raises(LockedError):
        version.create_label("cat")
    with pytest.raises(LockedError):
        client.get_dataset("animals").delete()
    assert len(version.list_assets()) == 2  # reads still work
    version.fork("copy")  # reading to fork is fine
    version.unlock()
    version.add_data(data[2:])
    assert len(version.list_assets()) == 5


def test_dataset_and_version_tags(client: Client) -> None:
    dataset = client.create_dataset("animals")
    version = dataset.create_version("first")
    dataset.add_tags(client.create_tag("public", Target.DATASET))
    version.add_tags(client.create_tag("gold", Target.DATASET_VERSION))
    assert [t.name for t in dataset.get_tags()] == ["public"]
    assert [t.name for t in version.get_tags()] == ["gold"]
    with pytest.raises(WrongTargetError):
        dataset.add_tags(client.get_tag("gold", Target.DATASET_VERSION))
    version.remove_tags(client.get_tag("gold", Target.DATASET_VERSION))
    assert version.get_tags() == []


def test_delete_dataset_and_version(client: Client) -> None:
    dataset = client.create_dataset("animals")
    first = dataset.create_version("first")
    dataset.create_version("second")
    first.delete()
    assert [v.version for v in dataset.list_versions()] == ["second"]
    with pytest.raises(NotFoundError):
        first.sync()
    dataset.create_version("first")  # the name is free again
    dataset.delete()
    with pytest.raises(NotFoundError):
        client.get_dataset("animals")
    client.create_dataset("animals")


def test_another_organization_cannot_reach_datasets(client: Client, other_client: Client) -> None:
    dataset = client.create_dataset("animals")
    version = dataset.create_version("first")
    assert other_client.list_datasets() == []
    with pytest.raises(NotFoundError):
        other_client.get_dataset_by_id(dataset.id)
    with pytest.raises(NotFoundError):
        other_client.get_dataset("animals")
    forged = type(version)(other_client._connection, version._schema)
    for attempt in (
        forged.sync,
        forged.lock,
        forged.delete,
        forged.retrieve_stats,
        lambda: forged.fork("x"),
        lambda: forged.create_label("x"),
        forged.list_assets,
    ):
        with pytest.raises(NotFoundError):
            attempt()
    other_client.create_dataset("animals")  # names are per organization


def test_get_or_create_lets_a_script_run_twice(client: Client, images: list[Path]) -> None:
    def script() -> tuple:
        dataset = client.get_or_create_dataset("animals", description="four legs")
        version = dataset.get_or_create_version("v1", type="OBJECT_DETECTION")
        tag = client.get_or_create_tag("reviewed", Target.DATASET_VERSION)
        version.add_tags(tag)
        return dataset.id, version.id, tag.id

    first = script()
    assert script() == first
    assert [d.name for d in client.list_datasets()] == ["animals"]
    dataset = client.get_dataset("animals")
    assert dataset.description == "four legs"
    assert [(v.version, v.type) for v in dataset.list_versions()] == [
        ("v1", InferenceType.OBJECT_DETECTION)
    ]
    assert [t.name for t in client.list_tags()] == ["reviewed"]
    # Arguments other than the name only serve a creation: what exists is returned as it is.
    assert client.get_or_create_dataset("animals", description="other").description == "four legs"
    # A deleted dataset is in the trash, not in the way: the script makes a new one.
    dataset.delete()
    assert script()[0] != first[0]


def test_get_or_create_returns_what_another_process_just_created(client: Client) -> None:
    from pixlake.sdk.base import get_or_create

    client.create_dataset("raced")  # made by "another process" after our lookup
    lookups = iter([NotFoundError("not there yet")])

    def get():  # the first lookup ran before the other process created the dataset
        if (error := next(lookups, None)) is not None:
            raise error
        return client.get_dataset("raced")

    found = get_or_create(get, lambda: client.create_dataset("raced"))
    assert found == client.get_dataset("raced")
    assert len(client.list_datasets()) == 1


def test_get_or_create_version_of_a_locked_version_is_still_a_lookup(client: Client) -> None:
    dataset = client.get_or_create_dataset("animals")
    version = dataset.get_or_create_version("v1")
    version.lock()
    assert dataset.get_or_create_version("v1") == version
    with pytest.raises(LockedError):
        version.get_or_create_label("cat")
