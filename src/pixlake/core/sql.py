"""Small SQL helpers that differ between SQLite and PostgreSQL or keep statements bounded."""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, Table, any_, bindparam, insert, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.exc import DBAPIError

__all__ = [
    "ARRAY_CHUNK",
    "COPY_FROM_ROWS",
    "IN_CHUNK",
    "analyze_after_bulk",
    "bulk_insert",
    "chunked",
    "one_of",
]

COPY_FROM_ROWS = 500
"""From this many rows, bulk inserts on PostgreSQL stream them with COPY."""

BULK_ROWS_TO_ANALYZE = 10_000
"""From this many rows, a bulk insert on PostgreSQL re-analyzes the table."""

SQLITE_REANALYZE_FRACTION = 4
"""SQLite re-analyzes a table when an insert adds 1/4 or more of its analyzed rows."""

IN_CHUNK = 1000
"""Largest list bound into one IN (...) clause; keeps statements under SQLite's limits."""

ARRAY_CHUNK = 10_000
"""Largest list bound as one array on PostgreSQL (see ``one_of``): bounds the memory of one
statement, not its text."""

T = TypeVar("T")


def dialect_module(conn: Connection) -> Any:
    """SQLAlchemy's package of ``conn``'s dialect (its ``insert``, ``ARRAY``...), imported
    when first asked for: a SQLite process that imported PostgreSQL's would pay about
    25 ms of its start-up for it."""
    return importlib.import_module(f"sqlalchemy.dialects.{conn.dialect.name}")


