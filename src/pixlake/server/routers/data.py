from datetime import datetime, timedelta
from typing import BinaryIO, NamedTuple
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
from pixlake.server.headers import BUNDLE_HEADERS, object_cache_control, object_disposition
from pixlake.server.openapi import binary_response, errors
from pixlake.server.signing import sign_object_url

router = APIRouter(prefix="/data", tags=["data"])


@router.get("/{data_id:uuid}")
def get_data(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> DataPublic:
    return data_service.get_data(ctx, actor, data_id)


@router.delete("/{data_id:uuid}", status_code=204, responses=errors(ConflictError))
def delete_data(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    data_service.delete_data(ctx, actor, [data_id])
    return Response(status_code=204)


@router.post("/delete", responses=errors(NotFoundError, ConflictError))
def delete_many(body: IdList, ctx: ContextDep, actor: CurrentActor) -> dict[str, int]:
    return {"deleted": data_service.delete_data(ctx, actor, body.ids)}


@router.patch("/{data_id:uuid}/custom-metadata")
def update_custom_metadata(
    data_id: UUID, body: DataCustomMetadataUpdate, ctx: ContextDep, actor: CurrentActor
) -> DataPublic:
    return data_service.update_custom_metadata(ctx, actor, data_id, body.custom_metadata)


@router.post("/{data_id:uuid}/url")
def data_url(data_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> UrlPublic:
    """A URL the data's bytes can be read from, signed and expiring."""
    data = data_service.get_data(ctx, actor, data_id)
    found = object_url(request, ctx, data.object_name, data.content_type)
    return UrlPublic(url=found.url, expires_at=found.expires_at)


@router.post("/urls", responses=errors(NotFoundError))
def data_urls(body: IdList, request: Request, ctx: ContextDep, actor: CurrentActor) -> UrlMap:
    """URLs of many data in one request."""
    names = data_service.object_names_of(ctx, actor, body.ids)
    found = {
        data_id: object_url(request, ctx, name, "application/octet-stream")
        for data_id, name in names.items()
    }
    return UrlMap(
        urls={data_id: url.url for data_id, url in found.items()},
        through_api=all(url.through_api for url in found.values()),
    )


@router.post(
    "/download",
    response_class=StreamingResponse,
    responses={
        **binary_response(BUNDLE_CONTENT_TYPE, "The data's bytes, framed as a pixlake bundle."),
        **errors(NotFoundError),
    },
)
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
    return StreamingResponse(
        encode_streams(opened), media_type=BUNDLE_CONTENT_TYPE, headers=BUNDLE_HEADERS
    )


class ObjectUrl(NamedTuple):
    url: str
    expires_at: datetime | None
    through_api: bool
    """Whether the URL is this API's own ``/objects/...`` route."""


def object_url(request: Request, ctx: AppContext, object_name: str, content_type: str) -> ObjectUrl:
    """Where a client reads an object: a presigned URL of the bucket when the store has
    them; in embedded mode, the object's own file; else a signed URL of this API."""
    settings = ctx.settings
    expiry = settings.url_expiry_seconds
    presigned = ctx.storage.presigned_url(
        object_name,
        content_type,
        expiry,
        disposition=object_disposition(object_name, content_type),
        cache_control=object_cache_control(expiry),
    )
    if presigned is not None:
        return ObjectUrl(presigned, utcnow() + timedelta(seconds=expiry), through_api=False)
    if request.app.state.embedded_owner is not None:
        path = ctx.storage.local_path(object_name)
        if path is not None:
            return ObjectUrl(path.as_uri(), None, through_api=False)
    url, expires_at = sign_object_url(
        base_url_for(request), settings.secret_key or "", object_name, content_type, expiry
    )
    return ObjectUrl(url, expires_at, through_api=True)
