"""The split algorithm alone (pixlake.core.stratify): partition, sizes, determinism, and
how well it spreads labels, on synthetic sets of images."""

from __future__ import annotations

import random
import uuid

import pytest

from pixlake.core.stratify import LabelledItem, label_deviation, part_sizes, split_items

Item = LabelledItem[bytes, str]


def long_tail(
    frequencies: tuple[int, ...] = (400, 250, 150, 100, 50, 25, 15, 5),
    count: int = 1_000,
    seed: int = 7,
) -> list[Item]:
    """``count`` images; label ``l<i>`` on ``frequencies[i]`` of them drawn at random (so
    images hold several labels, or none), with 1 to 4 objects each."""
    rng = random.Random(seed)
    keys = [uuid.UUID(int=rng.getrandbits(128)).bytes for _ in range(count)]
    objects: list[dict[str, int]] = [{} for _ in range(count)]
    for index, frequency in enumerate(frequencies):
        for i in rng.sample(range(count), frequency):
            objects[i][f"l{index}"] = rng.randint(1, 4)
    return [LabelledItem(key, held) for key, held in zip(keys, objects, strict=True)]


def parts_of(items: list[Item], keys: list[list[bytes]]) -> list[list[Item]]:
    by_key = {item.key: item for item in items}
    return [[by_key[key] for key in part] for part in keys]


@pytest.mark.parametrize("stratify", [True, False])
def test_every_item_lands_in_exactly_one_part(stratify: bool) -> None:
    items = long_tail()
    parts = split_items(items, [0.7, 0.2, 0.1], seed=3, stratify=stratify)
    every = [key for part in parts for key in part]
    assert sorted(every) == sorted(item.key for item in items)
    assert len(set(every)) == len(every)
    assert [len(part) for part in parts] == [700, 200, 100]
    assert any(not item.objects for item in items)  # images without labels were placed too


def test_part_sizes_are_the_largest_remainder_rounding() -> None:
    assert part_sizes(10, [0.64, 0.16, 0.2]) == [6, 2, 2]
    assert part_sizes(3, [1 / 3, 1 / 3, 1 / 3]) == [1, 1, 1]
    assert part_sizes(5, [0.5, 0.5]) == [3, 2]
    assert part_sizes(0, [0.8, 0.2]) == [0, 0]
    assert sum(part_sizes(999, [0.123, 0.456, 0.421])) == 999


@pytest.mark.parametrize("stratify", [True, False])
def test_the_same_seed_gives_the_same_parts_whatever_the_order(stratify: bool) -> None:
    items = long_tail()
    shuffled = list(items)
    random.Random(99).shuffle(shuffled)
    first = split_items(items, [0.8, 0.2], seed=42, stratify=stratify)
    assert split_items(shuffled, [0.8, 0.2], seed=42, stratify=stratify) == first
    assert split_items(list(reversed(items)), [0.8, 0.2], seed=42, stratify=stratify) == first
    assert split_items(items, [0.8, 0.2], seed=43, stratify=stratify) != first
    assert split_items(items, [0.8, 0.2], seed="a text", stratify=stratify) == split_items(
        shuffled, [0.8, 0.2], seed="a text", stratify=stratify
    )


def test_the_global_random_state_is_left_alone() -> None:
    items = long_tail()
    random.seed(1234)
    before = random.getstate()
    split_items(items, [0.6, 0.2, 0.2], seed=5)
    split_items(items, [0.6, 0.2, 0.2], seed=5, stratify=False)
    assert random.getstate() == before


def test_every_label_with_as_many_images_as_parts_is_in_every_part() -> None:
    items = long_tail(frequencies=(300, 40, 9, 5, 4, 3, 2, 1), count=400)
    for seed in range(10):
        parts = parts_of(items, split_items(items, [0.8, 0.1, 0.05, 0.05], seed=seed))
        for label, frequency in zip(
            [f"l{i}" for i in range(8)], (300, 40, 9, 5, 4, 3, 2, 1), strict=True
        ):
            holding = [sum(1 for item in part if label in item.objects) for part in parts]
            if frequency >= 4:
                assert all(holding), (seed, label, holding)


def test_labels_consumed_by_rarer_ones_still_reach_every_part() -> None:
    # "common" is on 3 images only, each also holding a label of its own that is rarer
    # (one image): the greedy pass places those first, all three where their single
    # label is most wanted (the largest part); the repair pass moves two of them out.
    items: list[Item] = [LabelledItem(bytes([i]), {"common": 1, f"only{i}": 1}) for i in range(3)]
    items += [LabelledItem(bytes([10 + i]), {}) for i in range(27)]
    for seed in range(20):
        parts = parts_of(items, split_items(items, [0.6, 0.2, 0.2], seed=seed))
        assert all(any("common" in item.objects for item in part) for part in parts), seed


@pytest.mark.parametrize("ratios", [[0.8, 0.2], [0.6, 0.2, 0.2], [0.4, 0.4, 0.2]])
def test_labels_of_a_long_tail_set_follow_the_ratios(ratios: list[float]) -> None:
    """1,000 images, 8 labels, the rarest on 5 images: the worst deviation of a label's
    image share in a part from the part's ratio is at most 0.03, over 20 seeds; a random
    split of the same images is far off (figures in the assertion message)."""
    items = long_tail()
    stratified = max(
        label_deviation(parts_of(items, split_items(items, ratios, seed=seed)), ratios)
        for seed in range(20)
    )
    plain = max(
        label_deviation(
            parts_of(items, split_items(items, ratios, seed=seed, stratify=False)), ratios
        )
        for seed in range(20)
    )
    message = f"worst deviation over 20 seeds: stratified {stratified:.3f}, random {plain:.3f}"
    print(message)
    assert stratified <= 0.03, message
    assert plain > 0.1, message


def test_a_label_deviation_is_the_worst_share_gap() -> None:
    a, b, c, d = (LabelledItem(bytes([i]), {"x": 1}) for i in range(4))
    assert label_deviation([[a, b, c], [d]], [0.75, 0.25]) == 0
    assert label_deviation([[a, b], [c, d]], [0.75, 0.25]) == pytest.approx(0.25)


def test_huge_ratios_are_normalised_without_overflowing() -> None:
    from pixlake.split_ratios import normalise_ratios

    # A sum of these overflows a float; their shares don't.
    assert normalise_ratios([1e308, 1e308, 1e308]) == pytest.approx([1 / 3] * 3)
    assert normalise_ratios([8, 1, 1]) == pytest.approx([0.8, 0.1, 0.1])
