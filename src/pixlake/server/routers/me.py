from fastapi import APIRouter

from pixlake.core.services import accounts
from pixlake.schemas import Me
from pixlake.server.deps import ContextDep, CurrentActor

router = APIRouter(tags=["accounts"])


@router.get("/me")
def read_me(ctx: ContextDep, actor: CurrentActor) -> Me:
    return accounts.me(ctx, actor)
