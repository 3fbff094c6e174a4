"""Authenticating a request by its session cookie, and refusing cross-site writes.

The API's one authentication dependency (``pixlake.server.deps.get_actor``) calls
``cookie_actor`` when a request carries no Bearer token: a page of the web app and an SDK
client then reach the very same routes, scoped to the organization the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from pixlake.core.context import Actor, AppContext
from pixlake.core.services.sessions import session_user
from pixlake.errors import CsrfError, SessionExpiredError
from pixlake.web.sessions import (
    CSRF_HEADER,
    Session,
    csrf_matches,
    open_session,
    token_fingerprint,
)

__all__ = ["SAFE_METHODS", "check_same_origin", "cookie_actor", "session_of"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing, which need no CSRF token."""


def session_of(ctx: AppContext, cookie: str) -> tuple[Session, Actor]:
    """The session a cookie holds and its user; SessionExpiredError when it no longer
    holds (forged, expired, user gone, token revoked or replaced)."""
    secret = ctx.settings.secret_key or ""
    session = open_session(secret, cookie)
    user = session_user(ctx, session.user_id)
    if user is None or token_fingerprint(user.token_hash) != session.fingerprint:
        raise SessionExpiredError("the session has ended; sign in again")
    if user.revoked:
        raise SessionExpiredError("the API token of this session has been revoked")
    return session, user.actor


def cookie_actor(request: Request, cookie: str) -> Actor:
    """The user of a request authenticated by its session cookie.

    A request that may change something must also come from this site: with the session's
    CSRF token in ``X-CSRF-Token``, and with no ``Origin`` (or ``Sec-Fetch-Site``) naming
    another site.
    """
    ctx: AppContext = request.app.state.context
    session, actor = session_of(ctx, cookie)
    if request.method not in SAFE_METHODS:
        check_same_origin(request)
        if not csrf_matches(
            ctx.settings.secret_key or "", session, request.headers.get(CSRF_HEADER)
        ):
            raise CsrfError(
                f"a request signed in by the session cookie must send the {CSRF_HEADER} "
                "header holding the pixlake_csrf cookie's value",
                details={"header": CSRF_HEADER},
            )
    return actor


def check_same_origin(request: Request) -> None:
    """Refuse a request a browser says another site sent.

    Browsers send ``Sec-Fetch-Site`` and, on writes, ``Origin``; clients other than
    browsers send neither, and a missing header proves nothing either way (the CSRF token
    then decides).
    """
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise CsrfError("a request from another site can't use this session")
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = {request.headers.get("host", "").lower()}
    public_url = request.app.state.context.settings.public_url
    if public_url:  # behind a proxy that rewrites Host, the public URL names this site
        ours.add(urlsplit(public_url).netloc.lower())
    if origin == "null" or urlsplit(origin).netloc.lower() not in ours:
        raise CsrfError(
            f"a request from {origin!r} can't use this session", details={"origin": origin}
        )
