"""Organizations, users and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.roles import AdminAction, require_admin
from pixlake.defaults import DEFAULT_DATALAKE_NAME, DEFAULT_ORGANIZATION_NAME
from pixlake.enums import Role
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
    "list_users",
    "me",
    "revoke_user",
    "set_role",
]

TOKEN_PREFIX = "pxl_"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast unsalted hash is enough to make a stolen
    # database useless for calling the API.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_organization(conn: Connection, name: str) -> UUID:
    """The id of the organization called ``name``, created with its default datalake if new."""
    found = conn.execute(select(t.organizations.c.id).where(t.organizations.c.name == name))
    existing: UUID | None = found.scalar_one_or_none()
    if existing is not None:
        return existing
    org_id = new_id()
    now = utcnow()
    conn.execute(insert(t.organizations).values(id=org_id, name=name, created_at=now))
    conn.execute(
        insert(t.datalakes).values(
            id=new_id(), organization_id=org_id, name=DEFAULT_DATALAKE_NAME, created_at=now
        )
    )
    return org_id


def create_user(
    ctx: AppContext,
    username: str,
    organization: str = DEFAULT_ORGANIZATION_NAME,
    *,
    with_token: bool = True,
    role: Role | None = None,
) -> tuple[UserPublic, str | None]:
    """Create a user (and its organization if new); returns it with its API token.

    The token is returned once and only its hash is kept.

    Args:
        role: what the user may do in its organization. By default the organization's
            first user who can sign in is an admin (the embedded workspace's owner, who has
            no token, does not count), and later ones are members. A new organization's
            first user can't be a member: nobody could then administer it.
    """
    username = username.strip()
    if not username or len(username) > 255:
        raise BadRequestError(f"invalid username {username!r}", details={"username": username})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32) if with_token else None
    user_id, now = new_id(), utcnow()
    try:
        with ctx.db.write() as conn:
            is_new = _organization_id(conn, organization) is None
            org_id = ensure_organization(conn, organization)
            if role is None:
                role = Role.MEMBER if _has_users_with_tokens(conn, org_id) else Role.ADMIN
            elif is_new and role is not Role.ADMIN:
                raise BadRequestError(
                    f"the first user of organization {organization!r} must be an admin",
                    details={"username": username, "role": role.value},
                )
            conn.execute(
                insert(t.users).values(
                    id=user_id,
                    organization_id=org_id,
                    username=username,
                    token_hash=hash_token(token) if token else None,
                    created_at=now,
                    role=role.value,
                )
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"user {username!r} already exists", details={"username": username}
        ) from exc
    user = UserPublic(
        id=user_id, username=username, organization_id=org_id, created_at=now, role=role
    )
    return user, token


def _organization_id(conn: Connection, name: str) -> UUID | None:
    return conn.execute(
        select(t.organizations.c.id).where(t.organizations.c.name == name)
    ).scalar_one_or_none()


def _has_users_with_tokens(conn: Connection, org_id: UUID) -> bool:
    return (
        conn.execute(
            select(t.users.c.id)
            .where(t.users.c.organization_id == org_id, t.users.c.token_hash.is_not(None))
            .limit(1)
        ).first()
        is not None
    )


def _user_public(row: Any) -> UserPublic:
    return UserPublic(
        id=row.id,
        username=row.username,
        organization_id=row.organization_id,
        created_at=row.created_at,
        role=Role(row.role),
    )


def list_users(ctx: AppContext, actor: Actor) -> list[UserPublic]:
    """The users of the actor's organization, with their roles, oldest first."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(t.users)
            .where(
                t.users.c.organization_id == actor.organization_id, t.users.c.revoked_at.is_(None)
            )
            .order_by(t.users.c.created_at, t.users.c.id)
        )
        return [_user_public(row) for row in rows]


