"""Tags and the one mechanism that attaches them to objects of every kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services.idempotency import KeyedAnswer
from pixlake.core.sql import bulk_insert, chunked, one_of
from pixlake.enums import Target
from pixlake.errors import (
    BadRequestError,
    ConflictError,
    LockedError,
    NotFoundError,
    WrongTargetError,
)
from pixlake.ids import new_id
from pixlake.limits import MAX_NAME_LENGTH
from pixlake.schemas import TagPublic
from pixlake.validation import check_text

__all__ = [
    "attach_tags",
    "create_tag",
    "delete_tag",
    "detach_tags",
    "ensure_tags",
    "get_tag",
    "list_tags",
    "tags_of",
    "update_tag",
]


def _public(row: Row[Any]) -> TagPublic:
    return TagPublic(
        id=row.id,
        name=row.name,
        target=Target(row.target),
        organization_id=row.organization_id,
        created_at=row.created_at,
    )


def check_names(names: Sequence[str]) -> None:
    """Refuse an invalid tag name before anything of a request is stored."""
    for name in names:
        _check_name(name)


def _check_name(name: str) -> str:
    if not name or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise BadRequestError(f"invalid tag name {name!r}", details={"name": name})
    return check_text(name, "tag name")


def create_tag(ctx: AppContext, actor: Actor, name: str, target: Target) -> TagPublic:
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "name": _check_name(name),
        "target": Target(target).value,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            conn.execute(insert(t.tags).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"a tag named {name!r} already exists for target {target}",
            details={"name": name, "target": str(target)},
        ) from exc
    return TagPublic(**row)


def list_tags(
    ctx: AppContext, actor: Actor, target: Target | None = None, name: str | None = None
) -> list[TagPublic]:
    query = select(t.tags).where(t.tags.c.organization_id == actor.organization_id)
    if target is not None:
        query = query.where(t.tags.c.target == Target(target).value)
    if name is not None:
        query = query.where(t.tags.c.name == name)
    with ctx.db.read() as conn:
        return [_public(row) for row in conn.execute(query.order_by(t.tags.c.id))]


def get_tag(ctx: AppContext, actor: Actor, tag_id: UUID) -> TagPublic:
    with ctx.db.read() as conn:
        return _public(_require_tags(conn, actor, [tag_id])[0])


def update_tag(ctx: AppContext, actor: Actor, tag_id: UUID, name: str) -> TagPublic:
    try:
        with ctx.db.write() as conn:
            tag = _require_tags(conn, actor, [tag_id])[0]
            # Admins only: a tag's name is the whole organization's vocabulary.
            require_admin(actor, AdminAction.RENAME_TAG)
            conn.execute(update(t.tags).where(t.tags.c.id == tag_id).values(name=_check_name(name)))
            # Read inside the transaction: the answer never fails after the commit.
            return _public(_require_tags(conn, actor, [tag_id])[0]).answer()
    except IntegrityError as exc:
        raise ConflictError(
            f"a tag named {name!r} already exists for target {tag.target}",
            details={"name": name, "target": tag.target},
        ) from exc


def delete_tag(ctx: AppContext, actor: Actor, tag_id: UUID) -> None:
    with ctx.db.write() as conn:
        _require_tags(conn, actor, [tag_id])
        # Admins only: it comes off every object of the organization, with no trash.
        require_admin(actor, AdminAction.DELETE_TAG)
        conn.execute(delete(t.tag_links).where(t.tag_links.c.tag_id == tag_id))
        conn.execute(delete(t.tags).where(t.tags.c.id == tag_id))


def ensure_tags(conn: Connection, actor: Actor, names: Sequence[str], target: Target) -> list[UUID]:
    """Ids of the tags called ``names`` for ``target``, creating those that don't exist yet."""
    names = list(dict.fromkeys(_check_name(n) for n in names))
    if not names:
        return []
    now = utcnow()
    bulk_insert(
        conn,
        t.tags,
        [
            {
                "id": new_id(),
                "organization_id": actor.organization_id,
                "name": name,
                "target": target.value,
                "created_at": now,
            }
            for name in names
        ],
        skip_duplicates_of=["organization_id", "target", "name"],
    )
    return resolve_tag_names(conn, actor, names, target)


