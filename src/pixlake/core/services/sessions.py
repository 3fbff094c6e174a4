"""The user behind a web app session, read afresh on every request it makes."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.enums import Role

__all__ = ["SessionUser", "session_user"]


@dataclass(frozen=True)
class SessionUser:
    actor: Actor
    token_hash: str | None
    """The hash of the user's current API token (None for an embedded workspace's owner)."""
    revoked: bool


def session_user(ctx: AppContext, user_id: UUID) -> SessionUser | None:
    """The user a session names, with what decides whether the session still holds;
    None when no such user exists (any more)."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(
                t.users.c.id,
                t.users.c.organization_id,
                t.users.c.username,
                t.users.c.role,
                t.users.c.token_hash,
                t.users.c.revoked_at,
            ).where(t.users.c.id == user_id)
        ).one_or_none()
    if row is None:
        return None
    actor = Actor(
        user_id=row.id,
        organization_id=row.organization_id,
        username=row.username,
        role=Role(row.role),
    )
    return SessionUser(actor, row.token_hash, row.revoked_at is not None)
