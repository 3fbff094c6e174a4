"""Galleries: pages of a version's assets with every shape drawn on them, and the counts
per label and per tag of the same filter (the web app's grid and sidebar).

A page is read by key (``after`` or ``before``, in id order), never by offset, so the
thousandth page costs what the first does; its annotations and shapes come in two more
statements for the page's ids alone. Counts run in the database (one ``GROUP BY`` each),
over the filtered assets as a subquery.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Text,
    cast,
    distinct,
    func,
    select,
    type_coerce,
)

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.query import asset_condition, data_condition
from pixlake.core.services import tags as tag_service
from pixlake.core.services.datalakes import require_datalake
from pixlake.core.services.datasets import require_version
from pixlake.core.sql import chunked, one_of
from pixlake.enums import Target
from pixlake.errors import NotFoundError
from pixlake.gallery_schemas import (
    DatalakeGalleryFilter,
    DatalakeGalleryQuery,
    GalleryFilter,
    GalleryPageKeys,
    GalleryQuery,
)

__all__ = [
    "datalake_gallery",
    "datalake_gallery_counts",
    "version_gallery",
    "version_gallery_counts",
]


def _filename_holds(text: str) -> ColumnElement[bool]:
    # autoescape: a % or _ in the text is matched as itself, not as a wildcard.
    return func.lower(t.data.c.filename).contains(text.lower(), autoescape=True)


def _live_annotations(version_id: UUID) -> Any:
    return t.annotations_table.c.dataset_version_id == version_id, kinds.not_in_trash(ANNOTATION)


def _label_ids(conn: Connection, version_id: UUID, names: list[str]) -> list[UUID]:
    by_name = dict(
        conn.execute(
            select(t.labels.c.name, t.labels.c.id).where(
                t.labels.c.dataset_version_id == version_id, t.labels.c.name.in_(names)
            )
        ).all()
    )
    for name in names:
        if name not in by_name:
            raise NotFoundError(f"no label named {name!r} in this version", details={"name": name})
    return [by_name[name] for name in names]


def _version_conditions(
    conn: Connection, actor: Actor, version_id: UUID, wanted: GalleryFilter
) -> list[Any]:
    """The WHERE of a version's assets under ``wanted`` (over assets joined to data)."""
    conditions: list[Any] = [
        t.assets.c.dataset_version_id == version_id,
        t.assets.c.organization_id == actor.organization_id,
        kinds.not_in_trash(ASSET),
    ]
    tagged = tag_service.tagged_filter(conn, actor, t.assets.c.id, [], wanted.tags, Target.ASSET)
    if tagged is not None:
        conditions.append(tagged)
    if wanted.labels:
        label_ids = _label_ids(conn, version_id, list(dict.fromkeys(wanted.labels)))
        conditions.append(
            t.assets.c.id.in_(
                select(t.annotations_table.c.asset_id)
                .join(t.shapes, t.shapes.c.annotation_id == t.annotations_table.c.id)
                .where(*_live_annotations(version_id), t.shapes.c.label_id.in_(label_ids))
            )
        )
    if wanted.status is not None:
        conditions.append(
            t.assets.c.id.in_(
                select(t.annotations_table.c.asset_id).where(
                    *_live_annotations(version_id),
                    t.annotations_table.c.status == wanted.status.value,
                )
            )
        )
    if wanted.filename is not None:
        conditions.append(_filename_holds(wanted.filename))
    queried = asset_condition(wanted.q, conn.dialect.name, version_id)
    if queried is not None:
        conditions.append(queried)
    return conditions


def _assets_with_data() -> Any:
    return t.assets.join(t.data, t.data.c.id == t.assets.c.data_id)


