"""Lineage (issue 12 item 3): the dataset versions a model version was trained or
evaluated on, seen from both sides, and the deletes that would lose it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pixlake import Client, ConflictError, Dataset, DatasetVersion, NotFoundError, TrashKind
from pixlake.sdk.model_version import ModelVersion


@dataclass
class Lineage:
    dataset: Dataset
    train: DatasetVersion
    test: DatasetVersion
    version: ModelVersion


@pytest.fixture
def lineage(client: Client) -> Lineage:
    dataset = client.create_dataset("animals")
    train, test = dataset.create_version("v1"), dataset.create_version("v2")
    version = client.create_model("detector").create_version(labels={"0": "cat"})
    return Lineage(dataset, train, test, version)


def test_attach_list_and_detach(lineage: Lineage) -> None:
    version = lineage.version
    version.attach_dataset_version(lineage.train)  # "train" by default
    version.attach_dataset_version(lineage.train, name="val")
    version.attach_dataset_version(lineage.test, name="test")
    version.attach_dataset_version(lineage.test, name="test")  # again: nothing changes
    assert version.list_attached_dataset_versions() == [lineage.train, lineage.test]
    assert version.list_attached_dataset_versions(name="train") == [lineage.train]
    assert version.list_attached_dataset_versions(name="val") == [lineage.train]
    assert version.list_attached_dataset_versions(name="test") == [lineage.test]
    attached = version.list_attached_dataset_versions()[0]
    assert (attached.version, attached.dataset_id) == ("v1", lineage.dataset.id)
    assert lineage.train.list_model_versions() == [version]
    assert lineage.test.list_model_versions() == [version]

    version.detach_dataset_version(lineage.train, name="val")
    assert version.list_attached_dataset_versions(name="val") == []
    assert version.list_attached_dataset_versions(name="train") == [lineage.train]
    version.detach_dataset_version(lineage.test)  # under every name
    version.detach_dataset_version(lineage.test)  # what is not attached stays as it is
    assert version.list_attached_dataset_versions() == [lineage.train]
    assert lineage.test.list_model_versions() == []


def test_several_model_versions_on_one_dataset_version(client: Client, lineage: Lineage) -> None:
    other = client.create_model("classifier").create_version()
    lineage.version.attach_dataset_version(lineage.train)
    other.attach_dataset_version(lineage.train, name="test")
    assert lineage.train.list_model_versions() == [lineage.version, other]


def test_attaching_locks_nothing(lineage: Lineage) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    lineage.train.update(description="still open")
    lineage.train.create_label("cat")
    lineage.train.lock()
    lineage.train.unlock()
    lineage.version.update(description="still open")


def test_deleting_an_attached_dataset_version_needs_force(client: Client, lineage: Lineage) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    with pytest.raises(ConflictError, match="detector") as refused:
        lineage.train.delete()
    assert refused.value.details == {
        "dataset_version": "v1",
        "model": "detector",
        "model_version": "1",
    }
    assert client.list_trash() == []
    assert lineage.train.sync()["version"] == "v1"

    lineage.train.delete(force=True)
    [item] = client.list_trash()
    assert (item.kind, item.id) == (TrashKind.DATASET_VERSION, lineage.train.id)
    # While it is in the trash the lineage hides it, and brings it back with it.
    assert lineage.version.list_attached_dataset_versions() == []
    client.restore_from_trash([lineage.train.id])
    assert lineage.version.list_attached_dataset_versions() == [lineage.train]


def test_deleting_a_dataset_with_an_attached_version_needs_force(
    client: Client, lineage: Lineage
) -> None:
    lineage.version.attach_dataset_version(lineage.test, name="test")
    with pytest.raises(ConflictError, match="v2"):
        lineage.dataset.delete()
    assert client.list_trash() == []
    lineage.dataset.delete(force=True)
    assert [item.kind for item in client.list_trash()] == [TrashKind.DATASET]
    assert lineage.version.list_attached_dataset_versions() == []


def test_a_detached_or_unattached_version_deletes_as_before(lineage: Lineage) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    lineage.test.delete()  # never attached
    lineage.version.detach_dataset_version(lineage.train)
    lineage.train.delete()


def test_attachments_of_a_deleted_model_version_do_not_hold_a_delete(
    client: Client, lineage: Lineage
) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    lineage.version.delete()
    assert lineage.train.list_model_versions() == []
    lineage.train.delete()
    assert {item.kind for item in client.list_trash()} == {
        TrashKind.MODEL_VERSION,
        TrashKind.DATASET_VERSION,
    }


def test_another_organizations_ids_answer_404(
    client: Client, other_client: Client, lineage: Lineage
) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    theirs = other_client.create_dataset("theirs").create_version("v1")
    their_model_version = other_client.create_model("theirs").create_version()
    forged_version = ModelVersion(other_client._connection, lineage.version._schema)
    forged_train = DatasetVersion(other_client._connection, lineage.train._schema)
    for attempt in (
        # Their model version, our dataset version, and the other way round.
        lambda: their_model_version.attach_dataset_version(forged_train),
        lambda: lineage.version.attach_dataset_version(theirs),
        lambda: forged_version.attach_dataset_version(theirs),
        forged_version.list_attached_dataset_versions,
        lambda: forged_version.detach_dataset_version(forged_train),
        lambda: their_model_version.detach_dataset_version(forged_train),
        forged_train.list_model_versions,
        lambda: lineage.version.detach_dataset_version(theirs),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert their_model_version.list_attached_dataset_versions() == []
    assert lineage.version.list_attached_dataset_versions() == [lineage.train]


def test_purging_a_dataset_version_drops_its_attachments(client: Client, lineage: Lineage) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    lineage.version.attach_dataset_version(lineage.test)
    lineage.train.delete(force=True)
    assert client.purge_trash(everything=True) == 1
    assert lineage.version.list_attached_dataset_versions() == [lineage.test]


def test_purging_a_model_drops_its_lineage(client: Client, lineage: Lineage) -> None:
    lineage.version.attach_dataset_version(lineage.train)
    client.get_model("detector").delete()
    assert client.purge_trash(everything=True) == 1
    assert lineage.train.list_model_versions() == []
    lineage.train.delete()  # nothing holds it any more
    # The name is free again, and the new model's versions are numbered from one.
    assert client.create_model("detector").create_version().version == 1
