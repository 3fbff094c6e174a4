"""Differences between two dataset versions, computed by the database in bulk.

Assets are matched across the versions by their data (an asset is a data in a version).
Shapes have no identity across versions (a fork copies them under new ids), so a shape is
compared by what it is: its asset's data, its worker's user, its kind, its label's name, its
geometry and its text. Both versions' shapes of the assets they share go into one grouped
query, each counted +1 on this side and -1 on the other: the groups that don't sum to 0 are
the shapes that differ, and only those rows leave the database. Annotations are compared
the same way by (data, worker's user, status, duration). See docs/curation.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Text, and_, case, cast, exists, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.services.datasets import require_version
from pixlake.core.sql import chunked, one_of
from pixlake.enums import AnnotationStatus
from pixlake.schemas import (
    AssetChange,
    LabelCountChange,
    VersionDiffPublic,
    WorkerAnnotationChanges,
)

__all__ = ["diff_versions"]


def diff_versions(
    ctx: AppContext, actor: Actor, version_id: UUID, other_id: UUID
) -> VersionDiffPublic:
    """How ``other_id`` differs from ``version_id`` (both must be visible to the actor)."""
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        require_version(conn, actor, other_id)
        only_in_self = _assets_missing_from(conn, version_id, other_id)
        only_in_other = _assets_missing_from(conn, other_id, version_id)
        changed = _changed_assets(conn, version_id, other_id)
        labels_self = _label_counts(conn, version_id)
        labels_other = _label_counts(conn, other_id)
    empty = (0, 0)
    label_counts = {
        name: LabelCountChange(
            objects_before=labels_self.get(name, empty)[0],
            objects_after=labels_other.get(name, empty)[0],
            images_before=labels_self.get(name, empty)[1],
            images_after=labels_other.get(name, empty)[1],
        )
        for name in sorted(labels_self.keys() | labels_other.keys())
        if labels_self.get(name, empty) != labels_other.get(name, empty)
    }
    return VersionDiffPublic(
        version_id=version_id,
        other_version_id=other_id,
        only_in_self=only_in_self,
        only_in_other=only_in_other,
        changed=changed,
        labels_only_in_self=sorted(labels_self.keys() - labels_other.keys()),
        labels_only_in_other=sorted(labels_other.keys() - labels_self.keys()),
        label_counts=label_counts,
    )


def _live_assets_of(version_id: UUID) -> Any:
    other = t.assets.alias("other_assets")
    return other, and_(other.c.dataset_version_id == version_id, other.c.deleted_at.is_(None))


def _assets_missing_from(conn: Connection, version_id: UUID, other_id: UUID) -> list[UUID]:
    """Live assets of ``version_id`` whose data has no live asset in ``other_id``."""
    other, alive = _live_assets_of(other_id)
    return list(
        conn.execute(
            select(t.assets.c.id)
            .where(
                t.assets.c.dataset_version_id == version_id,
                kinds.not_in_trash(ASSET),
                ~exists().where(alive, other.c.data_id == t.assets.c.data_id),
            )
            .order_by(t.assets.c.id)
        ).scalars()
    )


def _shared_assets(version_id: UUID, other_id: UUID) -> tuple[Any, ColumnElement[bool]]:
    """The live assets of ``version_id`` joined with the live asset of the same data in
    ``other_id`` (the FROM clause), and the condition on the first: the assets both sides
    compare. The rows of a diff start from these pairs, so that the other side is looked
    up once per asset, not once per shape, and the annotations and shapes are reached
    through their asset's and annotation's indexes."""
    other = t.assets.alias("other_assets")
    shared = t.assets.join(
        other,
        and_(
            other.c.dataset_version_id == other_id,
            other.c.data_id == t.assets.c.data_id,
            other.c.deleted_at.is_(None),
        ),
    )
    return shared, _alive_in(version_id)


def _alive_in(version_id: UUID) -> ColumnElement[bool]:
    """The condition on ``assets`` rows: the live assets of the version."""
    return and_(t.assets.c.dataset_version_id == version_id, kinds.not_in_trash(ASSET))


def _shapes_of(version_id: UUID, other_id: UUID, sign: int) -> Any:
    """The signature of every live shape of ``version_id`` on an asset whose data is also in
    ``other_id``, counted ``sign``."""
    annotations = t.annotations_table
    shared, alive = _shared_assets(version_id, other_id)
    return (
        select(
            t.assets.c.data_id,
            t.workers.c.user_id,
            t.shapes.c.kind,
            t.labels.c.name.label("label"),
            t.shapes.c.x,
            t.shapes.c.y,
            t.shapes.c.w,
            t.shapes.c.h,
            # JSON has no equality on PostgreSQL; its text does, and both sides' texts
            # were written by the same serialiser (or copied by a fork).
            cast(t.shapes.c.coords, Text).label("coords"),
            t.shapes.c.text,
            literal(sign).label("sign"),
        )
        .select_from(
            shared.join(
                annotations,
                and_(annotations.c.asset_id == t.assets.c.id, kinds.not_in_trash(ANNOTATION)),
            )
            .join(t.workers, t.workers.c.id == annotations.c.worker_id)
            .join(t.shapes, t.shapes.c.annotation_id == annotations.c.id)
            .join(t.labels, t.labels.c.id == t.shapes.c.label_id)
        )
        .where(alive)
    )


def _changed_assets(conn: Connection, version_id: UUID, other_id: UUID) -> list[AssetChange]:
    shapes = _shape_changes(conn, version_id, other_id)
    annotations = _annotation_changes(conn, version_id, other_id)
    changed_data = shapes.keys() | {data_id for data_id, _user in annotations}
    if not changed_data:
        return []
    assets_here = _assets_of_data(conn, version_id, changed_data)
    assets_there = _assets_of_data(conn, other_id, changed_data)
    before = _annotations_of_data(conn, version_id, changed_data)
    after = _annotations_of_data(conn, other_id, changed_data)
    workers_of: dict[UUID, set[UUID]] = {
        data_id: set(shapes.get(data_id, ())) for data_id in changed_data
    }
    for data_id, user_id in annotations:
        workers_of[data_id].add(user_id)
    usernames = _usernames(conn, {user for users in workers_of.values() for user in users})
    found = []
    for data_id, users in workers_of.items():
        workers = []
        for user_id in sorted(users, key=usernames.__getitem__):
            added, removed, paired = shapes.get(data_id, {}).get(user_id, (0, 0, 0))
            status_before, duration_before = before.get((data_id, user_id), (None, None))
            status_after, duration_after = after.get((data_id, user_id), (None, None))
            workers.append(
                WorkerAnnotationChanges(
                    username=usernames[user_id],
                    added=added,
                    removed=removed,
                    changed=paired,
                    status_before=status_before,
                    status_after=status_after,
                    duration_before=duration_before,
                    duration_after=duration_after,
                )
            )
        found.append(
            AssetChange(
                data_id=data_id,
                filename=assets_here[data_id][1],
                asset_id=assets_here[data_id][0],
                other_asset_id=assets_there[data_id][0],
                workers=workers,
            )
        )
    return sorted(found, key=lambda change: change.asset_id)


def _shape_changes(
    conn: Connection, version_id: UUID, other_id: UUID
) -> dict[UUID, dict[UUID, tuple[int, int, int]]]:
    """Per data in both versions, per worker's user: shapes (added, removed, changed)."""
    both = union_all(
        _shapes_of(version_id, other_id, 1), _shapes_of(other_id, version_id, -1)
    ).subquery()
    signature = [c for c in both.c if c.name != "sign"]
    differing = (
        select(
            both.c.data_id,
            both.c.user_id,
            both.c.kind,
            func.sum(both.c.sign).label("delta"),
        )
        .group_by(*signature)
        .having(func.sum(both.c.sign) != 0)
        .subquery()
    )
    per_kind = select(
        differing.c.data_id,
        differing.c.user_id,
        differing.c.kind,
        func.sum(case((differing.c.delta > 0, differing.c.delta), else_=0)).label("removed"),
        func.sum(case((differing.c.delta < 0, -differing.c.delta), else_=0)).label("added"),
    ).group_by(differing.c.data_id, differing.c.user_id, differing.c.kind)
    counts: dict[UUID, dict[UUID, list[int]]] = {}
    for data_id, user_id, _kind, removed, added in conn.execute(per_kind):
        # A removed and an added shape of one kind, for the same worker, are one shape
        # changed (a box moved, reshaped or relabelled).
        paired = min(removed, added)
        tally = counts.setdefault(data_id, {}).setdefault(user_id, [0, 0, 0])
        tally[0] += added - paired
        tally[1] += removed - paired
        tally[2] += paired
    return {
        data_id: {user_id: (a, r, c) for user_id, (a, r, c) in by_user.items()}
        for data_id, by_user in counts.items()
    }


