"""Importing annotation files (COCO, YOLO, Pascal VOC), uploaded as a bundle of files.

The files travel as a pixlake bundle (``pixlake.bundle``), never pasted into JSON: the
server reads them, parses them with ``pixlake.formats.readers`` and writes what they hold
in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from pixlake.bundle import BUNDLE_CONTENT_TYPE, AsyncByteReader, read_frame_header
from pixlake.core.services import annotation_import as service
from pixlake.core.services.datasets import get_version
from pixlake.enums import AnnotationFileType, AnnotationStatus, ImportAnnotationMode
from pixlake.errors import (
    AnnotationFileError,
    BadRequestError,
    LimitExceededError,
    LockedError,
    PayloadTooLargeError,
)
from pixlake.formats.readers.files import read_annotation_files
from pixlake.import_schemas import AnnotationFileInspection, ImportSummary
from pixlake.limits import MAX_ANNOTATION_FILES_PER_IMPORT
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.idempotency import KeyedUpload, KeyedUploadDep
from pixlake.server.openapi import binary_body, errors
from pixlake.settings import Settings

__all__ = ["file_upload_routes", "router"]

router = APIRouter(tags=["annotations"])

FILES_BODY = binary_body(
    BUNDLE_CONTENT_TYPE,
    "The annotation files, framed as a pixlake bundle (see pixlake.bundle). COCO: one or "
    "more documents; YOLO: the configuration (data.yaml) first, then the label files; "
    "PASCAL_VOC: one XML file per image.",
)

FileType = Annotated[AnnotationFileType, Query(alias="format", description="The files' format.")]
ClassificationLayout = Annotated[
    bool,
    Query(
        description="YOLO only: the bundle's entries are the image paths of Ultralytics' "
        "classification layout (<split>/<label>/<image>, each with no content), the folder "
        "holding an image naming its label."
    ),
]


async def _read_files(
    request: Request, settings: Settings, keyed: KeyedUpload | None = None
) -> list[tuple[str, bytes]]:
    """Every file of the bundle body, held to ``max_annotation_import_bytes`` in all (its
    bytes fed to ``keyed`` as they come)."""
    limit = settings.max_annotation_import_bytes
    stream = request.stream() if keyed is None else _fed(request.stream(), keyed)
    reader = AsyncByteReader(stream.__aiter__())
    files: list[tuple[str, bytes]] = []
    total = 0
    while not await reader.at_end():
        if len(files) == MAX_ANNOTATION_FILES_PER_IMPORT:
            raise LimitExceededError(
                f"an import holds at most {MAX_ANNOTATION_FILES_PER_IMPORT} files",
                limit="max_annotation_files_per_import",
                maximum=MAX_ANNOTATION_FILES_PER_IMPORT,
            )
        name, size = await read_frame_header(reader)
        total += size
        if total > limit:
            raise PayloadTooLargeError(
                f"annotation files are over {limit} bytes in all, at {name!r} "
                "(max_annotation_import_bytes)",
                details={"file": name},
                limit="max_annotation_import_bytes",
                maximum=limit,
            )
        # Gathered piece by piece and joined once: growing one buffer by each piece would
        # copy a 100 MB file hundreds of times.
        pieces = [piece async for piece in reader.iter_exactly(size)]
        files.append((name, b"".join(pieces)))
    if not files:
        raise BadRequestError("the bundle holds no annotation file")
    return files


async def _fed(stream: AsyncIterator[bytes], keyed: KeyedUpload) -> AsyncIterator[bytes]:
    async for chunk in stream:
        keyed.feed(chunk)
        yield chunk


@router.post(
    "/versions/{version_id:uuid}/annotations/import",
    response_model=ImportSummary,
    openapi_extra=FILES_BODY,
    responses=errors(AnnotationFileError, LockedError),
)
async def import_annotations(
    version_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    keyed: KeyedUploadDep,
    file_type: FileType,
    mode: ImportAnnotationMode = ImportAnnotationMode.REPLACE,
    worker_id: UUID | None = None,
    force_create_label: bool = True,
    fail_on_asset_not_found: bool = True,
    status: AnnotationStatus | None = None,
    classification: ClassificationLayout = False,
) -> Response:
    """Import annotation files into the version, all or none: assets are matched to images
    by filename (YOLO label files by stem), shapes partly outside their image are clipped
    to it, and what the import did comes back. A retry with the same Idempotency-Key gets
    the first answer and imports nothing again."""
    await run_in_threadpool(get_version, ctx, actor, version_id)  # 404 before the body
    files = await _read_files(request, ctx.settings, keyed)
    # claimed once the body is read (its digest is part of the request's fingerprint);
    # a replay answers here, before the files are parsed again
    async with keyed.claim() as claimed:
        parsed = await run_in_threadpool(
            partial(read_annotation_files, classification=classification), file_type, files
        )
        del files
        options = service.ImportOptions(
            mode=mode,
            worker_id=worker_id,
            force_create_label=force_create_label,
            fail_on_asset_not_found=fail_on_asset_not_found,
            status=status,
        )
        answer = claimed.expect(200, _summary_json)
        summary = await run_in_threadpool(
            service.import_annotations, ctx, actor, version_id, parsed, options, answer
        )
        return claimed.respond(summary)


def _summary_json(summary: ImportSummary) -> bytes:
    return summary.model_dump_json().encode()


@router.post(
    "/annotation-files/inspect",
    openapi_extra=FILES_BODY,
    responses=errors(AnnotationFileError),
)
async def inspect_annotation_files(
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    file_type: FileType,
    classification: ClassificationLayout = False,
) -> AnnotationFileInspection:
    """What annotation files hold (labels, images, kinds of shape), read and checked
    without importing anything."""
    files = await _read_files(request, ctx.settings)
    parsed = await run_in_threadpool(
        partial(read_annotation_files, classification=classification), file_type, files
    )
    return service.inspect_annotations(parsed)


FILE_UPLOAD_ENDPOINTS = (import_annotations, inspect_annotation_files)


def file_upload_routes() -> list[tuple[frozenset[str], re.Pattern[str]]]:
    """``(methods, path regex)`` of these routes: their bodies are held to
    ``max_annotation_import_bytes`` rather than to the JSON routes' ``max_request_body``."""
    return [
        (frozenset(route.methods or ()), route.path_regex)
        for route in router.routes
        if isinstance(route, APIRoute) and route.endpoint in FILE_UPLOAD_ENDPOINTS
    ]