def chunked(conn: Connection, items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices small enough for one ``one_of`` each on ``conn``'s database."""
    size = ARRAY_CHUNK if conn.dialect.name == "postgresql" else IN_CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(:values)``, one array parameter
    rather than one parameter per value."""
    if conn.dialect.name == "postgresql":
        array = dialect_module(conn).ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=array))
    return column.in_(list(values))


def bulk_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_duplicates_of: list[str] | None = None,
    index_where: Any = None,
) -> None:
    """Insert many rows (each with the same keys) in one go.

    With ``skip_duplicates_of``, rows that would break the unique index on those columns are
    silently skipped; ``index_where`` is that index's condition when it is partial (rows not
    in the trash). On PostgreSQL, from ``COPY_FROM_ROWS`` rows, the rows are streamed with
    COPY (into a temporary table first when duplicates are to be skipped, then moved with
    one INSERT ... SELECT): about twice as fast as a batch of INSERTs. (COPY needs psycopg
    3; with another driver the rows go as a batch of INSERTs.) On SQLite, rows that skip no
    duplicate go straight to the driver's ``executemany``, converted by the columns' own
    bind processors.
    """
    if not rows:
        return
    if conn.dialect.driver == "psycopg" and len(rows) >= COPY_FROM_ROWS:
        _copy_insert(conn, table, rows, skip_duplicates_of, index_where)
        return
    if (
        conn.dialect.driver == "pysqlite"
        and skip_duplicates_of is None
        and _no_python_defaults(table, rows[0])
    ):
        _sqlite_executemany(conn, table, rows)
        return
    if skip_duplicates_of is None:
        statement: Any = insert(table)
    else:
        statement = (
            dialect_module(conn)
            .insert(table)
            .on_conflict_do_nothing(index_elements=skip_duplicates_of, index_where=index_where)
        )
    conn.execute(statement, list(rows))


def _copy_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    skip_duplicates_of: list[str] | None,
    index_where: Any,
) -> None:
    names = list(rows[0])
    converters = [_copy_converter(table.c[name].type, conn.dialect) for name in names]
    staging = None
    if skip_duplicates_of is not None:
        # Dropped below, so one name per table serves every call, even in one transaction.
        staging = f"pixlake_incoming_{table.name}"
        conn.exec_driver_sql(
            f'CREATE TEMPORARY TABLE "{staging}" (LIKE "{table.name}") ON COMMIT DROP'
        )
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{staging or table.name}" ({columns}) FROM STDIN'
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if convert is None else convert(value)
                        for value, convert in zip(
                            (row[name] for name in names), converters, strict=True
                        )
                    ]
                )
    except cursor.connection.Error as exc:
        # The same exception classes as a failed INSERT (IntegrityError...), for callers
        # that tell them apart.
        raise DBAPIError.instance(statement, None, exc, type(cursor.connection).Error) from exc
    finally:
        cursor.close()
    if staging is not None:
        source = sql_table(staging, *(sql_column(name) for name in names))
        conn.execute(
            dialect_module(conn)
            .insert(table)
            .from_select(names, select(*source.c))
            .on_conflict_do_nothing(index_elements=skip_duplicates_of, index_where=index_where)
        )
        conn.exec_driver_sql(f'DROP TABLE "{staging}"')


def _no_python_defaults(table: Table, row: Mapping[str, Any]) -> bool:
    """Whether no column missing from ``row`` has a default SQLAlchemy computes itself
    (a driver-level insert would leave those to the database)."""
    return all(column.default is None for column in table.columns if column.name not in row)


def _sqlite_executemany(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """The rows, converted by each column type's own bind processor (exactly what an
    INSERT through SQLAlchemy binds), in one ``executemany`` of the driver.

    SQLAlchemy's execution of a many-row INSERT builds and processes a parameter dict per
    row, column by column: 512 rows of ``data`` took 26-29 us of CPU a row that way, 12-14
    us this way (most of it the driver's ``executemany`` itself and the JSON columns).
    """
    names = list(rows[0])
    converters = [
        table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for name in names
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    converted = [
        (index, convert) for index, convert in enumerate(converters) if convert is not None
    ]
    parameters = []
    for row in rows:
        values = [row[name] for name in names]
        for index, convert in converted:
            values[index] = convert(values[index])
        parameters.append(values)
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy's own execute would: pixlake's driver autocommits
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection in a transaction holds its driver's
    try:
        driver.executemany(statement, parameters)
    except sqlite3.Error as exc:
        # SQLAlchemy's classes (IntegrityError...), as a failed INSERT through it raises.
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _copy_converter(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What an INSERT would do to a value of this column before the driver sees it.

    COPY bypasses SQLAlchemy's parameter handling, so each column type's own conversion
    (timezone checks...) is applied here. JSON is serialised to text: psycopg would take a
    Python list for an array.
    """
    if isinstance(column_type, JSON):
        serialize = getattr(dialect, "_json_serializer", None) or json.dumps
        none = None if column_type.none_as_null else "null"
        return lambda value: none if value is None else serialize(value)
    return column_type.bind_processor(dialect)  # type: ignore[no-any-return]


def analyze_after_bulk(conn: Connection, table: Table, rows: int) -> None:
    """Refresh the planner's statistics of ``table`` after a bulk insert of ``rows``.

    PostgreSQL: until autovacuum comes by, the planner believes a table that just grew by
    100,000 rows is nearly empty, and pages through it with a sort of all of it instead of
    the index.

    SQLite keeps no statistics at all until ANALYZE runs, and without them it drives every
    filtered listing from the version's index, reading each asset's data row to test it: a
    query on ``filename`` read all 100,000 data rows (1.4 s) where, with statistics, it
    reads the 500 of that name from ``ix_data_datalake_filename`` (0.02 s). ANALYZE reads
    the whole table, so it runs when the table has no statistics yet or the insert adds a
    quarter or more of the rows it was analyzed with: the tables' sizes between two runs
    grow geometrically, so its cost per row inserted stays constant.
    """
    if conn.dialect.name == "postgresql":
        if rows >= BULK_ROWS_TO_ANALYZE:
            conn.exec_driver_sql(f"ANALYZE {table.name}")
    elif conn.dialect.name == "sqlite" and rows > 0:
        analyzed = _sqlite_analyzed_rows(conn, table.name)
        if analyzed is None or rows * SQLITE_REANALYZE_FRACTION >= analyzed:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def _sqlite_analyzed_rows(conn: Connection, table_name: str) -> int | None:
    """How many rows ``table_name`` had when SQLite last analyzed it (None: never)."""
    has_statistics = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if has_statistics is None:
        return None
    stat = conn.exec_driver_sql(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", (table_name,)
    ).scalar()
    # each row's stat starts with the table's row count at the time of ANALYZE
    return int(str(stat).split()[0]) if stat else None
