"""Web app sessions: signed, expiring cookies standing for a user, and their CSRF tokens.

A session cookie holds the user's id, the moment it expires, a fingerprint of the user's
API token and a random nonce, signed with HMAC-SHA256 under a key derived from the
workspace's secret (``PIXLAKE_SECRET_KEY``), so every server of a deployment accepts it and
nothing is stored. Each request authenticated by a cookie reads the user's row: a revoked
token, or a token replaced by another (a new fingerprint), ends every session it opened.

The CSRF token of a session is an HMAC of its nonce: a page reads it from the
``pixlake_csrf`` cookie (not HttpOnly) and echoes it in ``X-CSRF-Token``. A cookie planted
by another site can't pass, since only the server can derive the token of a session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from uuid import UUID

from pixlake.errors import SessionExpiredError

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Session",
    "csrf_matches",
    "csrf_token",
    "issue_session",
    "open_session",
    "token_fingerprint",
]

SESSION_COOKIE = "pixlake_session"
CSRF_COOKIE = "pixlake_csrf"
CSRF_HEADER = "X-CSRF-Token"

_VERSION = "v1"
_OWNER_FINGERPRINT = "owner"
"""Fingerprint of a user with no API token (an embedded workspace's owner), whose sessions
only ``pixlake ui``'s one-time link opens."""


@dataclass(frozen=True)
class Session:
    user_id: UUID
    expires: int
    fingerprint: str
    nonce: str


def _key(secret: str, purpose: str) -> bytes:
    # A key of its own per use: a session MAC can never pass for a signed URL, nor the
    # reverse, though both come from the one workspace secret.
    return hmac.new(secret.encode(), f"pixlake-web-{purpose}".encode(), hashlib.sha256).digest()


def _mac(secret: str, payload: str) -> str:
    return hmac.new(_key(secret, "session"), payload.encode(), hashlib.sha256).hexdigest()


def token_fingerprint(token_hash: str | None) -> str:
    """What of the user's current token a session remembers (never the token itself)."""
    if token_hash is None:
        return _OWNER_FINGERPRINT
    return hashlib.sha256(f"session:{token_hash}".encode()).hexdigest()[:32]


def issue_session(secret: str, user_id: UUID, token_hash: str | None, lifetime: float) -> str:
    """The value of a new session cookie for ``user_id``, valid ``lifetime`` seconds."""
    expires = int(time.time() + lifetime)
    payload = ".".join(
        (_VERSION, user_id.hex, str(expires), token_fingerprint(token_hash), secrets.token_hex(16))
    )
    return f"{payload}.{_mac(secret, payload)}"


def open_session(secret: str, cookie: str) -> Session:
    """The session a cookie holds; SessionExpiredError if forged, malformed or expired."""
    payload, _dot, mac = cookie.rpartition(".")
    # As bytes: compare_digest refuses a str that is not ASCII, and anyone may send one.
    if not payload or not hmac.compare_digest(
        _mac(secret, payload).encode(), mac.encode("utf-8", "replace")
    ):
        raise SessionExpiredError("the session is not valid; sign in again")
    version, user_hex, expires, fingerprint, nonce = payload.split(".")
    if version != _VERSION:
        raise SessionExpiredError("the session is not valid; sign in again")
    if int(expires) < time.time():
        raise SessionExpiredError("the session has expired; sign in again")
    return Session(UUID(hex=user_hex), int(expires), fingerprint, nonce)


def csrf_token(secret: str, session: Session) -> str:
    """The CSRF token pages echo in ``X-CSRF-Token`` for requests made with ``session``."""
    return hmac.new(_key(secret, "csrf"), session.nonce.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, session: Session, header: str | None) -> bool:
    if not header:
        return False
    expected = csrf_token(secret, session)
    return hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))
