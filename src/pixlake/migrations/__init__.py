"""Alembic migrations: they own the database schema (``pixlake db upgrade``)."""

HEAD_REVISION = "0009"
"""The newest revision of ``versions/``: a new migration sets it to its own ``revision``.

Opening a workspace compares the database's stamp with it, so an up-to-date database is
opened without loading alembic and reading every migration (docs/startup.md); a test
checks it against alembic's own reading of the scripts."""
