"""Datalakes: the organization's pools of stored files."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import IntegrityError

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.roles import AdminAction, require_admin
from pixlake.errors import ConflictError, NotFoundError
from pixlake.ids import new_id
from pixlake.schemas import DatalakePublic

__all__ = ["create_datalake", "get_datalake", "list_datalakes", "require_datalake"]


def _public(row: Row[Any]) -> DatalakePublic:
    return DatalakePublic(
        id=row.id, name=row.name, organization_id=row.organization_id, created_at=row.created_at
    )


def create_datalake(ctx: AppContext, actor: Actor, name: str) -> DatalakePublic:
    require_admin(actor, AdminAction.CREATE_DATALAKE)
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "name": name,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            conn.execute(insert(t.datalakes).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"a datalake named {name!r} already exists", details={"name": name}
        ) from exc
    return DatalakePublic(**row)


def list_datalakes(ctx: AppContext, actor: Actor, name: str | None = None) -> list[DatalakePublic]:
    query = (
        select(t.datalakes)
        .where(t.datalakes.c.organization_id == actor.organization_id)
        .order_by(t.datalakes.c.id)
    )
    if name is not None:
        query = query.where(t.datalakes.c.name == name)
    with ctx.db.read() as conn:
        return [_public(row) for row in conn.execute(query)]


def get_datalake(ctx: AppContext, actor: Actor, datalake_id: UUID) -> DatalakePublic:
    with ctx.db.read() as conn:
        return _public(require_datalake(conn, actor, datalake_id))


def require_datalake(conn: Connection, actor: Actor, datalake_id: UUID) -> Row[Any]:
    """The datalake's row, or NotFoundError when it is not the actor organization's."""
    row = conn.execute(
        select(t.datalakes).where(
            t.datalakes.c.id == datalake_id, t.datalakes.c.organization_id == actor.organization_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"datalake {datalake_id} not found", details={"id": str(datalake_id)})
    return row
