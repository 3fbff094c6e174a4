"""The data of a datalake: uploads (one file, a bundle, local files in embedded mode),
listings and counts. Mounted under the same ``/datalakes`` prefix as the datalakes' own
routes (``datalakes``), in a router of its own: the paths ``/datalakes/{id}/data...`` are the
family ``datalakes/data`` of ``router_table``."""

import re
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from pixlake.bundle import BUNDLE_CONTENT_TYPE, MAX_BUNDLE_FILES, AsyncByteReader, read_frame_header
from pixlake.core.context import Actor, AppContext
from pixlake.core.file_limits import check_file_size, within_file_size
from pixlake.core.services import data as data_service
from pixlake.errors import (
    BadRequestError,
    EmptyFileError,
    InsufficientStorageError,
    InvalidFilenameError,
    InvalidMediaError,
    InvalidQueryError,
    UnsupportedMediaError,
)
from pixlake.filenames import validate_filename
from pixlake.limits import MAX_TAGS_PER_REQUEST
from pixlake.schemas import (
    Count,
    DataIngestLocal,
    DataPage,
    DataPublic,
    DataQuery,
)
from pixlake.server.deps import (
    ContextDep,
    CurrentActor,
    ProbedMediaDep,
    TagNamesQuery,
)
from pixlake.server.fastjson import fast_json, page_json
from pixlake.server.openapi import binary_body, errors
from pixlake.server.params import QueryText
from pixlake.storage import StagedObject

router = APIRouter(prefix="/datalakes", tags=["datalakes"])

# Mounted only on an in-process (embedded) application, never on a served one: it reads
# server-side paths, which a network client must never be able to name.
local_router = APIRouter(prefix="/datalakes", tags=["embedded"])

UPLOAD_ERRORS = (
    InvalidFilenameError,
    EmptyFileError,
    UnsupportedMediaError,
    InvalidMediaError,
    InsufficientStorageError,
)
"""What an upload may answer beyond bad input in general: a refused file, a full store."""


@router.put(
    "/{datalake_id:uuid}/data",
    openapi_extra=binary_body("application/octet-stream", "The file's bytes."),
    responses=errors(*UPLOAD_ERRORS),
)
async def upload_data(
    datalake_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    filename: Annotated[str, Query(description="Name the file is shown and downloaded under.")],
    tags: TagNamesQuery = [],  # noqa: B006
    tag_ids: Annotated[list[UUID], Query(max_length=MAX_TAGS_PER_REQUEST)] = [],  # noqa: B006
) -> DataPublic:
    """Store the request body as one file. Uploading bytes already held returns their Data."""
    header = request.headers.get("content-length")
    length = int(header) if header and header.isdigit() else None
    if length is not None:
        check_file_size(ctx.settings, filename, length)
    await run_in_threadpool(data_service.check_upload, ctx, actor, datalake_id, [filename], tag_ids)
    # The body is read on the event loop: one hop to a worker thread per request, not
    # one per chunk. A Content-Length holds the body to it already (the server reads no
    # further), so only a chunked body needs counting.
    body = request.stream()
    staged = await ctx.storage.stage_async_stream(
        body if length is not None else within_file_size(body, ctx.settings, filename), length
    )
    stored = await _ingest(ctx, actor, datalake_id, [(filename, staged)], tags, tag_ids)
    return stored[0]


@router.post(
    "/{datalake_id:uuid}/data/bundle",
    response_model=list[DataPublic],
    openapi_extra=binary_body(
        BUNDLE_CONTENT_TYPE,
        f"Files framed as a pixlake bundle (see pixlake.bundle), at most {MAX_BUNDLE_FILES}.",
    ),
    responses=errors(*UPLOAD_ERRORS),
)
async def upload_bundle(
    datalake_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    tags: TagNamesQuery = [],  # noqa: B006
    tag_ids: Annotated[list[UUID], Query(max_length=MAX_TAGS_PER_REQUEST)] = [],  # noqa: B006
) -> Response:
    """Store every file of a streamed bundle (see ``pixlake.bundle``), all or none."""
    await run_in_threadpool(data_service.check_upload, ctx, actor, datalake_id, [], tag_ids)
    reader = AsyncByteReader(request.stream().__aiter__())
    staged: list[tuple[str, StagedObject]] = []
    try:
        while not await reader.at_end():
            if len(staged) == MAX_BUNDLE_FILES:
                raise BadRequestError(f"a bundle holds at most {MAX_BUNDLE_FILES} files")
            filename, size = await read_frame_header(reader)
            validate_filename(filename)
            check_file_size(ctx.settings, filename, size)
            staged.append(
                (filename, await ctx.storage.stage_async_stream(reader.iter_exactly(size), size))
            )
        if not staged:
            raise BadRequestError("the bundle holds no file")
    except BaseException:
        _discard(ctx, staged)
        raise
    return fast_json(await _ingest(ctx, actor, datalake_id, staged, tags, tag_ids))


async def _ingest(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    staged: list[tuple[str, StagedObject]],
    tags: list[str],
    tag_ids: list[UUID],
) -> list[DataPublic]:
    """``ingest_staged`` on a worker thread. It drops the staged bytes once it runs; if the
    request is cancelled before it does (a client gone, a server shutting down), they are
    dropped here, so neither staging files nor staging memory outlive the request."""
    try:
        return await run_in_threadpool(
            data_service.ingest_staged, ctx, actor, datalake_id, staged, tags, tag_ids
        )
    except BaseException:
        _discard(ctx, staged)  # safe if ingest_staged dropped them already
        raise


def _discard(ctx: AppContext, staged: list[tuple[str, StagedObject]]) -> None:
    for _name, obj in staged:
        ctx.storage.discard(obj)


FILE_UPLOAD_ENDPOINTS = (upload_data, upload_bundle)
"""Routes whose body is files: held to ``max_file_size`` per file rather than to the
request body limit of JSON routes."""


def file_upload_routes() -> list[tuple[frozenset[str], re.Pattern[str]]]:
    """``(methods, path regex)`` of the file upload routes, as mounted (at the root)."""
    return [
        (frozenset(route.methods or ()), route.path_regex)
        for route in router.routes
        if isinstance(route, APIRoute) and route.endpoint in FILE_UPLOAD_ENDPOINTS
    ]


@router.post(
    "/{datalake_id:uuid}/data/search",
    response_model=DataPage,
    responses=errors(InvalidQueryError),
)
def search_data(
    datalake_id: UUID, query: DataQuery, ctx: ContextDep, actor: CurrentActor, q: QueryText = None
) -> Response:
    return page_json(data_service.search_data(ctx, actor, datalake_id, query, q))


@router.get("/{datalake_id:uuid}/data/count", responses=errors(InvalidQueryError))
def count_data(
    datalake_id: UUID, ctx: ContextDep, actor: CurrentActor, q: QueryText = None
) -> Count:
    """How many data of the datalake match ``q`` (all of them without it)."""
    return Count(count=data_service.count_data(ctx, actor, datalake_id, q))


@local_router.post("/{datalake_id:uuid}/data/ingest-local", response_model=list[DataPublic])
def ingest_local(
    datalake_id: UUID,
    body: DataIngestLocal,
    ctx: ContextDep,
    actor: CurrentActor,
    probed: ProbedMediaDep,
) -> Response:
    return fast_json(
        data_service.ingest_local_files(
            ctx,
            actor,
            datalake_id,
            body.paths,
            body.tags,
            body.tag_ids,
            body.max_workers,
            probed=probed,
        )
    )
