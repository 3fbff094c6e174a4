from uuid import UUID

from fastapi import APIRouter, Response

from pixlake.core.services import assets as service
from pixlake.core.services import data as data_service
from pixlake.errors import ConflictError, InvalidQueryError, LockedError, NotFoundError
from pixlake.schemas import (
    AssetPage,
    AssetPublic,
    AssetQuery,
    AssetsAdd,
    Count,
    DataPublic,
    IdList,
    TrashResult,
)
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.fastjson import fast_json, json_bytes, page_json
from pixlake.server.idempotency import KeyedRequestDep
from pixlake.server.openapi import errors
from pixlake.server.params import QueryText

router = APIRouter(tags=["assets"])


@router.post(
    "/versions/{version_id:uuid}/assets",
    response_model=list[AssetPublic],
    responses=errors(LockedError),
)
def add_data(
    version_id: UUID, body: AssetsAdd, ctx: ContextDep, actor: CurrentActor, keyed: KeyedRequestDep
) -> Response:
    answer = keyed.expect(200, json_bytes)
    return keyed.respond(
        service.add_data(
            ctx, actor, version_id, body.data_ids, body.tags, body.tag_ids, answer=answer
        )
    )


@router.post(
    "/versions/{version_id:uuid}/assets/search",
    response_model=AssetPage,
    responses=errors(InvalidQueryError),
)
def search_assets(
    version_id: UUID, query: AssetQuery, ctx: ContextDep, actor: CurrentActor, q: QueryText = None
) -> Response:
    return page_json(service.search_assets(ctx, actor, version_id, query, q))


@router.get("/versions/{version_id:uuid}/assets/count", responses=errors(InvalidQueryError))
def count_assets(
    version_id: UUID, ctx: ContextDep, actor: CurrentActor, q: QueryText = None
) -> Count:
    """How many live assets of the version match ``q`` (all of them without it)."""
    return Count(count=service.count_assets(ctx, actor, version_id, q))


@router.post(
    "/versions/{version_id:uuid}/assets/restore", responses=errors(ConflictError, LockedError)
)
def restore_assets(
    version_id: UUID, body: IdList, ctx: ContextDep, actor: CurrentActor
) -> TrashResult:
    return TrashResult(count=service.restore_assets(ctx, actor, version_id, body.ids))


@router.get("/assets/{asset_id:uuid}")
def get_asset(asset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> AssetPublic:
    return service.get_asset(ctx, actor, asset_id)


@router.post("/assets/delete", responses=errors(NotFoundError, LockedError))
def delete_assets(body: IdList, ctx: ContextDep, actor: CurrentActor) -> TrashResult:
    return TrashResult(count=service.delete_assets(ctx, actor, body.ids))


@router.post("/data/by-ids", response_model=list[DataPublic], responses=errors(NotFoundError))
def data_by_ids(body: IdList, ctx: ContextDep, actor: CurrentActor) -> Response:
    """Many data in one request, in the order asked (for assets spread over datalakes)."""
    return fast_json(data_service.get_many(ctx, actor, body.ids))