def resolve_tag_names(
    conn: Connection, actor: Actor, names: Sequence[str], target: Target
) -> list[UUID]:
    """Ids of existing tags by name; NotFoundError naming the first unknown one."""
    by_name = {
        row.name: row.id
        for row in conn.execute(
            select(t.tags.c.id, t.tags.c.name).where(
                t.tags.c.organization_id == actor.organization_id,
                t.tags.c.target == target.value,
                t.tags.c.name.in_(list(names)),
            )
        )
    }
    for name in names:
        if name not in by_name:
            raise NotFoundError(
                f"no tag named {name!r} for target {target}",
                details={"name": name, "target": target.value},
            )
    return [by_name[name] for name in names]


def require_tags_of_target(
    conn: Connection, actor: Actor, tag_ids: Sequence[UUID], target: Target
) -> list[UUID]:
    """Check every tag exists in the organization and targets ``target``."""
    tag_ids = list(dict.fromkeys(tag_ids))
    for row in _require_tags(conn, actor, tag_ids):
        if row.target != target.value:
            raise WrongTargetError(
                f"tag {row.name!r} targets {row.target}, it can't be used on {target}",
                details={
                    "tag_id": str(row.id),
                    "tag_target": row.target,
                    "object_target": target.value,
                },
            )
    return tag_ids


def _require_tags(conn: Connection, actor: Actor, tag_ids: Sequence[UUID]) -> list[Row[Any]]:
    rows = {
        row.id: row
        for row in conn.execute(
            select(t.tags).where(
                t.tags.c.id.in_(list(tag_ids)), t.tags.c.organization_id == actor.organization_id
            )
        )
    }
    for tag_id in tag_ids:
        if tag_id not in rows:
            raise NotFoundError(f"tag {tag_id} not found", details={"id": str(tag_id)})
    return [rows[tag_id] for tag_id in tag_ids]


def _require_objects(
    conn: Connection,
    actor: Actor,
    target: Target,
    object_ids: Sequence[UUID],
    *,
    writing: bool = False,
) -> None:
    """Every object must be visible to the actor (alive, its ancestors too); when
    ``writing``, none may be frozen by a locked ancestor."""
    kind = kinds.by_tag_target(target)
    wanted = list(dict.fromkeys(object_ids))
    if kind is None:
        # No object of a kind pixlake does not store yet (models) can exist: its ids name
        # nothing, as an unknown id of any other kind.
        raise NotFoundError(
            f"{target.value.lower()} {wanted[0]} not found (objects of kind "
            f"{target} can't be tagged yet)",
            details={"id": str(wanted[0]), "target": target.value},
        )
    found: set[UUID] = set()
    for chunk in chunked(conn, wanted):
        found.update(
            conn.execute(
                kinds.select_visible(kind, actor.organization_id, kind.id_column).where(
                    one_of(conn, kind.id_column, chunk)
                )
            ).scalars()
        )
    for object_id in wanted:
        if object_id not in found:
            raise NotFoundError(
                f"{target.value.lower()} {object_id} not found",
                details={"id": str(object_id), "target": target.value},
            )
    if writing and kind.locked_by is not None:
        _refuse_locked(conn, kind, wanted)


def _refuse_locked(conn: Connection, kind: kinds.Kind, object_ids: Sequence[UUID]) -> None:
    """Tags of objects frozen by a locked ancestor (assets of a locked version) can't change."""
    assert kind.locked_by is not None
    lock = kinds.KINDS[kind.locked_by]
    for chunk in chunked(conn, list(object_ids)):
        locked = conn.execute(
            select(lock.id_column, lock.table.c[lock.name_column])
            .select_from(kinds.join_up_to(kind, lock))
            .where(one_of(conn, kind.id_column, chunk), lock.table.c.locked)
        ).first()
        if locked is not None:
            lock_id, name = locked
            raise LockedError(
                f"{lock.label} {name!r} is locked; unlock it to change it",
                details={"id": str(lock_id), lock.name_column: name},
            )


