"""Assets: the data of a dataset version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select, update

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import ASSET
from pixlake.core.query import asset_condition
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services import tags as tag_service
from pixlake.core.services.datasets import require_version
from pixlake.core.services.idempotency import KeyedAnswer
from pixlake.core.services.json_pages import read_json_page
from pixlake.core.services.selection import version_assets
from pixlake.core.services.wire_json import (
    KNOWN_DATALAKES,
    JsonArray,
    JsonPage,
    asset_json_select,
    json_array,
    raw_uuid,
)
from pixlake.core.sql import analyze_after_bulk, bulk_insert, chunked, one_of
from pixlake.enums import DataType, Target
from pixlake.errors import ConflictError, NotFoundError
from pixlake.ids import new_id
from pixlake.schemas import AssetPublic, AssetQuery

__all__ = [
    "add_data",
    "asset_versions",
    "count_assets",
    "delete_assets",
    "get_asset",
    "require_assets",
    "restore_assets",
    "search_assets",
]

_ASSET_COLUMNS = (
    t.assets.c.id,
    t.assets.c.dataset_version_id,
    t.assets.c.data_id,
    t.assets.c.created_at,
    t.assets.c.deleted_at,
    t.data.c.datalake_id,
    t.data.c.object_name,
    t.data.c.filename,
    t.data.c.type,
    t.data.c.content_type,
    t.data.c.size,
    t.data.c.width,
    t.data.c.height,
    t.data.c.duration,
    t.data.c.checksum,
    t.data.c.metadata,
    t.data.c.custom_metadata,
    t.data.c.created_at.label("data_created_at"),
)


def _trashed(deleted: bool) -> Any:
    """Assets in the trash when ``deleted``, live ones otherwise."""
    return kinds.in_trash(ASSET) if deleted else kinds.not_in_trash(ASSET)


_DATA_TYPES = {member.value: member for member in DataType}


def _public(row: Any, threshold: int) -> AssetPublic:
    # Unpacked by position, in the order of _ASSET_COLUMNS: listings build 100,000 of these
    # and a tuple unpack is several times cheaper than named access on a Row.
    (
        asset_id,
        version_id,
        data_id,
        created_at,
        deleted_at,
        datalake_id,
        object_name,
        filename,
        data_type,
        content_type,
        size,
        width,
        height,
        duration,
        checksum,
        metadata,
        custom_metadata,
        data_created_at,
    ) = row
    return AssetPublic.trusted(
        id=asset_id,
        dataset_version_id=version_id,
        data_id=data_id,
        datalake_id=datalake_id,
        object_name=object_name,
        filename=filename,
        type=_DATA_TYPES[data_type],
        content_type=content_type,
        size=size,
        width=width,
        height=height,
        duration=duration,
        large=size >= threshold,
        checksum=checksum,
        metadata=metadata,
        custom_metadata=custom_metadata,
        data_created_at=data_created_at,
        created_at=created_at,
        deleted_at=deleted_at,
    )


def add_data(
    ctx: AppContext,
    actor: Actor,
    version_id: UUID,
    data_ids: Sequence[UUID],
    tags: Sequence[str] = (),
    tag_ids: Sequence[UUID] = (),
    answer: KeyedAnswer | None = None,
) -> JsonArray:
    """One asset per data (data already in the version keep their asset); all or none.

    Data may come from several datalakes of the organization. Returns the assets of the
    given data, in the order given, as a JSON array (see ``wire_json``). ``answer`` is
    recorded with the assets (an idempotent request's).
    """
    wanted = list(dict.fromkeys(data_ids))
    with ctx.db.write() as conn:
        require_version(conn, actor, version_id, writing=True)
        found: set[UUID] = set()
        for chunk in chunked(conn, wanted):
            found.update(
                conn.execute(
                    select(t.data.c.id).where(
                        one_of(conn, t.data.c.id, chunk),
                        t.data.c.organization_id == actor.organization_id,
                    )
                ).scalars()
            )
        for data_id in wanted:
            if data_id not in found:
                raise NotFoundError(f"data {data_id} not found", details={"id": str(data_id)})
        all_tag_ids = tag_service.require_tags_of_target(conn, actor, tag_ids, Target.ASSET)
        all_tag_ids += tag_service.ensure_tags(conn, actor, tags, Target.ASSET)
        now = utcnow()
        bulk_insert(
            conn,
            t.assets,
            [
                {
                    "id": new_id(),
                    "organization_id": actor.organization_id,
                    "dataset_version_id": version_id,
                    "data_id": data_id,
                    "created_at": now,
                }
                for data_id in wanted
            ],
            skip_duplicates_of=["dataset_version_id", "data_id"],
            index_where=t.assets.c.deleted_at.is_(None),
        )
        analyze_after_bulk(conn, t.assets, len(wanted))
        dialect = conn.dialect.name
        by_data: dict[str, Any] = {}  # keyed by the data id as raw_uuid writes it
        for chunk in chunked(conn, wanted):
            for row in conn.execute(
                asset_json_select(dialect, ctx.settings.large_file_threshold, version_id).where(
                    t.assets.c.dataset_version_id == version_id,
                    kinds.not_in_trash(ASSET),
                    one_of(conn, t.assets.c.data_id, chunk),
                )
            ):
                by_data[row.raw_data_id] = row
        if all_tag_ids:
            tag_service.link_tags(conn, [UUID(row.raw_id) for row in by_data.values()], all_tag_ids)
        # The answer is complete before the commit: nothing can fail after it.
        key = raw_uuid(dialect)
        added = json_array(by_data[key(data_id)].json for data_id in data_ids)
        if answer is not None:
            answer.record(conn, added)
    return added


def search_assets(
    ctx: AppContext, actor: Actor, version_id: UUID, query: AssetQuery, q: str | None = None
) -> JsonPage:
    """One page of a version's assets (or of those in its trash) matching the filters and
    the query ``q`` (docs/query.md), in id order.

    Listings run to hundreds of thousands of rows, so the page's items come back as one
    JSON array written by the database (see ``wire_json``), not as models that would be
    built only to be serialised.
    """
    matching = asset_condition(q, ctx.db.engine.dialect.name, version_id)  # refused before any read
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        statement = asset_json_select(
            conn.dialect.name,
            ctx.settings.large_file_threshold,
            version_id,
            _datalakes_of(conn, actor),
        ).where(
            t.assets.c.dataset_version_id == version_id,
            t.assets.c.organization_id == actor.organization_id,
            _trashed(query.deleted),
        )
        if matching is not None:
            statement = statement.where(matching)
        tagged = tag_service.tagged_filter(
            conn, actor, t.assets.c.id, query.tag_ids, query.tags, Target.ASSET
        )
        if tagged is not None:
            statement = statement.where(tagged)
        if query.filenames is not None:
            statement = statement.where(one_of(conn, t.data.c.filename, query.filenames))
        if query.data_ids is not None:
            statement = statement.where(one_of(conn, t.assets.c.data_id, query.data_ids))
        if query.ids is not None:
            statement = statement.where(one_of(conn, t.assets.c.id, query.ids))
        if query.after is not None:
            statement = statement.where(t.assets.c.id > query.after)
        return read_json_page(
            conn, statement, t.assets.c.id, limit=query.limit, offset=query.offset
        )


def _datalakes_of(conn: Connection, actor: Actor) -> list[UUID]:
    """Ids of the organization's datalakes, when it has few enough for ``asset_json_select``
    to write them all into its statement (none otherwise: a datalake left out would only
    cost its rows the slower path, but choosing which to keep would take a scan)."""
    ids = list(
        conn.execute(
            select(t.datalakes.c.id)
            .where(t.datalakes.c.organization_id == actor.organization_id)
            .order_by(t.datalakes.c.id)
            .limit(KNOWN_DATALAKES + 1)
        ).scalars()
    )
    return ids if len(ids) <= KNOWN_DATALAKES else []


def count_assets(ctx: AppContext, actor: Actor, version_id: UUID, q: str | None = None) -> int:
    """How many live assets of the version match ``q`` (all of them when None)."""
    matching = version_assets(version_id, actor.organization_id, q, ctx.db.engine.dialect.name)
    counted = select(func.count()).select_from(matching.subquery())
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        return int(conn.execute(counted).scalar_one())


def get_asset(ctx: AppContext, actor: Actor, asset_id: UUID) -> AssetPublic:
    with ctx.db.read() as conn:
        row = require_assets(conn, actor, [asset_id])[0]
    return _public(row, ctx.settings.large_file_threshold)


def require_assets(
    conn: Connection, actor: Actor, asset_ids: Sequence[UUID], *, deleted: bool = False
) -> list[Any]:
    """The rows of live (or trashed) assets of live versions; NotFoundError naming the first
    id that is not one."""
    wanted = list(dict.fromkeys(asset_ids))
    rows: dict[UUID, Any] = {}
    source, visible = kinds.visible(ASSET, actor.organization_id, trashed=deleted)
    statement = (
        select(*_ASSET_COLUMNS)
        .select_from(source.join(t.data, t.data.c.id == t.assets.c.data_id))
        .where(*visible)
    )
    for chunk in chunked(conn, wanted):
        for row in conn.execute(statement.where(one_of(conn, t.assets.c.id, chunk))):
            rows[row.id] = row
    for asset_id in wanted:
        if asset_id not in rows:
            raise NotFoundError(f"asset {asset_id} not found", details={"id": str(asset_id)})
    return [rows[asset_id] for asset_id in wanted]


def asset_versions(conn: Connection, actor: Actor, rows: Sequence[Any], *, writing: bool) -> None:
    """Check the versions the assets belong to (refusing writes to locked ones)."""
    for version_id in dict.fromkeys(row.dataset_version_id for row in rows):
        require_version(conn, actor, version_id, writing=writing)


def delete_assets(ctx: AppContext, actor: Actor, asset_ids: Sequence[UUID]) -> int:
    """Move assets (with their annotations) to the trash, all or none."""
    with ctx.db.write() as conn:
        rows = require_assets(conn, actor, asset_ids)
        # Admins only: an asset goes to the trash with every worker's annotations on it.
        require_admin(actor, AdminAction.DELETE_ASSETS)
        asset_versions(conn, actor, rows, writing=True)
        now = utcnow()
        ids = [row.id for row in rows]
        for chunk in chunked(conn, ids):
            conn.execute(
                update(t.assets).where(one_of(conn, t.assets.c.id, chunk)).values(deleted_at=now)
            )
    return len(ids)


def restore_assets(
    ctx: AppContext, actor: Actor, version_id: UUID, asset_ids: Sequence[UUID]
) -> int:
    """Bring assets back from the trash into their version, all or none.

    An asset whose data was added to the version again since it was deleted can't come
    back (the version would hold the data twice): ConflictError names it.
    """
    with ctx.db.write() as conn:
        require_version(conn, actor, version_id)
        rows = require_assets(conn, actor, asset_ids, deleted=True)
        for row in rows:
            if row.dataset_version_id != version_id:
                raise NotFoundError(
                    f"asset {row.id} is not in this version's trash", details={"id": str(row.id)}
                )
        require_admin(actor, AdminAction.RESTORE_ASSETS)
        require_version(conn, actor, version_id, writing=True)
        taken: set[UUID] = set()
        for chunk in chunked(conn, [row.data_id for row in rows]):
            taken.update(
                conn.execute(
                    select(t.assets.c.data_id).where(
                        t.assets.c.dataset_version_id == version_id,
                        kinds.not_in_trash(ASSET),
                        one_of(conn, t.assets.c.data_id, chunk),
                    )
                ).scalars()
            )
        for row in rows:
            if row.data_id in taken:
                raise ConflictError(
                    f"asset {row.id} can't be restored: {row.filename} is in the version again",
                    details={"id": str(row.id)},
                )
            taken.add(row.data_id)  # two trashed assets of the same data: only one may return
        for chunk in chunked(conn, [row.id for row in rows]):
            conn.execute(
                update(t.assets).where(one_of(conn, t.assets.c.id, chunk)).values(deleted_at=None)
            )
    return len(rows)
