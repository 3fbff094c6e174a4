import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse

from pixlake.errors import ForbiddenError, NotFoundError
from pixlake.server.deps import ContextDep
from pixlake.server.headers import object_headers
from pixlake.server.openapi import binary_response, errors
from pixlake.server.params import DecimalInt
from pixlake.server.signing import verify_object_signature
from pixlake.storage.base import CHUNK_SIZE

router = APIRouter(tags=["objects"])


SMALL_OBJECT = 1024 * 1024
"""Objects up to this size are read in one go and sent in one response body."""


@router.get(
    "/objects/{object_name:path}",
    responses={
        **binary_response("*/*", "The object's bytes, of the type the URL names."),
        **errors(ForbiddenError, NotFoundError),
    },
)
async def read_object(
    object_name: str,
    ctx: ContextDep,
    expires: Annotated[DecimalInt, Query()],
    signature: Annotated[str, Query()],
    content_type: Annotated[str, Query()] = "application/octet-stream",
) -> Response:
    """Bytes of an object, for holders of a signed URL (the signature stands for the token)."""
    verify_object_signature(
        ctx.settings.secret_key or "", object_name, expires, content_type, signature
    )
    headers = object_headers(object_name, content_type, expires)
    local = ctx.storage.local_path(object_name)
    if local is not None:
        # One worker-thread hop for a small file; a file response would take several.
        small = await run_in_threadpool(_read_if_small, local)
        if small is not None:
            return Response(small, media_type=content_type, headers=headers)
        response = FileResponse(local, media_type=content_type, headers=headers)
        # Starlette reads 64 KiB per worker-thread hop: a large file goes faster in larger
        # reads (16 times fewer hops), still a bounded chunk in memory.
        response.chunk_size = CHUNK_SIZE
        return response
    stream = await run_in_threadpool(ctx.storage.open, object_name)

    def chunks() -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

    return StreamingResponse(chunks(), media_type=content_type, headers=headers)


def _read_if_small(path: Path) -> bytes | None:
    """The file's bytes when it is small, None when it is large; NotFoundError if gone."""
    try:
        with open(path, "rb") as stream:
            if os.fstat(stream.fileno()).st_size > SMALL_OBJECT:
                return None
            return stream.read()
    except FileNotFoundError:
        raise NotFoundError(f"object {path.name} not found") from None
