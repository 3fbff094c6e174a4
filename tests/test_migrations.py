"""Alembic migrations, on SQLite and on PostgreSQL: creating, upgrading, refusing to serve
an outdated database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import insert, inspect

from pixlake import Client
from pixlake.cli.main import cli
from pixlake.core import tables as t
from pixlake.core.db import Database
from pixlake.core.migrate import current_revision, ensure_schema, head_revision, upgrade
from pixlake.core.tables import metadata
from pixlake.core.workspace import open_workspace
from pixlake.errors import OutdatedSchemaError
from pixlake.ids import new_id
from pixlake.settings import Settings
from tests.services import POSTGRES_SERVER, make_postgres_database

PREVIOUS_REVISION = "0001"
BEFORE_ROLES = "0002"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with make_postgres_database(POSTGRES_SERVER) as url:
            yield url


def schema_differences(database: Database) -> list:
    with database.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def test_db_upgrade_creates_an_empty_database(database_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["db", "upgrade", "--database-url", database_url, "--workspace", str(tmp_path / "ws")]
    )
    assert result.exit_code == 0, result.output
    assert f"to {head_revision()}" in result.output
    database = Database(database_url)
    try:
        assert current_revision(database) == head_revision()
        # The migrations build exactly the schema the models describe.
        assert schema_differences(database) == []
    finally:
        database.dispose()
    again = CliRunner().invoke(
        cli, ["db", "upgrade", "--database-url", database_url, "--workspace", str(tmp_path / "ws")]
    )
    assert again.exit_code == 0 and "already at revision" in again.output


def _unique_among_live_predicates(database: Database) -> dict[str, str]:
    """The WHERE of each ``uq_*_alive`` index of the database, as the database reports it."""
    option = f"{database.engine.dialect.name}_where"
    with database.engine.connect() as conn:
        inspector = inspect(conn)
        return {
            index["name"]: str(index.get("dialect_options", {}).get(option))
            for table in inspector.get_table_names()
            for index in inspector.get_indexes(table)
            if str(index["name"]).endswith("_alive")
        }


@pytest.mark.parametrize("made_by", ["the tables", "the migrations"])
def test_unique_indexes_over_live_rows_ignore_the_trash(database_url: str, made_by: str) -> None:
    """A new workspace gets its schema from the tables, an upgraded one from the migrations:
    either way each of these indexes is partial, or a name freed by the trash could not be
    used again (the tables give the WHERE only when DDL is made for a dialect)."""
    database = Database(database_url)
    try:
        if made_by == "the tables":
            ensure_schema(database, upgrade_if_needed=True)
        else:
            upgrade(database)
        predicates = _unique_among_live_predicates(database)
    finally:
        database.dispose()
    declared = {
        str(index.name)
        for table in metadata.tables.values()
        for index in table.indexes
        if str(index.name).endswith("_alive")
    }
    assert set(predicates) == declared and len(declared) == 7
    for name, where in predicates.items():
        assert "deleted_at IS NULL" in where, (name, where)


def _fill_previous_revision(database: Database) -> None:
    """Rows as the previous revision's pixlake wrote them (these tables did not change)."""
    upgrade(database, PREVIOUS_REVISION)
    org, user, lake, data = (new_id() for _ in range(4))
    now = datetime(2026, 11, 1, 10, tzinfo=UTC)
    with database.engine.begin() as conn:
        conn.execute(insert(t.organizations).values(id=org, name="default", created_at=now))
        conn.execute(
            insert(t.users).values(
                id=user, organization_id=org, username="owner", token_hash=None, created_at=now
            )
        )
        conn.execute(
            insert(t.datalakes).values(id=lake, organization_id=org, name="default", created_at=now)
        )
        conn.execute(
            insert(t.data).values(
                id=data,
                organization_id=org,
                datalake_id=lake,
                object_name="x/ab/abc",
                filename="old.jpg",
                type="IMAGE",
                content_type="image/jpeg",
                size=10,
                checksum="ab" * 32,
                width=4,
                height=3,
                duration=None,
                metadata={},
                custom_metadata={"kept": True},
                created_at=now,
            )
        )


