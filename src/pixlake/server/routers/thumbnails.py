"""A data's thumbnail and its bytes, read with the caller's token or session.

The web app shows pictures from these URLs only: they are pixlake's own (a bucket's
presigned URLs are another origin, which the pages' Content-Security-Policy refuses), and
they are scoped to the organization like every read, so another organization's ids answer
404 without a byte.
"""

from collections.abc import Iterator
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse

from pixlake.core.context import AppContext
from pixlake.core.services import data as data_service
from pixlake.core.services import thumbnails as thumbnail_service
from pixlake.core.services.thumbnails import ThumbnailSource
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.errors import NotFoundError
from pixlake.server.deps import ContextDep, CurrentActor, DeferredActor, DeferredActorDep
from pixlake.server.headers import USER_BYTES_POLICY, object_disposition
from pixlake.server.openapi import binary_response
from pixlake.storage.base import CHUNK_SIZE

__all__ = ["IMMUTABLE", "PLACEHOLDER_HEADER", "router", "thumbnail_headers", "validates"]

router = APIRouter(prefix="/data", tags=["data"])

IMMUTABLE = "private, max-age=31536000, immutable"
"""Cache policy of a content-addressed answer: the bytes behind the URL never change."""
PLACEHOLDER_HEADER = "X-Pixlake-Thumbnail"
"""Says ``placeholder`` on the answer standing for a thumbnail that could not be made."""


@router.get(
    "/{data_id:uuid}/thumbnail",
    responses={
        **binary_response(
            "image/webp",
            "The thumbnail (long edge 256 px), or a placeholder picture when the media is "
            "missing or unreadable (`X-Pixlake-Thumbnail: placeholder`).",
        ),
        304: {"description": "Not modified: the `If-None-Match` ETag is the thumbnail's."},
    },
)
async def read_thumbnail(
    data_id: UUID, request: Request, ctx: ContextDep, caller: DeferredActorDep
) -> Response:
    """The data's thumbnail (WebP, long edge 256 px, EXIF orientation applied; a video's
    frame), made once per content and cached for good by the caller (ETag, immutable)."""
    # One worker-thread hop for the whole answer, authentication included: a warm
    # thumbnail costs little else.
    return await run_in_threadpool(
        _thumbnail_answer,
        ctx,
        request.app.state.thumbnail_cache,
        caller,
        data_id,
        request.headers.get("if-none-match"),
    )


def _thumbnail_answer(
    ctx: AppContext,
    cache: ThumbnailCache,
    caller: DeferredActor,
    data_id: UUID,
    if_none_match: str | None,
) -> Response:
    source = thumbnail_service.thumbnail_source(ctx, caller.resolve(), data_id)
    if validates(source, if_none_match):
        return Response(status_code=304, headers=thumbnail_headers(source))
    made = thumbnail_service.thumbnail(ctx, source, cache)
    if made.placeholder:
        # Not cached for good: the media may yet be repaired (a missing object restored).
        headers = {
            "cache-control": "no-cache",
            PLACEHOLDER_HEADER: "placeholder",
            "content-security-policy": USER_BYTES_POLICY,
        }
    else:
        headers = thumbnail_headers(source)
    return Response(made.content, media_type=made.content_type, headers=headers)


def thumbnail_headers(source: ThumbnailSource) -> dict[str, str]:
    """Headers of a thumbnail's answer (and of its 304): named by content, cached for good."""
    return {
        "etag": source.etag,
        "cache-control": IMMUTABLE,
        "content-security-policy": USER_BYTES_POLICY,
    }


def validates(source: ThumbnailSource, if_none_match: str | None) -> bool:
    """Whether ``If-None-Match`` names the thumbnail the caller holds already (a 304)."""
    if not if_none_match:
        return False
    return source.etag in {part.strip().removeprefix("W/") for part in if_none_match.split(",")}


@router.get(
    "/{data_id:uuid}/content",
    responses=binary_response("*/*", "The data's bytes, of its content type."),
)
async def read_content(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    """The data's bytes, through the API (the web app's asset view shows them from here)."""
    data = await run_in_threadpool(data_service.get_data, ctx, actor, data_id)
    headers = {
        "content-disposition": object_disposition(data.object_name, data.content_type),
        "content-security-policy": USER_BYTES_POLICY,
        "cache-control": IMMUTABLE,
        "etag": f'"{data.checksum}"',
    }
    local = ctx.storage.local_path(data.object_name)
    if local is not None:
        if not local.is_file():
            raise NotFoundError(f"the bytes of data {data_id} are missing from the store")
        return FileResponse(local, media_type=data.content_type, headers=headers)
    stream = await run_in_threadpool(ctx.storage.open, data.object_name)

    def chunks() -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

    return StreamingResponse(chunks(), media_type=data.content_type, headers=headers)
