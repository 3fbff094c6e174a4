"""The trash: deleted datasets, versions, assets, annotations, models, model versions and
model files, restorable until purged.

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

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services import model_trash
from pixlake.core.sql import chunked, one_of
from pixlake.enums import TrashKind
from pixlake.errors import ConflictError, LockedError, NotFoundError
from pixlake.schemas import TrashItem

__all__ = ["list_trash", "purge_trash", "restore_from_trash"]

# The kinds with a trash, parents before children (the order of the declaration).
_KINDS = kinds.trashable_kinds()
# Items of these kinds have no parent to name in a listing.
_TOP_LEVEL = frozenset({TrashKind.DATASET, TrashKind.MODEL})


def _in_scope(table: Any, actor: Actor | None) -> Any:
    """Rows of the actor's organization; every organization for an operator (None)."""
    return True if actor is None else table.c.organization_id == actor.organization_id


def list_trash(
    ctx: AppContext, actor: Actor | None, kind: TrashKind | None = None
) -> list[TrashItem]:
    retention = timedelta(days=ctx.settings.trash_retention_days)
    queries = {
        TrashKind.DATASET: select(
            t.datasets.c.id,
            t.datasets.c.name.label("name"),
            t.datasets.c.id.label("parent_id"),
            t.datasets.c.deleted_at,
        ).where(kinds.in_trash(kinds.DATASET), _in_scope(t.datasets, actor)),
        TrashKind.DATASET_VERSION: select(
            t.dataset_versions.c.id,
            (t.datasets.c.name + "/" + t.dataset_versions.c.version).label("name"),
            t.dataset_versions.c.dataset_id.label("parent_id"),
            t.dataset_versions.c.deleted_at,
        )
        .join(t.datasets, t.datasets.c.id == t.dataset_versions.c.dataset_id)
        .where(kinds.in_trash(kinds.DATASET_VERSION), _in_scope(t.dataset_versions, actor)),
        TrashKind.ASSET: select(
            t.assets.c.id,
            t.data.c.filename.label("name"),
            t.assets.c.dataset_version_id.label("parent_id"),
            t.assets.c.deleted_at,
        )
        .join(t.data, t.data.c.id == t.assets.c.data_id)
        .where(kinds.in_trash(kinds.ASSET), _in_scope(t.assets, actor)),
        TrashKind.ANNOTATION: select(
            t.annotations_table.c.id,
            ("annotation of " + t.data.c.filename + " by " + t.users.c.username).label("name"),
            t.annotations_table.c.asset_id.label("parent_id"),
            t.annotations_table.c.deleted_at,
        )
        .join(t.assets, t.assets.c.id == t.annotations_table.c.asset_id)
        .join(t.data, t.data.c.id == t.assets.c.data_id)
        .join(t.workers, t.workers.c.id == t.annotations_table.c.worker_id)
        .join(t.users, t.users.c.id == t.workers.c.user_id)
        .where(kinds.in_trash(kinds.ANNOTATION), _in_scope(t.annotations_table, actor)),
        **model_trash.trash_queries(lambda table: _in_scope(table, actor)),
    }
    items: list[TrashItem] = []
    with ctx.db.read() as conn:
        for item_kind, query in queries.items():
            if kind is not None and item_kind is not kind:
                continue
            for row in conn.execute(query.order_by("deleted_at")):
                items.append(
                    TrashItem(
                        kind=item_kind,
                        id=row.id,
                        name=row.name,
                        parent_id=None if item_kind in _TOP_LEVEL else row.parent_id,
                        deleted_at=row.deleted_at,
                        expires_at=row.deleted_at + retention,
                    )
                )
    return sorted(items, key=lambda item: item.deleted_at)


def _locate(conn: Connection, actor: Actor | None, ids: Sequence[UUID]) -> dict[UUID, TrashKind]:
    found: dict[UUID, TrashKind] = {}
    for trash_kind, kind in _KINDS.items():
        for chunk in chunked(conn, list(ids)):
            for item_id in conn.execute(
                select(kind.id_column).where(
                    one_of(conn, kind.id_column, chunk),
                    kinds.in_trash(kind),
                    _in_scope(kind.table, actor),
                )
            ).scalars():
                found[item_id] = trash_kind
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
            located = _locate(conn, actor, wanted)
            if actor is not None:
                require_admin(actor, AdminAction.RESTORE_FROM_TRASH)
            for trash_kind, kind in _KINDS.items():
                mine = [item_id for item_id in wanted if located[item_id] is trash_kind]
                if kind.locked_by is not None:
                    _refuse_locked(conn, kind, mine)
                for chunk in chunked(conn, mine):
                    conn.execute(
                        update(kind.table)
                        .where(one_of(conn, kind.id_column, chunk))
                        .values(deleted_at=None)
                    )
    except IntegrityError as exc:
        raise ConflictError(
            "an item can't be restored: a live one has taken its place "
            "(same name, or same data in the version)",
            details={"ids": [str(i) for i in wanted]},
        ) from exc
    return len(wanted)


