"""The datalakes themselves: list, create and get. Their data (uploads, listings, counts)
are served by ``datalake_data``, a router of its own, so that a request about datalakes
builds neither those routes nor the services behind them (docs/startup.md)."""

from uuid import UUID

from fastapi import APIRouter

from pixlake.core.services import datalakes as datalake_service
from pixlake.errors import ConflictError
from pixlake.schemas import DatalakeCreate, DatalakePublic
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.openapi import errors

router = APIRouter(prefix="/datalakes", tags=["datalakes"])


@router.get("")
def list_datalakes(
    ctx: ContextDep, actor: CurrentActor, name: NameFilter = None
) -> list[DatalakePublic]:
    return datalake_service.list_datalakes(ctx, actor, name)


@router.post("", status_code=201, responses=errors(ConflictError))
def create_datalake(body: DatalakeCreate, ctx: ContextDep, actor: CurrentActor) -> DatalakePublic:
    return datalake_service.create_datalake(ctx, actor, body.name)


@router.get("/{datalake_id:uuid}")
def get_datalake(datalake_id: UUID, ctx: ContextDep, actor: CurrentActor) -> DatalakePublic:
    return datalake_service.get_datalake(ctx, actor, datalake_id)
