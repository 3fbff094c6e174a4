"""Dependencies shared by every router, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AfterValidator

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import accounts
from pixlake.errors import UnauthorizedError
from pixlake.limits import MAX_NAME_LENGTH, MAX_TAGS_PER_REQUEST
from pixlake.validation import check_text

__all__ = ["ContextDep", "CurrentActor", "NameFilter", "TagNamesQuery", "base_url_for"]


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


def _storable(value: str | None) -> str | None:
    return value if value is None else check_text(value, "name")


def _storable_names(values: list[str]) -> list[str]:
    for index, value in enumerate(values):
        check_text(value, f"tags[{index}]")
    return values


NameFilter = Annotated[str | None, Query(max_length=MAX_NAME_LENGTH), AfterValidator(_storable)]
"""A name to filter a listing by, in the query string: bounded and storable text like the
names it is compared with."""

TagNamesQuery = Annotated[
    list[str], Query(description="Tag names (target DATA), created if new.",
                     max_length=MAX_TAGS_PER_REQUEST), AfterValidator(_storable_names)]
"""Tag names given in the query string of an upload."""

ContextDep = Annotated[AppContext, Depends(get_context)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
