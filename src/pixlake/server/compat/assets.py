"""Assets of a version: listings (with tag filters), one asset, deletes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import annotations as annotation_service
from pixlake.core.services import assets as asset_service
from pixlake.core.services import datasets as dataset_service
from pixlake.core.services import tags as tag_service
from pixlake.enums import Target
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.schemas import AssetPublic, AssetQuery
from pixlake.server.compat.bodies import CompatModel, IdsBody, ListBody
from pixlake.server.compat.listing import ListingDep, json_items
from pixlake.server.compat.wire import asset_json, page
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.routers.data import object_url

router = APIRouter(prefix="/api", include_in_schema=False)


@router.get("/dataset/version/{version_id:uuid}/assets")
def list_assets(
    version_id: UUID, listing: ListingDep, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    def fetch(after: UUID | None, size: int, q: str | None) -> Any:
        page_query = AssetQuery(after=after, limit=size)
        return asset_service.search_assets(ctx, actor, version_id, page_query, q)

    return listing.answer(fetch, lambda item: _listed(request, ctx, item))


@router.api_route("/dataset/version/{version_id:uuid}/assets", methods=["XGET"])
def list_assets_by_keys(
    version_id: UUID, body: ListBody, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    keys = body.keys(("ids", "data_ids", "filenames", "filename_startswith"))
    if "filename_startswith" in keys:
        prefixes = tuple(keys["filename_startswith"])
        walked = _walk(ctx, actor, version_id, body.q)
        found = [item for item in walked if item["filename"].startswith(prefixes)]
    else:
        query = AssetQuery(**keys)
        found = json_items(asset_service.search_assets(ctx, actor, version_id, query, body.q))
    return page([_listed(request, ctx, item) for item in found], len(found))


def _asset_json(request: Request, ctx: AppContext, asset: AssetPublic, **kwargs: Any) -> Any:
    url = object_url(request, ctx, asset.object_name, asset.content_type).url
    return asset_json(asset, url, **kwargs)


def _listed(request: Request, ctx: AppContext, item: dict[str, Any]) -> Any:
    return _asset_json(request, ctx, AssetPublic.model_validate(item))


@router.get("/dataset/version/{version_id:uuid}/assets/find")
def find_asset(
    version_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    id: UUID | None = None,
    data_id: UUID | None = None,
    filename: Annotated[str | None, Query(max_length=255)] = None,
    object_name: Annotated[str | None, Query(max_length=1024)] = None,
) -> Any:
    dataset_service.get_version(ctx, actor, version_id)
    if id is not None:
        query = AssetQuery(ids=[id])
    elif data_id is not None:
        query = AssetQuery(data_ids=[data_id])
    elif filename is not None:
        query = AssetQuery(filenames=[filename])
    elif object_name is not None:
        raise BadRequestError("finding an asset by object name is not supported by this server")
    else:
        raise BadRequestError("find an asset by id, data_id or filename")
    items = json_items(asset_service.search_assets(ctx, actor, version_id, query))
    if not items:
        raise NotFoundError("asset not found", details={"version_id": str(version_id)})
    return _listed(request, ctx, items[0])


@router.get("/asset/{asset_id:uuid}")
def get_asset(asset_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> Any:
    asset = asset_service.get_asset(ctx, actor, asset_id)
    tags = tag_service.tags_of(ctx, actor, Target.ASSET, asset_id)
    return _asset_json(request, ctx, asset, tags=tags)


@router.delete("/asset/{asset_id:uuid}", status_code=204)
def delete_asset(asset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    asset_service.delete_assets(ctx, actor, [asset_id])
    return Response(status_code=204)


@router.delete("/dataset/version/{version_id:uuid}/assets", status_code=204)
def delete_assets(
    version_id: UUID, body: IdsBody, ctx: ContextDep, actor: CurrentActor
) -> Response:
    _require_assets_of(ctx, actor, version_id, body.ids)
    if body.ids:
        asset_service.delete_assets(ctx, actor, body.ids)
    return Response(status_code=204)


class _AnnotationsDelete(CompatModel):
    asset_ids: list[str] = []
    annotation_ids: list[UUID] | None = None


@router.delete("/dataset/version/{version_id:uuid}/annotations", status_code=204)
def delete_annotations(
    version_id: UUID, body: _AnnotationsDelete, ctx: ContextDep, actor: CurrentActor
) -> Response:
    if body.annotation_ids:
        raise BadRequestError("deleting annotations by id in bulk is not supported here")
    if body.asset_ids == ["__all__"]:
        asset_ids = _all_asset_ids(ctx, actor, version_id)
    else:
        try:
            asset_ids = [UUID(value) for value in body.asset_ids]
        except ValueError:
            raise BadRequestError("asset_ids must be asset ids, or ['__all__']") from None
        _require_assets_of(ctx, actor, version_id, asset_ids)
    if asset_ids:
        annotation_service.delete_annotations(ctx, actor, asset_ids, None)
    return Response(status_code=204)


def _require_assets_of(
    ctx: AppContext, actor: Actor, version_id: UUID, asset_ids: list[UUID]
) -> None:
    """Every asset must be one of the version's (so the path's version means something)."""
    dataset_service.get_version(ctx, actor, version_id)
    for chunk_start in range(0, len(asset_ids), 5000):
        chunk = asset_ids[chunk_start : chunk_start + 5000]
        found = json_items(
            asset_service.search_assets(ctx, actor, version_id, AssetQuery(ids=chunk, limit=5000))
        )
        known = {item["id"] for item in found}
        for asset_id in chunk:
            if str(asset_id) not in known:
                raise NotFoundError(f"asset {asset_id} not found", details={"id": str(asset_id)})


def _walk(
    ctx: AppContext, actor: Actor, version_id: UUID, q: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every asset of the version (matching ``q``), a keyset page at a time."""
    after: UUID | None = None
    while True:
        found = asset_service.search_assets(ctx, actor, version_id, AssetQuery(after=after), q)
        yield from json_items(found)
        if found.next_after is None:
            return
        after = UUID(found.next_after)


def _all_asset_ids(ctx: AppContext, actor: Actor, version_id: UUID) -> list[UUID]:
    return [UUID(item["id"]) for item in _walk(ctx, actor, version_id)]
