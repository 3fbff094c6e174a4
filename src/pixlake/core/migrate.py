"""Bringing a database to the schema this version of pixlake needs.

Alembic migrations (``pixlake/migrations``) own the schema. A brand-new database gets the
whole schema at once and is stamped with the newest revision; an existing one is upgraded
revision by revision, so its rows survive.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from pixlake.core.db import Database
from pixlake.core.tables import metadata
from pixlake.errors import OutdatedSchemaError

__all__ = ["current_revision", "ensure_schema", "head_revision", "upgrade"]


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "pixlake:migrations")
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Upgrade (or, for a new database, create) the schema up to ``revision``."""
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
        empty = not inspect(conn).get_table_names()
    if empty:
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
