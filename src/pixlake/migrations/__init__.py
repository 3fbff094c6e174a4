"""Alembic migrations: they own the database schema (``pixlake db upgrade``)."""
