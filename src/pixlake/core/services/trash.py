"""The trash: deleted datasets, versions, assets and annotations, restorable until purged.

Deleting marks a row with ``deleted_at``; everything under it (a version's assets, an
asset's annotations) becomes invisible with it and comes back with it. ``purge`` removes
for good what has been in the trash longer than the retention period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.sql import chunked, one_of
from pixlake.enums import TrashKind
from pixlake.errors import ConflictError, LockedError, NotFoundError
from pixlake.schemas import TrashItem

__all__ = ["list_trash", "purge_trash", "restore_from_trash"]

_TABLES = {TrashKind.DATASET: t.datasets, TrashKind.DATASET_VERSION: t.dataset_versions,
           TrashKind.ASSET: t.assets, TrashKind.ANNOTATION: t.annotations_table}


def _in_scope(table: Any, actor: Actor | None) -> Any:
    """Rows of the actor's organization; every organization for an operator (None)."""
    return True if actor is None else table.c.organization_id == actor.organization_id


def list_trash(ctx: AppContext, actor: Actor | None,
               kind: TrashKind | None = None) -> list[TrashItem]:
    retention = timedelta(days=ctx.settings.trash_retention_days)
    queries = {
        TrashKind.DATASET: select(t.datasets.c.id, t.datasets.c.name.label("name"),
                                  t.datasets.c.id.label("parent_id"), t.datasets.c.deleted_at)
        .where(t.datasets.c.deleted_at.is_not(None), _in_scope(t.datasets, actor)),
        TrashKind.DATASET_VERSION: select(
            t.dataset_versions.c.id,
            (t.datasets.c.name + "/" + t.dataset_versions.c.version).label("name"),
            t.dataset_versions.c.dataset_id.label("parent_id"), t.dataset_versions.c.deleted_at)
        .join(t.datasets, t.datasets.c.id == t.dataset_versions.c.dataset_id)
        .where(t.dataset_versions.c.deleted_at.is_not(None),
               _in_scope(t.dataset_versions, actor)),
        TrashKind.ASSET: select(t.assets.c.id, t.data.c.filename.label("name"),
                                t.assets.c.dataset_version_id.label("parent_id"),
                                t.assets.c.deleted_at)
        .join(t.data, t.data.c.id == t.assets.c.data_id)
        .where(t.assets.c.deleted_at.is_not(None), _in_scope(t.assets, actor)),
        TrashKind.ANNOTATION: select(
            t.annotations_table.c.id,
            ("annotation of " + t.data.c.filename + " by " + t.users.c.username).label("name"),
            t.annotations_table.c.asset_id.label("parent_id"), t.annotations_table.c.deleted_at)
        .join(t.assets, t.assets.c.id == t.annotations_table.c.asset_id)
        .join(t.data, t.data.c.id == t.assets.c.data_id)
        .join(t.workers, t.workers.c.id == t.annotations_table.c.worker_id)
        .join(t.users, t.users.c.id == t.workers.c.user_id)
        .where(t.annotations_table.c.deleted_at.is_not(None),
               _in_scope(t.annotations_table, actor)),
    }
    items: list[TrashItem] = []
    with ctx.db.read() as conn:
        for item_kind, query in queries.items():
            if kind is not None and item_kind is not kind:
                continue
            for row in conn.execute(query.order_by("deleted_at")):
                items.append(TrashItem(
                    kind=item_kind, id=row.id, name=row.name,
                    parent_id=None if item_kind is TrashKind.DATASET else row.parent_id,
                    deleted_at=row.deleted_at, expires_at=row.deleted_at + retention))
    return sorted(items, key=lambda item: item.deleted_at)


def _locate(conn: Connection, actor: Actor | None, ids: Sequence[UUID]) -> dict[UUID, TrashKind]:
    found: dict[UUID, TrashKind] = {}
    for kind, table in _TABLES.items():
        for chunk in chunked(conn, list(ids)):
            for item_id in conn.execute(select(table.c.id).where(
                    one_of(conn, table.c.id, chunk), table.c.deleted_at.is_not(None),
                    _in_scope(table, actor))).scalars():
                found[item_id] = kind
    for item_id in ids:
        if item_id not in found:
            raise NotFoundError(f"{item_id} is not in the trash", details={"id": str(item_id)})
    return found


