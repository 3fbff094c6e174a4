"""Organizations, users and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import models as m
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.errors import BadRequestError, ConflictError, NotFoundError, UnauthorizedError
from pixlake.ids import new_id
from pixlake.schemas import Me, OrganizationPublic, UserPublic

__all__ = [
    "DEFAULT_DATALAKE_NAME",
    "DEFAULT_ORGANIZATION_NAME",
    "TOKEN_PREFIX",
    "authenticate",
    "create_user",
    "ensure_organization",
    "hash_token",
    "me",
    "revoke_user",
]

TOKEN_PREFIX = "pxl_"
DEFAULT_ORGANIZATION_NAME = "default"
DEFAULT_DATALAKE_NAME = "default"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast unsalted hash is enough to make a stolen
    # database useless for calling the API.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_organization(conn: Connection, name: str) -> UUID:
    """The id of the organization called ``name``, created with its default datalake if new."""
    found = conn.execute(select(m.organizations.c.id).where(m.organizations.c.name == name))
    org_id = found.scalar_one_or_none()
    if org_id is not None:
        return org_id
    org_id = new_id()
    now = utcnow()
    conn.execute(insert(m.organizations).values(id=org_id, name=name, created_at=now))
    conn.execute(insert(m.datalakes).values(
        id=new_id(), organization_id=org_id, name=DEFAULT_DATALAKE_NAME, created_at=now
    ))
    return org_id


def create_user(
    ctx: AppContext, username: str, organization: str = DEFAULT_ORGANIZATION_NAME,
    *, with_token: bool = True,
) -> tuple[UserPublic, str | None]:
    """Create a user (and its organization if new); returns it with its API token.

    The token is returned once and only its hash is kept.
    """
    username = username.strip()
    if not username or len(username) > 255:
        raise BadRequestError(f"invalid username {username!r}", details={"username": username})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32) if with_token else None
    user_id, now = new_id(), utcnow()
    try:
        with ctx.db.write() as conn:
            org_id = ensure_organization(conn, organization)
            conn.execute(insert(m.users).values(
                id=user_id, organization_id=org_id, username=username,
                token_hash=hash_token(token) if token else None, created_at=now,
            ))
    except IntegrityError as exc:
        raise ConflictError(f"user {username!r} already exists",
                            details={"username": username}) from exc
    user = UserPublic(id=user_id, username=username, organization_id=org_id, created_at=now)
    return user, token


def revoke_user(ctx: AppContext, username: str) -> None:
    """Make a user's token unusable from now on."""
    with ctx.db.write() as conn:
        token_hash = conn.execute(
            select(m.users.c.token_hash).where(m.users.c.username == username)
        ).one_or_none()
        if token_hash is None:
            raise NotFoundError(f"no user named {username!r}", details={"username": username})
        if token_hash[0] is None:
            raise BadRequestError(f"user {username!r} has no API token to revoke "
                                  "(it is the owner of an embedded workspace)",
                                  details={"username": username})
        conn.execute(
            update(m.users).where(m.users.c.username == username).values(revoked_at=utcnow())
        )


def authenticate(ctx: AppContext, token: str | None) -> Actor:
    """The actor a token belongs to. Raises UnauthorizedError if missing, unknown or revoked."""
    if not token:
        raise UnauthorizedError("an API token is required (Authorization: Bearer <token>)")
    with ctx.db.read() as conn:
        row = conn.execute(
            select(m.users.c.id, m.users.c.organization_id, m.users.c.username,
                   m.users.c.revoked_at)
            .where(m.users.c.token_hash == hash_token(token))
        ).one_or_none()
    if row is None:
        raise UnauthorizedError("the API token is not valid")
    if row.revoked_at is not None:
        raise UnauthorizedError("the API token has been revoked")
    return Actor(user_id=row.id, organization_id=row.organization_id, username=row.username)


def actor_for_username(ctx: AppContext, username: str) -> Actor:
    with ctx.db.read() as conn:
        row = conn.execute(
            select(m.users.c.id, m.users.c.organization_id, m.users.c.username)
            .where(m.users.c.username == username)
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"no user named {username!r}", details={"username": username})
    return Actor(user_id=row.id, organization_id=row.organization_id, username=row.username)


def me(ctx: AppContext, actor: Actor) -> Me:
    with ctx.db.read() as conn:
        user = conn.execute(select(m.users).where(m.users.c.id == actor.user_id)).one()
        org = conn.execute(
            select(m.organizations).where(m.organizations.c.id == actor.organization_id)
        ).one()
    return Me(
        user=UserPublic(id=user.id, username=user.username, organization_id=user.organization_id,
                        created_at=user.created_at),
        organization=OrganizationPublic(id=org.id, name=org.name, created_at=org.created_at),
    )
