from datetime import timedelta
from typing import BinaryIO
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from pixlake.bundle import BUNDLE_CONTENT_TYPE, encode_streams
from pixlake.core.context import AppContext, utcnow
from pixlake.core.services import data as data_service
from pixlake.errors import ConflictError, NotFoundError
from pixlake.schemas import (
    DataCustomMetadataUpdate,
    DataPublic,
    DownloadRequest,
    IdList,
    UrlMap,
    UrlPublic,
)
from pixlake.server.deps import ContextDep, CurrentActor, base_url_for
from pixlake.server.openapi import binary_response, errors
from pixlake.server.signing import sign_object_url

router = APIRouter(prefix="/data", tags=["data"])


@router.get("/{data_id:uuid}")
def get_data(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> DataPublic:
    return data_service.get_data(ctx, actor, data_id)


@router.delete("/{data_id:uuid}", status_code=204,
             responses=errors(ConflictError))
def delete_data(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    data_service.delete_data(ctx, actor, [data_id])
    return Response(status_code=204)


@router.post("/delete",
             responses=errors(NotFoundError, ConflictError))
def delete_many(body: IdList, ctx: ContextDep, actor: CurrentActor) -> dict[str, int]:
    return {"deleted": data_service.delete_data(ctx, actor, body.ids)}


@router.patch("/{data_id:uuid}/custom-metadata")
def update_custom_metadata(data_id: UUID, body: DataCustomMetadataUpdate, ctx: ContextDep,
                           actor: CurrentActor) -> DataPublic:
    return data_service.update_custom_metadata(ctx, actor, data_id, body.custom_metadata)


@router.post("/{data_id:uuid}/url")
def data_url(data_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> UrlPublic:
    """A URL the data's bytes can be read from, signed and expiring."""
    data = data_service.get_data(ctx, actor, data_id)
    url, expires_at = object_url(request, ctx, data.object_name, data.content_type)
    return UrlPublic(url=url, expires_at=expires_at)


@router.post("/urls",
             responses=errors(NotFoundError))
def data_urls(body: IdList, request: Request, ctx: ContextDep, actor: CurrentActor) -> UrlMap:
    """URLs of many data in one request."""
    names = data_service.object_names_of(ctx, actor, body.ids)
    urls = {data_id: object_url(request, ctx, name, "application/octet-stream")[0]
            for data_id, name in names.items()}
    base = base_url_for(request)
    return UrlMap(urls=urls, through_api=all(url.startswith(base) for url in urls.values()))


@router.post("/download", response_class=StreamingResponse,
             responses={**binary_response(BUNDLE_CONTENT_TYPE, "The data's bytes, framed "
                                          "as a pixlake bundle."),
                        **errors(NotFoundError)})
def download(body: DownloadRequest, ctx: ContextDep, actor: CurrentActor) -> StreamingResponse:
    """The bytes of many data in one streamed bundle (see ``pixlake.bundle``), one frame per
    data named by its id, in the order asked."""
    names = data_service.object_names_of(ctx, actor, body.ids)
    opened: list[tuple[str, int, BinaryIO]] = []
    try:
        # Everything is opened before the answer starts, so a missing object is an error
        # status rather than a bundle cut short.
        for data_id in dict.fromkeys(body.ids):
            stream, size = ctx.storage.open_sized(names[data_id])
            opened.append((str(data_id), size, stream))
    except BaseException:
        for _name, _size, stream in opened:
            stream.close()
        raise
    return StreamingResponse(encode_streams(opened), media_type=BUNDLE_CONTENT_TYPE)


def object_url(request: Request, ctx: AppContext, object_name: str, content_type: str):
    """Where a client reads an object: a presigned URL of the bucket when the store has
    them; in embedded mode, the object's own file; else a signed URL of this API."""
    settings = ctx.settings
    presigned = ctx.storage.presigned_url(object_name, content_type,
                                          settings.url_expiry_seconds)
    if presigned is not None:
        return presigned, utcnow() + timedelta(seconds=settings.url_expiry_seconds)
    if request.app.state.embedded_owner is not None:
        path = ctx.storage.local_path(object_name)
        if path is not None:
            return path.as_uri(), None
    return sign_object_url(base_url_for(request), settings.secret_key or "", object_name,
                           content_type, settings.url_expiry_seconds)