def _refuse_locked(conn: Connection, kind: kinds.Kind, item_ids: Sequence[UUID]) -> None:
    """Nothing comes back into a locked ancestor (assets and annotations into a locked
    version)."""
    assert kind.locked_by is not None
    lock = kinds.KINDS[kind.locked_by]
    name = lock.table.c[lock.name_column]
    for chunk in chunked(conn, list(item_ids)):
        locked = (
            conn.execute(
                select(name)
                .select_from(kinds.join_up_to(kind, lock))
                .where(one_of(conn, kind.id_column, chunk), lock.table.c.locked)
            )
            .scalars()
            .first()
        )
        if locked is not None:
            raise LockedError(
                f"{lock.label} {locked!r} is locked; unlock it to restore into it",
                details={lock.name_column: locked},
            )


def purge_trash(ctx: AppContext, actor: Actor | None, *, everything: bool = False) -> int:
    """Remove for good what has been in the trash longer than the retention period (or
    everything); returns how many items were purged. Data and their bytes stay.

    ``actor`` None is an operator working on the workspace itself (``pixlake trash``), for
    every organization; an actor must be an admin, and purges its organization's trash.
    """
    if actor is not None:
        require_admin(actor, AdminAction.PURGE_TRASH)
    cutoff = (
        utcnow() if everything else utcnow() - timedelta(days=ctx.settings.trash_retention_days)
    )
    count = 0
    released: list[str] = []  # objects the purged model files named
    with ctx.db.write() as conn:
        expired = {
            trash_kind: list(
                conn.execute(
                    select(kind.id_column).where(
                        kinds.in_trash(kind),
                        kind.table.c.deleted_at <= cutoff,
                        _in_scope(kind.table, actor),
                    )
                ).scalars()
            )
            for trash_kind, kind in _KINDS.items()
        }
        count = sum(len(ids) for ids in expired.values())
        _purge_datasets(conn, expired[TrashKind.DATASET])
        _purge_versions(conn, expired[TrashKind.DATASET_VERSION])
        _purge_assets(conn, expired[TrashKind.ASSET])
        _purge_annotations(conn, expired[TrashKind.ANNOTATION])
        released += model_trash.purge_models(conn, expired[TrashKind.MODEL])
        released += model_trash.purge_model_versions(conn, expired[TrashKind.MODEL_VERSION])
        released += model_trash.purge_model_files(conn, expired[TrashKind.MODEL_FILE])
    # Bytes go only once their rows are gone for good, and only those nothing else names.
    model_trash.release_objects(ctx, released)
    return count


def _ids_where(conn: Connection, table: Any, where: Any) -> list[UUID]:
    return list(conn.execute(select(table.c.id).where(where)).scalars())


def _purge_annotations(conn: Connection, annotation_ids: list[UUID]) -> None:
    for chunk in chunked(conn, annotation_ids):
        conn.execute(delete(t.shapes).where(one_of(conn, t.shapes.c.annotation_id, chunk)))
        conn.execute(
            delete(t.annotations_table).where(one_of(conn, t.annotations_table.c.id, chunk))
        )


def _purge_assets(conn: Connection, asset_ids: list[UUID]) -> None:
    for chunk in chunked(conn, asset_ids):
        _purge_annotations(
            conn,
            _ids_where(
                conn, t.annotations_table, one_of(conn, t.annotations_table.c.asset_id, chunk)
            ),
        )
        conn.execute(delete(t.tag_links).where(one_of(conn, t.tag_links.c.object_id, chunk)))
        conn.execute(delete(t.assets).where(one_of(conn, t.assets.c.id, chunk)))


def _purge_versions(conn: Connection, version_ids: list[UUID]) -> None:
    for version_id in version_ids:
        _purge_assets(conn, _ids_where(conn, t.assets, t.assets.c.dataset_version_id == version_id))
        conn.execute(delete(t.labels).where(t.labels.c.dataset_version_id == version_id))
        model_trash.purge_lineage_of_dataset_versions(conn, [version_id])
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == version_id))
        conn.execute(delete(t.dataset_versions).where(t.dataset_versions.c.id == version_id))


def _purge_datasets(conn: Connection, dataset_ids: list[UUID]) -> None:
    for dataset_id in dataset_ids:
        _purge_versions(
            conn,
            _ids_where(conn, t.dataset_versions, t.dataset_versions.c.dataset_id == dataset_id),
        )
        conn.execute(delete(t.workers).where(t.workers.c.dataset_id == dataset_id))
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == dataset_id))
        conn.execute(delete(t.datasets).where(t.datasets.c.id == dataset_id))
