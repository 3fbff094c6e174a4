"""The web app's routes: its pages, sign-in and sign-out, the offline API docs.

Pages are static files (``pixlake/web/static``) that call the JSON API with the session
cookie; the server renders no data into them. Only the sign-in page is served to a browser
without a session: the app's shell redirects there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field, ValidationError

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import accounts
from pixlake.core.services.sessions import session_user
from pixlake.errors import BadRequestError, PixlakeError, UnauthorizedError
from pixlake.limits import MAX_NAME_LENGTH
from pixlake.schemas import Me
from pixlake.server.deps import ContextDep
from pixlake.web.auth import check_same_origin, session_of
from pixlake.web.headers import PAGE_HEADERS
from pixlake.web.login_codes import LoginCodes
from pixlake.web.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    issue_session,
    open_session,
)

__all__ = ["STATIC_DIR", "SessionPublic", "SignIn", "router"]

STATIC_DIR = Path(__file__).parent / "static"
SIGN_IN_PATH = "/ui/signin"

router = APIRouter(tags=["web app"])


class SignIn(BaseModel):
    """Body of a sign-in: an API token (`pixlake users create`), as JSON or a form field."""

    token: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)


class SessionPublic(BaseModel):
    """The signed-in user, and the CSRF token its pages send in ``X-CSRF-Token``."""

    me: Me
    csrf_token: str
    expires_at: int
    """When the session ends, in seconds since the epoch."""


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=PAGE_HEADERS)


def _signed_in(request: Request) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return False
    try:
        session_of(request.app.state.context, cookie)
    except PixlakeError:
        return False
    return True


@router.get("/", include_in_schema=False, response_model=None)
def shell(request: Request) -> Response:
    """The app's shell, or the sign-in page for a browser without a valid session."""
    if not _signed_in(request):
        return RedirectResponse(SIGN_IN_PATH, status_code=303)
    return _page("index.html")


@router.get(SIGN_IN_PATH, include_in_schema=False)
def sign_in_page() -> FileResponse:
    return _page("signin.html")


@router.get("/docs", include_in_schema=False)
def docs_page() -> FileResponse:
    """Swagger UI over ``/openapi.json``, from vendored files: it works offline."""
    return _page("docs.html")


def _cookie_secure(request: Request, ctx: AppContext) -> bool:
    public_url = ctx.settings.public_url
    if public_url:
        return public_url.lower().startswith("https://")
    return request.url.scheme == "https"


def set_session_cookies(
    response: Response, request: Request, ctx: AppContext, actor: Actor
) -> SessionPublic:
    """Open a session for ``actor``: its cookies go on ``response``."""
    secret = ctx.settings.secret_key or ""
    token_hash = _token_hash_of(ctx, actor)
    lifetime = ctx.settings.session_hours * 3600
    cookie = issue_session(secret, actor.user_id, token_hash, lifetime)
    session = open_session(secret, cookie)
    secure = _cookie_secure(request, ctx)
    max_age = int(lifetime)
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
    # Readable by the pages' scripts, which echo it in X-CSRF-Token.
    csrf = csrf_token(secret, session)
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure
    )
    return SessionPublic(me=accounts.me(ctx, actor), csrf_token=csrf, expires_at=session.expires)


def _token_hash_of(ctx: AppContext, actor: Actor) -> str | None:
    user = session_user(ctx, actor.user_id)
    return user.token_hash if user is not None else None


def _read_sign_in(body: bytes, content_type: str) -> SignIn:
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            data: Any = {name: values[-1] for name, values in fields.items()}
        else:
            data = orjson.loads(body)
        return SignIn.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise BadRequestError(
            f"a sign-in sends {{'token': '<API token>'}} as JSON or a form field "
            f"'token' of 1 to {MAX_NAME_LENGTH} characters",
            details={"field": "token"},
        ) from exc


# The /ui/ routes belong to the web app, not to the API its document describes (whose
# every route takes a Bearer token): docs/webapp.md describes them.
@router.post("/ui/session", include_in_schema=False, response_model=SessionPublic)
async def sign_in(request: Request, ctx: ContextDep) -> Response:
    """Exchange an API token for a session cookie (``pixlake_session``, HttpOnly,
    SameSite=Strict) and a CSRF token (``pixlake_csrf``). A form post is redirected to
    the app; a JSON one answers the session. A wrong or revoked token sets no cookie."""
    check_same_origin(request)  # nobody else's page may sign a visitor in
    content_type = request.headers.get("content-type", "")
    sign_in_body = _read_sign_in(await request.body(), content_type)
    actor = accounts.authenticate(ctx, sign_in_body.token.strip())
    is_form = content_type.startswith("application/x-www-form-urlencoded")
    response: Response = (
        RedirectResponse("/", status_code=303)
        if is_form
        else Response(media_type="application/json")
    )
    session = set_session_cookies(response, request, ctx, actor)
    if not is_form:
        response.body = session.model_dump_json().encode()
        response.headers["content-length"] = str(len(response.body))
    return response


@router.get("/ui/session", include_in_schema=False)
def read_session(request: Request, ctx: ContextDep) -> SessionPublic:
    """The signed-in user of the session cookie, with its CSRF token (401 without one)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        raise UnauthorizedError("not signed in")
    session, actor = session_of(ctx, cookie)
    secret = ctx.settings.secret_key or ""
    return SessionPublic(
        me=accounts.me(ctx, actor),
        csrf_token=csrf_token(secret, session),
        expires_at=session.expires,
    )


@router.delete("/ui/session", status_code=204, include_in_schema=False)
def sign_out(request: Request, ctx: ContextDep) -> Response:
    """Sign out: the session's cookies are cleared (asking needs no valid session)."""
    response = Response(status_code=204)
    secure = _cookie_secure(request, ctx)
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, httponly=httponly, samesite="strict", secure=secure)
    return response


@router.get("/ui/login", include_in_schema=False, response_model=None)
def one_time_login(
    request: Request, ctx: ContextDep, code: Annotated[str, Query(max_length=128)]
) -> Response:
    """``pixlake ui``'s one-time link: the code is exchanged for a session, once."""
    codes: LoginCodes | None = getattr(request.app.state, "login_codes", None)
    actor = codes.redeem(code) if codes is not None else None
    if actor is None:
        return RedirectResponse(f"{SIGN_IN_PATH}?error={quote('used_link')}", status_code=303)
    response = RedirectResponse("/", status_code=303)
    set_session_cookies(response, request, ctx, actor)
    return response