def link_tags(conn: Connection, object_ids: Sequence[UUID], tag_ids: Sequence[UUID]) -> None:
    """Attach already-checked tags to already-checked objects (no-op for existing links)."""
    rows = [
        {"tag_id": tag_id, "object_id": object_id}
        for object_id in dict.fromkeys(object_ids)
        for tag_id in tag_ids
    ]
    bulk_insert(conn, t.tag_links, rows, skip_duplicates_of=["tag_id", "object_id"])


def attach_tags(
    ctx: AppContext,
    actor: Actor,
    target: Target,
    object_ids: Sequence[UUID],
    tag_ids: Sequence[UUID],
    tag_names: Sequence[str] = (),
    answer: KeyedAnswer | None = None,
) -> None:
    """Attach tags given by id or by name; names not known yet for ``target`` are created in
    the same transaction, so a refused request creates no tag. ``answer`` is recorded with
    the links (an idempotent request's)."""
    check_names(tag_names)
    with ctx.db.write() as conn:
        tag_ids = require_tags_of_target(conn, actor, tag_ids, target)
        _require_objects(conn, actor, target, object_ids, writing=True)
        tag_ids = list(dict.fromkeys([*tag_ids, *ensure_tags(conn, actor, tag_names, target)]))
        link_tags(conn, object_ids, tag_ids)
        if answer is not None:
            answer.record(conn, None)


def detach_tags(
    ctx: AppContext,
    actor: Actor,
    target: Target,
    object_ids: Sequence[UUID],
    tag_ids: Sequence[UUID],
    tag_names: Sequence[str] = (),
    answer: KeyedAnswer | None = None,
) -> None:
    """Detach tags given by id or by name; an unknown name is a NotFoundError."""
    check_names(tag_names)
    with ctx.db.write() as conn:
        tag_ids = require_tags_of_target(conn, actor, tag_ids, target)
        if tag_names:
            named = resolve_tag_names(conn, actor, list(dict.fromkeys(tag_names)), target)
            tag_ids = list(dict.fromkeys([*tag_ids, *named]))
        _require_objects(conn, actor, target, object_ids, writing=True)
        for chunk in chunked(conn, list(dict.fromkeys(object_ids))):
            conn.execute(
                delete(t.tag_links).where(
                    t.tag_links.c.tag_id.in_(tag_ids), one_of(conn, t.tag_links.c.object_id, chunk)
                )
            )
        if answer is not None:
            answer.record(conn, None)


def tags_of(ctx: AppContext, actor: Actor, target: Target, object_id: UUID) -> list[TagPublic]:
    with ctx.db.read() as conn:
        _require_objects(conn, actor, target, [object_id])
        rows = conn.execute(
            select(t.tags)
            .join(t.tag_links, t.tag_links.c.tag_id == t.tags.c.id)
            .where(t.tag_links.c.object_id == object_id, t.tags.c.target == target.value)
            .order_by(t.tags.c.name)
        )
        return [_public(row) for row in rows]


def tagged_filter(
    conn: Connection,
    actor: Actor,
    id_column: Any,
    tag_ids: Sequence[UUID],
    tag_names: Sequence[str],
    target: Target,
) -> Any | None:
    """A WHERE clause keeping objects that have any of the tags (given by id or by name,
    all of ``target``), or None when no tag is given. Unknown tags raise NotFoundError."""
    wanted = require_tags_of_target(conn, actor, tag_ids, target) if tag_ids else []
    if tag_names:
        wanted += resolve_tag_names(conn, actor, tag_names, target)
    if not wanted:
        return None
    return id_column.in_(select(t.tag_links.c.object_id).where(t.tag_links.c.tag_id.in_(wanted)))


def unlink_objects(conn: Connection, object_ids: Sequence[UUID]) -> None:
    """Drop every tag link of objects that are being deleted."""
    for chunk in chunked(conn, list(object_ids)):
        conn.execute(delete(t.tag_links).where(one_of(conn, t.tag_links.c.object_id, chunk)))
