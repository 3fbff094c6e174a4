from fastapi import APIRouter

from pixlake.core.services import trash as service
from pixlake.enums import TrashKind
from pixlake.errors import ConflictError, LockedError, NotFoundError
from pixlake.schemas import TrashItem, TrashPurge, TrashRestore, TrashResult
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.openapi import errors

router = APIRouter(prefix="/trash", tags=["trash"])


@router.get("")
def list_trash(
    ctx: ContextDep, actor: CurrentActor, kind: TrashKind | None = None
) -> list[TrashItem]:
    return service.list_trash(ctx, actor, kind)


@router.post("/restore", responses=errors(NotFoundError, ConflictError, LockedError))
def restore(body: TrashRestore, ctx: ContextDep, actor: CurrentActor) -> TrashResult:
    return TrashResult(count=service.restore_from_trash(ctx, actor, body.ids))


@router.post("/purge")
def purge(body: TrashPurge, ctx: ContextDep, actor: CurrentActor) -> TrashResult:
    return TrashResult(count=service.purge_trash(ctx, actor, everything=body.everything))
