"""One-time sign-in codes: ``pixlake ui`` prints a link holding one, which opens a session
for the workspace's owner (who has no API token) once, and is useless afterwards."""

from __future__ import annotations

import secrets
import threading
import time

from pixlake.core.context import Actor

__all__ = ["CODE_LIFETIME", "LoginCodes"]

CODE_LIFETIME = 600.0
"""Seconds a code stays valid unused: long enough to open the printed link."""


class LoginCodes:
    """Codes this process issued, each redeemable once (kept in memory: ``pixlake ui``
    runs one process)."""

    def __init__(self) -> None:
        self._codes: dict[str, tuple[Actor, float]] = {}
        self._lock = threading.Lock()

    def issue(self, actor: Actor) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = (actor, time.monotonic() + CODE_LIFETIME)
        return code

    def redeem(self, code: str) -> Actor | None:
        """The actor of ``code``, which is spent; None if unknown, spent or too old."""
        with self._lock:
            found = self._codes.pop(code, None)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]
