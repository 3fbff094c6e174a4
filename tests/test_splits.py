"""Splits of a version: split_into_multi_assets, train_test_split, train_test_val_split."""

from __future__ import annotations

import random

import pytest

from pixlake import (
    BadRequestError,
    Client,
    LimitExceededError,
    LockedError,
    MultiAsset,
    NotFoundError,
)


@pytest.fixture
def labelled(client: Client, unique_image):
    """A version of 24 assets: "car" on 12, "bike" on 6, "boat" on 3 (each also a car),
    the last 6 without annotation. Returns (version, assets, labels by name)."""
    version = client.create_dataset("traffic").create_version("v1")
    data = client.get_datalake().upload_data([unique_image(f"{i}.png") for i in range(24)])
    assets = version.add_data(data)
    labels = {name: version.create_label(name) for name in ("car", "bike", "boat")}
    for i, asset in enumerate(assets[:18]):
        annotation = asset.create_annotation()
        held = ["car"] if i < 12 else ["bike"]
        if i < 3:
            held.append("boat")
        annotation.create_multiple_rectangles(
            [(1, 1, 5, 5, labels[name]) for name in held for _ in range(2)]
        )
    return version, assets, labels


def test_parts_are_a_complete_disjoint_partition_in_the_ratios(labelled) -> None:
    version, assets, _labels = labelled
    parts, counts, labels = version.split_into_multi_assets([8, 1, 1], random_seed=1)
    assert all(isinstance(part, MultiAsset) for part in parts)
    every = [asset.id for part in parts for asset in part]
    assert sorted(every) == sorted(assets.ids)  # the 6 assets without annotation included
    assert len(set(every)) == 24
    assert [len(part) for part in parts] == [19, 3, 2]  # 19.2, 2.4, 2.4 by largest remainder
    assert sorted(label.name for label in labels) == ["bike", "boat", "car"]
    assert [sum(c["car"] for c in counts), sum(c["bike"] for c in counts)] == [12, 6]
    assert sum(c["boat"] for c in counts) == 3
    for part, part_counts in zip(parts, counts, strict=True):
        assert part.ids == sorted(part.ids)  # listing order
        assert set(part_counts) == {"car", "bike", "boat"}


def test_every_label_with_as_many_images_as_parts_is_in_every_part(labelled) -> None:
    version, _assets, _labels = labelled
    for seed in range(3):
        _parts, counts, _ = version.split_into_multi_assets([0.8, 0.1, 0.1], random_seed=seed)
        for name in ("car", "bike", "boat"):
            assert all(part[name] >= 1 for part in counts), (seed, name, counts)


def test_the_same_seed_gives_the_same_split_and_leaves_global_random_alone(labelled) -> None:
    version, _assets, _labels = labelled
    random.seed(77)
    before = random.getstate()
    first, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed="fixed")
    again, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed="fixed")
    assert random.getstate() == before
    assert [part.ids for part in first] == [part.ids for part in again]
    other, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed="other")
    plain, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed="fixed", stratify=False)
    assert [part.ids for part in plain] != [part.ids for part in first] or [
        part.ids for part in other
    ] != [part.ids for part in first]


def test_train_test_split_returns_the_picsellia_tuple(labelled) -> None:
    version, assets, _labels = labelled
    train, test, train_rep, test_rep, labels = version.train_test_split(random_seed=4)
    assert (len(train), len(test)) == (19, 5)
    assert set(train.ids) | set(test.ids) == set(assets.ids)
    names = [label.name for label in labels]
    assert train_rep["x"] == names == test_rep["x"]
    assert [a + b for a, b in zip(train_rep["y"], test_rep["y"], strict=True)] == [
        {"car": 12, "bike": 6, "boat": 3}[name] for name in names
    ]


def test_train_test_val_split_returns_the_picsellia_tuple(labelled) -> None:
    version, assets, _labels = labelled
    train, test, val, train_rep, test_rep, val_rep, labels = version.train_test_val_split(
        random_seed=4
    )
    # 0.64, 0.16, 0.2 of 24: 15.36, 3.84, 4.8 -> 15, 4, 5
    assert (len(train), len(test), len(val)) == (15, 4, 5)
    assert sorted(train.ids + test.ids + val.ids) == sorted(assets.ids)
    for rep in (train_rep, test_rep, val_rep):
        assert rep["x"] == [label.name for label in labels] and len(rep["y"]) == 3


def test_tag_names_tag_each_part_and_a_new_split_moves_them(labelled) -> None:
    version, _assets, _labels = labelled
    parts, _, _ = version.split_into_multi_assets(
        [0.5, 0.25, 0.25], random_seed=1, tag_names=["train", "val", "test"]
    )
    for name, part in zip(("train", "val", "test"), parts, strict=True):
        assert sorted(version.list_assets(tags=name).ids) == sorted(part.ids)
    moved, _, _ = version.split_into_multi_assets(
        [0.5, 0.25, 0.25], random_seed=2, tag_names=["train", "val", "test"]
    )
    for name, part in zip(("train", "val", "test"), moved, strict=True):
        assert sorted(version.list_assets(tags=name).ids) == sorted(part.ids)
    assert version.retrieve_stats().tag_repartition == {"train": 12, "val": 6, "test": 6}


