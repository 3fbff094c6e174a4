"""Splits of a version into parts and differences between versions, on the SDK side.

The server computes both (one request each) and answers asset ids; this module turns the
ids into MultiAssets, a page of ids per request, and the answers into what the
``DatasetVersion`` methods return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol
from uuid import UUID

from pixlake.errors import BadRequestError
from pixlake.gcpause import paused_gc
from pixlake.schemas import (
    MAX_PAGE_SIZE,
    AssetChange,
    AssetPublic,
    LabelCountChange,
    SplitResult,
    VersionDiffPublic,
    WorkerAnnotationChanges,
)
from pixlake.sdk.asset import Asset, MultiAsset
from pixlake.sdk.connection import Connection
from pixlake.sdk.label import Label
from pixlake.sdk.wire import parse_many
from pixlake.split_ratios import normalise_ratios


class DatasetVersion(Protocol):
    """What this module needs of a ``pixlake.sdk.dataset_version.DatasetVersion`` (which
    imports this module, so it is not imported back)."""

    _connection: Connection

    @property
    def id(self) -> UUID: ...

    @property
    def version(self) -> str: ...


__all__ = [
    "Repartition",
    "VersionDiff",
    "fetch_assets",
    "repartition",
    "request_split",
    "split_into_parts",
]

Repartition = dict[str, list[Any]]
"""``{"x": [label names], "y": [counts]}``, the Picsellia SDK's form of a part's labels."""

_SHOWN = 10
"""Items of each list a diff's summary names before it says how many more there are."""


def request_split(
    version: DatasetVersion,
    ratios: Sequence[float | int],
    random_seed: Any = None,
    stratify: bool = True,
    q: str | None = None,
    tag_names: Sequence[str] | None = None,
) -> SplitResult:
    """The server's split of ``version`` (ids and counts; no asset is fetched)."""
    normalise_ratios(ratios)  # refused here, before any request
    if random_seed is not None and (
        isinstance(random_seed, bool) or not isinstance(random_seed, int | str)
    ):
        raise BadRequestError(
            f"random_seed must be an integer or a text, got {random_seed!r}",
            details={"field": "random_seed"},
        )
    if isinstance(tag_names, str):
        tag_names = [tag_names]
    body = {
        "ratios": list(ratios),
        "random_seed": random_seed,
        "stratify": stratify,
        "q": q,
        "tag_names": list(tag_names) if tag_names is not None else None,
    }
    row = version._connection.request("POST", f"/versions/{version.id}/split", json=body)
    return SplitResult.model_validate(row)


@paused_gc()  # 100,000 assets, their ids and parts, all kept: see gcpause
def split_into_parts(
    version: DatasetVersion,
    listing: Callable[[], Iterable[Asset]],
    ratios: Sequence[float | int],
    random_seed: Any = None,
    stratify: bool = True,
    q: str | None = None,
    tag_names: Sequence[str] | None = None,
) -> tuple[list[MultiAsset], list[dict[str, int]], list[Label]]:
    """What ``split_into_multi_assets`` returns: the server's split, and its assets.

    Without a query the parts hold the whole version, and the assets come from
    ``listing`` (the version's own listing, its fastest read); where the connection
    fetches ahead (a server), the listing runs while the server computes the split. An
    asset the listing missed (added meanwhile) and a query's assets are fetched by id.
    """
    by_id: dict[UUID, Asset] = {}
    if q is None and version._connection.capabilities.fetch_ahead:
        normalise_ratios(ratios)  # a refused split starts no listing
        with ThreadPoolExecutor(1, thread_name_prefix="pixlake-split-listing") as pool:
            listed = pool.submit(lambda: {asset.id: asset for asset in listing()})
            result = request_split(version, ratios, random_seed, stratify, q, tag_names)
            by_id = listed.result()
    else:
        result = request_split(version, ratios, random_seed, stratify, q, tag_names)
        if q is None:
            by_id = {asset.id: asset for asset in listing()}
    connection = version._connection
    # One pass over the ids (a hash of a UUID is Python code, 100,000 of them count): the
    # parts are built from the listing, and a second pass runs only if an id was missing.
    try:
        members = [[by_id[asset_id] for asset_id in part.asset_ids] for part in result.parts]
    except KeyError:
        missing = [i for part in result.parts for i in part.asset_ids if i not in by_id]
        by_id.update(fetch_assets(version, missing))
        members = [[by_id[asset_id] for asset_id in part.asset_ids] for part in result.parts]
    parts = [MultiAsset(connection, assets) for assets in members]
    counts = [dict(part.images_per_label) for part in result.parts]
    labels = [Label(connection, label) for label in result.labels]
    return parts, counts, labels


def repartition(images_per_label: dict[str, int], labels: Sequence[Label]) -> Repartition:
    """A part's images per label as ``{"x": names, "y": counts}``, in the labels' order."""
    names = [label.name for label in labels]
    return {"x": names, "y": [images_per_label.get(name, 0) for name in names]}


