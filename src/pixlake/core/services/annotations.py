"""Labels, annotations and their shapes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import ANNOTATION, ASSET, LABEL, SHAPE
from pixlake.core.query import annotation_condition
from pixlake.core.roles import require_own_work
from pixlake.core.services.assets import asset_versions, require_assets
from pixlake.core.services.datasets import require_version, require_workers, worker_for_user
from pixlake.core.services.idempotency import KeyedAnswer
from pixlake.core.sql import bulk_insert, chunked, one_of
from pixlake.enums import AnnotationStatus, ShapeKind
from pixlake.errors import BadRequestError, ConflictError, NotFoundError
from pixlake.ids import new_id
from pixlake.schemas import (
    AnnotationPage,
    AnnotationPublic,
    AnnotationQuery,
    LabelPublic,
    ShapeIn,
    ShapePublic,
    ShapeUpdate,
)
from pixlake.shapes import check_shape

__all__ = [
    "add_shapes",
    "create_annotation",
    "create_label",
    "delete_annotation",
    "delete_annotations",
    "delete_label",
    "delete_shape",
    "get_annotation",
    "list_annotations_of_asset",
    "list_labels",
    "list_shapes",
    "search_annotations",
    "update_annotation",
    "update_label",
    "update_shape",
]


# Labels


def _label_public(row: Any) -> LabelPublic:
    return LabelPublic(
        id=row.id,
        dataset_version_id=row.dataset_version_id,
        name=row.name,
        created_at=row.created_at,
    )


def _require_label(conn: Connection, actor: Actor, label_id: UUID, *, writing: bool = False) -> Any:
    row = conn.execute(
        kinds.select_visible(LABEL, actor.organization_id).where(t.labels.c.id == label_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"label {label_id} not found", details={"id": str(label_id)})
    require_version(conn, actor, row.dataset_version_id, writing=writing)
    return row


def create_label(ctx: AppContext, actor: Actor, version_id: UUID, name: str) -> LabelPublic:
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "dataset_version_id": version_id,
        "name": name,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            require_version(conn, actor, version_id, writing=True)
            conn.execute(insert(t.labels).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"the version already has a label {name!r}", details={"name": name}
        ) from exc
    return LabelPublic(**{k: v for k, v in row.items() if k != "organization_id"})


def get_or_create_labels(
    ctx: AppContext, actor: Actor, version_id: UUID, names: Sequence[str]
) -> list[LabelPublic]:
    """The version's labels of these names, the missing ones created (in one statement),
    in the order of ``names``."""
    wanted = list(dict.fromkeys(names))
    now = utcnow()
    try:
        with ctx.db.write() as conn:
            require_version(conn, actor, version_id, writing=True)
            query = select(t.labels).where(t.labels.c.dataset_version_id == version_id)
            existing = {row.name: _label_public(row) for row in conn.execute(query)}
            rows = [
                {
                    "id": new_id(),
                    "organization_id": actor.organization_id,
                    "dataset_version_id": version_id,
                    "name": name,
                    "created_at": now,
                }
                for name in wanted
                if name not in existing
            ]
            bulk_insert(conn, t.labels, rows)
    except IntegrityError as exc:  # another request created one of them meanwhile
        raise ConflictError("labels were created meanwhile: retry", details={}) from exc
    for row in rows:
        existing[row["name"]] = LabelPublic(
            **{k: v for k, v in row.items() if k != "organization_id"}
        )
    return [existing[name] for name in wanted]


def list_labels(
    ctx: AppContext, actor: Actor, version_id: UUID, name: str | None = None
) -> list[LabelPublic]:
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        query = select(t.labels).where(t.labels.c.dataset_version_id == version_id)
        if name is not None:
            query = query.where(t.labels.c.name == name)
        return [_label_public(r) for r in conn.execute(query.order_by(t.labels.c.id))]


def update_label(ctx: AppContext, actor: Actor, label_id: UUID, name: str) -> LabelPublic:
    try:
        with ctx.db.write() as conn:
            _require_label(conn, actor, label_id, writing=True)
            conn.execute(update(t.labels).where(t.labels.c.id == label_id).values(name=name))
            row = _require_label(conn, actor, label_id)
    except IntegrityError as exc:
        raise ConflictError(
            f"the version already has a label {name!r}", details={"name": name}
        ) from exc
    return _label_public(row)


def delete_label(ctx: AppContext, actor: Actor, label_id: UUID) -> None:
    """Delete a label no shape uses (ConflictError says how many do otherwise)."""
    with ctx.db.write() as conn:
        row = _require_label(conn, actor, label_id, writing=True)
        used = conn.execute(
            select(func.count()).where(t.shapes.c.label_id == label_id)
        ).scalar_one()
        if used:
            raise ConflictError(
                f"label {row.name!r} is used by {used} shape(s); delete or relabel them first",
                details={"id": str(label_id)},
            )
        conn.execute(delete(t.labels).where(t.labels.c.id == label_id))


# Annotations


def _annotation_public(row: Any) -> AnnotationPublic:
    return AnnotationPublic.trusted(
        id=row.id,
        asset_id=row.asset_id,
        dataset_version_id=row.dataset_version_id,
        worker_id=row.worker_id,
        duration=row.duration,
        status=AnnotationStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _dataset_of_version(conn: Connection, version_id: UUID) -> UUID:
    dataset_id: UUID = conn.execute(
        select(t.dataset_versions.c.dataset_id).where(t.dataset_versions.c.id == version_id)
    ).scalar_one()
    return dataset_id


def _require_annotation(
    conn: Connection, actor: Actor, annotation_id: UUID, *, writing: bool = False
) -> Any:
    row = conn.execute(
        kinds.select_visible(ANNOTATION, actor.organization_id).where(
            t.annotations_table.c.id == annotation_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"annotation {annotation_id} not found", details={"id": str(annotation_id)}
        )
    asset = require_assets(conn, actor, [row.asset_id])
    if writing:
        require_own_work(
            actor, _users_of_workers(conn, [row.worker_id]), "change another worker's annotation"
        )
    asset_versions(conn, actor, asset, writing=writing)
    return row


def _users_of_workers(conn: Connection, worker_ids: Sequence[UUID]) -> Iterator[UUID]:
    """The users behind these workers; a generator, so it queries only when read."""
    yield from (
        conn.execute(select(t.workers.c.user_id).where(t.workers.c.id.in_(list(worker_ids))))
        .scalars()
        .all()
    )


def _authors_on_assets(
    conn: Connection, asset_ids: Sequence[UUID], worker_ids: Sequence[UUID] | None
) -> Iterator[UUID]:
    """The users whose live annotations of these assets (by ``worker_ids`` when given)
    a bulk delete would reach; queried only when read."""
    for chunk in chunked(conn, list(asset_ids)):
        statement = (
            select(t.workers.c.user_id)
            .distinct()
            .join(t.annotations_table, t.annotations_table.c.worker_id == t.workers.c.id)
            .where(
                one_of(conn, t.annotations_table.c.asset_id, chunk), kinds.not_in_trash(ANNOTATION)
            )
        )
        if worker_ids is not None:
            statement = statement.where(t.annotations_table.c.worker_id.in_(list(worker_ids)))
        yield from conn.execute(statement).scalars().all()


def create_annotation(
    ctx: AppContext, actor: Actor, asset_id: UUID, duration: float, worker_id: UUID | None
) -> AnnotationPublic:
    """A new, empty annotation of the asset by ``worker_id`` (the actor when None)."""
    now = utcnow()
    try:
        with ctx.db.write() as conn:
            asset = require_assets(conn, actor, [asset_id])
            asset_versions(conn, actor, asset, writing=True)
            version_id = asset[0].dataset_version_id
            dataset_id = _dataset_of_version(conn, version_id)
            if worker_id is None:
                worker_id = worker_for_user(conn, actor, dataset_id)
            else:
                require_workers(conn, actor, dataset_id, [worker_id])
                require_own_work(
                    actor, _users_of_workers(conn, [worker_id]), "annotate as another worker"
                )
            row = {
                "id": new_id(),
                "organization_id": actor.organization_id,
                "dataset_version_id": version_id,
                "asset_id": asset_id,
                "worker_id": worker_id,
                "duration": float(duration),
                "status": AnnotationStatus.PENDING.value,
                "created_at": now,
                "updated_at": now,
            }
            conn.execute(insert(t.annotations_table).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"worker {worker_id} already has an annotation on asset {asset_id}",
            details={"asset_id": str(asset_id), "worker_id": str(worker_id)},
        ) from exc
    return _annotation_public(SimpleNamespace(**row))


def get_annotation(
    ctx: AppContext, actor: Actor, asset_id: UUID, worker_id: UUID | None
) -> AnnotationPublic:
    """The annotation of the asset by ``worker_id`` (the actor when None)."""
    with ctx.db.read() as conn:
        asset = require_assets(conn, actor, [asset_id])[0]
        query = select(t.annotations_table).where(
            t.annotations_table.c.asset_id == asset_id, kinds.not_in_trash(ANNOTATION)
        )
        if worker_id is None:
            query = query.join(t.workers, t.workers.c.id == t.annotations_table.c.worker_id).where(
                t.workers.c.user_id == actor.user_id
            )
            who = f"user {actor.username!r}"
        else:
            require_workers(
                conn, actor, _dataset_of_version(conn, asset.dataset_version_id), [worker_id]
            )
            query = query.where(t.annotations_table.c.worker_id == worker_id)
            who = f"worker {worker_id}"
        row = conn.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(
            f"{who} has no annotation on asset {asset.filename!r}",
            details={"asset_id": str(asset_id)},
        )
    return _annotation_public(row)


def get_annotation_by_id(ctx: AppContext, actor: Actor, annotation_id: UUID) -> AnnotationPublic:
    with ctx.db.read() as conn:
        return _annotation_public(_require_annotation(conn, actor, annotation_id))


def list_annotations_of_asset(
    ctx: AppContext, actor: Actor, asset_id: UUID
) -> list[AnnotationPublic]:
    with ctx.db.read() as conn:
        require_assets(conn, actor, [asset_id])
        rows = conn.execute(
            select(t.annotations_table)
            .where(t.annotations_table.c.asset_id == asset_id, kinds.not_in_trash(ANNOTATION))
            .order_by(t.annotations_table.c.id)
        )
        return [_annotation_public(r) for r in rows]


def update_annotation(
    ctx: AppContext,
    actor: Actor,
    annotation_id: UUID,
    duration: float | None,
    status: AnnotationStatus | None,
) -> AnnotationPublic:
    changes: dict[str, Any] = {"updated_at": utcnow()}
    if duration is not None:
        changes["duration"] = float(duration)
    if status is not None:
        changes["status"] = AnnotationStatus(status).value
    with ctx.db.write() as conn:
        _require_annotation(conn, actor, annotation_id, writing=True)
        conn.execute(
            update(t.annotations_table)
            .where(t.annotations_table.c.id == annotation_id)
            .values(**changes)
        )
        return _annotation_public(_require_annotation(conn, actor, annotation_id))


def delete_annotation(ctx: AppContext, actor: Actor, annotation_id: UUID) -> None:
    """Move one annotation (with its shapes) to the trash."""
    with ctx.db.write() as conn:
        _require_annotation(conn, actor, annotation_id, writing=True)
        conn.execute(
            update(t.annotations_table)
            .where(t.annotations_table.c.id == annotation_id)
            .values(deleted_at=utcnow())
        )


def delete_annotations(
    ctx: AppContext, actor: Actor, asset_ids: Sequence[UUID], worker_ids: Sequence[UUID] | None
) -> int:
    """Move the annotations of these assets (only those of ``worker_ids`` when given) to the
    trash, all or none; returns how many."""
    with ctx.db.write() as conn:
        assets = require_assets(conn, actor, asset_ids)
        asset_versions(conn, actor, assets, writing=True)
        if worker_ids is not None:
            datasets = {
                _dataset_of_version(conn, v) for v in {a.dataset_version_id for a in assets}
            }
            for dataset_id in datasets:
                require_workers(conn, actor, dataset_id, worker_ids)
        require_own_work(
            actor,
            _authors_on_assets(conn, [a.id for a in assets], worker_ids),
            "delete another worker's annotations",
        )
        now, count = utcnow(), 0
        for chunk in chunked(conn, [a.id for a in assets]):
            statement = update(t.annotations_table).where(
                one_of(conn, t.annotations_table.c.asset_id, chunk), kinds.not_in_trash(ANNOTATION)
            )
            if worker_ids is not None:
                statement = statement.where(t.annotations_table.c.worker_id.in_(list(worker_ids)))
            count += conn.execute(statement.values(deleted_at=now)).rowcount
    return count


def search_annotations(
    ctx: AppContext, actor: Actor, version_id: UUID, query: AnnotationQuery, q: str | None = None
) -> AnnotationPage:
    """One page of the live annotations of a version's live assets matching the filters and
    the query ``q`` (docs/query.md), in id order."""
    matching = annotation_condition(q, ctx.db.engine.dialect.name)  # refused before any read
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        statement = (
            select(t.annotations_table)
            .join(t.assets, t.assets.c.id == t.annotations_table.c.asset_id)
            .where(
                t.annotations_table.c.dataset_version_id == version_id,
                kinds.not_in_trash(ANNOTATION),
                kinds.not_in_trash(ASSET),
            )
        )
        if matching is not None:
            statement = statement.join(t.data, t.data.c.id == t.assets.c.data_id).where(matching)
        if query.worker_ids is not None:
            statement = statement.where(
                one_of(conn, t.annotations_table.c.worker_id, query.worker_ids)
            )
        if query.status is not None:
            statement = statement.where(t.annotations_table.c.status == query.status.value)
        if query.after is not None:
            statement = statement.where(t.annotations_table.c.id > query.after)
        rows = conn.execute(
            statement.order_by(t.annotations_table.c.id).limit(query.limit + 1)
        ).all()
    items = [_annotation_public(r) for r in rows[: query.limit]]
    return AnnotationPage(items=items, next_after=items[-1].id if len(rows) > query.limit else None)


# Shapes


def _shape_public(row: Any) -> ShapePublic:
    return ShapePublic.trusted(
        id=row.id,
        annotation_id=row.annotation_id,
        kind=ShapeKind(row.kind),
        label_id=row.label_id,
        x=row.x,
        y=row.y,
        w=row.w,
        h=row.h,
        coords=row.coords,
        text=row.text,
        created_at=row.created_at,
    )


def _require_labels_of_version(
    conn: Connection, actor: Actor, version_id: UUID, label_ids: Sequence[UUID]
) -> None:
    wanted = list(dict.fromkeys(label_ids))
    found = {
        row.id: row
        for row in conn.execute(
            select(t.labels.c.id, t.labels.c.name, t.labels.c.dataset_version_id).where(
                t.labels.c.id.in_(wanted), t.labels.c.organization_id == actor.organization_id
            )
        )
    }
    for label_id in wanted:
        if label_id not in found:
            raise NotFoundError(f"label {label_id} not found", details={"label_id": str(label_id)})
        if found[label_id].dataset_version_id != version_id:
            raise BadRequestError(
                f"label {found[label_id].name!r} belongs to another dataset version",
                details={"label_id": str(label_id)},
            )


def _image_size(conn: Connection, actor: Actor, annotation_id: UUID) -> tuple[int, int] | None:
    """Width and height of the image an annotation is drawn on; None when unknown (or when
    there is no such annotation, which the caller's own lookup then reports)."""
    row = conn.execute(
        select(t.data.c.width, t.data.c.height)
        .join(t.assets, t.assets.c.data_id == t.data.c.id)
        .join(t.annotations_table, t.annotations_table.c.asset_id == t.assets.c.id)
        .where(
            t.annotations_table.c.id == annotation_id,
            t.annotations_table.c.organization_id == actor.organization_id,
        )
    ).one_or_none()
    if row is None or not row.width or not row.height:
        return None
    return row.width, row.height


def add_shapes(
    ctx: AppContext,
    actor: Actor,
    annotation_id: UUID,
    shapes: Sequence[ShapeIn],
    replace: bool = False,
    answer: KeyedAnswer | None = None,
) -> list[ShapePublic]:
    """Add shapes to an annotation in one statement, all or none; with ``replace``, they
    take the place of every shape it had (``overwrite``). ``answer`` is recorded with the
    shapes (an idempotent request's)."""
    now = utcnow()
    with ctx.db.read() as conn:
        image_size = _image_size(conn, actor, annotation_id)
    rows = []
    for index, shape in enumerate(shapes):
        geometry = check_shape(
            shape.kind,
            x=shape.x,
            y=shape.y,
            w=shape.w,
            h=shape.h,
            coords=shape.coords,
            where=f"shape {index}",
            image_size=image_size,
        )
        rows.append(
            {
                "id": new_id(),
                "annotation_id": annotation_id,
                "kind": shape.kind.value,
                "label_id": shape.label_id,
                "text": shape.text,
                "created_at": now,
                **geometry,
            }
        )
    with ctx.db.write() as conn:
        annotation = _require_annotation(conn, actor, annotation_id, writing=True)
        _require_labels_of_version(
            conn, actor, annotation.dataset_version_id, [row["label_id"] for row in rows]
        )
        if replace:
            conn.execute(delete(t.shapes).where(t.shapes.c.annotation_id == annotation_id))
        common = {
            "organization_id": actor.organization_id,
            "dataset_version_id": annotation.dataset_version_id,
        }
        bulk_insert(conn, t.shapes, [{**row, **common} for row in rows])
        conn.execute(
            update(t.annotations_table)
            .where(t.annotations_table.c.id == annotation_id)
            .values(updated_at=now)
        )
        # Built before the commit, from input validated to be writable JSON.
        created = [ShapePublic.trusted(**{**row, "kind": ShapeKind(row["kind"])}) for row in rows]
        if answer is not None:
            answer.record(conn, created)
    return created


def list_shapes(
    ctx: AppContext, actor: Actor, annotation_id: UUID, kind: ShapeKind | None = None
) -> list[ShapePublic]:
    with ctx.db.read() as conn:
        _require_annotation(conn, actor, annotation_id)
        query = select(t.shapes).where(t.shapes.c.annotation_id == annotation_id)
        if kind is not None:
            query = query.where(t.shapes.c.kind == kind.value)
        return [_shape_public(r) for r in conn.execute(query.order_by(t.shapes.c.id))]


def _require_shape(conn: Connection, actor: Actor, shape_id: UUID) -> Any:
    row = conn.execute(
        kinds.select_visible(SHAPE, actor.organization_id).where(t.shapes.c.id == shape_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"shape {shape_id} not found", details={"id": str(shape_id)})
    _require_annotation(conn, actor, row.annotation_id, writing=True)
    return row


def update_shape(
    ctx: AppContext, actor: Actor, shape_id: UUID, changes: ShapeUpdate
) -> ShapePublic:
    given = changes.model_dump(exclude_unset=True)
    with ctx.db.write() as conn:
        row = _require_shape(conn, actor, shape_id)
        merged = {key: given.get(key, getattr(row, key)) for key in ("x", "y", "w", "h", "coords")}
        geometry = check_shape(
            ShapeKind(row.kind),
            **merged,
            where=f"shape {shape_id}",
            image_size=_image_size(conn, actor, row.annotation_id),
        )
        values: dict[str, Any] = {**geometry}
        if "label_id" in given and given["label_id"] is not None:
            _require_labels_of_version(conn, actor, row.dataset_version_id, [given["label_id"]])
            values["label_id"] = given["label_id"]
        if "text" in given:
            values["text"] = given["text"]
        conn.execute(update(t.shapes).where(t.shapes.c.id == shape_id).values(**values))
        return _shape_public(conn.execute(select(t.shapes).where(t.shapes.c.id == shape_id)).one())


def delete_shape(ctx: AppContext, actor: Actor, shape_id: UUID) -> None:
    with ctx.db.write() as conn:
        _require_shape(conn, actor, shape_id)
        conn.execute(delete(t.shapes).where(t.shapes.c.id == shape_id))
