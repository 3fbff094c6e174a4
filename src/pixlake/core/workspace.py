"""A workspace: the folder that holds an embedded platform (SQLite database and objects).

Opening one creates whatever is missing: the folder, the schema, a signing secret, the
default organization with its default datalake, and the owner user that embedded clients act
as; and it removes staging files a killed process left behind. What it creates only its
owner may read (folders 0700, files 0600). The same folder can be served with
``pixlake serve --workspace DIR``.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, make_url, select

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.db import Database
from pixlake.core.grace import sweep_staging
from pixlake.core.migrate import ensure_schema
from pixlake.core.services.accounts import ensure_organization
from pixlake.defaults import DEFAULT_ORGANIZATION_NAME
from pixlake.enums import Role
from pixlake.errors import ServiceError
from pixlake.ids import new_id
from pixlake.permissions import create_private_file, make_private_dirs, require_private
from pixlake.settings import Settings
from pixlake.storage.factory import storage_from_settings

__all__ = ["OWNER_USERNAME", "Workspace", "open_workspace"]

OWNER_USERNAME = "owner"
SECRET_FILE = "secret.key"
_SECRET_WAITS = 100


@dataclass(frozen=True)
class Workspace:
    path: Path
    context: AppContext
    owner: Actor

    def close(self) -> None:
        self.context.db.dispose()


def open_workspace(
    settings: Settings | None = None, *, upgrade: bool | None = None, sweep: bool = True
) -> Workspace:
    """Open (creating what is missing) the platform the settings describe.

    Args:
        settings: where the database and objects are; ``Settings()`` reads the environment.
        upgrade: bring an older database schema up to date. By default only SQLite
            workspaces upgrade themselves; a shared database is upgraded by an operator
            with ``pixlake db upgrade``, and is refused until then (OutdatedSchemaError).
        sweep: remove staging files older than the grace period (a killed process's);
            commands that sweep everything and report it turn this off.

    Raises:
        DatabaseError: the database can't be reached (or its schema is outdated).
        InsecureFileError: the signing key file may be read by other users.
        StorageError: the object store can't be used.
    """
    settings = settings or Settings()
    folder = settings.workspace_dir
    make_private_dirs(folder)
    if not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": _read_or_create_secret(folder)})
    _create_private_sqlite_file(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    try:
        db.check()
        ensure_schema(db, upgrade_if_needed=db.is_sqlite if upgrade is None else upgrade)
        storage = storage_from_settings(settings)
        storage.check()
        # Staging files a killed process left: a quick scan of one local folder. Objects
        # are swept by `pixlake serve` in the background and by `pixlake gc`.
        if sweep:
            sweep_staging(storage, settings)
        owner = _ensure_owner(db)
    except BaseException:
        db.dispose()
        raise
    context = AppContext(db=db, storage=storage, settings=settings)
    return Workspace(path=folder, context=context, owner=owner)


def _read_or_create_secret(folder: Path) -> str:
    """The workspace's signing key: created 0600 in the same call that creates the file,
    and refused when other users may read it (InsecureFileError)."""
    path = folder / SECRET_FILE
    try:
        # O_EXCL: two processes opening a new workspace agree on one secret.
        with create_private_file(path) as out:
            out.write(secrets.token_hex(32).encode("ascii"))
    except FileExistsError:
        require_private(path, "the signing key file")
    for _ in range(_SECRET_WAITS):
        # Empty only while the process that just created it is still writing it.
        if secret := path.read_text(encoding="ascii").strip():
            return secret
        time.sleep(0.01)
    raise ServiceError(
        f"the signing key file {path} is empty: remove it and start again to create a new one",
        details={"path": str(path)},
    )


def _create_private_sqlite_file(database_url: str) -> None:
    """Create a new SQLite database file 0600 before SQLite does (with the umask's usual
    0644); SQLite gives its -wal and -shm files the database file's mode."""
    url = make_url(database_url)
    if (
        url.get_backend_name() != "sqlite"
        or url.database in (None, "", ":memory:")
        or url.database.startswith("file:")
    ):
        return
    # An empty file is a new database. If it can't be created (no such folder...), SQLite
    # fails the same way next, and the database check says so.
    with contextlib.suppress(OSError):
        create_private_file(Path(url.database)).close()


def _ensure_owner(db: Database) -> Actor:
    """The workspace's owner: an admin of the default organization, whom embedded clients
    act as; created with the workspace."""
    with db.write() as conn:
        org_id = ensure_organization(conn, DEFAULT_ORGANIZATION_NAME)
        row = conn.execute(
            select(t.users.c.id, t.users.c.role).where(t.users.c.username == OWNER_USERNAME)
        ).one_or_none()
        if row is None:
            user_id, role = new_id(), Role.ADMIN
            conn.execute(
                insert(t.users).values(
                    id=user_id,
                    organization_id=org_id,
                    username=OWNER_USERNAME,
                    token_hash=None,
                    created_at=utcnow(),
                    role=role.value,
                )
            )
        else:
            user_id, role = row.id, Role(row.role)
    return Actor(user_id=user_id, organization_id=org_id, username=OWNER_USERNAME, role=role)
