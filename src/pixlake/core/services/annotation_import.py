"""Importing annotation files into a dataset version: all of it in one transaction, or none.

The readers (``pixlake.formats.readers``) turn the files into records; this module matches
their images to the version's assets by filename (YOLO label files by stem), resolves or
creates their labels, places each shape in its image (clipping what overhangs it, refusing
what lies wholly outside) and writes annotations and shapes with one bulk statement each.

``import_shapes`` writes shapes a client read from its files itself (the Picsellia SDK's
importers), given by asset id and label id, with the same modes, placement and writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import isfinite
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select, update

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.bulk_rows import insert_tuples
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.roles import require_own_work
from pixlake.core.services.datasets import require_version, require_workers, worker_for_user
from pixlake.core.services.idempotency import KeyedAnswer
from pixlake.core.sql import analyze_after_bulk, bulk_insert, chunked, one_of
from pixlake.enums import AnnotationStatus, ImportAnnotationMode, ShapeKind
from pixlake.errors import AnnotationFileError, NotFoundError
from pixlake.formats.readers.records import ImageRecord, ParsedAnnotations, ShapeRecord
from pixlake.ids import new_id, new_ids
from pixlake.import_schemas import AnnotationFileInspection, ImportSummary, InspectedImage
from pixlake.limits import MAX_NAME_LENGTH
from pixlake.schemas import ShapeIn
from pixlake.shapes import check_shape
from pixlake.validation import check_text

__all__ = ["ImportOptions", "import_annotations", "import_shapes", "inspect_annotations"]


@dataclass(frozen=True)
class ImportOptions:
    mode: ImportAnnotationMode = ImportAnnotationMode.REPLACE
    worker_id: UUID | None = None
    force_create_label: bool = True
    fail_on_asset_not_found: bool = True
    status: AnnotationStatus | None = None


@dataclass(frozen=True, slots=True)
class _Asset:
    id: UUID
    filename: str
    width: int | None
    height: int | None


def inspect_annotations(parsed: ParsedAnnotations) -> AnnotationFileInspection:
    kinds_found = dict.fromkeys(shape.kind for image in parsed.images for shape in image.shapes)
    return AnnotationFileInspection(
        labels=parsed.labels,
        images=[
            InspectedImage(
                name=image.name,
                file=image.file,
                written=image.written or image.name,
                shapes=len(image.shapes),
            )
            for image in parsed.images
        ],
        by_stem=any(image.by_stem for image in parsed.images),
        shape_kinds=list(kinds_found),
    )


def import_annotations(
    ctx: AppContext,
    actor: Actor,
    version_id: UUID,
    parsed: ParsedAnnotations,
    options: ImportOptions,
    answer: KeyedAnswer | None = None,
) -> ImportSummary:
    """Write what ``parsed`` holds into the version, all or none (see the module).
    ``answer`` (a keyed request's) is recorded in the import's own transaction."""
    now = utcnow()
    with ctx.db.write() as conn:
        version = require_version(conn, actor, version_id, writing=True)
        worker_id = _worker(conn, actor, version.dataset_id, options.worker_id)
        matched, not_found = _match(conn, version_id, parsed.images)
        if not_found and options.fail_on_asset_not_found:
            image = not_found[0]
            raise AnnotationFileError.at(
                image.file,
                f"image {image.name!r}",
                f"no asset of version {version.version!r} has this "
                + ("stem" if image.by_stem else "filename")
                + f" ({len(not_found)} image(s) unmatched; fail_on_asset_not_found=False "
                "imports the others)",
            )
        label_ids, labels_created = _labels(
            conn, actor, version_id, parsed, matched, options.force_create_label, now
        )
        existing = _existing_annotations(conn, version_id, worker_id)
        summary, _written = _write(
            conn, actor, version_id, worker_id, matched, existing, label_ids, options, now
        )
        summary.update(
            labels_created=labels_created,
            assets_not_found=len(not_found),
            not_found=[image.name for image in not_found],
            masks_as_boxes=parsed.masks_as_boxes,
        )
        result = ImportSummary(**summary)
        if answer is not None:
            answer.record(conn, result)
        return result


def import_shapes(
    ctx: AppContext,
    actor: Actor,
    version_id: UUID,
    shapes_by_asset: Mapping[UUID, Sequence[ShapeIn]],
    options: ImportOptions,
) -> dict[UUID, int]:
    """Write each asset's shapes as ``import_annotations`` writes a file's, all or none;
    every asset must be one of the version's and every label the version's. Answers the
    number of shapes written to each annotation made or extended (KEEP's are left out)."""
    now = utcnow()
    with ctx.db.write() as conn:
        version = require_version(conn, actor, version_id, writing=True)
        worker_id = _worker(conn, actor, version.dataset_id, options.worker_id)
        assets = _assets_by_id(conn, version_id, list(shapes_by_asset))
        names = {
            row.id: row.name
            for row in conn.execute(
                select(t.labels.c.id, t.labels.c.name).where(
                    t.labels.c.dataset_version_id == version_id
                )
            )
        }
        matched: dict[_Asset, list[ShapeRecord]] = {}
        for asset_id, shapes in shapes_by_asset.items():
            records = matched.setdefault(assets[asset_id], [])
            for index, shape in enumerate(shapes):
                where = f"asset {asset_id}, shape {index}"
                if shape.label_id not in names:
                    raise NotFoundError(
                        f"{where}: label {shape.label_id} is not one of the version's",
                        details={"label_id": str(shape.label_id)},
                    )
                records.append(_record(shape, names[shape.label_id], where))
        existing = _existing_annotations(conn, version_id, worker_id)
        label_ids = {name: label_id for label_id, name in names.items()}
        _summary, written = _write(
            conn, actor, version_id, worker_id, matched, existing, label_ids, options, now
        )
        return written


def _assets_by_id(conn: Connection, version_id: UUID, asset_ids: list[UUID]) -> dict[UUID, _Asset]:
    found: dict[UUID, _Asset] = {}
    for chunk in chunked(conn, asset_ids):
        rows = conn.execute(
            select(t.assets.c.id, t.data.c.filename, t.data.c.width, t.data.c.height)
            .join(t.data, t.data.c.id == t.assets.c.data_id)
            .where(
                t.assets.c.dataset_version_id == version_id,
                kinds.not_in_trash(ASSET),
                one_of(conn, t.assets.c.id, chunk),
            )
        )
        found.update({row.id: _Asset(*row) for row in rows})
    for asset_id in asset_ids:
        if asset_id not in found:
            raise NotFoundError(f"asset {asset_id} not found", details={"id": str(asset_id)})
    return found


def _record(shape: ShapeIn, label: str, where: str) -> ShapeRecord:
    """A shape given by a client as the record a file would give (its geometry checked
    the way every shape's is)."""
    geometry = check_shape(
        shape.kind, x=shape.x, y=shape.y, w=shape.w, h=shape.h, coords=shape.coords, where=where
    )
    return ShapeRecord(
        kind=shape.kind,
        label=label,
        file="request",
        item=where,
        x=geometry.get("x") or 0.0,
        y=geometry.get("y") or 0.0,
        w=geometry.get("w") or 0.0,
        h=geometry.get("h") or 0.0,
        coords=geometry.get("coords"),
    )


def _users(worker_ids: Sequence[UUID], conn: Connection) -> list[UUID]:
    return list(
        conn.execute(select(t.workers.c.user_id).where(t.workers.c.id.in_(list(worker_ids))))
        .scalars()
        .all()
    )


def _worker(conn: Connection, actor: Actor, dataset_id: UUID, worker_id: UUID | None) -> UUID:
    if worker_id is None:
        return worker_for_user(conn, actor, dataset_id)
    require_workers(conn, actor, dataset_id, [worker_id])
    require_own_work(actor, _users([worker_id], conn), "import annotations as another worker")
    return worker_id


def _match(
    conn: Connection, version_id: UUID, images: Sequence[ImageRecord]
) -> tuple[dict[_Asset, list[ShapeRecord]], list[ImageRecord]]:
    """The shapes of each matched asset, and the images no asset matched.

    An image name two assets share (two data with one filename, or one stem) matches
    neither: which one the file meant can't be told, so the import is refused.
    """
    by_name: dict[str, list[_Asset]] = {}
    by_stem: dict[str, list[_Asset]] = {}
    needs_stems = any(image.by_stem for image in images)
    rows = conn.execute(
        select(t.assets.c.id, t.data.c.filename, t.data.c.width, t.data.c.height)
        .join(t.data, t.data.c.id == t.assets.c.data_id)
        .where(t.assets.c.dataset_version_id == version_id, kinds.not_in_trash(ASSET))
    )
    for row in rows:
        asset = _Asset(*row)
        by_name.setdefault(asset.filename, []).append(asset)
        if needs_stems:
            by_stem.setdefault(PurePosixPath(asset.filename).stem, []).append(asset)
    matched: dict[_Asset, list[ShapeRecord]] = {}
    not_found: list[ImageRecord] = []
    for image in images:
        candidates = (by_stem if image.by_stem else by_name).get(image.name)
        if not candidates:
            not_found.append(image)
            continue
        if len(candidates) > 1:
            raise AnnotationFileError.at(
                image.file,
                f"image {image.name!r}",
                f"{len(candidates)} assets match it ("
                + ", ".join(sorted(a.filename for a in candidates))
                + "): rename one so that each image names one asset",
            )
        matched.setdefault(candidates[0], []).extend(image.shapes)
    return matched, not_found


def _check_label_name(name: str, file: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise AnnotationFileError.at(
            file,
            f"label {name[:40]!r}...",
            f"a label name has at most {MAX_NAME_LENGTH} characters",
        )
    check_text(name, "label name")


def _labels(
    conn: Connection,
    actor: Actor,
    version_id: UUID,
    parsed: ParsedAnnotations,
    matched: dict[_Asset, list[ShapeRecord]],
    force_create: bool,
    now: Any,
) -> tuple[dict[str, UUID], int]:
    """Label ids by name, creating the missing ones the files declare (in their order)
    when ``force_create``; otherwise a missing label a shape uses is refused."""
    existing = {
        row.name: row.id
        for row in conn.execute(
            select(t.labels.c.id, t.labels.c.name).where(
                t.labels.c.dataset_version_id == version_id
            )
        )
    }
    used: dict[str, str] = {}  # label -> the first file using it
    for shapes in matched.values():
        for shape in shapes:
            if shape.label not in used:
                used[shape.label] = shape.file
    missing = [name for name in dict.fromkeys([*parsed.labels, *used]) if name not in existing]
    if not force_create:
        for name in missing:
            if name in used:
                raise AnnotationFileError.at(
                    used[name],
                    f"label {name!r}",
                    "the version has no such label (force_create_label=True creates it)",
                )
        return existing, 0
    default_file = parsed.images[0].file if parsed.images else "annotations"
    rows = []
    for name in missing:
        _check_label_name(name, used.get(name, default_file))
        rows.append(
            {
                "id": new_id(),
                "organization_id": actor.organization_id,
                "dataset_version_id": version_id,
                "name": name,
                "created_at": now,
            }
        )
    bulk_insert(conn, t.labels, rows)
    existing.update({row["name"]: row["id"] for row in rows})
    return existing, len(rows)


def _existing_annotations(conn: Connection, version_id: UUID, worker_id: UUID) -> dict[UUID, UUID]:
    """The worker's live annotation of each asset of the version, by asset id."""
    return {
        asset_id: annotation_id
        for annotation_id, asset_id in conn.execute(
            select(t.annotations_table.c.id, t.annotations_table.c.asset_id).where(
                t.annotations_table.c.dataset_version_id == version_id,
                t.annotations_table.c.worker_id == worker_id,
                kinds.not_in_trash(ANNOTATION),
            )
        )
    }


Geometry = tuple[float | None, float | None, float | None, float | None, Any]
"""x, y, w, h and coords, in the order of the shapes table's columns below."""


def _place(shape: ShapeRecord, asset: _Asset) -> tuple[Geometry, bool]:
    """The shape's geometry in the image's pixels, and whether it was clipped to it."""
    if shape.kind is ShapeKind.CLASSIFICATION:
        return (None, None, None, None, None), False  # the whole image: nothing to place
    width, height = asset.width, asset.height
    if shape.normalized and not (width and height):
        raise AnnotationFileError.at(
            shape.file,
            shape.item,
            f"{asset.filename} has no known size to scale normalised coordinates by",
        )
    if shape.kind is ShapeKind.RECTANGLE:
        x, y, w, h = shape.x, shape.y, shape.w, shape.h
        if shape.normalized:
            assert width and height
            x, y, w, h = x * width, y * height, w * width, h * height
        if not (width and height):
            if not isfinite(x + y + w + h):
                raise _outside(shape, asset, x, x + w, y, y + h)
            return (x, y, w, h, None), False
        right, bottom = x + w, y + h
        if not isfinite(right + bottom) or right <= 0 or bottom <= 0 or x >= width or y >= height:
            raise _outside(shape, asset, x, right, y, bottom)
        if x >= 0 and y >= 0 and right <= width and bottom <= height:
            return (x, y, w, h, None), False
        left, top = max(x, 0.0), max(y, 0.0)
        clipped = (left, top, min(right, float(width)) - left, min(bottom, float(height)) - top)
        return (*clipped, None), True
    points = shape.coords or []
    if shape.normalized:
        assert width and height
        points = [[px * width, py * height] for px, py in points]
    if not (width and height):
        return (None, None, None, None, points), False
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    if right <= 0 or bottom <= 0 or left >= width or top >= height:
        raise _outside(shape, asset, left, right, top, bottom)
    if left >= 0 and top >= 0 and right <= width and bottom <= height:
        return (None, None, None, None, points), False
    inside = [
        [min(max(px, 0.0), float(width)), min(max(py, 0.0), float(height))] for px, py in points
    ]
    return (None, None, None, None, inside), True


def _outside(
    shape: ShapeRecord, asset: _Asset, left: float, right: float, top: float, bottom: float
) -> AnnotationFileError:
    return AnnotationFileError.at(
        shape.file,
        shape.item,
        f"lies wholly outside its {asset.width} x {asset.height} image {asset.filename} "
        f"(x {left:g} to {right:g}, y {top:g} to {bottom:g})",
    )


_ANNOTATION_COLUMNS = (
    "id",
    "organization_id",
    "dataset_version_id",
    "asset_id",
    "worker_id",
    "duration",
    "status",
    "created_at",
    "updated_at",
)
_SHAPE_COLUMNS = (
    "id",
    "organization_id",
    "dataset_version_id",
    "annotation_id",
    "kind",
    "label_id",
    "text",
    "created_at",
    "x",
    "y",
    "w",
    "h",
    "coords",
)

_SHARED_COLUMNS = frozenset(
    {
        "organization_id",
        "dataset_version_id",
        "worker_id",
        "status",
        "created_at",
        "updated_at",
        "kind",
        "label_id",
        "annotation_id",
    }
)
"""Columns whose values repeat across an import's rows (see ``insert_tuples``)."""


def _write(
    conn: Connection,
    actor: Actor,
    version_id: UUID,
    worker_id: UUID,
    matched: dict[_Asset, list[ShapeRecord]],
    existing: dict[UUID, UUID],
    label_ids: dict[str, UUID],
    options: ImportOptions,
    now: Any,
) -> tuple[dict[str, Any], dict[UUID, int]]:
    """The summary of the writes, and the shapes written to each annotation."""
    organization_id = actor.organization_id
    status = (options.status or AnnotationStatus.PENDING).value
    new_annotations: list[tuple[Any, ...]] = []
    extended: list[UUID] = []
    replaced: list[UUID] = []
    kept = 0
    written: dict[UUID, int] = {}
    shape_rows: list[tuple[Any, ...]] = []
    clipped_count = 0
    shape_ids = iter(new_ids(sum(len(shapes) for shapes in matched.values())))
    annotation_ids = iter(new_ids(len(matched)))
    for asset, shapes in matched.items():
        current = existing.get(asset.id)
        if current is not None and options.mode is ImportAnnotationMode.KEEP:
            kept += 1
            continue
        if current is not None and options.mode is ImportAnnotationMode.CONCATENATE:
            annotation_id = current
            extended.append(current)
        else:
            if current is not None:
                replaced.append(current)
            annotation_id = next(annotation_ids)
            new_annotations.append(
                (
                    annotation_id,
                    organization_id,
                    version_id,
                    asset.id,
                    worker_id,
                    0.0,
                    status,
                    now,
                    now,
                )
            )
        written[annotation_id] = written.get(annotation_id, 0) + len(shapes)
        for shape in shapes:
            geometry, clipped = _place(shape, asset)
            clipped_count += clipped
            shape_rows.append(
                (
                    next(shape_ids),
                    organization_id,
                    version_id,
                    annotation_id,
                    shape.kind.value,
                    label_ids[shape.label],
                    None,
                    now,
                    *geometry,
                )
            )
    for chunk in chunked(conn, replaced):
        conn.execute(
            update(t.annotations_table)
            .where(one_of(conn, t.annotations_table.c.id, chunk))
            .values(deleted_at=now)
        )
    for chunk in chunked(conn, extended):
        changes: dict[str, Any] = {"updated_at": now}
        if options.status is not None:
            changes["status"] = status
        conn.execute(
            update(t.annotations_table)
            .where(one_of(conn, t.annotations_table.c.id, chunk))
            .values(**changes)
        )
    insert_tuples(conn, t.annotations_table, _ANNOTATION_COLUMNS, new_annotations, _SHARED_COLUMNS)
    insert_tuples(conn, t.shapes, _SHAPE_COLUMNS, shape_rows, _SHARED_COLUMNS)
    analyze_after_bulk(conn, t.annotations_table, len(new_annotations))
    analyze_after_bulk(conn, t.shapes, len(shape_rows))
    summary = {
        "assets_matched": len(matched),
        "annotations_created": len(new_annotations),
        "annotations_replaced": len(replaced),
        "annotations_extended": len(extended),
        "assets_kept": kept,
        "shapes_created": len(shape_rows),
        "shapes_clipped": clipped_count,
    }
    return summary, written
