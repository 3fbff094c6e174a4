"""One keyset page of a listing, its JSON array joined by the database in one statement.

A listing's statement (``wire_json``) writes one JSON text per row. Fetched row by row,
a page of 5,000 is 5,000 calls into SQLite, each of which lets go of the interpreter lock
and takes it back: a thread parsing the previous page meanwhile (the SDK, fetching ahead,
in the same process as the API) holds that lock, so each row waited for it, and listing
in two threads took longer than in one. The page's texts joined by the database come
back as one row: the whole statement runs without the lock, while another thread parses,
and Python no longer builds a tuple and a string per row nor joins them.

Whether another page follows is asked of the database afterwards (the first row past the
page's last key, by the same filters), so the page itself holds exactly its items.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Select, func, literal_column, select

from pixlake.core.services.wire_json import JsonPage, joined_json_array

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
    text, count, last = conn.execute(
        select(
            _joined(conn.dialect.name, inner.c.json, inner.c.page_key),
            func.count(),
            _greatest(conn.dialect.name, inner.c.raw_id),
        )
    ).one()
    items = joined_json_array(text or "")
    if count < limit:
        return JsonPage(items, None)
    last_key = UUID(last)
    following = conn.execute(rows.where(key > last_key).order_by(key).limit(1)).first()
    return JsonPage(items, str(last_key) if following is not None else None)


def _joined(dialect: str, texts: Any, order: Any) -> Any:
    """The texts joined with commas, in ``order``.

    SQLite (before 3.44) has no ORDER BY inside an aggregate; it aggregates a subquery
    that has a LIMIT as that subquery yields its rows, which is in its ORDER BY."""
    comma: Any = literal_column("','")
    if dialect == "sqlite":
        return func.group_concat(texts, comma)
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    return func.string_agg(texts, aggregate_order_by(comma, order))


def _greatest(dialect: str, raw_ids: Any) -> Any:
    """The greatest of the raw id texts, compared byte by byte: that order is the ids'
    (lowercase hex, dashes at fixed places), whatever the database's collation."""
    return func.max(raw_ids if dialect == "sqlite" else raw_ids.collate("C"))