def test_upgrade_keeps_the_previous_revisions_data(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    try:
        _fill_previous_revision(database)
        assert current_revision(database) == PREVIOUS_REVISION
        assert "datasets" not in inspect(database.engine).get_table_names()
        upgrade(database)
        assert current_revision(database) == head_revision()
        assert schema_differences(database) == []
    finally:
        database.dispose()
    opened = open_workspace(
        Settings(workspace=tmp_path / "ws", database_url=database_url), upgrade=False
    )
    try:
        from pixlake.core.services import data as data_service
        from pixlake.core.services import datasets

        owner = opened.owner
        old = data_service.get_many(opened.context, owner, [_only_data_id(opened)])[0]
        assert (old.filename, old.custom_metadata) == ("old.jpg", {"kept": True})
        dataset = datasets.create_dataset(opened.context, owner, "after-upgrade", "")
        assert dataset.name == "after-upgrade"
    finally:
        opened.close()


def _only_data_id(opened) -> object:
    from sqlalchemy import select

    with opened.context.db.read() as conn:
        return conn.execute(select(t.data.c.id)).scalar_one()


def test_a_server_refuses_an_outdated_database(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    _fill_previous_revision(database)
    database.dispose()
    settings = Settings(workspace=tmp_path / "ws", database_url=database_url)
    with pytest.raises(OutdatedSchemaError, match="pixlake db upgrade"):
        open_workspace(settings, upgrade=False)
    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--workspace",
            str(tmp_path / "ws"),
            "--database-url",
            database_url,
            "--port",
            "9",
        ],
    )
    assert result.exit_code == 1
    assert "pixlake db upgrade" in result.output
    assert "Traceback" not in result.output
    upgraded = CliRunner().invoke(
        cli, ["db", "upgrade", "--database-url", database_url, "--workspace", str(tmp_path / "ws")]
    )
    assert upgraded.exit_code == 0, upgraded.output
    open_workspace(settings, upgrade=False).close()


def test_an_embedded_workspace_upgrades_itself(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    database = Database(f"sqlite:///{workspace / 'pixlake.db'}")
    _fill_previous_revision(database)
    database.dispose()
    with Client(workspace=workspace) as client:
        assert [d.filename for d in client.get_datalake().list_data()] == ["old.jpg"]
        client.create_dataset("now-possible")
    database = Database(f"sqlite:///{workspace / 'pixlake.db'}")
    assert current_revision(database) == head_revision()
    database.dispose()


def test_db_current_reports_the_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    database = Database(url)
    upgrade(database, PREVIOUS_REVISION)
    database.dispose()
    result = CliRunner().invoke(cli, ["db", "current", "--database-url", url])
    assert result.exit_code == 0
    assert f"database revision: {PREVIOUS_REVISION}; newest: {head_revision()}" in result.output


def test_upgrade_to_roles_makes_every_existing_user_an_admin(
    database_url: str, tmp_path: Path
) -> None:
    """Everyone could do everything before roles existed: after the upgrade, they still can."""
    from sqlalchemy import select

    from pixlake.core.services.accounts import create_user, hash_token
    from pixlake.enums import Role

    database = Database(database_url)
    try:
        upgrade(database, BEFORE_ROLES)
        org, now = new_id(), datetime(2026, 11, 1, 10, tzinfo=UTC)
        with database.engine.begin() as conn:
            conn.execute(insert(t.organizations).values(id=org, name="acme", created_at=now))
            for name in ("alice", "bob"):
                conn.execute(
                    insert(t.users).values(
                        id=new_id(),
                        organization_id=org,
                        username=name,
                        token_hash=hash_token(f"pxl_{name}"),
                        created_at=now,
                    )
                )
        upgrade(database)
        assert schema_differences(database) == []
        with database.engine.connect() as conn:
            roles = dict(conn.execute(select(t.users.c.username, t.users.c.role)).all())
        assert roles == {"alice": "admin", "bob": "admin"}
    finally:
        database.dispose()
    opened = open_workspace(
        Settings(workspace=tmp_path / "ws", database_url=database_url), upgrade=False
    )
    try:
        assert opened.owner.role is Role.ADMIN
        newcomer, _token = create_user(opened.context, "carol", "acme")
        assert newcomer.role is Role.MEMBER
    finally:
        opened.close()


def test_head_revision_constant_is_alembics_newest() -> None:
    """Opening an up-to-date workspace trusts HEAD_REVISION instead of reading the scripts:
    a new migration that forgets to set it fails here, not in a user's workspace."""
    from pixlake.migrations import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_an_outdated_workspace_is_still_upgraded_on_open(tmp_path: Path) -> None:
    """The quick check of an up-to-date stamp leaves older databases to alembic."""
    workspace = tmp_path / "ws"
    workspace.mkdir(mode=0o700)
    db = Database(f"sqlite:///{workspace / 'pixlake.db'}")
    try:
        upgrade(db, PREVIOUS_REVISION)
        open_workspace(Settings(workspace=workspace)).close()
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
