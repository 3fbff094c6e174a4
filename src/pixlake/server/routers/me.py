from typing import Annotated

from fastapi import APIRouter, Path, Response

from pixlake.core.services import accounts
from pixlake.errors import BadRequestError
from pixlake.schemas import Me, UserPublic
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.openapi import errors

router = APIRouter(tags=["accounts"])


@router.get("/me")
def read_me(ctx: ContextDep, actor: CurrentActor) -> Me:
    return accounts.me(ctx, actor)


@router.get("/users")
def list_users(ctx: ContextDep, actor: CurrentActor) -> list[UserPublic]:
    return accounts.list_users(ctx, actor)


@router.post("/users/{username}/revoke", status_code=204, responses=errors(BadRequestError))
def revoke_user(
    username: Annotated[str, Path(min_length=1, max_length=255)],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Response:
    accounts.revoke_user(ctx, username, actor)
    return Response(status_code=204)
