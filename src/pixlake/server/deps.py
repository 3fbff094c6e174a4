"""Dependencies shared by every router, declared once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import accounts
from pixlake.errors import BadRequestError, UnauthorizedError
from pixlake.limits import MAX_NAME_LENGTH, MAX_TAGS_PER_REQUEST
from pixlake.loopback import is_loopback
from pixlake.probed_media import ProbedMedia
from pixlake.schemas import Name
from pixlake.validation import check_text
from pixlake.web.auth import cookie_actor
from pixlake.web.sessions import SESSION_COOKIE

__all__ = [
    "ContextDep",
    "CurrentActor",
    "DeferredActor",
    "DeferredActorDep",
    "NameFilter",
    "ProbedMediaDep",
    "TagNamesQuery",
    "base_url_for",
]

_PLAIN_HOST = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")


async def get_context(request: Request) -> AppContext:
    # async: FastAPI would run a plain function in a worker thread, a hop per request.
    context: AppContext = request.app.state.context
    return context


async def get_probed_media(request: Request) -> ProbedMedia | None:
    """The probes an SDK in this process shares with its in-process app; None for a served
    app, whose clients' claims are never taken."""
    probed: ProbedMedia | None = request.app.state.probed_media
    return probed


BEARER = HTTPBearer(
    scheme_name="token",
    auto_error=False,
    description="An API token (`pixlake users create`), sent as `Authorization: Bearer <token>`.",
)
"""The token scheme, as the API's document shows it (Swagger's "Authorize" fills it in)."""


def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Actor:
    # A plain function: FastAPI runs it in a worker thread, since it reads the database.
    return _authenticate(request, credentials)


@dataclass(frozen=True)
class DeferredActor:
    """A request's authentication, to be done by the route in its own worker thread.

    Routes that answer many small requests (a gallery's thumbnails) do all their work in
    one thread hop: authenticating in a hop of its own before it would be a second. It is
    the very same authentication as ``get_actor``'s, and the route must call ``resolve``
    before reading anything.
    """

    request: Request
    credentials: HTTPAuthorizationCredentials | None

    def resolve(self) -> Actor:
        return _authenticate(self.request, self.credentials)


async def defer_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> DeferredActor:
    # async: nothing is read here, so no worker thread is needed.
    return DeferredActor(request, credentials)


def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    token = None
    if credentials is not None:
        token = credentials.credentials.strip()
    elif request.headers.get("authorization"):
        # HTTPBearer lets a malformed header pass as "no token", which in embedded mode
        # would act as the owner: a header that is there but wrong is refused instead.
        raise UnauthorizedError("the Authorization header must be 'Bearer <token>'")
    if token is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is not None:
            return cookie_actor(request, cookie)  # a page of the web app (docs/webapp.md)
    owner: Actor | None = request.app.state.embedded_owner
    if token is None and owner is not None:
        return owner  # an in-process app acts as the workspace owner unless told otherwise
    return accounts.authenticate(request.app.state.context, token)


def base_url_for(request: Request) -> str:
    """The URL clients reach this API at, under which it signs download URLs.

    It is ``PIXLAKE_PUBLIC_URL`` when set. Without it, the request's own URL stands in only
    when its ``Host`` is a loopback name: a ``Host`` header is whatever the client (or a
    proxy passing it on) says, and a URL built from a spoofed one would hand a signed link
    to whichever server the spoofer names. An in-process (embedded) app is reached by no
    network, so its ``Host`` is the SDK's own.
    """
    context: AppContext = request.app.state.context
    if context.settings.public_url:
        return context.settings.public_url
    if request.app.state.embedded_owner is None:
        header = request.headers.get("host")
        # The whole header must be a plain name and port: "evil.example\@127.0.0.1" names
        # 127.0.0.1 to a URL parser here and evil.example to a browser.
        plain = _PLAIN_HOST.fullmatch(header) if header is not None else None
        host = plain.group("name") if plain else (header or "")
        if header is not None and not (plain and is_loopback(host)):
            raise BadRequestError(
                f"this server can't build download URLs for the host {host!r}: set "
                "PIXLAKE_PUBLIC_URL (or --public-url) to the URL clients reach it at",
                details={"host": host, "setting": "public_url"},
            )
    # Without a Host header, the URL is the address the server listens on.
    return str(request.base_url)


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
    list[Name],
    Query(description="Tag names (target DATA), created if new.", max_length=MAX_TAGS_PER_REQUEST),
    AfterValidator(_storable_names),
]
"""Tag names given in the query string of an upload."""

ContextDep = Annotated[AppContext, Depends(get_context)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
ProbedMediaDep = Annotated[ProbedMedia | None, Depends(get_probed_media)]
DeferredActorDep = Annotated[DeferredActor, Depends(defer_actor)]
"""The caller, authenticated when the route calls ``resolve`` (see ``DeferredActor``)."""
