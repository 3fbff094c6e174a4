"""Exports of a dataset version to COCO, YOLO and Pascal VOC, read page by page.

``plan_export`` checks everything an export needs before a byte of it is sent (the
organization's version, worker, tags and assets; shapes the format can hold; images with a
known size), so that a refused export is an error status, never an answer cut short. The
export itself (``export_chunks``) then reads one page of assets, their chosen annotations
and their shapes at a time, and hands them to the pure writers of ``pixlake.formats``.

The chosen annotation of an asset is its latest (by creation, then id) among the live
annotations matching the worker and status asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import ColumnElement, Connection, String, func, or_, select, type_coerce

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.kinds import ASSET
from pixlake.core.services.datasets import require_version, require_workers
from pixlake.core.services.tags import require_tags_of_target, resolve_tag_names
from pixlake.core.sql import chunked, one_of
from pixlake.enums import AnnotationFileType, AnnotationStatus, DataType, InferenceType, ShapeKind
from pixlake.enums import Target as TagTarget
from pixlake.errors import BadRequestError, NotFoundError, UnsafePathError, UnsupportedShapeError
from pixlake.formats.conventions import DEFAULT_SPLIT
from pixlake.formats.records import ExportImage, ExportShape
from pixlake.formats.writers.layout import ExportSource, annotation_file, folder_export
from pixlake.formats.writers.names import is_safe_component
from pixlake.formats.writers.support import check_shapes_fit
from pixlake.gcpause import paused_gc
from pixlake.schemas import ExportRequest

__all__ = [
    "EXPORT_OBJECT_PREFIX",
    "EXPORT_PAGE",
    "ExportPlan",
    "export_chunks",
    "export_media_type",
    "export_object_name",
    "plan_export",
    "store_export",
]

_KINDS = {kind.value: kind for kind in ShapeKind}

EXPORT_PAGE = 1000
"""Assets read per page: their annotations and shapes are then one statement each."""

EXPORT_OBJECT_PREFIX = "exports"
"""Exports kept as objects (``store_export``) live under ``exports/``: no row names them,
so the orphan sweep removes each once ``orphan_grace_hours`` have passed."""


@dataclass(frozen=True)
class ExportPlan:
    organization_id: UUID
    version_id: UUID
    file_type: AnnotationFileType
    layout: str
    label_ids: tuple[UUID, ...]
    label_names: tuple[str, ...]
    splits: tuple[tuple[str, UUID | None], ...]
    """(name, asset tag id) per split; a tag id of None takes every asset."""
    asset_ids: tuple[UUID, ...] | None
    worker_id: UUID | None
    status: AnnotationStatus | None
    classification: bool
    root: str
    description: str


def export_media_type(plan: ExportPlan) -> str:
    if plan.layout == "file" and plan.file_type is AnnotationFileType.COCO:
        return "application/json"
    return "application/zip"


def export_filename(plan: ExportPlan) -> str:
    """The name the client saves an annotation file under."""
    suffix = ".json" if export_media_type(plan) == "application/json" else ".zip"
    return f"{plan.version_id}_{plan.file_type.value.lower()}{suffix}"


def plan_export(
    ctx: AppContext, actor: Actor, version_id: UUID, request: ExportRequest
) -> ExportPlan:
    """Check an export (NotFoundError, UnsupportedShapeError, BadRequestError...) and
    say what it reads."""
    with ctx.db.read() as conn:
        version = require_version(conn, actor, version_id)
        if request.worker_id is not None:
            require_workers(conn, actor, version.dataset_id, [request.worker_id])
        if request.asset_ids is not None:
            _require_assets_of_version(conn, actor, version_id, request.asset_ids)
        splits = _resolve_splits(conn, actor, request)
        labels = conn.execute(
            select(t.labels.c.id, t.labels.c.name)
            .where(t.labels.c.dataset_version_id == version_id)
            .order_by(t.labels.c.id)
        ).all()
        dataset_name = conn.execute(
            select(t.datasets.c.name).where(t.datasets.c.id == version.dataset_id)
        ).scalar_one()
        plan = ExportPlan(
            organization_id=actor.organization_id,
            version_id=version_id,
            file_type=request.format,
            layout=request.layout,
            label_ids=tuple(row.id for row in labels),
            label_names=tuple(row.name for row in labels),
            splits=splits,
            asset_ids=tuple(request.asset_ids) if request.asset_ids is not None else None,
            worker_id=request.worker_id,
            status=request.status,
            classification=(
                request.layout == "folder"
                and request.format is AnnotationFileType.YOLO
                and version.type == InferenceType.CLASSIFICATION.value
            ),
            root=request.root,
            description=f"{dataset_name} {version.version}",
        )
        # the kinds of every shape of the version first (cheap): when those fit, the
        # exported ones do; else the exact count decides and names what does not fit
        for counts in (_version_shape_counts, _shape_counts):
            try:
                check_shapes_fit(
                    plan.file_type, counts(conn, plan), classification_layout=plan.classification
                )
                break
            except UnsupportedShapeError:
                if counts is _shape_counts:
                    raise
        _require_sized_images(conn, plan)
        if plan.classification:
            _require_label_folders(plan)
    return plan


def export_chunks(ctx: AppContext, plan: ExportPlan) -> Iterator[bytes]:
    """The export's bytes: the annotation file, or the zip of a folder export."""
    source = ExportSource(
        label_names=plan.label_names,
        splits=[(name, partial(_images, ctx, plan, tag_id)) for name, tag_id in plan.splits],
        description=plan.description,
    )
    if plan.layout == "file":
        return annotation_file(plan.file_type, source)
    return folder_export(plan.file_type, source, root=plan.root, classification=plan.classification)


