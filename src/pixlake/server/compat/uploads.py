"""The presigned upload URL's receiver: signed, expiring, used once, bound to one upload.

No token comes with these requests (the SDK sends the bytes straight to what it believes is
a bucket); the URL's signature stands for it, as for pixlake's signed download URLs.
"""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from pixlake.core.services import compat_uploads
from pixlake.server.deps import ContextDep
from pixlake.server.params import DecimalInt
from pixlake.server.signing import verify_upload_signature

router = APIRouter(prefix="/api", include_in_schema=False)


@router.put("/compat/uploads/{upload_id:uuid}", status_code=201)
async def receive_upload(
    upload_id: UUID,
    request: Request,
    ctx: ContextDep,
    expires: Annotated[DecimalInt, Query()],
    signature: Annotated[str, Query(max_length=128)],
) -> Response:
    verify_upload_signature(ctx.settings.secret_key or "", str(upload_id), expires, signature)
    length = request.headers.get("content-length")
    size = int(length) if length is not None and length.isdigit() else None
    upload = await run_in_threadpool(compat_uploads.check_receivable, ctx, upload_id, size)
    staged = await ctx.storage.stage_async_stream(request.stream(), size)
    await run_in_threadpool(compat_uploads.receive, ctx, upload, staged)
    return Response(status_code=201)


def file_upload_routes() -> list[tuple[frozenset[str], re.Pattern[str]]]:
    """``(methods, path regex)`` of the upload receiver, as mounted: its body is a file,
    held to ``max_file_size`` rather than to the request body limit of JSON routes."""
    return [
        (frozenset(route.methods or ()), route.path_regex)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
