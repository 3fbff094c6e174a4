"""One keyset page of a listing, its JSON array joined by the database in one statement.

A listing's statement (``wire_json``) writes one JSON text per row. Fetched row by row, a
page of 5,000 is 5,000 steps of the statement, and Python builds a tuple and a string for
each row, then joins them. Here the database joins the page's texts and hands over the
array in one row. The sqlite3 module lets go of the interpreter lock around each step and
takes it back after: one step per page, rather than one per row, also keeps a page from
waiting for the lock 5,000 times while another thread of the process runs Python (other
requests of a server, a thread parsing pages; docs/scaling.md, fourth round of listings).

Whether another page follows is asked of the database afterwards (the first row past the
page's last key, by the same filters), so the page itself holds exactly its items.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, LargeBinary, Select, cast, func, select

from pixlake.core.services.wire_json import JsonPage, constant_text, written_json_array

__all__ = ["read_json_page"]


def read_json_page(
    conn: Connection, rows: Select[Any], key: Any, *, limit: int, offset: int = 0
) -> JsonPage:
    """The page of ``rows`` (a ``wire_json`` select, with its ``raw_id`` and ``json``
    columns, filtered and not ordered) after ``offset`` rows in ``key`` order, at most
    ``limit`` items, and the key of the next page when one follows.

    ``key`` is the column ``raw_id`` is the text of (the primary key the listing pages by).
    """
    page = rows.add_columns(key.label("page_key")).order_by(key).offset(offset).limit(limit)
    inner = page.subquery()
    array, count, last = conn.execute(
        select(
            _array(conn.dialect.name, inner.c.json, inner.c.page_key),
            func.count(),
            _greatest(conn.dialect.name, inner.c.raw_id),
        )
    ).one()
    items = written_json_array(array)
    if count < limit:
        return JsonPage(items, None)
    last_key = UUID(last)
    following = conn.execute(rows.where(key > last_key).order_by(key).limit(1)).first()
    return JsonPage(items, str(last_key) if following is not None else None)


def _array(dialect: str, texts: Any, order: Any) -> Any:
    """The JSON array of the texts, in ``order``, as UTF-8 bytes: what the answer holds,
    with no text object of megabytes made in Python only to be encoded again.

    SQLite (before 3.44) has no ORDER BY inside an aggregate; it aggregates a subquery
    that has a LIMIT as that subquery yields its rows, which is in its ORDER BY."""
    comma = constant_text(",")
    if dialect == "sqlite":
        joined = func.group_concat(texts, comma)
    else:
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        joined = func.string_agg(texts, aggregate_order_by(comma, order))
    array: Any = constant_text("[") + func.coalesce(joined, constant_text("")) + constant_text("]")
    if dialect == "sqlite":
        return cast(array, LargeBinary)  # the text's own bytes: SQLite keeps it in UTF-8
    return func.convert_to(array, constant_text("UTF8"), type_=LargeBinary)


def _greatest(dialect: str, raw_ids: Any) -> Any:
    """The greatest of the raw id texts, compared byte by byte: that order is the ids'
    (lowercase hex, dashes at fixed places), whatever the database's collation."""
    return func.max(raw_ids if dialect == "sqlite" else raw_ids.collate("C"))
