"""COCO, YOLO and Pascal VOC through the SDK's own methods, on pixlake's formats.

``export_annotation_file`` asks for an export and then downloads it from a URL, needing its
length first: the export is written by pixlake's exporter (``core/services/exports.py``,
the rules of docs/formats.md) into the object store, and a signed URL to it is answered.

The SDK's importers read the files on the client and send what they read: labels by name
(``bulk-labels``) and each asset's shapes (``bulk-annotations``), which pixlake's importer
(``core/services/annotation_import.py``) writes in one transaction, with its modes and
checks.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import Field

from pixlake.core.services import annotation_import
from pixlake.core.services import annotations as annotation_service
from pixlake.core.services import exports as export_service
from pixlake.enums import AnnotationFileType, AnnotationStatus, ImportAnnotationMode
from pixlake.errors import BadRequestError, PayloadTooLargeError
from pixlake.limits import MAX_IDS_PER_REQUEST, MAX_SHAPES_PER_REQUEST
from pixlake.schemas import ExportRequest, Name, ShapeIn
from pixlake.server.compat.annotations import SHAPE_KINDS, shape_in
from pixlake.server.compat.bodies import CompatModel
from pixlake.server.compat.wire import label_json, page
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.routers.data import object_url

router = APIRouter(prefix="/api", include_in_schema=False)


# Export


class _ExportBody(CompatModel):
    type: AnnotationFileType
    export_video: bool = False
    export_key: str = Field(default="FILENAME", max_length=32)
    asset_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    status: AnnotationStatus | None = None


@router.post("/dataset/version/{version_id:uuid}/annotations/export")
def export_annotation_file(
    version_id: UUID, body: _ExportBody, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    if body.export_video:
        raise BadRequestError("this server exports the annotations of images, not of videos")
    if body.export_key != "FILENAME":
        raise BadRequestError(
            f"this server writes images by filename, not by {body.export_key[:32]}",
            details={"export_key": body.export_key[:32]},
        )
    export = ExportRequest(format=body.type, asset_ids=body.asset_ids, status=body.status)
    plan = export_service.plan_export(ctx, actor, version_id, export)
    stored = export_service.store_export(ctx, plan)
    url = object_url(request, ctx, stored, export_service.export_media_type(plan)).url
    # object_name is where the SDK writes the file, under its target folder.
    return {"object_name": export_service.export_filename(plan), "presigned_url": url}


# Import


class _LabelNames(CompatModel):
    names: list[Name] = Field(max_length=MAX_IDS_PER_REQUEST)


@router.api_route("/dataset/version/{version_id:uuid}/bulk-labels", methods=["XGET"])
def get_or_create_labels(
    version_id: UUID, body: _LabelNames, ctx: ContextDep, actor: CurrentActor
) -> Any:
    labels = annotation_service.get_or_create_labels(ctx, actor, version_id, body.names)
    return [label_json(label) for label in labels]


@router.get("/dataset/version/{version_id:uuid}/labelgroups")
def list_label_groups(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    # pixlake has no label groups: a version has none, and creating one is refused (the
    # route takes no POST).
    annotation_service.list_labels(ctx, actor, version_id)
    return page([], 0)


class _AssetShapes(CompatModel):
    asset_id: UUID
    rectangles: list[dict[str, Any]] = Field(default=[], max_length=MAX_SHAPES_PER_REQUEST)
    polygons: list[dict[str, Any]] = Field(default=[], max_length=MAX_SHAPES_PER_REQUEST)
    classifications: list[dict[str, Any]] = Field(default=[], max_length=MAX_SHAPES_PER_REQUEST)
    # pixlake stores neither keypoints nor masks: any is refused, naming the field.
    keypoints: list[Any] = Field(default=[], max_length=0)
    masks: list[Any] = Field(default=[], max_length=0)


class _BulkAnnotations(CompatModel):
    import_type: ImportAnnotationMode = ImportAnnotationMode.REPLACE
    status: AnnotationStatus | None = None
    annotations: list[_AssetShapes] = Field(max_length=MAX_IDS_PER_REQUEST)


@router.post("/dataset/version/{version_id:uuid}/bulk-annotations")
def bulk_annotations(
    version_id: UUID, body: _BulkAnnotations, ctx: ContextDep, actor: CurrentActor
) -> Any:
    kinds = ("rectangles", "polygons", "classifications")
    count = sum(len(getattr(item, kind)) for item in body.annotations for kind in kinds)
    if count > MAX_SHAPES_PER_REQUEST:
        # A 413 makes the SDK send one asset's annotation per request instead.
        raise PayloadTooLargeError(
            f"{count} shapes in one request, more than {MAX_SHAPES_PER_REQUEST}",
            limit="shapes_per_request",
            maximum=MAX_SHAPES_PER_REQUEST,
        )
    shapes: dict[UUID, list[ShapeIn]] = {}
    index = 0
    for item in body.annotations:
        found = shapes.setdefault(item.asset_id, [])
        for kind in kinds:
            for shape in getattr(item, kind):
                found.append(shape_in(SHAPE_KINDS[kind], shape, index))
                index += 1
    written = annotation_import.import_shapes(
        ctx,
        actor,
        version_id,
        shapes,
        annotation_import.ImportOptions(mode=body.import_type, status=body.status),
    )
    return {str(annotation_id): count for annotation_id, count in written.items()}
