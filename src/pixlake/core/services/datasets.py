"""Datasets, their versions and their workers."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import ANNOTATION, DATASET, DATASET_VERSION
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services.idempotency import KeyedAnswer
from pixlake.core.services.selection import version_assets
from pixlake.enums import InferenceType, Role, Target
from pixlake.errors import ConflictError, LockedError, NotFoundError
from pixlake.ids import new_id
from pixlake.schemas import (
    DatasetPublic,
    VersionPublic,
    VersionStats,
    WorkerPublic,
)

__all__ = [
    "add_worker",
    "create_dataset",
    "create_version",
    "delete_dataset",
    "delete_version",
    "fork_version",
    "get_dataset",
    "get_version",
    "list_datasets",
    "list_versions",
    "list_workers",
    "require_version",
    "set_locked",
    "update_dataset",
    "update_version",
    "version_stats",
    "worker_for_user",
]


def _dataset_public(row: Any) -> DatasetPublic:
    return DatasetPublic(
        id=row.id,
        name=row.name,
        description=row.description,
        organization_id=row.organization_id,
        created_at=row.created_at,
    )


def _version_public(row: Any) -> VersionPublic:
    return VersionPublic(
        id=row.id,
        dataset_id=row.dataset_id,
        version=row.version,
        description=row.description,
        type=InferenceType(row.type),
        locked=row.locked,
        created_at=row.created_at,
    )


def require_dataset(conn: Connection, actor: Actor, dataset_id: UUID) -> Any:
    row = conn.execute(
        kinds.select_visible(DATASET, actor.organization_id).where(t.datasets.c.id == dataset_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"dataset {dataset_id} not found", details={"id": str(dataset_id)})
    return row


def require_version(
    conn: Connection, actor: Actor, version_id: UUID, *, writing: bool = False
) -> Any:
    """The version's row, if the actor may see it (and, when writing, it isn't locked)."""
    row = conn.execute(
        kinds.select_visible(DATASET_VERSION, actor.organization_id).where(
            t.dataset_versions.c.id == version_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"dataset version {version_id} not found", details={"id": str(version_id)}
        )
    if writing and row.locked:
        raise LockedError(
            f"dataset version {row.version!r} is locked; unlock it to change it",
            details={"id": str(version_id), "version": row.version},
        )
    return row


# Datasets


def create_dataset(ctx: AppContext, actor: Actor, name: str, description: str) -> DatasetPublic:
    """A new dataset; its creator becomes its first worker."""
    now = utcnow()
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "name": name,
        "description": description,
        "created_by": actor.user_id,
        "created_at": now,
    }
    try:
        with ctx.db.write() as conn:
            conn.execute(insert(t.datasets).values(**row))
            conn.execute(
                insert(t.workers).values(
                    id=new_id(),
                    organization_id=actor.organization_id,
                    dataset_id=row["id"],
                    user_id=actor.user_id,
                    created_at=now,
                )
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"a dataset named {name!r} already exists", details={"name": name}
        ) from exc
    return DatasetPublic(**{k: v for k, v in row.items() if k != "created_by"})


def list_datasets(ctx: AppContext, actor: Actor, name: str | None = None) -> list[DatasetPublic]:
    query = kinds.select_visible(DATASET, actor.organization_id)
    if name is not None:
        query = query.where(t.datasets.c.name == name)
    with ctx.db.read() as conn:
        return [_dataset_public(r) for r in conn.execute(query.order_by(t.datasets.c.id))]


def get_dataset(ctx: AppContext, actor: Actor, dataset_id: UUID) -> DatasetPublic:
    with ctx.db.read() as conn:
        return _dataset_public(require_dataset(conn, actor, dataset_id))


def update_dataset(
    ctx: AppContext, actor: Actor, dataset_id: UUID, name: str | None, description: str | None
) -> DatasetPublic:
    changes = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
    try:
        with ctx.db.write() as conn:
            require_dataset(conn, actor, dataset_id)
            if changes:
                conn.execute(
                    update(t.datasets).where(t.datasets.c.id == dataset_id).values(**changes)
                )
            # Read inside the transaction: the answer never fails after the commit.
            return _dataset_public(require_dataset(conn, actor, dataset_id)).answer()
    except IntegrityError as exc:
        raise ConflictError(
            f"a dataset named {name!r} already exists", details={"name": name}
        ) from exc


def delete_dataset(ctx: AppContext, actor: Actor, dataset_id: UUID, force: bool = False) -> None:
    """Move the dataset (and so its versions) to the trash. A version a model version is
    attached to is taken along only with ``force`` (else ConflictError)."""
    from pixlake.core.services.lineage import refuse_attached

    with ctx.db.write() as conn:
        require_dataset(conn, actor, dataset_id)
        require_admin(actor, AdminAction.DELETE_DATASET)
        if not force:
            refuse_attached(
                conn,
                actor,
                select(t.dataset_versions.c.id).where(
                    t.dataset_versions.c.dataset_id == dataset_id,
                    kinds.not_in_trash(DATASET_VERSION),
                ),
            )
        locked = (
            conn.execute(
                select(t.dataset_versions.c.version).where(
                    t.dataset_versions.c.dataset_id == dataset_id,
                    t.dataset_versions.c.locked,
                    kinds.not_in_trash(DATASET_VERSION),
                )
            )
            .scalars()
            .first()
        )
        if locked is not None:
            raise LockedError(
                f"dataset version {locked!r} is locked; unlock it first",
                details={"id": str(dataset_id), "version": locked},
            )
        conn.execute(
            update(t.datasets).where(t.datasets.c.id == dataset_id).values(deleted_at=utcnow())
        )


# Versions


def create_version(
    ctx: AppContext,
    actor: Actor,
    dataset_id: UUID,
    version: str,
    description: str,
    type: InferenceType,
) -> VersionPublic:
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "dataset_id": dataset_id,
        "version": version,
        "description": description,
        "type": type.value,
        "locked": False,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            require_dataset(conn, actor, dataset_id)
            conn.execute(insert(t.dataset_versions).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"the dataset already has a version {version!r}", details={"version": version}
        ) from exc
    return _version_public(SimpleNamespace(**row))


def list_versions(
    ctx: AppContext, actor: Actor, dataset_id: UUID, version: str | None = None
) -> list[VersionPublic]:
    with ctx.db.read() as conn:
        require_dataset(conn, actor, dataset_id)
        query = kinds.select_visible(DATASET_VERSION, actor.organization_id).where(
            t.dataset_versions.c.dataset_id == dataset_id
        )
        if version is not None:
            query = query.where(t.dataset_versions.c.version == version)
        rows = conn.execute(query.order_by(t.dataset_versions.c.id))
        return [_version_public(r) for r in rows]


def get_version(ctx: AppContext, actor: Actor, version_id: UUID) -> VersionPublic:
    with ctx.db.read() as conn:
        return _version_public(require_version(conn, actor, version_id))


def update_version(
    ctx: AppContext,
    actor: Actor,
    version_id: UUID,
    version: str | None,
    description: str | None,
    type: InferenceType | None,
) -> VersionPublic:
    changes: dict[str, Any] = {
        "version": version,
        "description": description,
        "type": type.value if type is not None else None,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    try:
        with ctx.db.write() as conn:
            require_version(conn, actor, version_id, writing=True)
            if changes:
                conn.execute(
                    update(t.dataset_versions)
                    .where(t.dataset_versions.c.id == version_id)
                    .values(**changes)
                )
            return _version_public(require_version(conn, actor, version_id)).answer()
    except IntegrityError as exc:
        raise ConflictError(
            f"the dataset already has a version {version!r}", details={"version": version}
        ) from exc


def set_locked(ctx: AppContext, actor: Actor, version_id: UUID, locked: bool) -> VersionPublic:
    with ctx.db.write() as conn:
        require_version(conn, actor, version_id)
        require_admin(actor, AdminAction.LOCK_VERSION if locked else AdminAction.UNLOCK_VERSION)
        conn.execute(
            update(t.dataset_versions)
            .where(t.dataset_versions.c.id == version_id)
            .values(locked=locked)
        )
        return _version_public(require_version(conn, actor, version_id)).answer()


def delete_version(ctx: AppContext, actor: Actor, version_id: UUID, force: bool = False) -> None:
    """Move the version (and so its assets and annotations) to the trash. A version a model
    version is attached to goes only with ``force`` (else ConflictError)."""
    from pixlake.core.services.lineage import refuse_attached

    with ctx.db.write() as conn:
        require_version(conn, actor, version_id)
        require_admin(actor, AdminAction.DELETE_VERSION)
        require_version(conn, actor, version_id, writing=True)
        if not force:
            refuse_attached(conn, actor, [version_id])
        conn.execute(
            update(t.dataset_versions)
            .where(t.dataset_versions.c.id == version_id)
            .values(deleted_at=utcnow())
        )


def fork_version(
    ctx: AppContext,
    actor: Actor,
    version_id: UUID,
    version: str,
    description: str,
    with_annotations: bool,
    answer: KeyedAnswer | None = None,
) -> VersionPublic:
    """A new version of the same dataset holding the same assets, without copying bytes.

    Asset tags and labels come along; annotations and their shapes too when asked.
    Everything is copied with INSERT ... SELECT, so the cost does not grow in Python.
    ``answer`` is recorded with the new version (an idempotent request's).
    """
    from pixlake.core.services.forking import copy_version_content

    new_version_id = new_id()
    try:
        with ctx.db.write() as conn:
            source = require_version(conn, actor, version_id)
            conn.execute(
                insert(t.dataset_versions).values(
                    id=new_version_id,
                    organization_id=actor.organization_id,
                    dataset_id=source.dataset_id,
                    version=version,
                    description=description,
                    type=source.type,
                    locked=False,
                    created_at=utcnow(),
                )
            )
            copy_version_content(conn, version_id, new_version_id, with_annotations)
            forked = _version_public(require_version(conn, actor, new_version_id)).answer()
            if answer is not None:
                answer.record(conn, forked)
    except IntegrityError as exc:
        raise ConflictError(
            f"the dataset already has a version {version!r}", details={"version": version}
        ) from exc
    return forked


def version_stats(
    ctx: AppContext, actor: Actor, version_id: UUID, q: str | None = None
) -> VersionStats:
    """Counts over the version's live assets matching ``q`` (all of them when None)."""
    # The version itself is checked alive below, so its assets and annotations only need
    # to be out of the trash themselves: the same shape as before, no join up the lineage.
    live_assets = version_assets(version_id, actor.organization_id, q, ctx.db.engine.dialect.name)
    live_annotations = select(t.annotations_table.c.id).where(
        t.annotations_table.c.dataset_version_id == version_id,
        kinds.not_in_trash(ANNOTATION),
        t.annotations_table.c.asset_id.in_(live_assets),
    )
    # (label, asset) once for each asset holding a shape of the label.
    held = (
        select(t.shapes.c.label_id, t.annotations_table.c.asset_id)
        .distinct()
        .join(t.annotations_table, t.annotations_table.c.id == t.shapes.c.annotation_id)
        .where(
            t.shapes.c.dataset_version_id == version_id,
            t.annotations_table.c.id.in_(live_annotations),
        )
        .subquery()
    )
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        nb_assets = conn.execute(
            select(func.count()).select_from(live_assets.subquery())
        ).scalar_one()
        nb_annotations = conn.execute(
            select(func.count()).select_from(live_annotations.subquery())
        ).scalar_one()
        per_label: dict[str, int] = dict(
            conn.execute(
                select(t.labels.c.name, func.count(t.shapes.c.id))
                .select_from(
                    t.labels.outerjoin(
                        t.shapes,
                        (t.shapes.c.label_id == t.labels.c.id)
                        & t.shapes.c.annotation_id.in_(live_annotations),
                    )
                )
                .where(t.labels.c.dataset_version_id == version_id)
                .group_by(t.labels.c.name)
            ).all()
        )
        images_per_label: dict[str, int] = dict(
            conn.execute(
                select(t.labels.c.name, func.count(held.c.asset_id))
                .select_from(t.labels.outerjoin(held, held.c.label_id == t.labels.c.id))
                .where(t.labels.c.dataset_version_id == version_id)
                .group_by(t.labels.c.name)
            ).all()
        )
        per_tag: dict[str, int] = dict(
            conn.execute(
                select(t.tags.c.name, func.count(t.tag_links.c.object_id))
                .join(t.tag_links, t.tag_links.c.tag_id == t.tags.c.id)
                .where(
                    t.tags.c.organization_id == actor.organization_id,
                    t.tags.c.target == Target.ASSET.value,
                    t.tag_links.c.object_id.in_(live_assets),
                )
                .group_by(t.tags.c.name)
            ).all()
        )
    return VersionStats(
        nb_assets=nb_assets,
        nb_annotations=nb_annotations,
        nb_objects=sum(per_label.values()),
        label_repartition=per_label,
        label_image_repartition=images_per_label,
        tag_repartition=per_tag,
    )


# Workers


def _worker_query() -> Any:
    return select(
        t.workers.c.id,
        t.workers.c.dataset_id,
        t.workers.c.user_id,
        t.users.c.username,
        t.users.c.role,
    ).join(t.users, t.users.c.id == t.workers.c.user_id)


def _worker_public(row: Any) -> WorkerPublic:
    return WorkerPublic(
        id=row.id,
        dataset_id=row.dataset_id,
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
    )


def add_worker(ctx: AppContext, actor: Actor, dataset_id: UUID, username: str) -> WorkerPublic:
    """Make a user of the same organization a worker of the dataset (idempotent)."""
    with ctx.db.write() as conn:
        require_dataset(conn, actor, dataset_id)
        user = conn.execute(
            select(t.users.c.id, t.users.c.role).where(
                t.users.c.username == username, t.users.c.organization_id == actor.organization_id
            )
        ).one_or_none()
        if user is None:
            raise NotFoundError(
                f"no user named {username!r} in this organization", details={"username": username}
            )
        user_id = user.id
        existing = conn.execute(
            _worker_query().where(
                t.workers.c.dataset_id == dataset_id, t.workers.c.user_id == user_id
            )
        ).one_or_none()
        if existing is not None:
            return _worker_public(existing)
        worker_id = new_id()
        conn.execute(
            insert(t.workers).values(
                id=worker_id,
                organization_id=actor.organization_id,
                dataset_id=dataset_id,
                user_id=user_id,
                created_at=utcnow(),
            )
        )
    return WorkerPublic(
        id=worker_id,
        dataset_id=dataset_id,
        user_id=user_id,
        username=username,
        role=Role(user.role),
    )


def list_workers(
    ctx: AppContext, actor: Actor, dataset_id: UUID, username: str | None = None
) -> list[WorkerPublic]:
    with ctx.db.read() as conn:
        require_dataset(conn, actor, dataset_id)
        query = _worker_query().where(t.workers.c.dataset_id == dataset_id)
        if username is not None:
            query = query.where(t.users.c.username == username)
        return [_worker_public(r) for r in conn.execute(query.order_by(t.workers.c.id))]


def worker_for_user(conn: Connection, actor: Actor, dataset_id: UUID) -> UUID:
    """The actor's worker id on the dataset, enrolling the actor on first use."""
    enrolled: UUID | None = conn.execute(
        select(t.workers.c.id).where(
            t.workers.c.dataset_id == dataset_id, t.workers.c.user_id == actor.user_id
        )
    ).scalar_one_or_none()
    if enrolled is not None:
        return enrolled
    worker_id = new_id()
    conn.execute(
        insert(t.workers).values(
            id=worker_id,
            organization_id=actor.organization_id,
            dataset_id=dataset_id,
            user_id=actor.user_id,
            created_at=utcnow(),
        )
    )
    return worker_id


def require_workers(
    conn: Connection, actor: Actor, dataset_id: UUID, worker_ids: Sequence[UUID]
) -> None:
    """Every id must be a worker of this dataset (a worker of another one is refused)."""
    wanted = list(dict.fromkeys(worker_ids))
    found = set(
        conn.execute(
            select(t.workers.c.id).where(
                t.workers.c.id.in_(wanted),
                t.workers.c.dataset_id == dataset_id,
                t.workers.c.organization_id == actor.organization_id,
            )
        ).scalars()
    )
    for worker_id in wanted:
        if worker_id not in found:
            raise NotFoundError(
                f"worker {worker_id} is not a worker of this dataset",
                details={"worker_id": str(worker_id)},
            )