def _live_annotations(assets: Any, kept: ColumnElement[bool], *extra: Any) -> Any:
    """(data, worker's user, status, duration, then ``extra`` columns) of every live
    annotation of the assets ``assets`` (a FROM clause over ``assets``) holds and ``kept``
    keeps: the rows both sides of a diff compare."""
    annotations = t.annotations_table
    return (
        select(
            t.assets.c.data_id,
            t.workers.c.user_id,
            annotations.c.status,
            annotations.c.duration,
            *extra,
        )
        .select_from(
            assets.join(
                annotations,
                and_(annotations.c.asset_id == t.assets.c.id, kinds.not_in_trash(ANNOTATION)),
            ).join(t.workers, t.workers.c.id == annotations.c.worker_id)
        )
        .where(kept)
    )


def _annotations_of(version_id: UUID, other_id: UUID, sign: int) -> Any:
    """(data, worker's user, status, duration) of every live annotation of ``version_id`` on
    an asset whose data is also in ``other_id``, counted ``sign``."""
    shared, alive = _shared_assets(version_id, other_id)
    return _live_annotations(shared, alive, literal(sign).label("sign"))


def _annotation_changes(
    conn: Connection, version_id: UUID, other_id: UUID
) -> set[tuple[UUID, UUID]]:
    """(data, worker's user) of the annotations, on data in both versions, that one side
    lacks or whose status or duration differ: each has one live annotation per asset and
    worker a side, so the (data, user, status, duration) groups that don't sum to 0."""
    both = union_all(
        _annotations_of(version_id, other_id, 1), _annotations_of(other_id, version_id, -1)
    ).subquery()
    differing = (
        select(both.c.data_id, both.c.user_id)
        .group_by(both.c.data_id, both.c.user_id, both.c.status, both.c.duration)
        .having(func.sum(both.c.sign) != 0)
    )
    return {(data_id, user_id) for data_id, user_id in conn.execute(differing)}


