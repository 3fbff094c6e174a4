"""``bulk_insert``: the same rows stored on SQLite and on PostgreSQL, where from
COPY_FROM_ROWS rows they travel with COPY (through a temporary table when duplicates are
skipped); and ``one_of``, IN on SQLite and one array parameter on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from pixlake.core.db import Database
from pixlake.core.sql import ARRAY_CHUNK, COPY_FROM_ROWS, IN_CHUNK, bulk_insert, chunked, one_of
from pixlake.core.tables import UTCDateTime


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bulk.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def table(engine: Engine) -> Iterator[Table]:
    """A scratch table with the column types the bulk paths write, and a partial unique
    index like the one that keeps one live asset per data."""
    metadata = MetaData()
    name = f"bulk_{uuid.uuid4().hex[:8]}"
    table = Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("group_id", Uuid, nullable=False),
        Column("key", String(64), nullable=False),
        Column("label", String),
        Column("score", Float),
        Column("coords", JSON(none_as_null=True)),
        Column("meta", JSON, nullable=False),  # None is stored as JSON null
        Column("created_at", UTCDateTime(), nullable=False),
        Column("deleted_at", UTCDateTime()),
        Index(
            f"uq_{name}_alive",
            "group_id",
            "key",
            unique=True,
            sqlite_where=Column("deleted_at").is_(None),
            postgresql_where=Column("deleted_at").is_(None),
        ),
    )
    metadata.create_all(engine)
    yield table
    metadata.drop_all(engine)


GROUP = uuid.uuid4()
AWKWARD_TEXT = "tab\there, new\nline, back\\slash, quote \" ' , comma, NUL-free é 🐱 \\N"


def make_rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    paris = timezone(timedelta(hours=1))
    return [
        {
            "id": uuid.uuid4(),
            "group_id": GROUP,
            "key": f"k{i}",
            "label": AWKWARD_TEXT if i % 3 == 0 else None,
            "score": i / 7 if i % 2 else None,
            "coords": [[i, 0.5], [1, 2.25]] if i % 4 else None,
            "meta": {"exif": {"Make": AWKWARD_TEXT, "n": i}} if i % 5 else None,
            "created_at": datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=paris),
            "deleted_at": None,
        }
        for i in range(start, start + count)
    ]


def stored(engine: Engine, table: Table) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        return {row.key: dict(row._mapping) for row in conn.execute(select(table))}


@pytest.mark.parametrize("count", [10, COPY_FROM_ROWS + 7], ids=["insert", "copy"])
def test_every_value_comes_back_as_given(engine: Engine, table: Table, count: int) -> None:
    rows = make_rows(count)
    with engine.begin() as conn:
        bulk_insert(conn, table, rows)
    found = stored(engine, table)
    assert len(found) == count
    for row in rows:
        back = found[row["key"]]
        assert back["id"] == row["id"]
        assert back["label"] == row["label"]
        assert back["score"] == row["score"]
        assert back["coords"] == row["coords"]  # JSON null stored as SQL NULL
        assert back["meta"] == row["meta"]
        assert back["created_at"] == row["created_at"]
        assert back["created_at"].tzinfo is not None
        assert back["deleted_at"] is None


@pytest.mark.parametrize("count", [10, COPY_FROM_ROWS + 7], ids=["insert", "copy"])
def test_duplicates_are_skipped_and_existing_rows_kept(
    engine: Engine, table: Table, count: int
) -> None:
    existing = make_rows(4)
    for row in existing:
        row["label"] = "first"
    with engine.begin() as conn:
        bulk_insert(conn, table, existing)
    again = make_rows(count)  # its first four keys are held already
    with engine.begin() as conn:
        bulk_insert(
            conn,
            table,
            again,
            skip_duplicates_of=["group_id", "key"],
            index_where=table.c.deleted_at.is_(None),
        )
    found = stored(engine, table)
    assert len(found) == count
    assert all(found[f"k{i}"]["label"] == "first" for i in range(4))
    assert all(found[f"k{i}"]["id"] == again[i]["id"] for i in range(4, count))


def test_a_trashed_row_does_not_block_its_key(engine: Engine, table: Table) -> None:
    """The unique index is partial: only live rows hold their key."""
    trashed = make_rows(COPY_FROM_ROWS)
    for row in trashed:
        row["deleted_at"] = datetime.now(UTC)
    with engine.begin() as conn:
        bulk_insert(conn, table, trashed)
        bulk_insert(
            conn,
            table,
            make_rows(COPY_FROM_ROWS),
            skip_duplicates_of=["group_id", "key"],
            index_where=table.c.deleted_at.is_(None),
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table)).scalar() == 2 * COPY_FROM_ROWS


def test_a_rolled_back_transaction_leaves_nothing(engine: Engine, table: Table) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        bulk_insert(
            conn,
            table,
            make_rows(COPY_FROM_ROWS + 1),
            skip_duplicates_of=["group_id", "key"],
            index_where=table.c.deleted_at.is_(None),
        )
        bulk_insert(conn, table, make_rows(COPY_FROM_ROWS, start=10_000))
        raise RuntimeError("the request failed after the inserts")
    assert stored(engine, table) == {}


def test_no_temporary_table_outlives_the_insert(engine: Engine, table: Table) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite inserts go without a temporary table")
    with engine.begin() as conn:
        bulk_insert(
            conn,
            table,
            make_rows(COPY_FROM_ROWS),
            skip_duplicates_of=["group_id", "key"],
            index_where=table.c.deleted_at.is_(None),
        )
        temporary = conn.execute(
            text(
                "SELECT count(*) FROM pg_class WHERE relpersistence = 't' "
                "AND relname LIKE 'pixlake_incoming%'"
            )
        ).scalar()
    assert temporary == 0


def test_several_calls_in_one_transaction(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        for start in range(0, 3 * COPY_FROM_ROWS, COPY_FROM_ROWS):
            bulk_insert(
                conn,
                table,
                make_rows(COPY_FROM_ROWS, start=start),
                skip_duplicates_of=["group_id", "key"],
                index_where=table.c.deleted_at.is_(None),
            )
    assert len(stored(engine, table)) == 3 * COPY_FROM_ROWS


@pytest.mark.parametrize("count", [10, COPY_FROM_ROWS + 7], ids=["insert", "copy"])
def test_a_broken_row_refuses_the_whole_insert(engine: Engine, table: Table, count: int) -> None:
    """Refused the way an INSERT is, with SQLAlchemy's IntegrityError on both databases."""
    rows = make_rows(count)
    rows[-1]["key"] = None  # NOT NULL
    with pytest.raises(IntegrityError), engine.begin() as conn:
        bulk_insert(conn, table, rows)
    assert stored(engine, table) == {}


