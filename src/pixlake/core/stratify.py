"""Seeded splits of a set of images into parts, stratified on the labels each image holds.

Pure: items in, parts out; no database and no I/O, so that the algorithm is tested alone
and the service around it only reads rows and writes tags.

The stratified split is the iterative stratification of Sechidis, Tsoumakas and Vlahavas
("On the Stratification of Multi-Label Data", ECML PKDD 2011), on which labels each image
holds:

1. every part j wants ``ratio_j * n`` images in all (rounded by largest remainder) and
   ``ratio_j * n_l`` of the images holding label l;
2. take the label with the fewest images not placed yet (the rarest ones first: their
   few images are the hardest to spread), and give each of its images to the part that
   wants that label most, then the one that wants most images, then one of the tied
   parts at random; every label of a placed image lowers what its part still wants;
3. images without any label go to the parts that want most images.

Two things are added to the paper's algorithm. A part that has all its images takes no
more, so part sizes are exactly the largest-remainder sizes (the paper lets them drift).
And a last pass repairs what the greedy order can miss: a label with at least as many
images as there are parts but absent from a part gets one of its images there, swapped
with an image of that part whose leaving empties no other label.

Determinism: items are first sorted by their key, then shuffled by a ``random.Random``
of the seed; nothing else is random and the global ``random`` state is never touched.
So the same seed on the same items gives the same parts in whatever order they come.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = [
    "LabelledItem",
    "label_deviation",
    "part_sizes",
    "split_items",
]

K = TypeVar("K", bound=Any)
L = TypeVar("L", bound=Hashable)


class LabelledItem(NamedTuple, Generic[K, L]):
    """An image to place: its key (unique, sortable: its order is the canonical order the
    seed shuffles, so make it cheap to compare, e.g. a UUID's ``bytes``) and its objects
    per label held. A tuple: a split makes one per asset of the version, and a tuple is
    built several times faster than a frozen dataclass."""

    key: K
    objects: Mapping[L, int]


def part_sizes(count: int, ratios: Sequence[float]) -> list[int]:
    """How many of ``count`` items each part gets: ``ratio * count`` rounded so that the
    sizes sum to ``count`` (largest remainder; equal remainders go to the earlier part)."""
    exact = [ratio * count for ratio in ratios]
    sizes = [int(value) for value in exact]
    short = count - sum(sizes)
    by_remainder = sorted(range(len(ratios)), key=lambda j: (-(exact[j] - sizes[j]), j))
    for j in by_remainder[:short]:
        sizes[j] += 1
    return sizes


def split_items(
    items: Sequence[LabelledItem[K, L]],
    ratios: Sequence[float],
    seed: int | str,
    *,
    stratify: bool = True,
) -> list[list[K]]:
    """The keys of ``items`` cut into ``len(ratios)`` parts (``ratios`` normalised), each
    part in key order.

    Every item lands in exactly one part, items without labels included; part sizes are
    ``part_sizes(len(items), ratios)``.
    """
    ordered = sorted(items, key=itemgetter(0))  # by key; keys are unique
    rng = random.Random(seed)
    rng.shuffle(ordered)
    sizes = part_sizes(len(ordered), ratios)
    if stratify:
        placement = _Stratifier(ordered, ratios, sizes, rng).place()
    else:
        placement = [j for j, size in enumerate(sizes) for _ in range(size)]
    parts: list[list[K]] = [[] for _ in ratios]
    for item, j in zip(ordered, placement, strict=True):
        parts[j].append(item.key)
    for part in parts:
        part.sort()
    return parts


def label_deviation(
    parts: Sequence[Sequence[LabelledItem[K, L]]], ratios: Sequence[float]
) -> float:
    """The worst, over labels and parts, of ``|share of the label's images in the part -
    the part's ratio|``: 0 for a perfect stratification."""
    per_label: dict[L, list[int]] = {}
    for j, part in enumerate(parts):
        for item in part:
            for label in item.objects:
                per_label.setdefault(label, [0] * len(parts))[j] += 1
    worst = 0.0
    for counts in per_label.values():
        total = sum(counts)
        for j, count in enumerate(counts):
            worst = max(worst, abs(count / total - ratios[j]))
    return worst


class _Stratifier(Generic[K, L]):
    """One run of the iterative stratification over items already in their shuffled
    order (see the module)."""

    def __init__(
        self,
        items: Sequence[LabelledItem[K, L]],
        ratios: Sequence[float],
        sizes: Sequence[int],
        rng: random.Random,
    ) -> None:
        self.rng = rng
        self.parts = range(len(ratios))
        self.sizes = list(sizes)
        self.capacity = list(sizes)
        # Labels are numbered in the shuffled order they first appear in; their order
        # only breaks ties between labels of equal counts, which is meant to be random.
        self.labels_of: list[list[int]] = []
        self.items_of: list[list[int]] = []
        index: dict[L, int] = {}
        for i, item in enumerate(items):
            numbers = []
            for label in item.objects:
                number = index.get(label)
                if number is None:
                    number = index[label] = len(self.items_of)
                    self.items_of.append([])
                self.items_of[number].append(i)
                numbers.append(number)
            self.labels_of.append(numbers)
        self.total = [len(members) for members in self.items_of]
        self.unplaced = list(self.total)
        self.wanted = [[ratio * total for ratio in ratios] for total in self.total]
        self.placement = [-1] * len(items)

    def place(self) -> list[int]:
        while True:
            pending = [label for label, left in enumerate(self.unplaced) if left > 0]
            if not pending:
                break
            label = min(pending, key=lambda lab: self.unplaced[lab])
            wanted = self.wanted[label]
            for i in self.items_of[label]:
                if self.placement[i] < 0:
                    self._assign(i, self._best_part(wanted))
        for i, labels in enumerate(self.labels_of):
            if not labels:
                self._assign(i, self._best_part(None))
        self._repair()
        return self.placement

    def _best_part(self, wanted: list[float] | None) -> int:
        """The open part (not full yet) wanting most of the label, then most images, a
        random one among ties."""
        # Written out rather than as max() over tuples: it runs once per image.
        best, best_wanted, best_capacity = -1, 0.0, 0
        ties: list[int] | None = None
        for j in self.parts:
            capacity = self.capacity[j]
            if capacity <= 0:
                continue
            want = wanted[j] if wanted is not None else 0.0
            if best < 0 or want > best_wanted or (want == best_wanted and capacity > best_capacity):
                best, best_wanted, best_capacity, ties = j, want, capacity, None
            elif want == best_wanted and capacity == best_capacity:
                ties = [best, j] if ties is None else [*ties, j]
        return best if ties is None else self.rng.choice(ties)

    def _assign(self, i: int, j: int) -> None:
        self.placement[i] = j
        self.capacity[j] -= 1
        for label in self.labels_of[i]:
            self.wanted[label][j] -= 1
            self.unplaced[label] -= 1

    # The repair pass

    def _repair(self) -> None:
        open_parts = [j for j in self.parts if self.sizes[j] > 0]
        count = [[0] * len(self.parts) for _ in self.total]
        members: list[list[int]] = [[] for _ in self.parts]
        for i, j in enumerate(self.placement):
            members[j].append(i)
            for label in self.labels_of[i]:
                count[label][j] += 1
        guaranteed = [total >= len(open_parts) for total in self.total]
        for label in sorted(range(len(self.total)), key=lambda lab: self.total[lab]):
            if not guaranteed[label]:
                continue
            for p in open_parts:
                if count[label][p] == 0:
                    self._fill(label, p, count, members, guaranteed)

    def _fill(
        self,
        label: int,
        p: int,
        count: list[list[int]],
        members: list[list[int]],
        guaranteed: list[bool],
    ) -> None:
        """Swap an image of ``label`` from a part holding several into part ``p``, against
        an image of ``p`` (fewest labels first) whose leaving empties no guaranteed label;
        nothing when there is none."""

        def may_leave(i: int, part: int, arriving: int) -> bool:
            return all(
                not guaranteed[m] or count[m][part] > 1 or m in self.labels_of[arriving]
                for m in self.labels_of[i]
            )

        candidates = sorted(members[p], key=lambda i: len(self.labels_of[i]))
        for x in self.items_of[label]:
            q = self.placement[x]
            if count[label][q] < 2:
                continue
            for y in candidates:
                if may_leave(x, q, y) and may_leave(y, p, x):
                    self._swap(x, q, y, p, count, members)
                    return

    def _swap(
        self,
        x: int,
        q: int,
        y: int,
        p: int,
        count: list[list[int]],
        members: list[list[int]],
    ) -> None:
        self.placement[x], self.placement[y] = p, q
        members[q].remove(x)
        members[p].remove(y)
        members[p].append(x)
        members[q].append(y)
        for m in self.labels_of[x]:
            count[m][q] -= 1
            count[m][p] += 1
        for m in self.labels_of[y]:
            count[m][p] -= 1
            count[m][q] += 1
