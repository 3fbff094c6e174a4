"""Alembic environment: runs migrations on the connection pixlake hands over."""

from __future__ import annotations

from alembic import context

from pixlake.core.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - pixlake always passes its connection
    raise RuntimeError("run migrations through `pixlake db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
