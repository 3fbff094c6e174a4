"""Routes of model files: storing (planned, direct, streamed or local), listing, reading
and deleting the files of a model version (``pixlake.core.services.model_files``)."""

import re
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from pixlake.core.file_limits import within_file_size
from pixlake.core.services import model_files as service
from pixlake.errors import (
    ConflictError,
    FileMissingError,
    InsufficientStorageError,
    InvalidFilenameError,
    LimitExceededError,
)
from pixlake.limits import MAX_NAME_LENGTH
from pixlake.schemas import (
    ModelFileCreate,
    ModelFileLocal,
    ModelFilePublic,
    ModelFileUpload,
    ModelFileUploadPlan,
    Sha256,
    UrlPublic,
)
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.openapi import binary_body, errors
from pixlake.server.routers.data import object_url

router = APIRouter(tags=["model files"])

# Mounted only on an in-process (embedded) application, never on a served one: it reads
# server-side paths, which a network client must never be able to name.
local_router = APIRouter(tags=["embedded"])

STORE_ERRORS = (InvalidFilenameError, ConflictError, LimitExceededError)
"""What storing a file may answer beyond bad input in general: a bad name, a name taken
without ``replace``, a version full."""

_VERSION_FILES = "/model-versions/{model_version_id:uuid}/files"


@router.post(f"{_VERSION_FILES}/uploads", responses=errors(*STORE_ERRORS))
def plan_upload(
    model_version_id: UUID, body: ModelFileUpload, ctx: ContextDep, actor: CurrentActor
) -> ModelFileUploadPlan:
    """Say how the bytes of a file about to be stored travel: held already, put straight
    into the bucket through presigned URLs, or streamed to ``PUT .../files/content``.
    Nothing is stored yet."""
    return service.plan_upload(ctx, actor, model_version_id, body)


@router.post(_VERSION_FILES, status_code=201, responses=errors(*STORE_ERRORS))
def create_file(
    model_version_id: UUID, body: ModelFileCreate, ctx: ContextDep, actor: CurrentActor
) -> ModelFilePublic:
    """Create a file whose bytes the store holds (held, or uploaded directly: then
    ``upload_id`` completes the multipart upload first)."""
    return service.create_from_store(ctx, actor, model_version_id, body)


@router.put(
    f"{_VERSION_FILES}/content",
    status_code=201,
    openapi_extra=binary_body("application/octet-stream", "The file's bytes."),
    responses=errors(*STORE_ERRORS, InsufficientStorageError),
)
async def upload_content(
    model_version_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    name: Annotated[
        str, Query(max_length=MAX_NAME_LENGTH, description="The file's name in the version.")
    ],
    filename: Annotated[
        str, Query(max_length=MAX_NAME_LENGTH, description="Name the file downloads under.")
    ],
    replace: bool = False,
    checksum: Annotated[Sha256 | None, Query()] = None,
) -> ModelFilePublic:
    """Store the request body as a file of the version, staged and hashed on the way
    (``checksum``, when given, must be that of the body)."""
    header = request.headers.get("content-length")
    length = int(header) if header and header.isdigit() else None
    await run_in_threadpool(
        service.check_new_file, ctx, actor, model_version_id, name, filename, length or 0, replace
    )
    body = request.stream()
    staged = await ctx.storage.stage_async_stream(
        body if length is not None else within_file_size(body, ctx.settings, filename), length
    )
    try:
        return await run_in_threadpool(
            service.store_staged,
            ctx,
            actor,
            model_version_id,
            name,
            filename,
            staged,
            replace=replace,
            checksum=checksum,
        )
    except BaseException:
        ctx.storage.discard(staged)  # a request cancelled before store_staged ran
        raise


@router.get(_VERSION_FILES)
def list_files(
    model_version_id: UUID, ctx: ContextDep, actor: CurrentActor
) -> list[ModelFilePublic]:
    """The version's files, by name."""
    return service.list_files(ctx, actor, model_version_id)


@router.get("/model-files/{file_id:uuid}")
def get_file(file_id: UUID, ctx: ContextDep, actor: CurrentActor) -> ModelFilePublic:
    return service.get_file(ctx, actor, file_id)


@router.delete("/model-files/{file_id:uuid}", status_code=204)
def delete_file(file_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    """Send the file to the trash (its bytes stay until the trash is purged)."""
    service.delete_file(ctx, actor, file_id)
    return Response(status_code=204)


@router.post("/model-files/{file_id:uuid}/url")
def file_url(file_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> UrlPublic:
    """A URL the file's bytes can be read from, signed and expiring (a presigned URL of
    the bucket with S3)."""
    found = service.get_file(ctx, actor, file_id)
    url = object_url(request, ctx, found.object_name, "application/octet-stream")
    return UrlPublic(url=url.url, expires_at=url.expires_at)


@local_router.post(
    f"{_VERSION_FILES}/local", status_code=201, responses=errors(*STORE_ERRORS, FileMissingError)
)
def store_local(
    model_version_id: UUID, body: ModelFileLocal, ctx: ContextDep, actor: CurrentActor
) -> ModelFilePublic:
    return service.store_local(ctx, actor, model_version_id, body)


FILE_UPLOAD_ENDPOINTS = (upload_content,)
"""Routes whose body is a file: held to ``max_file_size`` rather than to the request body
limit of JSON routes."""


def file_upload_routes() -> list[tuple[frozenset[str], re.Pattern[str]]]:
    """``(methods, path regex)`` of the file upload routes, as mounted (at the root)."""
    return [
        (frozenset(route.methods or ()), route.path_regex)
        for route in router.routes
        if isinstance(route, APIRoute) and route.endpoint in FILE_UPLOAD_ENDPOINTS
    ]
