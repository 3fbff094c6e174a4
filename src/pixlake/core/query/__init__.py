"""Queries (``q=``) compiled into conditions of the listings that take them.

The entry points of the services (and of anything else that filters by a query, such as
splits): each parses and checks ``q`` for one kind of object and returns the SQLAlchemy
condition to add to a SELECT of that kind's rows, or None for no query (None or blank).

- ``data_condition``: over ``data``;
- ``asset_condition``: over ``assets`` joined with ``data`` (``assets.data_id = data.id``);
- ``annotation_condition``: over ``annotations`` joined with their ``assets`` and those
  with ``data``.

The grammar and its tree are pure and live in ``pixlake.query``; docs/query.md describes
the language.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.sql import ColumnElement

from pixlake.core.query.compiler import compile_condition
from pixlake.query import QueryTarget, bind, parse

__all__ = ["annotation_condition", "asset_condition", "compile_condition", "data_condition"]


def _condition(
    q: str | None, target: QueryTarget, dialect: str, version_id: UUID | None = None
) -> ColumnElement[bool] | None:
    if q is None:
        return None
    tree = parse(q)
    if tree is None:
        return None
    return compile_condition(bind(tree, target), target, dialect, version_id)


def data_condition(q: str | None, dialect: str) -> ColumnElement[bool] | None:
    """The condition of ``q`` on data rows (``dialect``: the connection's, ``conn.dialect.name``).

    Raises:
        InvalidQueryError, LimitExceededError: ``q`` is not a valid query of data.
    """
    return _condition(q, QueryTarget.DATA, dialect)


def asset_condition(
    q: str | None, dialect: str, version_id: UUID | None = None
) -> ColumnElement[bool] | None:
    """The condition of ``q`` on asset rows joined with their data; given the version the
    assets are of (``version_id``), conditions on annotations run once per statement."""
    return _condition(q, QueryTarget.ASSET, dialect, version_id)


def annotation_condition(q: str | None, dialect: str) -> ColumnElement[bool] | None:
    """The condition of ``q`` on annotation rows joined with their assets and data."""
    return _condition(q, QueryTarget.ANNOTATION, dialect)
