from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, StreamingResponse

from pixlake.errors import NotFoundError
from pixlake.server.deps import ContextDep
from pixlake.server.signing import verify_object_signature
from pixlake.storage.base import CHUNK_SIZE

router = APIRouter(tags=["objects"])


@router.get("/objects/{object_name:path}")
def read_object(
    object_name: str, ctx: ContextDep,
    expires: Annotated[int, Query()], signature: Annotated[str, Query()],
    content_type: Annotated[str, Query()] = "application/octet-stream",
):
    """Bytes of an object, for holders of a signed URL (the signature stands for the token)."""
    verify_object_signature(ctx.settings.secret_key or "", object_name, expires, content_type,
                            signature)
    local = ctx.storage.local_path(object_name)
    if local is not None:
        if not local.is_file():
            raise NotFoundError(f"object {object_name} not found")
        return FileResponse(local, media_type=content_type)
    stream = ctx.storage.open(object_name)

    def chunks():
        with stream:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

    return StreamingResponse(chunks(), media_type=content_type)