def export_object_name(organization_id: UUID, checksum: str) -> str:
    """Where a stored export lives: named after its bytes, under its organization."""
    return f"{EXPORT_OBJECT_PREFIX}/{organization_id}/{checksum[:2]}/{checksum}"


def store_export(ctx: AppContext, plan: ExportPlan) -> str:
    """Write the export into the object store and say under which name, for clients that
    fetch an export by URL and need its length first (the Picsellia SDK). The bytes are
    staged as they are written, so memory stays flat; the same export twice is one
    object."""
    staged = ctx.storage.stage_stream(export_chunks(ctx, plan))
    try:
        object_name = export_object_name(plan.organization_id, staged.checksum)
        ctx.storage.commit(staged, object_name)
    finally:
        ctx.storage.discard(staged)
    return object_name


# Checks


def _require_assets_of_version(
    conn: Connection, actor: Actor, version_id: UUID, asset_ids: Sequence[UUID]
) -> None:
    wanted = list(dict.fromkeys(asset_ids))
    found: set[UUID] = set()
    for chunk in chunked(conn, wanted):
        found.update(
            conn.execute(
                select(t.assets.c.id).where(
                    one_of(conn, t.assets.c.id, chunk),
                    t.assets.c.dataset_version_id == version_id,
                    t.assets.c.organization_id == actor.organization_id,
                    t.assets.c.deleted_at.is_(None),
                )
            ).scalars()
        )
    for asset_id in wanted:
        if asset_id not in found:
            raise NotFoundError(
                f"asset {asset_id} is not an asset of this version", details={"id": str(asset_id)}
            )


def _resolve_splits(
    conn: Connection, actor: Actor, request: ExportRequest
) -> tuple[tuple[str, UUID | None], ...]:
    if not request.splits:
        return ((DEFAULT_SPLIT, None),)
    resolved: list[tuple[str, UUID | None]] = []
    for split in request.splits:
        if split.tag_id is not None:
            tag_id = require_tags_of_target(conn, actor, [split.tag_id], TagTarget.ASSET)[0]
        else:
            assert split.tag is not None
            tag_id = resolve_tag_names(conn, actor, [split.tag], TagTarget.ASSET)[0]
        resolved.append((split.name, tag_id))
    return tuple(resolved)


def _shape_counts(conn: Connection, plan: ExportPlan) -> dict[ShapeKind, int]:
    """How many shapes of each kind the export would write (those of each asset's chosen
    annotation), in one grouped statement."""
    chosen = _chosen_annotations(plan)
    rows = conn.execute(
        select(t.shapes.c.kind, func.count())
        .select_from(
            t.shapes.join(chosen, chosen.c.id == t.shapes.c.annotation_id).join(
                t.assets, t.assets.c.id == chosen.c.asset_id
            )
        )
        .where(chosen.c.rank == 1, *_asset_clauses(conn, plan, _split_tags(plan)))
        .group_by(t.shapes.c.kind)
    ).all()
    return {ShapeKind(kind): count for kind, count in rows}


