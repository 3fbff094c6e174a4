"""Who may read a thumbnail, and what it is, in one indexed statement per request.

The thumbnail route reads the caller's user row (``accounts.authenticate`` or
``sessions.session_user``), then the data row in the caller's organization
(``thumbnails.thumbnail_source``): two statements, each through SQLAlchemy's execution path,
which for point reads of a few columns costs several times the reads themselves. A
gallery asks for a hundred thumbnails a page, so the fast path for warm thumbnails
(``pixlake.server.thumbnail_fast_path``) asks the same question as one statement: the data
row joined to the caller's user row on the organization, the user not revoked, found by
the token's hash or by the session's user id. It is built from the same tables and
conditions, compiled once for the database's dialect and run on a pooled driver
connection, with the columns' own bind processors for its parameters.

Both statements can only say yes when the route would: every condition of the two reads
is in their ``WHERE`` (and a session's token fingerprint is compared by the caller, as
``session_of`` does). No row means "ask the route", which then gives the typed refusal
(401, or 404 without a byte). Nothing is kept between requests but the compiled text: a
revoked token or a replaced one is refused by its very next request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.engine import Engine

from pixlake.core import tables as t

__all__ = ["ThumbnailAccess", "ThumbnailGrant"]

_CALLER_AND_DATA = t.users.join(t.data, t.data.c.organization_id == t.users.c.organization_id)
"""A data row with a user of its organization: the scoping of ``thumbnail_source``."""

_DATA_ID = bindparam("data_id", type_=t.data.c.id.type)
_COLUMNS = (t.data.c.checksum, t.data.c.object_name, t.data.c.type, t.users.c.token_hash)


def _caller_and_data(caller: ColumnElement[bool]) -> Select[Any]:
    """The data row ``data_id`` with the user ``caller`` names, not revoked, of its
    organization."""
    return (
        select(*_COLUMNS)
        .select_from(_CALLER_AND_DATA)
        .where(caller, t.users.c.revoked_at.is_(None), t.data.c.id == _DATA_ID)
    )


_BY_TOKEN = _caller_and_data(
    t.users.c.token_hash == bindparam("token_hash", type_=t.users.c.token_hash.type)
)
"""``accounts.authenticate``'s user (by the hash of the token, not revoked) and the data
row in that user's organization (``users.token_hash`` and ``data.id`` are unique)."""

_BY_USER = _caller_and_data(t.users.c.id == bindparam("user_id", type_=t.users.c.id.type))
"""``sessions.session_user``'s user (by id, not revoked) and the data row in that user's
organization; the session's fingerprint of the token is the caller's to compare."""


@dataclass(frozen=True)
class ThumbnailGrant:
    """A data row the caller's organization holds, read with the caller's user row."""

    checksum: str
    object_name: str
    type: str
    token_hash: str | None
    """The user's current token hash (a session holds only while it matches)."""


class _CompiledRead:
    """A statement compiled once for ``engine``'s dialect, run on a driver connection."""

    def __init__(self, engine: Engine, statement: Select[Any]) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = compiled.positional
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ()) or tuple(compiled.binds)
        self.processors: dict[str, Callable[[Any], Any] | None] = {
            name: bind.type.bind_processor(dialect) for name, bind in compiled.binds.items()
        }

    def first(self, dbapi_connection: Any, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        params = {}
        for name in self.names:
            processor = self.processors[name]
            value = values[name]
            params[name] = processor(value) if processor is not None else value
        cursor = dbapi_connection.cursor()
        try:
            if self.positional:
                cursor.execute(self.sql, tuple(params[name] for name in self.names))
            else:
                cursor.execute(self.sql, params)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return tuple(row) if row is not None else None


class ThumbnailAccess:
    """The two statements of the fast path, compiled for one engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._by_token = _CompiledRead(engine, _BY_TOKEN)
        self._by_user = _CompiledRead(engine, _BY_USER)

    def by_token(self, token_hash: str, data_id: UUID) -> ThumbnailGrant | None:
        """The data row, when the token is a user's, not revoked, of the data's organization."""
        return self._read(self._by_token, {"token_hash": token_hash, "data_id": data_id})

    def by_user(self, user_id: UUID, data_id: UUID) -> ThumbnailGrant | None:
        """The data row, when the user exists, is not revoked, and is of its organization."""
        return self._read(self._by_user, {"user_id": user_id, "data_id": data_id})

    def _read(self, read: _CompiledRead, values: Mapping[str, Any]) -> ThumbnailGrant | None:
        # A pooled driver connection: one statement, so on SQLite (autocommit, see
        # core/db.py) it reads one snapshot without a BEGIN; on PostgreSQL the pool's
        # reset ends its transaction when the connection goes back.
        connection = self._engine.raw_connection()
        try:
            row = read.first(connection.driver_connection, values)
        finally:
            connection.close()
        if row is None:
            return None
        checksum, object_name, kind, token_hash = row
        return ThumbnailGrant(checksum, object_name, kind, token_hash)
