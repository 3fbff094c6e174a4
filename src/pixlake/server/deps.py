"""Dependencies shared by every router, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import accounts
from pixlake.errors import UnauthorizedError

__all__ = ["ContextDep", "CurrentActor", "base_url_for"]


async def get_context(request: Request) -> AppContext:
    # async: FastAPI would run a plain function in a worker thread, a hop per request.
    return request.app.state.context


BEARER = HTTPBearer(
    scheme_name="token", auto_error=False,
    description="An API token (`pixlake users create`), sent as `Authorization: Bearer "
    "<token>`.")
"""The token scheme, as the API's document shows it (Swagger's "Authorize" fills it in)."""


def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Actor:
    token = None
    if credentials is not None:
        token = credentials.credentials.strip()
    elif request.headers.get("authorization"):
        # HTTPBearer lets a malformed header pass as "no token", which in embedded mode
        # would act as the owner: a header that is there but wrong is refused instead.
        raise UnauthorizedError("the Authorization header must be 'Bearer <token>'")
    owner: Actor | None = request.app.state.embedded_owner
    if token is None and owner is not None:
        return owner  # an in-process app acts as the workspace owner unless told otherwise
    return accounts.authenticate(request.app.state.context, token)


def base_url_for(request: Request) -> str:
    context: AppContext = request.app.state.context
    return context.settings.public_url or str(request.base_url)


ContextDep = Annotated[AppContext, Depends(get_context)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
