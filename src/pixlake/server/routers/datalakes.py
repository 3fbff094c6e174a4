from typing import Annotated
from uuid import UUID

import anyio.from_thread
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.schemas import DataIngestLocal, DatalakeCreate, DatalakePublic, DataPage, DataPublic, DataQuery
from pixlake.server.deps import ContextDep, CurrentActor

router = APIRouter(prefix="/datalakes", tags=["datalakes"])

# Mounted only on an in-process (embedded) application, never on a served one: it reads
# server-side paths, which a network client must never be able to name.
local_router = APIRouter(prefix="/datalakes", tags=["embedded"])


@router.get("")
def list_datalakes(ctx: ContextDep, actor: CurrentActor,
                   name: str | None = None) -> list[DatalakePublic]:
    return datalake_service.list_datalakes(ctx, actor, name)


@router.post("", status_code=201)
def create_datalake(body: DatalakeCreate, ctx: ContextDep, actor: CurrentActor) -> DatalakePublic:
    return datalake_service.create_datalake(ctx, actor, body.name)


@router.get("/{datalake_id}")
def get_datalake(datalake_id: UUID, ctx: ContextDep, actor: CurrentActor) -> DatalakePublic:
    return datalake_service.get_datalake(ctx, actor, datalake_id)


@router.put("/{datalake_id}/data")
async def upload_data(
    datalake_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor,
    filename: Annotated[str, Query(description="Name the file is shown and downloaded under.")],
    tags: Annotated[list[str], Query(description="Tag names (target DATA), created if new.")] = [],  # noqa: B006
    tag_ids: Annotated[list[UUID], Query()] = [],  # noqa: B006
) -> DataPublic:
    """Store the request body as one file. Uploading bytes already held returns their Data."""
    body = request.stream()

    def chunks():
        # The service runs in a worker thread and pulls the body from the event loop.
        while True:
            try:
                yield anyio.from_thread.run(body.__anext__)
            except StopAsyncIteration:
                return

    return await run_in_threadpool(
        data_service.ingest_stream, ctx, actor, datalake_id, filename, chunks(), tags, tag_ids
    )


@router.post("/{datalake_id}/data/search")
def search_data(datalake_id: UUID, query: DataQuery, ctx: ContextDep,
                actor: CurrentActor) -> DataPage:
    return data_service.search_data(ctx, actor, datalake_id, query)


@local_router.post("/{datalake_id}/data/ingest-local")
def ingest_local(datalake_id: UUID, body: DataIngestLocal, ctx: ContextDep,
                 actor: CurrentActor) -> list[DataPublic]:
    return data_service.ingest_local_files(ctx, actor, datalake_id, body.paths, body.tags,
                                           body.tag_ids, body.max_workers)