def version_gallery(
    ctx: AppContext, actor: Actor, version_id: UUID, query: GalleryQuery
) -> dict[str, Any]:
    """One page of a version's gallery: assets with their annotations and shapes."""
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        dialect = conn.dialect.name
        statement = (
            select(
                _raw(t.assets.c.id, dialect),
                _raw(t.assets.c.data_id, dialect),
                t.data.c.filename,
                t.data.c.type,
                t.data.c.width,
                t.data.c.height,
            )
            .select_from(_assets_with_data())
            .where(*_version_conditions(conn, actor, version_id, query))
        )
        window = _window(conn, statement, t.assets.c.id, query)
        annotations = _annotations_of(conn, [row[0] for row in window.rows])
    dashed = _dashing(dialect)
    items = [
        {
            "id": dashed(asset_id),
            "data_id": dashed(data_id),
            "filename": filename,
            "type": data_type,
            "width": width,
            "height": height,
            "annotations": annotations.get(asset_id, []),
        }
        for asset_id, data_id, filename, data_type, width, height in window.rows
    ]
    return {"items": items, **window.keys([item["id"] for item in items])}


@dataclass(frozen=True)
class _Window:
    rows: list[Any]
    more_after: bool
    more_before: bool

    def keys(self, ids: list[Any]) -> dict[str, Any]:
        """``next_after`` and ``prev_before`` of a page whose items have these ids."""
        return {
            "next_after": ids[-1] if ids and self.more_after else None,
            "prev_before": ids[0] if ids and self.more_before else None,
        }


def _window(conn: Connection, statement: Select[Any], key: Any, query: GalleryPageKeys) -> _Window:
    """The page of ``statement``'s rows (in ``key`` order) that ``query`` asks for."""
    if query.before is not None:
        # Read backwards from the key, then turned around: still one index range.
        rows = conn.execute(
            statement.where(key < query.before).order_by(key.desc()).limit(query.limit + 1)
        ).all()
        page = list(reversed(rows[: query.limit]))
        return _Window(page, more_after=True, more_before=len(rows) > query.limit)
    if query.after is not None:
        statement = statement.where(key > query.after)
    rows = conn.execute(statement.order_by(key).limit(query.limit + 1)).all()
    return _Window(
        list(rows[: query.limit]),
        more_after=len(rows) > query.limit,
        more_before=query.after is not None,
    )


