"""The ``Idempotency-Key`` header of bulk writes, seen from the routes.

A route that honours the header takes a ``KeyedRequestDep``, asks it for the answer the
service is to record (``expect``) and answers with ``respond``::

    answer = keyed.expect(201, json_bytes)
    result = service.add_shapes(..., answer=answer)
    return keyed.respond(result)

Without a header, ``keyed.answer`` is None and the route answers as it always did. With one,
the dependency has claimed the key before the route runs (or answered a retry with the
stored answer, without running the route at all), and frees it if the route fails. The rules
themselves live in ``pixlake.core.services.idempotency``; see docs/retries.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.concurrency import run_in_threadpool

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import idempotency
from pixlake.core.services.idempotency import Claim, KeyedAnswer, StoredAnswer
from pixlake.errors import BadRequestError, LimitExceededError, ServiceError
from pixlake.schemas import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from pixlake.server.deps import ContextDep, CurrentActor

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = [
    "KeyedRequest",
    "KeyedRequestDep",
    "KeyedUpload",
    "KeyedUploadDep",
    "install_idempotency",
    "request_fingerprint",
]


class KeyedRequest:
    """What a bulk-write route knows of its request's Idempotency-Key, if it has one."""

    def __init__(self, claimed: Claim | None) -> None:
        self.claimed = claimed
        self.answer: KeyedAnswer | None = None
        self._status_code = 200
        self._media_type = "application/json"
        self._render: Callable[[Any], bytes] = lambda _result: b""

    def expect(
        self, status_code: int, render: Callable[[Any], bytes], media_type: str = "application/json"
    ) -> KeyedAnswer | None:
        """Say how the route answers; returns the answer the service must record (None
        without a key)."""
        self._status_code, self._render, self._media_type = status_code, render, media_type
        if self.claimed is not None:
            self.answer = KeyedAnswer(self.claimed, status_code, media_type, render)
        return self.answer

    def respond(self, result: Any) -> Response:
        """The response: the recorded answer with a key, ``result`` rendered without."""
        if self.answer is None:
            body = self._render(result)
        elif self.answer.stored is None:
            # A route that takes a key must have its service record the answer; failing
            # loudly here is what a test of each keyed route relies on.
            raise ServiceError("the answer of this keyed request was not recorded")
        else:
            body = self.answer.stored.body
        return Response(body, status_code=self._status_code, media_type=self._media_type)


class _Replay(Exception):
    """Carries a stored answer from the dependency to the response, skipping the route."""

    def __init__(self, stored: StoredAnswer) -> None:
        self.stored = stored


def request_fingerprint(method: str, path: str, query: str, user_id: Any, body: bytes) -> str:
    """What makes two requests the same one: method, path, query, user and body bytes.

    The user is part of it so that a key never hands one member the answer of another's
    request.
    """
    digest = _fingerprint_digest(method, path, query, user_id)
    digest.update(body)
    return digest.hexdigest()


def _fingerprint_digest(method: str, path: str, query: str, user_id: Any) -> _Hash:
    """The digest of a fingerprint, fed everything but the body, which follows."""
    digest = hashlib.sha256()
    for part in (method.upper(), path, query, str(user_id)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return digest


def check_key(key: str, max_length: int) -> None:
    if len(key) > max_length:
        raise LimitExceededError(
            f"the {IDEMPOTENCY_HEADER} header is over {max_length} characters "
            "(max_idempotency_key_length)",
            limit="max_idempotency_key_length",
            maximum=max_length,
        )
    if not key or any(not "\x21" <= char <= "\x7e" for char in key):
        raise BadRequestError(
            f"the {IDEMPOTENCY_HEADER} header must be printable ASCII without spaces, e.g. a UUID",
            details={"header": IDEMPOTENCY_HEADER},
        )


_KeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        # In the document, what check_key enforces (its length is the setting's, at most 255).
        json_schema_extra={"pattern": "^[!-~]+$", "maxLength": 255},
        description="A key of the client's choosing (printable ASCII, at most "
        "max_idempotency_key_length characters) that makes this write safe to retry: a retry "
        "with the same key gets the first answer instead of doing the work again.",
    ),
]


@asynccontextmanager
async def _claimed(
    ctx: AppContext, actor: Actor, key: str | None, fingerprint: str | None
) -> AsyncIterator[KeyedRequest]:
    """Claim ``key`` for the request of ``fingerprint`` for as long as the block runs.

    A retry of a request that has an answer already leaves by ``_Replay`` (the handler
    answers it); without a key the block runs as it would with no header at all.
    """
    if key is None or fingerprint is None:
        yield KeyedRequest(None)
        return
    claimed = await run_in_threadpool(idempotency.claim, ctx, actor, key, fingerprint)
    if isinstance(claimed, StoredAnswer):
        raise _Replay(claimed)
    try:
        yield KeyedRequest(claimed)
    except BaseException:
        # Nothing was committed (a recorded answer would have committed with the work and
        # is left alone): free the key so that the retry does the work.
        await run_in_threadpool(idempotency.release, ctx, claimed)
        raise


async def _keyed_request(
    request: Request, ctx: ContextDep, actor: CurrentActor, key: _KeyHeader = None
) -> AsyncIterator[KeyedRequest]:
    fingerprint = None
    if key is not None:
        check_key(key, ctx.settings.max_idempotency_key_length)
        fingerprint = request_fingerprint(
            request.method, request.url.path, request.url.query, actor.user_id, await request.body()
        )
    async with _claimed(ctx, actor, key, fingerprint) as keyed:
        yield keyed


KeyedRequestDep = Annotated[KeyedRequest, Depends(_keyed_request)]


class KeyedUpload:
    """The Idempotency-Key of a route whose body is a stream of files (an import).

    Such a body is not read into memory before the route runs, as ``KeyedRequestDep``
    reads one: the route feeds each chunk it reads to ``feed`` (the fingerprint is the
    same one, computed as the bytes pass) and, once the body is read, enters ``claim()``,
    which claims the key — or answers a retry with the stored answer without going on —
    and frees it if the work fails.
    """

    def __init__(self, ctx: AppContext, actor: Actor, request: Request, key: str | None) -> None:
        self._ctx, self._actor, self._key = ctx, actor, key
        self._digest = (
            _fingerprint_digest(request.method, request.url.path, request.url.query, actor.user_id)
            if key is not None
            else None
        )

    def feed(self, chunk: bytes) -> None:
        if self._digest is not None:
            self._digest.update(chunk)

    def claim(self) -> AbstractAsyncContextManager[KeyedRequest]:
        fingerprint = self._digest.hexdigest() if self._digest is not None else None
        return _claimed(self._ctx, self._actor, self._key, fingerprint)


def _keyed_upload(
    request: Request, ctx: ContextDep, actor: CurrentActor, key: _KeyHeader = None
) -> KeyedUpload:
    if key is not None:
        check_key(key, ctx.settings.max_idempotency_key_length)
    return KeyedUpload(ctx, actor, request, key)


KeyedUploadDep = Annotated[KeyedUpload, Depends(_keyed_upload)]


def install_idempotency(app: FastAPI) -> None:
    """Answer retries of keyed requests with their stored answers."""

    @app.exception_handler(_Replay)
    async def _replay(_request: Request, exc: _Replay) -> Response:
        stored = exc.stored
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.media_type,
            headers={REPLAYED_HEADER: "true"},
        )