def test_a_duplicate_not_skipped_is_an_integrity_error(engine: Engine, table: Table) -> None:
    rows = make_rows(COPY_FROM_ROWS)
    rows[-1]["key"] = rows[0]["key"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        bulk_insert(conn, table, rows)
    assert stored(engine, table) == {}


@pytest.mark.parametrize("size", [0, 1, 3, 2500])
def test_one_of_selects_what_in_selects(engine: Engine, table: Table, size: int) -> None:
    rows = make_rows(3000)
    with engine.begin() as conn:
        bulk_insert(conn, table, rows)
        wanted_ids = [r["id"] for r in rows[:size]] + [uuid.uuid4()]  # one unknown id
        wanted_keys = [r["key"] for r in rows[-size:]] if size else []
        by_id = set(
            conn.execute(select(table.c.id).where(one_of(conn, table.c.id, wanted_ids))).scalars()
        )
        by_key = set(
            conn.execute(
                select(table.c.key).where(one_of(conn, table.c.key, wanted_keys))
            ).scalars()
        )
        statement = str(
            select(table.c.id).where(one_of(conn, table.c.id, wanted_ids)).compile(conn)
        )
    assert by_id == {r["id"] for r in rows[:size]}
    assert by_key == set(wanted_keys)
    if engine.dialect.name == "postgresql":
        assert "ANY" in statement and statement.count("%(") == 1  # one array parameter


def test_chunks_fit_one_statement_of_each_database(engine: Engine) -> None:
    items = list(range(25_000))
    with engine.connect() as conn:
        chunks = list(chunked(conn, items))
    size = ARRAY_CHUNK if engine.dialect.name == "postgresql" else IN_CHUNK
    assert [len(c) for c in chunks[:-1]] == [size] * (len(chunks) - 1)
    assert [i for c in chunks for i in c] == items


def test_rows_inserted_before_any_begin_roll_back_with_the_connection(tmp_path: Path) -> None:
    """On a connection that began no transaction (SQLAlchemy begins one with the first
    statement), the rows are in that transaction too: pixlake's SQLite driver autocommits
    whatever runs outside one."""
    database = Database(f"sqlite:///{tmp_path / 'autobegin.db'}")
    metadata = MetaData()
    table = Table("rows", metadata, Column("id", Uuid, primary_key=True), Column("key", String))
    metadata.create_all(database.engine)
    try:
        with database.engine.connect() as conn:
            bulk_insert(conn, table, [{"id": uuid.uuid4(), "key": "k"}])
            assert conn.in_transaction()
            conn.rollback()
        with database.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
    finally:
        database.dispose()
