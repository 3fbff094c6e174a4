"""Idempotency keys: a retried bulk write gets the first answer instead of doing the work twice.

A request sent with an ``Idempotency-Key`` goes through three steps:

1. ``claim``, in a short transaction of its own, finds the organization's key. A key seen for
   the first time is written down as running, for this attempt, until its lease ends. A key
   already answered gives back that answer (``StoredAnswer``); one whose first request still
   runs raises ``RequestInProgressError``; one that names another request raises
   ``IdempotencyKeyReusedError``.
2. The service does the work and, inside the very same transaction, ``KeyedAnswer.record``
   renders the answer and writes it into the key's row. The answer and the work commit
   together, so a crash after the commit cannot lose the key: the retry finds the answer.
3. When the work fails, ``release`` frees the key (nothing was committed), so the retry runs
   it afresh. A server that dies before committing leaves a running key that a retry takes
   over once its lease has ended.

Answered keys are kept for ``idempotency_retention_hours``; every claim sweeps the expired
ones. Keys are scoped to the organization: another organization's identical key is another
key.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.errors import IdempotencyKeyReusedError, PixlakeError, RequestInProgressError

__all__ = ["Claim", "KeyedAnswer", "StoredAnswer", "claim", "release"]

logger = logging.getLogger("pixlake.idempotency")

_keys = t.idempotency_keys


@dataclass(frozen=True)
class StoredAnswer:
    """The answer given to the first request with a key, given again to its retries."""

    status_code: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Claim:
    """A key held by one attempt of a request, until its answer is recorded."""

    organization_id: UUID
    key: str
    attempt: str
    retention: timedelta
    """How long the answer is kept once recorded."""


class KeyedAnswer:
    """The answer of a keyed request, recorded in the transaction of the work it answers.

    A service that takes one calls ``record(conn, result)`` as the last step inside its
    ``ctx.db.write()`` block; ``render`` turns the service's result into the body the caller
    receives (the router supplies it: services know nothing of HTTP).
    """

    def __init__(
        self, claim: Claim, status_code: int, media_type: str, render: Callable[[Any], bytes]
    ) -> None:
        self.claim = claim
        self.status_code = status_code
        self.media_type = media_type
        self.render = render
        self.stored: StoredAnswer | None = None

    def record(self, conn: Connection, result: Any) -> None:
        """Render ``result`` and write it as the key's answer, inside the work's transaction.

        Raises:
            RequestInProgressError: another attempt took the key over (this one ran past its
                lease); the work of this one is rolled back with the transaction.
        """
        body = self.render(result)
        claim = self.claim
        recorded = conn.execute(
            update(_keys)
            .where(
                _keys.c.organization_id == claim.organization_id,
                _keys.c.key == claim.key,
                _keys.c.attempt == claim.attempt,
                _keys.c.status_code.is_(None),
            )
            .values(
                status_code=self.status_code,
                media_type=self.media_type,
                body=body,
                expires_at=utcnow() + claim.retention,
            )
        ).rowcount
        if recorded != 1:
            raise _in_progress(claim.key)
        self.stored = StoredAnswer(self.status_code, self.media_type, body)


def claim(ctx: AppContext, actor: Actor, key: str, fingerprint: str) -> Claim | StoredAnswer:
    """Take ``key`` for a request (``fingerprint`` identifies it), or find its answer.

    Raises:
        IdempotencyKeyReusedError: the key was first sent with another request.
        RequestInProgressError: the first request with this key is still running.
    """
    for _ in range(2):
        try:
            return _claim_once(ctx, actor, key, fingerprint)
        except IntegrityError:
            # Another server wrote the same new key between our look-up and our insert:
            # look again, the row is there now.
            continue
    raise _in_progress(key)


def _claim_once(ctx: AppContext, actor: Actor, key: str, fingerprint: str) -> Claim | StoredAnswer:
    now = utcnow()
    lease_until = now + timedelta(seconds=ctx.settings.idempotency_lease_seconds)
    attempt = uuid.uuid4().hex
    claimed = Claim(
        actor.organization_id,
        key,
        attempt,
        timedelta(hours=ctx.settings.idempotency_retention_hours),
    )
    with ctx.db.write() as conn:
        # Sweeping here keeps the table to the keys of the retention without a scheduler.
        conn.execute(delete(_keys).where(_keys.c.expires_at <= now))
        row = conn.execute(
            select(_keys)
            .where(
                _keys.c.organization_id == actor.organization_id,
                _keys.c.key == key,
            )
            .with_for_update()
        ).one_or_none()
        if row is None:
            # Until it is answered, a key lives as long as its lease (see `record`).
            conn.execute(
                insert(_keys).values(
                    organization_id=actor.organization_id,
                    key=key,
                    fingerprint=fingerprint,
                    attempt=attempt,
                    lease_until=lease_until,
                    created_at=now,
                    expires_at=lease_until,
                )
            )
            return claimed
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(
                f"Idempotency-Key {key!r} was already used for another request; a key "
                "stands for one request (same method, path, body and user)",
                details={"idempotency_key": key},
            )
        if row.status_code is not None:
            return StoredAnswer(row.status_code, row.media_type, bytes(row.body))
        if row.lease_until > now:
            raise _in_progress(key)
        # The attempt holding the key ran past its lease (its server died before
        # committing, or it is that slow): this one takes its place. Should the old one
        # still commit, its `record` finds the key taken and rolls its work back.
        conn.execute(
            update(_keys)
            .where(
                _keys.c.organization_id == actor.organization_id,
                _keys.c.key == key,
            )
            .values(attempt=attempt, lease_until=lease_until, expires_at=lease_until)
        )
        return claimed


def release(ctx: AppContext, claimed: Claim) -> None:
    """Free a key whose request failed before recording an answer, so a retry runs afresh.

    A failure to free it is only logged: the key then stays running until its lease ends.
    """
    try:
        with ctx.db.write() as conn:
            conn.execute(
                delete(_keys).where(
                    _keys.c.organization_id == claimed.organization_id,
                    _keys.c.key == claimed.key,
                    _keys.c.attempt == claimed.attempt,
                    _keys.c.status_code.is_(None),
                )
            )
    except (SQLAlchemyError, PixlakeError):
        logger.warning(
            "could not free idempotency key %r; it is freed when its lease ends",
            claimed.key,
            exc_info=True,
        )


def _in_progress(key: str) -> RequestInProgressError:
    return RequestInProgressError(
        f"the first request with Idempotency-Key {key!r} is still running; retry later to "
        "get its answer",
        details={"idempotency_key": key},
    )
