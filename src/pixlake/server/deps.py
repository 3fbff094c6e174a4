"""Dependencies shared by every router, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import accounts
from pixlake.errors import UnauthorizedError

__all__ = ["ContextDep", "CurrentActor", "base_url_for"]


async def get_context(request: Request) -> AppContext:
    # async: FastAPI would run a plain function in a worker thread, a hop per request.
    return request.app.state.context


def get_actor(request: Request) -> Actor:
    header = request.headers.get("authorization")
    token = None
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise UnauthorizedError("the Authorization header must be 'Bearer <token>'")
        token = value.strip()
    owner: Actor | None = request.app.state.embedded_owner
    if token is None and owner is not None:
        return owner  # an in-process app acts as the workspace owner unless told otherwise
    return accounts.authenticate(request.app.state.context, token)


def base_url_for(request: Request) -> str:
    context: AppContext = request.app.state.context
    return context.settings.public_url or str(request.base_url)


ContextDep = Annotated[AppContext, Depends(get_context)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
