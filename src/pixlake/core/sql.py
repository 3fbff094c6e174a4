"""Small SQL helpers that differ between SQLite and PostgreSQL or keep statements bounded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["IN_CHUNK", "analyze_after_bulk", "chunked", "insert_ignoring_duplicates"]

BULK_ROWS_TO_ANALYZE = 10_000

IN_CHUNK = 1000
"""Largest list bound into one IN (...) clause; keeps statements under SQLite's limits."""

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignoring_duplicates(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
    conflict_columns: list[str], *, index_where: Any = None,
) -> None:
    """Insert rows, silently skipping those that would break a unique constraint.

    ``index_where`` names the condition of a partial unique index (rows not in the trash).
    """
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(
        index_elements=conflict_columns, index_where=index_where)
    conn.execute(statement, list(rows))


def analyze_after_bulk(conn: Connection, table: Table, rows: int) -> None:
    """Refresh PostgreSQL's statistics of ``table`` after a bulk insert of ``rows``.

    Until autovacuum comes by, the planner believes a table that just grew by 100,000 rows
    is nearly empty, and pages through it with a sort of all of it instead of the index.
    """
    if rows >= BULK_ROWS_TO_ANALYZE and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table.name}")