@paused_gc()
def fetch_assets(version: DatasetVersion, ids: Iterable[UUID]) -> dict[UUID, Asset]:
    """The live assets of ``version`` with these ids, a page of ids per request."""
    wanted = [str(asset_id) for asset_id in ids]
    found: dict[UUID, Asset] = {}
    for start in range(0, len(wanted), MAX_PAGE_SIZE):
        chunk = wanted[start : start + MAX_PAGE_SIZE]
        page = version._connection.request(
            "POST",
            f"/versions/{version.id}/assets/search",
            json={"ids": chunk, "limit": len(chunk)},
        )
        for item in parse_many(AssetPublic, page["items"]):
            found[item.id] = Asset(version._connection, item)
    return found


class VersionDiff:
    """How one dataset version (``other``) differs from another (``version``).

    Attributes:
        version, other: the two versions compared.
        only_in_self: assets of ``version`` whose data ``other`` lacks.
        only_in_other: assets of ``other`` whose data ``version`` lacks.
        changed: assets of the same data in both whose annotations differ, with, per
            worker whose annotation differs, the shapes added (only in ``other``),
            removed (only in ``version``) and changed (moved, reshaped or relabelled), and
            the annotation's status and duration on each side (None where the worker has
            no annotation of the asset).
        labels_only_in_self, labels_only_in_other: label names of one side only.
        label_counts: per label name whose counts differ, objects (shapes) and images
            before (``version``) and after (``other``).
    """

    def __init__(
        self, version: DatasetVersion, other: DatasetVersion, public: VersionDiffPublic
    ) -> None:
        self.version = version
        self.other = other
        self.only_in_self = _assets_in_order(version, public.only_in_self)
        self.only_in_other = _assets_in_order(other, public.only_in_other)
        self.changed: list[AssetChange] = list(public.changed)
        self.labels_only_in_self: list[str] = list(public.labels_only_in_self)
        self.labels_only_in_other: list[str] = list(public.labels_only_in_other)
        self.label_counts: dict[str, LabelCountChange] = dict(public.label_counts)

    def __bool__(self) -> bool:
        """True when the versions differ in anything this diff compares."""
        return bool(
            self.only_in_self
            or self.only_in_other
            or self.changed
            or self.labels_only_in_self
            or self.labels_only_in_other
            or self.label_counts
        )

    def __repr__(self) -> str:
        return (
            f"VersionDiff({self.version.version!r} -> {self.other.version!r}: "
            f"{len(self.only_in_self)} only in self, {len(self.only_in_other)} only in "
            f"other, {len(self.changed)} changed)"
        )

    def __str__(self) -> str:
        mine, theirs = repr(self.version.version), repr(self.other.version)
        lines = [f"Differences from version {mine} to version {theirs}:"]
        if not self:
            return lines[0] + " none"
        lines.append(f"  assets only in {mine}: {_named(a.filename for a in self.only_in_self)}")
        lines.append(f"  assets only in {theirs}: {_named(a.filename for a in self.only_in_other)}")
        lines.append(f"  assets with different annotations: {len(self.changed)}")
        for change in self.changed[:_SHOWN]:
            workers = ", ".join(_worker_changes(w) for w in change.workers)
            lines.append(f"    {change.filename}: {workers}")
        if len(self.changed) > _SHOWN:
            lines.append(f"    ... and {len(self.changed) - _SHOWN} more")
        lines.append(f"  labels only in {mine}: {_named(self.labels_only_in_self)}")
        lines.append(f"  labels only in {theirs}: {_named(self.labels_only_in_other)}")
        lines.append(f"  label counts that changed: {len(self.label_counts)}")
        for name, count in self.label_counts.items():
            lines.append(
                f"    {name}: objects {count.objects_before} -> {count.objects_after}, "
                f"images {count.images_before} -> {count.images_after}"
            )
        lines.append(
            "  (per worker: shapes +added -removed ~changed; status and duration when they"
            " differ, none where the worker has no annotation)"
        )
        return "\n".join(lines)


def _worker_changes(worker: WorkerAnnotationChanges) -> str:
    """``alice +1 -0 ~2, status PENDING -> ACCEPTED, duration 3 -> 4.5 s``: the shapes
    always, status and duration when they differ."""
    text = f"{worker.username} +{worker.added} -{worker.removed} ~{worker.changed}"
    if worker.status_before != worker.status_after:
        before = worker.status_before.value if worker.status_before else "none"
        after = worker.status_after.value if worker.status_after else "none"
        text += f", status {before} -> {after}"
    if (
        worker.duration_before is not None
        and worker.duration_after is not None
        and worker.duration_before != worker.duration_after
    ):
        text += f", duration {worker.duration_before:g} -> {worker.duration_after:g} s"
    return text


def _assets_in_order(version: DatasetVersion, ids: Sequence[UUID]) -> MultiAsset:
    by_id = fetch_assets(version, ids)
    return MultiAsset(version._connection, [by_id[i] for i in ids if i in by_id])


def _named(names: Iterable[str]) -> str:
    """``3 (a.jpg, b.jpg, c.jpg)``, at most ``_SHOWN`` names; ``0`` for none."""
    every = list(names)
    if not every:
        return "0"
    shown = ", ".join(every[:_SHOWN])
    more = f", ... {len(every) - _SHOWN} more" if len(every) > _SHOWN else ""
    return f"{len(every)} ({shown}{more})"