@pytest.mark.parametrize(
    ("ratios", "named"),
    [
        ([1.0], "ratios"),
        ([], "ratios"),
        ([0.8, -0.1, 0.3], "ratios[1]"),
        ([0, 0], "ratios"),
        ([0.5, float("nan")], "ratios[1]"),
        ([0.5, "half"], "ratios[1]"),
    ],
)
def test_bad_ratios_are_refused_and_change_nothing(labelled, ratios, named: str) -> None:
    version, _assets, _labels = labelled
    with pytest.raises(BadRequestError) as raised:
        version.split_into_multi_assets(ratios, tag_names=["a", "b"])
    assert raised.value.details["field"] == named
    assert version.retrieve_stats().tag_repartition == {}


@pytest.mark.parametrize(
    "body",
    [
        {"ratios": [1]},
        {"ratios": [0.5, -0.5]},
        {"ratios": [0, 0]},
        {"ratios": [0.5, 0.5], "tag_names": ["only one"]},
        {"ratios": [0.5, 0.5], "tag_names": ["same", "same"]},
        {"ratios": [0.5, 0.5], "random_seed": True},
    ],
)
def test_the_server_refuses_bad_split_requests(labelled, body) -> None:
    """The route checks what the SDK checks, for any client."""
    version, _assets, _labels = labelled
    with pytest.raises(BadRequestError):
        version._connection.request("POST", f"/versions/{version.id}/split", json=body)
    assert version.retrieve_stats().tag_repartition == {}


def test_too_many_parts_is_a_limit(labelled) -> None:
    version, _assets, _labels = labelled
    with pytest.raises(LimitExceededError) as raised:
        version._connection.request(
            "POST", f"/versions/{version.id}/split", json={"ratios": [1] * 101}
        )
    assert raised.value.limit == "max_split_parts"


def test_train_test_split_refuses_a_prop_outside_0_1(labelled) -> None:
    version, _assets, _labels = labelled
    for prop in (1.5, -0.2, "0.8"):
        with pytest.raises(BadRequestError):
            version.train_test_split(prop)  # type: ignore[arg-type]


def test_a_query_narrows_the_split_to_the_assets_it_lists(labelled) -> None:
    version, _assets, _labels = labelled
    q = 'filename in ("0.png", "1.png", "2.png", "3.png")'
    listed = {asset.id for asset in version.list_assets(q=q)}
    assert len(listed) == 4
    parts, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed=3, q=q)
    assert {asset.id for part in parts for asset in part} == listed
    with pytest.raises(BadRequestError):
        version.split_into_multi_assets([0.5, 0.5], q="filename = ")


def test_tagging_a_split_of_a_locked_version_is_refused(labelled) -> None:
    version, _assets, _labels = labelled
    version.lock()
    parts, _, _ = version.split_into_multi_assets([0.5, 0.5], random_seed=1)  # reading is fine
    assert sum(len(part) for part in parts) == 24
    with pytest.raises(LockedError):
        version.split_into_multi_assets([0.5, 0.5], tag_names=["a", "b"])
    version.unlock()
    assert version.retrieve_stats().tag_repartition == {}


def test_an_empty_version_splits_into_empty_parts(client: Client) -> None:
    version = client.create_dataset("empty").create_version("v")
    parts, counts, labels = version.split_into_multi_assets([0.5, 0.5])
    assert [len(part) for part in parts] == [0, 0] and counts == [{}, {}] and labels == []


def test_another_organizations_version_is_not_found(labelled, other_client: Client) -> None:
    version, _assets, _labels = labelled
    forged = type(version)(other_client._connection, version._schema)
    with pytest.raises(NotFoundError):
        forged.split_into_multi_assets([0.5, 0.5])
    with pytest.raises(NotFoundError):
        forged.split_into_multi_assets([0.5, 0.5], tag_names=["a", "b"])


def test_multiasset_split_keeps_the_order_and_cuts_at_the_rounded_ratio(labelled) -> None:
    """``MultiAsset.split`` is not the version's split: no seed, no shuffle, the first
    ``round(ratio * n)`` items, then the rest, in the collection's own order."""
    _version, assets, _labels = labelled
    reordered = assets[::-1]
    first, rest = reordered.split(0.3)  # round(7.2) = 7
    assert first.ids == reordered.ids[:7] and rest.ids == reordered.ids[7:]
    half, other_half = assets[:5].split(0.5)  # round(2.5) = 2 (half to even)
    assert half.ids == assets.ids[:2] and other_half.ids == assets.ids[2:5]


def test_a_fork_is_cut_the_same_way_by_the_same_seed(labelled) -> None:
    """The canonical order is that of the assets' data, which a fork shares."""
    version, _assets, _labels = labelled
    fork = version.fork("v2")
    mine, _, _ = version.split_into_multi_assets([0.6, 0.4], random_seed=11)
    theirs, _, _ = fork.split_into_multi_assets([0.6, 0.4], random_seed=11)
    assert [sorted(a.data_id for a in part) for part in mine] == [
        sorted(a.data_id for a in part) for part in theirs
    ]
