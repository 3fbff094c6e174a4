"""The database: one engine, read connections and serialised write transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from pixlake.errors import DatabaseError

__all__ = ["Database"]

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Database:
    """Hands out connections to one SQLite or PostgreSQL database.

    On SQLite, readers run freely (WAL) while writes are serialised: within this process by
    a lock, across processes by ``BEGIN IMMEDIATE`` and the busy timeout. Taking the write
    lock at the start of the transaction, rather than upgrading a reader midway, is what
    keeps concurrent writers from failing with "database is locked".
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock() if self.is_sqlite else None
        engine_args: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite:
            engine_args |= {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True}
        if url.startswith("postgresql"):
            # Times the database writes itself (JSON answers) then carry +00:00 like every
            # other answer, whatever the server's default time zone.
            engine_args["connect_args"] = {"options": "-c TimeZone=UTC"}
        self.engine: Engine = create_engine(url, **engine_args)
        if self.is_sqlite:
            _configure_sqlite(self.engine)

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def check(self) -> None:
        """Raise DatabaseError, saying why, when the database can't be reached."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise DatabaseError(f"cannot use the database at {self.safe_url}: {reason}") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that commits when the block ends and rolls back on error."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(pixlake_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of the driver guessing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get("pixlake_write", False)
        # Straight to the driver: every read pays for this statement, and SQLAlchemy's
        # execution path around it cost more than the statement itself.
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection that is beginning holds its driver's
        driver.execute("BEGIN IMMEDIATE" if writing else "BEGIN")