def _annotations_of(conn: Connection, asset_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The live annotations of these assets (a page of one version's) with their shapes,
    by asset.

    Ids are read raw and written dashed here, and coordinates passed on as the JSON text
    stored: building a UUID or parsing a list per value cost most of a page's time (a page
    holds hundreds of shapes), for values that go straight back out as text.
    """
    if not asset_ids:
        return {}
    dialect = conn.dialect.name
    dashed = _dashing(dialect)
    annotations = t.annotations_table.c
    by_id: dict[str, dict[str, Any]] = {}
    by_asset: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in chunked(conn, asset_ids):
        for annotation_id, asset_id, worker_id, status in conn.execute(
            select(
                _raw(annotations.id, dialect),
                _raw(annotations.asset_id, dialect),
                _raw(annotations.worker_id, dialect),
                annotations.status,
            )
            # By asset id alone: these assets are the version's, read under the caller's
            # organization, and so are their annotations. Named too, the version's
            # condition let SQLite's planner reach them through the version's index, and
            # a connection holding statistics from before a bulk insert (SQLite reads them
            # once per connection, not again when another one runs ANALYZE) did: it read
            # all 100,000 annotations of the version for each page (docs/webapp.md).
            .where(kinds.not_in_trash(ANNOTATION), _raw_one_of(conn, annotations.asset_id, chunk))
            .order_by(annotations.id)
        ):
            annotation = {
                "id": dashed(annotation_id),
                "worker_id": dashed(worker_id),
                "status": status,
                "shapes": [],
            }
            by_id[annotation_id] = annotation
            by_asset[asset_id].append(annotation)
    for chunk in chunked(conn, list(by_id)):
        for shape in conn.execute(
            select(
                _raw(t.shapes.c.annotation_id, dialect),
                _raw(t.shapes.c.id, dialect),
                t.shapes.c.kind,
                _raw(t.shapes.c.label_id, dialect),
                t.shapes.c.x,
                t.shapes.c.y,
                t.shapes.c.w,
                t.shapes.c.h,
                _raw(t.shapes.c.coords, dialect),
                t.shapes.c.text,
            )
            .where(_raw_one_of(conn, t.shapes.c.annotation_id, chunk))
            .order_by(t.shapes.c.annotation_id, t.shapes.c.id)
        ):
            annotation_id, shape_id, kind, label_id, x, y, w, h, coords, text = shape
            by_id[annotation_id]["shapes"].append(
                {
                    "id": dashed(shape_id),
                    "kind": kind,
                    "label_id": dashed(label_id),
                    "x": x,
                    "y": y,
                    "w": w,
                    "h": h,
                    "coords": None if coords is None else orjson.Fragment(coords),
                    "text": text,
                }
            )
    return by_asset


def _raw(column: Any, dialect: str) -> Any:
    """The column as the database holds it, as text: converted by neither SQLAlchemy nor
    the driver (a UUID is 32 hex digits on SQLite, dashed text on PostgreSQL)."""
    return type_coerce(column, String) if dialect == "sqlite" else cast(column, Text)


def _raw_one_of(conn: Connection, column: Any, raws: Sequence[str]) -> Any:
    """``one_of`` for ids read with ``_raw``."""
    if conn.dialect.name == "sqlite":
        return type_coerce(column, String).in_(list(raws))
    return one_of(conn, column, [UUID(raw) for raw in raws])


def _dashing(dialect: str) -> Callable[[str], str]:
    """Writes a ``_raw`` UUID in its dashed form."""
    if dialect != "sqlite":
        return str
    return lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def version_gallery_counts(
    ctx: AppContext, actor: Actor, version_id: UUID, wanted: GalleryFilter
) -> dict[str, Any]:
    """Images and shapes under the filter, in all and per label, and images per tag."""
    with ctx.db.read() as conn:
        require_version(conn, actor, version_id)
        if wanted.model_dump(exclude_defaults=True):
            filtered = (
                select(t.assets.c.id)
                .select_from(_assets_with_data())
                .where(*_version_conditions(conn, actor, version_id, wanted))
            )
            per_label = _filtered_label_counts(version_id, filtered)
        else:
            # No filter: every live asset of the version. Its data row is not needed (no
            # condition reads it, and every asset has one), and the shapes are counted
            # from their label's index rather than through the assets' ids.
            filtered = select(t.assets.c.id).where(
                t.assets.c.dataset_version_id == version_id,
                t.assets.c.organization_id == actor.organization_id,
                kinds.not_in_trash(ASSET),
            )
            per_label = _version_label_counts(version_id)
        images = conn.execute(select(func.count()).select_from(filtered.subquery())).scalar_one()
        labels = [
            # int(): PostgreSQL's SUM of integers is a numeric (a Decimal here).
            {"id": row.id, "name": row.name, "images": row.images, "shapes": int(row.shapes)}
            for row in conn.execute(
                select(
                    t.labels.c.id,
                    t.labels.c.name,
                    func.coalesce(per_label.c.images, 0).label("images"),
                    func.coalesce(per_label.c.shapes, 0).label("shapes"),
                )
                .select_from(t.labels.outerjoin(per_label, per_label.c.label_id == t.labels.c.id))
                .where(t.labels.c.dataset_version_id == version_id)
                .order_by(t.labels.c.name)
            )
        ]
        tags = _tag_counts(conn, actor, Target.ASSET, filtered)
    total_shapes = sum(label["shapes"] for label in labels)
    return {"images": images, "shapes": total_shapes, "labels": labels, "tags": tags}


def _filtered_label_counts(version_id: UUID, filtered: Select[Any]) -> Any:
    """Per label of the version: the filtered assets with one of its live shapes, and
    those shapes (``label_id``, ``images``, ``shapes``)."""
    shapes = (
        select(t.shapes.c.id, t.shapes.c.label_id, t.annotations_table.c.asset_id)
        .join(t.annotations_table, t.annotations_table.c.id == t.shapes.c.annotation_id)
        .where(*_live_annotations(version_id), t.annotations_table.c.asset_id.in_(filtered))
        .subquery()
    )
    return (
        select(
            shapes.c.label_id,
            func.count(distinct(shapes.c.asset_id)).label("images"),
            func.count(shapes.c.id).label("shapes"),
        )
        .group_by(shapes.c.label_id)
        .subquery()
    )


def _version_label_counts(version_id: UUID) -> Any:
    """``_filtered_label_counts`` of all the version's live assets, in two steps.

    The shapes of the version's labels are first counted per annotation, in the order of
    their label's index (``ix_shapes_label_kind``, which holds all three columns), so that
    each annotation (and its asset) is looked up once rather than once per shape: at
    100,000 assets of 5 shapes, a third of the time of joining every shape.
    """
    annotations = t.annotations_table.c
    per_annotation = (
        select(
            t.shapes.c.label_id,
            t.shapes.c.annotation_id,
            func.count().label("shapes"),
        )
        .where(
            t.shapes.c.label_id.in_(
                select(t.labels.c.id).where(t.labels.c.dataset_version_id == version_id)
            )
        )
        # The index's own order (kind included): grouped as it is read, no sort.
        .group_by(t.shapes.c.label_id, t.shapes.c.kind, t.shapes.c.annotation_id)
        .subquery()
    )
    return (
        select(
            per_annotation.c.label_id,
            func.count(distinct(annotations.asset_id)).label("images"),
            func.sum(per_annotation.c.shapes).label("shapes"),
        )
        .select_from(
            per_annotation.join(
                t.annotations_table, annotations.id == per_annotation.c.annotation_id
            ).join(t.assets, t.assets.c.id == annotations.asset_id)
        )
        # An asset's trash hides its annotations (they keep no mark of their own). The
        # annotation's version needs no check: a shape's label is always of its version.
        .where(kinds.not_in_trash(ANNOTATION), kinds.not_in_trash(ASSET))
        .group_by(per_annotation.c.label_id)
        .subquery()
    )


def _tag_counts(
    conn: Connection, actor: Actor, target: Target, filtered: Select[Any]
) -> list[dict[str, Any]]:
    return [
        {"id": row.id, "name": row.name, "images": row.images}
        for row in conn.execute(
            select(t.tags.c.id, t.tags.c.name, func.count(t.tag_links.c.object_id).label("images"))
            .join(t.tag_links, t.tag_links.c.tag_id == t.tags.c.id)
            .where(
                t.tags.c.organization_id == actor.organization_id,
                t.tags.c.target == target.value,
                t.tag_links.c.object_id.in_(filtered),
            )
            .group_by(t.tags.c.id, t.tags.c.name)
            .order_by(t.tags.c.name)
        )
    ]


def _datalake_conditions(
    conn: Connection, actor: Actor, datalake_id: UUID, wanted: DatalakeGalleryFilter
) -> list[Any]:
    conditions: list[Any] = [
        t.data.c.datalake_id == datalake_id,
        t.data.c.organization_id == actor.organization_id,
    ]
    tagged = tag_service.tagged_filter(conn, actor, t.data.c.id, [], wanted.tags, Target.DATA)
    if tagged is not None:
        conditions.append(tagged)
    if wanted.filename is not None:
        conditions.append(_filename_holds(wanted.filename))
    queried = data_condition(wanted.q, conn.dialect.name)
    if queried is not None:
        conditions.append(queried)
    return conditions


def datalake_gallery(
    ctx: AppContext, actor: Actor, datalake_id: UUID, query: DatalakeGalleryQuery
) -> dict[str, Any]:
    """One page of a datalake's gallery, in data id order."""
    with ctx.db.read() as conn:
        require_datalake(conn, actor, datalake_id)
        statement = select(
            t.data.c.id, t.data.c.filename, t.data.c.type, t.data.c.width, t.data.c.height
        ).where(*_datalake_conditions(conn, actor, datalake_id, query))
        window = _window(conn, statement, t.data.c.id, query)
    items = [
        {
            "id": row.id,
            "filename": row.filename,
            "type": row.type,
            "width": row.width,
            "height": row.height,
        }
        for row in window.rows
    ]
    return {"items": items, **window.keys([row.id for row in window.rows])}


def datalake_gallery_counts(
    ctx: AppContext, actor: Actor, datalake_id: UUID, wanted: DatalakeGalleryFilter
) -> dict[str, Any]:
    """Data under the filter, in all and per tag."""
    with ctx.db.read() as conn:
        require_datalake(conn, actor, datalake_id)
        filtered = select(t.data.c.id).where(
            *_datalake_conditions(conn, actor, datalake_id, wanted)
        )
        images = conn.execute(select(func.count()).select_from(filtered.subquery())).scalar_one()
        tags = _tag_counts(conn, actor, Target.DATA, filtered)
    return {"images": images, "tags": tags}