def _version_shape_counts(conn: Connection, plan: ExportPlan) -> dict[ShapeKind, int]:
    """How many shapes of each kind the version holds (in any annotation), read from the
    index on (version, kind)."""
    rows = conn.execute(
        select(t.shapes.c.kind, func.count())
        .where(t.shapes.c.dataset_version_id == plan.version_id)
        .group_by(t.shapes.c.kind)
    ).all()
    return {ShapeKind(kind): count for kind, count in rows}


def _chosen_annotations(
    plan: ExportPlan, after: UUID | None = None, last: UUID | None = None
) -> Any:
    """The annotations matching the plan (of the assets in ``(after, last]`` when given),
    ranked per asset: rank 1 is the latest (by creation, then id), the one exported."""
    table = t.annotations_table
    latest_first = (table.c.created_at.desc(), table.c.id.desc())
    rank = func.row_number().over(partition_by=table.c.asset_id, order_by=latest_first)
    statement = select(table.c.id, table.c.asset_id, rank.label("rank")).where(
        *_annotation_clauses(table, plan, by_version=last is None)
    )
    if after is not None:
        statement = statement.where(table.c.asset_id > after)
    if last is not None:
        statement = statement.where(table.c.asset_id <= last)
    return statement.subquery("chosen")


def _require_sized_images(conn: Connection, plan: ExportPlan) -> None:
    """Every format needs each image's size: refuse videos and images of unknown size."""
    row = conn.execute(
        select(t.data.c.filename, t.data.c.type)
        .select_from(t.assets.join(t.data, t.data.c.id == t.assets.c.data_id))
        .where(
            *_asset_clauses(conn, plan, _split_tags(plan)),
            or_(
                t.data.c.type != DataType.IMAGE.value,
                t.data.c.width.is_(None),
                t.data.c.height.is_(None),
            ),
        )
        .limit(1)
    ).one_or_none()
    if row is not None:
        what = "a video" if row.type != DataType.IMAGE.value else "an image of unknown size"
        raise BadRequestError(
            f"{plan.file_type.value} export: {row.filename!r} is {what}; only images with "
            "a known size can be exported",
            details={"filename": row.filename},
        )


def _require_label_folders(plan: ExportPlan) -> None:
    for name in plan.label_names:
        if not is_safe_component(name):
            raise UnsafePathError(
                f"label {name!r} can't name a folder of the classification layout (it holds "
                "a path separator or starts with a dot)",
                details={"label": name},
            )


# Reading


def _split_tags(plan: ExportPlan) -> list[UUID] | None:
    tags = [tag_id for _name, tag_id in plan.splits if tag_id is not None]
    return tags if len(tags) == len(plan.splits) else None


def _asset_clauses(
    conn: Connection, plan: ExportPlan, tag_ids: Sequence[UUID] | None
) -> list[ColumnElement[bool]]:
    """The exported assets: live assets of the version, of the ids asked for, having one
    of ``tag_ids`` (any asset when None)."""
    clauses = [
        t.assets.c.dataset_version_id == plan.version_id,
        t.assets.c.organization_id == plan.organization_id,
        ASSET.table.c.deleted_at.is_(None),
    ]
    if plan.asset_ids is not None:
        clauses.append(one_of(conn, t.assets.c.id, plan.asset_ids))
    if tag_ids is not None:
        clauses.append(
            t.assets.c.id.in_(
                select(t.tag_links.c.object_id).where(t.tag_links.c.tag_id.in_(list(tag_ids)))
            )
        )
    return clauses


def _annotation_clauses(
    table: Any, plan: ExportPlan, *, by_version: bool = True
) -> list[ColumnElement[bool]]:
    """The live annotations of the worker and status asked for (of the version when
    ``by_version``: a page's statements name its assets instead, so that the database
    reads them by asset rather than every annotation of the version per page)."""
    clauses = [table.c.deleted_at.is_(None)]
    if by_version:
        clauses.append(table.c.dataset_version_id == plan.version_id)
    if plan.worker_id is not None:
        clauses.append(table.c.worker_id == plan.worker_id)
    if plan.status is not None:
        clauses.append(table.c.status == plan.status.value)
    return clauses