def restore_from_trash(ctx: AppContext, actor: Actor | None, ids: Sequence[UUID]) -> int:
    """Bring items back, all or none. An item whose place has been taken since (a dataset
    of the same name, the same data added to the version again...) raises ConflictError."""
    wanted = list(dict.fromkeys(ids))
    try:
        with ctx.db.write() as conn:
            kinds = _locate(conn, actor, wanted)
            if actor is not None:
                require_admin(actor, AdminAction.RESTORE_FROM_TRASH)
            _refuse_locked_versions(conn, [i for i in wanted if kinds[i] in
                                           (TrashKind.ASSET, TrashKind.ANNOTATION)])
            for kind, table in _TABLES.items():
                mine = [item_id for item_id in wanted if kinds[item_id] is kind]
                for chunk in chunked(conn, mine):
                    conn.execute(update(table).where(one_of(conn, table.c.id, chunk))
                                 .values(deleted_at=None))
    except IntegrityError as exc:
        raise ConflictError("an item can't be restored: a live one has taken its place "
                            "(same name, or same data in the version)",
                            details={"ids": [str(i) for i in wanted]}) from exc
    return len(wanted)


def _refuse_locked_versions(conn: Connection, item_ids: Sequence[UUID]) -> None:
    """Assets and annotations can't come back into a locked version."""
    for table in (t.assets, t.annotations_table):
        for chunk in chunked(conn, list(item_ids)):
            locked = conn.execute(
                select(t.dataset_versions.c.version)
                .join(table, table.c.dataset_version_id == t.dataset_versions.c.id)
                .where(one_of(conn, table.c.id, chunk), t.dataset_versions.c.locked)
            ).scalars().first()
            if locked is not None:
                raise LockedError(f"dataset version {locked!r} is locked; unlock it to "
                                  "restore into it", details={"version": locked})


def purge_trash(ctx: AppContext, actor: Actor | None, *, everything: bool = False) -> int:
    """Remove for good what has been in the trash longer than the retention period (or
    everything); returns how many items were purged. Data and their bytes stay.

    ``actor`` None is an operator working on the workspace itself (``pixlake trash``), for
    every organization; an actor must be an admin, and purges its organization's trash.
    """
    if actor is not None:
        require_admin(actor, AdminAction.PURGE_TRASH)
    cutoff = utcnow() if everything else utcnow() - timedelta(
        days=ctx.settings.trash_retention_days)
    count = 0
    with ctx.db.write() as conn:
        expired = {kind: list(conn.execute(select(table.c.id).where(
            table.c.deleted_at.is_not(None), table.c.deleted_at <= cutoff,
            _in_scope(table, actor))).scalars()) for kind, table in _TABLES.items()}
        count = sum(len(ids) for ids in expired.values())
        _purge_datasets(conn, expired[TrashKind.DATASET])
        _purge_versions(conn, expired[TrashKind.DATASET_VERSION])
        _purge_assets(conn, expired[TrashKind.ASSET])
        _purge_annotations(conn, expired[TrashKind.ANNOTATION])
    return count


def _ids_where(conn: Connection, table: Any, where: Any) -> list[UUID]:
    return list(conn.execute(select(table.c.id).where(where)).scalars())


def _purge_annotations(conn: Connection, annotation_ids: list[UUID]) -> None:
    for chunk in chunked(conn, annotation_ids):
        conn.execute(delete(t.shapes).where(one_of(conn, t.shapes.c.annotation_id, chunk)))
        conn.execute(delete(t.annotations_table)
                     .where(one_of(conn, t.annotations_table.c.id, chunk)))


def _purge_assets(conn: Connection, asset_ids: list[UUID]) -> None:
    for chunk in chunked(conn, asset_ids):
        _purge_annotations(conn, _ids_where(conn, t.annotations_table,
                                            one_of(conn, t.annotations_table.c.asset_id, chunk)))
        conn.execute(delete(t.tag_links).where(one_of(conn, t.tag_links.c.object_id, chunk)))
        conn.execute(delete(t.assets).where(one_of(conn, t.assets.c.id, chunk)))


def _purge_versions(conn: Connection, version_ids: list[UUID]) -> None:
    for version_id in version_ids:
        _purge_assets(conn, _ids_where(conn, t.assets,
                                       t.assets.c.dataset_version_id == version_id))
        conn.execute(delete(t.labels).where(t.labels.c.dataset_version_id == version_id))
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == version_id))
        conn.execute(delete(t.dataset_versions).where(t.dataset_versions.c.id == version_id))


def _purge_datasets(conn: Connection, dataset_ids: list[UUID]) -> None:
    for dataset_id in dataset_ids:
        _purge_versions(conn, _ids_where(conn, t.dataset_versions,
                                         t.dataset_versions.c.dataset_id == dataset_id))
        conn.execute(delete(t.workers).where(t.workers.c.dataset_id == dataset_id))
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == dataset_id))
        conn.execute(delete(t.datasets).where(t.datasets.c.id == dataset_id))