def revoke_user(ctx: AppContext, username: str, actor: Actor | None = None) -> None:
    """Make a user's token unusable from now on.

    Args:
        actor: the admin asking, who may revoke users of its own organization only; None
            for an operator working on the workspace itself (``pixlake users revoke``).
    """
    with ctx.db.write() as conn:
        query = select(t.users.c.token_hash).where(t.users.c.username == username)
        if actor is not None:
            query = query.where(t.users.c.organization_id == actor.organization_id)
        token_hash = conn.execute(query).one_or_none()
        if token_hash is None:
            raise NotFoundError(f"no user named {username!r}", details={"username": username})
        if actor is not None:
            require_admin(actor, AdminAction.REVOKE_USER)
            if username == actor.username:
                # Over the API an admin is always left who can sign in: one can't lock the
                # organization out by revoking oneself (the operator's command still can).
                raise BadRequestError(
                    f"user {username!r} can't revoke its own token; "
                    "another admin, or `pixlake users revoke`, can",
                    details={"username": username},
                )
        if token_hash[0] is None:
            raise BadRequestError(
                f"user {username!r} has no API token to revoke "
                "(it is the owner of an embedded workspace)",
                details={"username": username},
            )
        conn.execute(
            update(t.users).where(t.users.c.username == username).values(revoked_at=utcnow())
        )


def set_role(ctx: AppContext, username: str, role: Role) -> None:
    """Change a user's role (an operator's command: ``pixlake users set-role``).

    An organization keeps at least one admin who can sign in (or its workspace owner), so
    demoting the last one is refused.
    """
    with ctx.db.write() as conn:
        user = conn.execute(
            select(t.users.c.organization_id, t.users.c.role).where(t.users.c.username == username)
        ).one_or_none()
        if user is None:
            raise NotFoundError(f"no user named {username!r}", details={"username": username})
        if role is not Role.ADMIN and user.role == Role.ADMIN.value:
            others = conn.execute(
                select(t.users.c.id)
                .where(
                    t.users.c.organization_id == user.organization_id,
                    t.users.c.role == Role.ADMIN.value,
                    t.users.c.revoked_at.is_(None),
                    t.users.c.username != username,
                )
                .limit(1)
            ).first()
            if others is None:
                raise ConflictError(
                    f"{username!r} is the last admin of its organization; "
                    "make another user an admin first",
                    details={"username": username},
                )
        conn.execute(update(t.users).where(t.users.c.username == username).values(role=role.value))


_USER_OF_TOKEN = select(
    t.users.c.id,
    t.users.c.organization_id,
    t.users.c.username,
    t.users.c.role,
    t.users.c.revoked_at,
).where(t.users.c.token_hash == bindparam("token_hash", type_=t.users.c.token_hash.type))
"""Built once: every request made with a token runs it."""


def authenticate(ctx: AppContext, token: str | None) -> Actor:
    """The actor a token belongs to. Raises UnauthorizedError if missing, unknown or revoked."""
    if not token:
        raise UnauthorizedError("an API token is required (Authorization: Bearer <token>)")
    with ctx.db.read() as conn:
        row = conn.execute(_USER_OF_TOKEN, {"token_hash": hash_token(token)}).one_or_none()
    if row is None:
        raise UnauthorizedError("the API token is not valid")
    if row.revoked_at is not None:
        raise UnauthorizedError("the API token has been revoked")
    return _actor(row)


def _actor(row: Any) -> Actor:
    return Actor(
        user_id=row.id,
        organization_id=row.organization_id,
        username=row.username,
        role=Role(row.role),
    )


def me(ctx: AppContext, actor: Actor) -> Me:
    with ctx.db.read() as conn:
        user = conn.execute(select(t.users).where(t.users.c.id == actor.user_id)).one()
        org = conn.execute(
            select(t.organizations).where(t.organizations.c.id == actor.organization_id)
        ).one()
    return Me(
        user=_user_public(user),
        organization=OrganizationPublic(id=org.id, name=org.name, created_at=org.created_at),
    )