def _images(ctx: AppContext, plan: ExportPlan, tag_id: UUID | None) -> Iterator[ExportImage]:
    """The split's images in asset order, one page of assets at a time (the connection is
    given back between pages, so a slow reader holds no database resource)."""
    with ctx.db.read() as conn:
        label_index = {
            raw: index
            for index, raw in enumerate(
                conn.execute(
                    select(_raw(t.labels.c.id))
                    .where(t.labels.c.dataset_version_id == plan.version_id)
                    .order_by(t.labels.c.id)
                ).scalars()
            )
        }
    after: UUID | None = None
    while True:
        # a page is thousands of small tuples that all survive it: collections triggered
        # while they are built would walk them again and again
        with paused_gc(), ctx.db.read() as conn:
            page, last = _page(conn, plan, tag_id, after, label_index)
        yield from page
        if last is None or len(page) < EXPORT_PAGE:
            return
        after = last


def _raw(column: Any) -> Any:
    """A column of ids as the driver returns it, without building a UUID per value: a
    page's shapes carry two ids each, and parsing them was most of an export's time."""
    return type_coerce(column, String)


def _coords(value: Any) -> Any:
    """A polygon's points: JSON text on SQLite; PostgreSQL's driver decodes JSON itself."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _as_uuid(raw: Any) -> UUID:
    return raw if isinstance(raw, UUID) else UUID(str(raw))


def _page(
    conn: Connection,
    plan: ExportPlan,
    tag_id: UUID | None,
    after: UUID | None,
    label_index: dict[Any, int],
) -> tuple[list[ExportImage], UUID | None]:
    """One page of images after ``after``, and the last asset id of the page. Its chosen
    annotations and their shapes are read by joins over the page's id range, so the
    statements bind no list of ids."""
    clauses = _asset_clauses(conn, plan, [tag_id] if tag_id is not None else None)
    statement = (
        select(
            _raw(t.assets.c.id).label("raw_id"),
            _raw(t.data.c.id).label("data_id"),
            t.data.c.filename,
            t.data.c.width,
            t.data.c.height,
            t.data.c.checksum,
        )
        .select_from(t.assets.join(t.data, t.data.c.id == t.assets.c.data_id))
        .where(*clauses)
    )
    if after is not None:
        statement = statement.where(t.assets.c.id > after)
    # the driver's tuples: a result row per asset, read field by field, cost as much as
    # the statement
    found = conn.execute(statement.order_by(t.assets.c.id).limit(EXPORT_PAGE))
    assets: Sequence[Any] = found.cursor.fetchall()
    found.close()
    if not assets:
        return [], None
    last = _as_uuid(assets[-1][0])
    in_page = [*clauses, t.assets.c.id <= last]
    if after is not None:
        in_page.append(t.assets.c.id > after)
    chosen = _chosen_annotations(plan, after, last)
    shapes: dict[Any, tuple[ExportShape, ...]] = {}  # by raw asset id
    result = conn.execute(
        select(
            _raw(chosen.c.asset_id),
            t.shapes.c.kind,
            _raw(t.shapes.c.label_id),
            t.shapes.c.x,
            t.shapes.c.y,
            t.shapes.c.w,
            t.shapes.c.h,
            type_coerce(t.shapes.c.coords, String),  # parsed below, only when there is one
        )
        .select_from(
            t.shapes.join(chosen, chosen.c.id == t.shapes.c.annotation_id).join(
                t.assets, t.assets.c.id == chosen.c.asset_id
            )
        )
        .where(chosen.c.rank == 1, *in_page)
        .order_by(t.shapes.c.annotation_id, t.shapes.c.id)
    )
    # The driver's own tuples, in one fetch: no column here needs converting (ids and
    # coordinates are taken as the driver gives them), and building a result row per
    # shape cost more than reading it.
    rows = result.cursor.fetchall()
    result.close()
    # one annotation per asset, its shapes in a row: grouped as they come, each built
    # positionally (half a million shapes make every step of this loop count). The named
    # tuples are made by tuple.__new__ itself: their generated __new__ is a Python call
    # per shape, which cost as much as the rest of the loop.
    kinds, new = _KINDS, tuple.__new__
    for asset_id, group in groupby(rows, key=itemgetter(0)):
        shapes[asset_id] = tuple(
            [
                new(
                    ExportShape,
                    (kinds[kind], label_index[label], x, y, w, h, coords and _coords(coords)),
                )
                for _asset, kind, label, x, y, w, h, coords in group
            ]
        )
    no_shapes: tuple[ExportShape, ...] = ()
    # (asset id, data id, filename, width, height, checksum) + (shapes,): ExportImage's order
    images = [new(ExportImage, (*asset, shapes.get(asset[0], no_shapes))) for asset in assets]
    return images, last
