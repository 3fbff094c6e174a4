"""Exports of a dataset version (COCO, YOLO, Pascal VOC), answered as a stream."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from pixlake.core.services import exports as service
from pixlake.errors import NotFoundError, UnsafePathError, UnsupportedShapeError, WrongTargetError
from pixlake.schemas import ExportRequest
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.openapi import errors

router = APIRouter(tags=["exports"])

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export, streamed: a COCO annotation file is JSON, every other "
        "export a zip (see docs/formats.md).",
        "content": {
            # A COCO document (docs/formats.md); its images and annotations run long.
            "application/json": {"schema": {"type": "object"}},
            "application/zip": _BINARY,
        },
    },
    **errors(NotFoundError, UnsupportedShapeError, UnsafePathError, WrongTargetError),
}


@router.post(
    "/versions/{version_id:uuid}/export",
    response_class=StreamingResponse,
    responses=_EXPORT_RESPONSES,
)
def export_version(
    version_id: UUID, body: ExportRequest, ctx: ContextDep, actor: CurrentActor
) -> StreamingResponse:
    """The version's annotations in a format (or a folder layout's annotation files),
    streamed as they are read from the database, page by page. Everything is checked
    before the answer starts, so a refused export is an error status."""
    plan = service.plan_export(ctx, actor, version_id, body)
    return StreamingResponse(
        service.export_chunks(ctx, plan),
        media_type=service.export_media_type(plan),
        headers={
            "content-disposition": f'attachment; filename="{service.export_filename(plan)}"',
            "cache-control": "no-store",
        },
    )
