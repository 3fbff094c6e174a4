"""Differences between two versions: version.diff(other) and VersionDiff."""

from __future__ import annotations

import uuid

import pytest

from pixlake import AnnotationStatus, Client, MultiAsset, NotFoundError, VersionDiff
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user


@pytest.fixture
def two_versions(client: Client, platform: AppContext, unique_image):
    """v1 of six assets, and v2 forked from it, then changed: asset 5 removed, a new data
    added, a box added on asset 0, a box moved on asset 1, a colleague's box on asset 2, a
    label "truck" created and "bike" used less."""
    dataset = client.create_dataset("street")
    v1 = dataset.create_version("v1")
    data = client.get_datalake().upload_data([unique_image(f"{i}.png") for i in range(7)])
    assets = v1.add_data(data[:6])
    car, bike = v1.create_label("car"), v1.create_label("bike")
    for asset in assets[:4]:
        asset.create_annotation().create_multiple_rectangles(
            [(1, 1, 5, 5, car), (2, 2, 4, 4, bike)]
        )
    v2 = v1.fork("v2")
    mine = v2.list_assets()
    mine[5].delete()
    v2.add_data(data[6])
    car2, bike2 = v2.get_label("car"), v2.get_label("bike")
    mine[0].get_annotation().create_rectangle(9, 9, 3, 3, car2)
    mine[1].get_annotation().overwrite(rectangles=[(1, 1, 5, 5, car2), (3, 3, 4, 4, bike2)])
    username = f"colleague-{uuid.uuid4().hex[:8]}"
    create_user(platform, username, client.organization_name)
    worker = dataset.add_worker(username)
    mine[2].create_annotation(worker=worker).create_rectangle(0, 0, 2, 2, car2)
    mine[3].get_annotation().overwrite(rectangles=[(1, 1, 5, 5, car2)])  # bike box removed
    v2.create_label("truck")
    return v1, v2, data, username


def test_a_diff_names_assets_shapes_and_labels_that_differ(two_versions) -> None:
    v1, v2, data, colleague = two_versions
    diff = v1.diff(v2)
    assert isinstance(diff, VersionDiff) and diff
    assert isinstance(diff.only_in_self, MultiAsset) and isinstance(diff.only_in_other, MultiAsset)
    assert [a.data_id for a in diff.only_in_self] == [data[5].id]
    assert [a.dataset_version_id for a in diff.only_in_self] == [v1.id]
    assert [a.data_id for a in diff.only_in_other] == [data[6].id]
    assert [a.dataset_version_id for a in diff.only_in_other] == [v2.id]
    changes = {change.data_id: change for change in diff.changed}
    assert set(changes) == {data[0].id, data[1].id, data[2].id, data[3].id}
    me = v1._connection.request("GET", "/me")["user"]["username"]
    by_worker = {
        data_id: {(w.username, w.added, w.removed, w.changed) for w in change.workers}
        for data_id, change in changes.items()
    }
    assert by_worker[data[0].id] == {(me, 1, 0, 0)}
    assert by_worker[data[1].id] == {(me, 0, 0, 1)}  # the bike box moved
    assert by_worker[data[2].id] == {(colleague, 1, 0, 0)}
    assert by_worker[data[3].id] == {(me, 0, 1, 0)}
    assert diff.labels_only_in_self == [] and diff.labels_only_in_other == ["truck"]
    car, bike = diff.label_counts["car"], diff.label_counts["bike"]
    assert (car.objects_before, car.objects_after, car.images_before, car.images_after) == (
        4,
        6,
        4,
        4,
    )
    assert (bike.objects_before, bike.objects_after) == (4, 3)
    assert (bike.images_before, bike.images_after) == (4, 3)
    assert set(diff.label_counts) == {"car", "bike"}  # truck: 0 on both sides


def test_the_diff_summary_reads_as_a_report(two_versions) -> None:
    v1, v2, _data, colleague = two_versions
    text = str(v1.diff(v2))
    assert text.startswith("Differences from version 'v1' to version 'v2':")
    assert "assets only in 'v1': 1 (5.png)" in text
    assert "assets only in 'v2': 1 (6.png)" in text
    assert "assets with different annotations: 4" in text
    assert f"2.png: {colleague} +1 -0 ~0" in text
    assert "labels only in 'v2': 1 (truck)" in text
    assert "bike: objects 4 -> 3, images 4 -> 3" in text


def test_the_other_way_round_swaps_the_sides(two_versions) -> None:
    v1, v2, data, _colleague = two_versions
    back = v2.diff(v1)
    assert [a.data_id for a in back.only_in_self] == [data[6].id]
    assert [a.data_id for a in back.only_in_other] == [data[5].id]
    assert back.labels_only_in_self == ["truck"]
    added = {c.data_id: [(w.added, w.removed) for w in c.workers] for c in back.changed}
    assert added[data[0].id] == [(0, 1)]


