"""Bringing a database to the schema this version of pixlake needs.

Alembic migrations (``pixlake/migrations``) own the schema. A brand-new database gets the
whole schema at once and is stamped with the newest revision; an existing one is upgraded
revision by revision, so its rows survive.

alembic is imported by the functions that need it, not with this module: a database already
at ``HEAD_REVISION`` (every workspace opened a second time) is checked with one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, column, inspect, select, table

from pixlake.core.db import Database
from pixlake.core.tables import metadata
from pixlake.errors import OutdatedSchemaError
from pixlake.migrations import HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["current_revision", "ensure_schema", "head_revision", "upgrade"]


# alembic's own table of the revision a database is stamped with.
_VERSION_TABLE = "alembic_version"


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "pixlake:migrations")
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Upgrade (or, for a new database, create) the schema up to ``revision``."""
    from alembic import command

    config = _config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def ensure_schema(db: Database, *, upgrade_if_needed: bool) -> None:
    """Make sure the database has this pixlake's schema.

    A database with no tables gets the whole schema and is stamped as up to date. One at an
    older revision is upgraded when ``upgrade_if_needed`` (embedded workspaces), else
    OutdatedSchemaError says how to upgrade it (servers, which an operator upgrades once
    for all of them).
    """
    with db.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        if _VERSION_TABLE in tables and _stamped_revisions(conn) == [HEAD_REVISION]:
            return
    if not tables:
        from alembic import command

        metadata.create_all(db.engine)
        config = _config()
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.stamp(config, "head")
        return
    current, head = current_revision(db), head_revision()
    if current == head:
        return
    if not upgrade_if_needed:
        raise OutdatedSchemaError(
            f"the database is at revision {current or 'none'} but this pixlake needs "
            f"{head}: run `pixlake db upgrade` (with the same database settings) first",
            details={"current": current, "head": head},
        )
    upgrade(db)


def _stamped_revisions(conn: Connection) -> list[str]:
    """The revisions the database is stamped with (one, for pixlake's linear history)."""
    version_num = table(_VERSION_TABLE, column("version_num")).c.version_num
    return list(conn.execute(select(version_num)).scalars())
