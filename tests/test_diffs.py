"""Differences between two versions: version.diff(other) and VersionDiff."""

from __future__ import annotations

import uuid

import pytest

from pixlake import Client, MultiAsset, NotFoundError, VersionDiff
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