def test_a_version_and_its_plain_fork_do_not_differ(two_versions) -> None:
    v1, _v2, _data, _colleague = two_versions
    copy = v1.fork("copy")
    diff = v1.diff(copy)
    assert not diff
    assert str(diff) == "Differences from version 'v1' to version 'copy': none"
    without = v1.fork("no annotations", with_annotations=False)
    assert {c.data_id for c in v1.diff(without).changed} == {
        a.data_id for a in v1.list_assets()[:4]
    }


def test_a_diff_with_another_organizations_version_is_not_found(
    two_versions, other_client: Client
) -> None:
    v1, v2, _data, _colleague = two_versions
    theirs = other_client.create_dataset("theirs").create_version("t")
    with pytest.raises(NotFoundError):
        v1.diff(theirs)
    forged = type(v1)(other_client._connection, v1._schema)
    with pytest.raises(NotFoundError):
        forged.diff(theirs)
    with pytest.raises(NotFoundError):
        theirs.diff(type(theirs)(other_client._connection, v2._schema))


def test_a_worker_whose_annotation_is_new_has_no_status_before(two_versions) -> None:
    v1, v2, data, colleague = two_versions
    (change,) = [c for c in v1.diff(v2).changed if c.data_id == data[2].id]
    (worker,) = change.workers  # the owner's annotation of that asset did not change
    assert (worker.username, worker.status_before, worker.duration_before) == (
        colleague,
        None,
        None,
    )
    assert (worker.status_after, worker.duration_after) == (AnnotationStatus.PENDING, 0.0)


def test_status_and_duration_changes_are_differences(client: Client, unique_image) -> None:
    """An annotation whose status or duration differ, or that only one side has (even
    without shapes), makes its asset differ; unchanged workers stay out."""
    v1 = client.create_dataset("review").create_version("v1")
    data = client.get_datalake().upload_data([unique_image(f"{i}.png") for i in range(4)])
    assets = v1.add_data(data)
    car = v1.create_label("car")
    for asset in assets[:3]:
        asset.create_annotation(duration=2.0).create_rectangle(1, 1, 5, 5, car)
    v2 = v1.fork("v2")
    mine = v2.list_assets()
    mine[0].get_annotation().update(status="ACCEPTED")
    mine[1].get_annotation().update(duration=7.5)
    mine[3].create_annotation()  # no shapes
    diff = v1.diff(v2)
    assert diff
    changes = {change.data_id: change.workers for change in diff.changed}
    assert set(changes) == {data[0].id, data[1].id, data[3].id}
    (accepted,) = changes[data[0].id]
    assert (accepted.added, accepted.removed, accepted.changed) == (0, 0, 0)
    assert (accepted.status_before, accepted.status_after) == (
        AnnotationStatus.PENDING,
        AnnotationStatus.ACCEPTED,
    )
    assert accepted.duration_before == accepted.duration_after == 2.0
    (longer,) = changes[data[1].id]
    assert longer.status_before == longer.status_after == AnnotationStatus.PENDING
    assert (longer.duration_before, longer.duration_after) == (2.0, 7.5)
    (new,) = changes[data[3].id]
    assert (new.status_before, new.status_after) == (None, AnnotationStatus.PENDING)
    assert (new.added, new.removed, new.changed) == (0, 0, 0)
    assert diff.label_counts == {}
    text = str(diff)
    assert "assets with different annotations: 3" in text
    assert "0.png: " in text and "+0 -0 ~0, status PENDING -> ACCEPTED" in text
    assert "1.png: " in text and ", duration 2 -> 7.5 s" in text
    assert "3.png: " in text and ", status none -> PENDING" in text
    back = {change.data_id: change.workers[0] for change in v2.diff(v1).changed}
    assert (back[data[0].id].status_before, back[data[0].id].status_after) == (
        AnnotationStatus.ACCEPTED,
        AnnotationStatus.PENDING,
    )
    assert back[data[3].id].status_after is None


def test_a_trashed_annotation_is_no_annotation(client: Client, unique_image) -> None:
    v1 = client.create_dataset("trashed").create_version("v1")
    (asset,) = v1.add_data(client.get_datalake().upload_data([unique_image("a.png")]))
    asset.create_annotation(duration=1.0)
    v2 = v1.fork("v2")
    assert not v1.diff(v2)
    v2.list_assets()[0].get_annotation().delete()
    (change,) = v1.diff(v2).changed
    (worker,) = change.workers
    assert (worker.status_before, worker.status_after) == (AnnotationStatus.PENDING, None)
    assert (worker.duration_before, worker.duration_after) == (1.0, None)
