"""A workspace: the folder that holds an embedded platform (SQLite database and objects).

Opening one creates whatever is missing: the folder, the schema, a signing secret, the
default organization with its default datalake, and the owner user that embedded clients act
as. The same folder can be served with ``pixlake serve --workspace DIR``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from pixlake.core import models as m
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.db import Database
from pixlake.core.migrate import ensure_schema
from pixlake.core.services.accounts import DEFAULT_ORGANIZATION_NAME, ensure_organization
from pixlake.enums import Role
from pixlake.ids import new_id
from pixlake.settings import Settings
from pixlake.storage.factory import storage_from_settings

__all__ = ["OWNER_USERNAME", "Workspace", "open_workspace"]

OWNER_USERNAME = "owner"
SECRET_FILE = "secret.key"


@dataclass(frozen=True)
class Workspace:
    path: Path
    context: AppContext
    owner: Actor

    def close(self) -> None:
        self.context.db.dispose()


def open_workspace(settings: Settings | None = None, *, upgrade: bool | None = None) -> Workspace:
    """Open (creating what is missing) the platform the settings describe.

    Args:
        settings: where the database and objects are; ``Settings()`` reads the environment.
        upgrade: bring an older database schema up to date. By default only SQLite
            workspaces upgrade themselves; a shared database is upgraded by an operator
            with ``pixlake db upgrade``, and is refused until then (OutdatedSchemaError).

    Raises:
        DatabaseError: the database can't be reached (or its schema is outdated).
        StorageError: the object store can't be used.
    """
    settings = settings or Settings()
    folder = settings.workspace_dir
    folder.mkdir(parents=True, exist_ok=True)
    if not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": _read_or_create_secret(folder)})
    db = Database(settings.effective_database_url)
    try:
        db.check()
        ensure_schema(db, upgrade_if_needed=db.is_sqlite if upgrade is None else upgrade)
        storage = storage_from_settings(settings)
        storage.check()
        owner = _ensure_owner(db)
    except BaseException:
        db.dispose()
        raise
    context = AppContext(db=db, storage=storage, settings=settings)
    return Workspace(path=folder, context=context, owner=owner)


def _read_or_create_secret(folder: Path) -> str:
    path = folder / SECRET_FILE
    if not path.exists():
        # Written with O_EXCL so two processes opening a new workspace agree on one secret.
        try:
            with open(path, "x", encoding="ascii") as out:
                out.write(secrets.token_hex(32))
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


def _ensure_owner(db: Database) -> Actor:
    """The workspace's owner: an admin of the default organization, whom embedded clients
    act as; created with the workspace."""
    with db.write() as conn:
        org_id = ensure_organization(conn, DEFAULT_ORGANIZATION_NAME)
        row = conn.execute(
            select(m.users.c.id, m.users.c.role).where(m.users.c.username == OWNER_USERNAME)
        ).one_or_none()
        if row is None:
            user_id, role = new_id(), Role.ADMIN
            conn.execute(insert(m.users).values(
                id=user_id, organization_id=org_id, username=OWNER_USERNAME, token_hash=None,
                created_at=utcnow(), role=role.value,
            ))
        else:
            user_id, role = row.id, Role(row.role)
    return Actor(user_id=user_id, organization_id=org_id, username=OWNER_USERNAME, role=role)
