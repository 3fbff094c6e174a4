"""Data: their tags, their upload in three steps, listings, reads and deletes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Request, Response

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import compat_uploads
from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.services import tags as tag_service
from pixlake.enums import Target
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.limits import MAX_IDS_PER_REQUEST
from pixlake.schemas import DataPublic, DataQuery
from pixlake.server.compat.bodies import (
    DataCreate,
    IdsBody,
    ListBody,
    NameBody,
    ObjectNameBody,
    ObjectNameRequest,
)
from pixlake.server.compat.deps import OwnConnector, OwnOrganization
from pixlake.server.compat.listing import ListingDep, json_items
from pixlake.server.compat.wire import data_json, page, tag_json
from pixlake.server.deps import ContextDep, CurrentActor, base_url_for
from pixlake.server.routers.data import object_url
from pixlake.server.signing import sign_upload_url

router = APIRouter(prefix="/api", include_in_schema=False)


# Data tags: one namespace per organization (docs/picsellia-compatibility.md)


@router.get("/datalake/{datalake_id:uuid}/tags/find")
def find_data_tag(datalake_id: UUID, name: str, ctx: ContextDep, actor: CurrentActor) -> Any:
    datalake_service.get_datalake(ctx, actor, datalake_id)
    return find_tag(ctx, actor, Target.DATA, name)


@router.post("/datalake/{datalake_id:uuid}/tags")
def create_data_tag(datalake_id: UUID, body: NameBody, ctx: ContextDep, actor: CurrentActor) -> Any:
    datalake_service.get_datalake(ctx, actor, datalake_id)
    return tag_json(tag_service.create_tag(ctx, actor, body.name, Target.DATA))


@router.get("/datalake/{datalake_id:uuid}/tags")
def list_data_tags(datalake_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    datalake_service.get_datalake(ctx, actor, datalake_id)
    tags = [tag_json(tag) for tag in tag_service.list_tags(ctx, actor, Target.DATA)]
    return page(tags, len(tags))


def find_tag(ctx: AppContext, actor: Actor, target: Target, name: str) -> dict[str, Any]:
    found = tag_service.list_tags(ctx, actor, target, name)
    if not found:
        raise NotFoundError(f"tag {name!r} not found", details={"name": name})
    return tag_json(found[0])


# Upload: a name, the bytes (uploads.py receives them), then the data


@router.post("/organization/{org_id:uuid}/connector/{connector_id:uuid}/generate_object_name")
def generate_object_name(
    org_id: UUID,
    connector_id: UUID,
    body: ObjectNameRequest,
    ctx: ContextDep,
    actor: OwnOrganization,
    _connector: OwnConnector,
) -> Any:
    if body.type == "DATA":
        return {"object_name": compat_uploads.announce(ctx, actor, body.filename).object_name}
    model_version_id = (body.context or {}).get("model_version_id")
    if body.type == "MODEL_FILE" and model_version_id is not None:
        announced = compat_uploads.announce(ctx, actor, body.filename, model_version_id)
        return {"object_name": announced.object_name}
    raise BadRequestError(
        f"this server stores uploads of data and model files only, not {body.type}",
        details={"type": body.type},
    )


@router.post("/object-storage/{connector_id:uuid}/generate_presigned_url")
def generate_presigned_url(
    connector_id: UUID, body: ObjectNameBody, request: Request, ctx: ContextDep, actor: OwnConnector
) -> Any:
    upload = compat_uploads.require_announced(ctx, actor, body.object_name)
    url = sign_upload_url(
        base_url_for(request),
        ctx.settings.secret_key or "",
        str(upload.id),
        ctx.settings.url_expiry_seconds,
    )
    # "azure": the SDK then PUTs the file as the body, which pixlake stages as it streams
    # in; the other client types would post a multipart form.
    return {"client_type": "azure", "presigned_url_data": {"url": url, "fields": {}}}


@router.post("/object-storage/{connector_id:uuid}/init_multipart_upload")
def init_multipart_upload(connector_id: UUID, ctx: ContextDep, actor: OwnConnector) -> Any:
    # No multipart: an answer without a client type makes the SDK send the file in one
    # PUT, which pixlake streams to staging whatever its size.
    return {}


@router.post("/datalake/{datalake_id:uuid}/datas")
def create_data(
    datalake_id: UUID, body: DataCreate, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    data = compat_uploads.consume(ctx, actor, datalake_id, body.object_name, body.tags)
    if body.custom_metadata:
        data = data_service.update_custom_metadata(ctx, actor, data.id, body.custom_metadata)
    return _data_json(request, ctx, data)


def _data_json(request: Request, ctx: AppContext, data: DataPublic, **kwargs: Any) -> Any:
    url = object_url(request, ctx, data.object_name, data.content_type).url
    return data_json(data, url, **kwargs)


# Listings


@router.get("/datalake/{datalake_id:uuid}/datas")
def list_data(
    datalake_id: UUID, listing: ListingDep, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    def fetch(after: UUID | None, size: int, q: str | None) -> Any:
        return data_service.search_data(
            ctx, actor, datalake_id, DataQuery(after=after, limit=size), q
        )

    return listing.answer(fetch, lambda item: _listed(request, ctx, item))


@router.api_route("/datalake/{datalake_id:uuid}/datas", methods=["XGET"])
def list_data_by_keys(
    datalake_id: UUID, body: ListBody, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    query = DataQuery(**body.keys(("ids", "filenames")))
    items = json_items(data_service.search_data(ctx, actor, datalake_id, query, body.q))
    return page([_listed(request, ctx, item) for item in items], len(items))


def _listed(request: Request, ctx: AppContext, item: dict[str, Any]) -> Any:
    return _data_json(request, ctx, DataPublic.model_validate(item))


# One data


@router.get("/data/{data_id:uuid}")
def get_data(data_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> Any:
    data = data_service.get_data(ctx, actor, data_id)
    tags = tag_service.tags_of(ctx, actor, Target.DATA, data_id)
    return _data_json(request, ctx, data, tags=tags)


@router.get("/data/{data_id:uuid}/presigned-url")
def data_presigned_url(
    data_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    data = data_service.get_data(ctx, actor, data_id)
    return {"presigned_url": object_url(request, ctx, data.object_name, data.content_type).url}


@router.delete("/data/{data_id:uuid}", status_code=204)
def delete_data(data_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    data_service.delete_data(ctx, actor, [data_id])
    return Response(status_code=204)


@router.delete("/datalake/{datalake_id:uuid}/datas", status_code=204)
def delete_many_data(
    datalake_id: UUID, body: IdsBody, ctx: ContextDep, actor: CurrentActor
) -> Response:
    datalake_service.get_datalake(ctx, actor, datalake_id)
    if body.ids:
        data_service.delete_data(ctx, actor, body.ids)
    return Response(status_code=204)


@router.patch("/data/{data_id:uuid}/custom-metadata")
def update_custom_metadata(
    data_id: UUID,
    body: Annotated[dict[str, Any], Body(embed=False)],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    values = body.get("custom_metadata")
    if not isinstance(values, dict):
        raise BadRequestError("custom_metadata must be a JSON object")
    data = data_service.update_custom_metadata(ctx, actor, data_id, values)
    return {"custom_metadata": data.custom_metadata}


# Tags on any object: the body is a bare array of ids; the target is the tag's own


def _tag_change(
    change: Callable[[AppContext, Actor, Target, list[UUID], list[UUID]], object],
    ctx: AppContext,
    actor: Actor,
    tag_id: UUID,
    object_ids: list[UUID],
) -> Any:
    """Attach or detach (``change``) one tag to objects; the SDK reads back the tag and how
    many objects it named."""
    tag = tag_service.get_tag(ctx, actor, tag_id)
    change(ctx, actor, tag.target, object_ids, [tag_id])
    return {"tag": tag_json(tag), "count": len(set(object_ids))}


@router.post("/tag/{tag_id:uuid}/attach")
def attach_tag(
    tag_id: UUID,
    object_ids: Annotated[list[UUID], Body(max_length=MAX_IDS_PER_REQUEST)],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    return _tag_change(tag_service.attach_tags, ctx, actor, tag_id, object_ids)


@router.post("/tag/{tag_id:uuid}/detach")
def detach_tag(
    tag_id: UUID,
    object_ids: Annotated[list[UUID], Body(max_length=MAX_IDS_PER_REQUEST)],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    return _tag_change(tag_service.detach_tags, ctx, actor, tag_id, object_ids)
