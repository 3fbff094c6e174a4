"""Which assets of a version a request is about: the live ones, narrowed by a query.

Counts, stats (and splits) start from this one SELECT, so that they all agree with the
listing on what ``q`` selects.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.kinds import ASSET
from pixlake.core.query import asset_condition

__all__ = ["version_assets"]


def version_assets(version_id: UUID, organization_id: UUID, q: str | None, dialect: str) -> Any:
    """SELECT of the ids of a version's live assets matching ``q`` (all when None or
    blank), over assets joined with their data; ``dialect`` is the database's
    (``ctx.db.engine.dialect.name``). Check the version (``require_version``) before
    running it.

    Raises:
        InvalidQueryError, LimitExceededError: ``q`` is no valid query of assets (raised
            here, before anything is read).
    """
    statement = (
        select(t.assets.c.id)
        .select_from(t.assets.join(t.data, t.data.c.id == t.assets.c.data_id))
        .where(
            t.assets.c.dataset_version_id == version_id,
            t.assets.c.organization_id == organization_id,
            kinds.not_in_trash(ASSET),
        )
    )
    matching = asset_condition(q, dialect, version_id)
    return statement if matching is None else statement.where(matching)
