"""Inserting hundreds of thousands of rows given as tuples, at the driver's own speed.

``sql.bulk_insert`` hands rows (dicts) to SQLAlchemy, which converts every value of every
row through its column type in Python: on SQLite that conversion costs more than the
insert itself. Here the conversion is done a column at a time, each distinct value of the
columns the caller names as shared converted once (an import's 500,000 shapes share one
organization, one version, a few labels, one timestamp), and the rows go to the driver's
``executemany`` as they are. On PostgreSQL the rows go to ``bulk_insert``, which streams
them with COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from pixlake.core.sql import bulk_insert

__all__ = ["insert_tuples"]


def insert_tuples(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    shared: frozenset[str] = frozenset(),
) -> None:
    """Insert ``rows`` (values in the order of ``names``) into ``table`` in one go.

    ``shared`` names the columns whose values repeat (an organization, a label): each of
    their distinct values is converted once.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        bulk_insert(conn, table, [dict(zip(names, row, strict=True)) for row in rows])
        return
    columns: list[Sequence[Any]] = []
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        column_type = table.c[name].type
        convert = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if convert is None:
            columns.append(values)
            continue
        if name in shared:
            # Keyed by identity: the rows share the very objects, and hashing an int is
            # several times cheaper than hashing a UUID.
            distinct = {id(value): value for value in values}
            converted = {key: convert(value) for key, value in distinct.items()}
            columns.append([converted[id(value)] for value in values])
        else:
            columns.append([convert(value) for value in values])
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', list(zip(*columns, strict=True))
    )