def _annotations_of_data(
    conn: Connection, version_id: UUID, data_ids: Iterable[UUID]
) -> dict[tuple[UUID, UUID], tuple[AnnotationStatus, float]]:
    """(status, duration) of the live annotations of the version's assets of these data,
    by (data, worker's user)."""
    found: dict[tuple[UUID, UUID], tuple[AnnotationStatus, float]] = {}
    for chunk in chunked(conn, list(data_ids)):
        for data_id, user_id, status, duration in conn.execute(
            _live_annotations(t.assets, _alive_in(version_id)).where(
                one_of(conn, t.assets.c.data_id, chunk)
            )
        ):
            found[(data_id, user_id)] = (AnnotationStatus(status), duration)
    return found


def _assets_of_data(
    conn: Connection, version_id: UUID, data_ids: Iterable[UUID]
) -> dict[UUID, tuple[UUID, str]]:
    """(asset id, filename) of the live asset of each data in the version."""
    found: dict[UUID, tuple[UUID, str]] = {}
    for chunk in chunked(conn, list(data_ids)):
        for data_id, asset_id, filename in conn.execute(
            select(t.assets.c.data_id, t.assets.c.id, t.data.c.filename)
            .join(t.data, t.data.c.id == t.assets.c.data_id)
            .where(
                t.assets.c.dataset_version_id == version_id,
                kinds.not_in_trash(ASSET),
                one_of(conn, t.assets.c.data_id, chunk),
            )
        ):
            found[data_id] = (asset_id, filename)
    return found


def _usernames(conn: Connection, user_ids: set[UUID]) -> dict[UUID, str]:
    return dict(
        conn.execute(
            select(t.users.c.id, t.users.c.username).where(t.users.c.id.in_(list(user_ids)))
        ).all()
    )


def _label_counts(conn: Connection, version_id: UUID) -> dict[str, tuple[int, int]]:
    """(shapes, assets holding one) per label name of the version, 0 for unused labels."""
    annotations = t.annotations_table
    live_shape: ColumnElement[bool] = and_(
        kinds.not_in_trash(ANNOTATION), kinds.not_in_trash(ASSET)
    )
    used = dict(
        (name, (objects, images))
        for name, objects, images in conn.execute(
            select(
                t.labels.c.name,
                func.count(t.shapes.c.id),
                func.count(func.distinct(annotations.c.asset_id)),
            )
            .select_from(
                t.shapes.join(t.labels, t.labels.c.id == t.shapes.c.label_id)
                .join(annotations, annotations.c.id == t.shapes.c.annotation_id)
                .join(t.assets, t.assets.c.id == annotations.c.asset_id)
            )
            .where(t.shapes.c.dataset_version_id == version_id, live_shape)
            .group_by(t.labels.c.name)
        )
    )
    every = conn.execute(
        select(t.labels.c.name).where(t.labels.c.dataset_version_id == version_id)
    ).scalars()
    return {name: used.get(name, (0, 0)) for name in every}
