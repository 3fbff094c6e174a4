"""PUT of a small in-memory object as one signed request, beside a boto3 S3 client.

``put_object`` spends about a millisecond of CPU per call in boto3's machinery (event
hooks, endpoint rules, parameter checks, a CRC32 and a SHA-256 pass over the body,
response parsing): more than an S3 server spends storing a small picture. For the many
small objects of an ingest, this sends the same request at a fraction of the cost:

* the URL is the one the client itself sends a PutObject to (endpoint, addressing style,
  region), captured once for a marker key without reaching the network, with the real key
  put in its place;
* the signature is botocore's own SigV4 for S3, over the SHA-256 pixlake computed while
  staging the bytes, which the store then checks the body against;
* the request goes through the client's own HTTP session: same connection pool, TLS
  verification, proxies and timeouts as every other call.

Anything but a plain success returns False, and the caller falls back to ``put_object``,
with its retries, redirects and error messages. After ``_FAILURES_TO_GIVE_UP`` failures
in a row (a store that refuses these requests), the fast path turns itself off.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse

__all__ = ["SignedPut"]

logger = logging.getLogger(__name__)

_MARKER = "pixlake-key-marker"
_FAILURES_TO_GIVE_UP = 20


class _KnownPayloadSigV4(S3SigV4Auth):
    """SigV4 for S3 whose payload hash is given rather than computed again."""

    def payload(self, request: AWSRequest) -> str:
        return request.context["payload_sha256"]  # type: ignore[no-any-return]


class _NoBody:
    def stream(self, **_: Any) -> list[bytes]:
        return []


def put_object_url(client: Any, bucket: str, key: str) -> str:
    """The URL ``client.put_object`` would send ``key`` to, found without sending it."""
    seen: list[str] = []

    def capture(request: AWSRequest, **_: Any) -> AWSResponse:
        seen.append(request.url)
        return AWSResponse(request.url, 200, {}, _NoBody())  # answers in place of the store

    event = "before-send.s3.PutObject"
    client.meta.events.register_first(event, capture, unique_id="pixlake-url-capture")
    try:
        client.put_object(Bucket=bucket, Key=key, Body=b"")
    finally:
        client.meta.events.unregister(event, unique_id="pixlake-url-capture")
    return seen[0]


class SignedPut:
    """Single-request PUTs to one bucket, signed with the client's credentials."""

    def __init__(self, client: Any, credentials: Any, bucket: str) -> None:
        self._credentials = credentials
        self._region = client.meta.region_name or "us-east-1"
        # The client's HTTP session is not public API: without it, there is no fast path.
        self._http: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
        url = put_object_url(client, bucket, _MARKER)
        self._usable = (
            self._http is not None and not urlsplit(url).query and url.endswith("/" + _MARKER)
        )
        self._url_before_key = url[: -len(_MARKER)]
        self._failures = 0
        self._lock = threading.Lock()

    @classmethod
    def for_client(cls, client: Any, session: Any, bucket: str) -> SignedPut | None:
        """A SignedPut, or None when this client can't be served by one (no credentials,
        a botocore whose internals differ, a configuration that fails to resolve: the
        store's check and put_object then say what is wrong)."""
        try:
            credentials = session.get_credentials()
            put = cls(client, credentials, bucket) if credentials is not None else None
        except Exception as exc:
            logger.debug("no signed PUTs for bucket %s: %s", bucket, exc)
            return None
        return put if put is not None and put._usable else None

    def url(self, key: str) -> str:
        return self._url_before_key + quote(key, safe="/~")

    @property
    def enabled(self) -> bool:
        return self._failures < _FAILURES_TO_GIVE_UP

    def __call__(self, key: str, body: bytes, sha256_hex: str) -> bool:
        """PUT ``body`` at ``key``; True once the store said 200, False otherwise."""
        if not self.enabled:
            return False
        request = AWSRequest(
            method="PUT", url=self.url(key), data=body, headers={"Content-Length": str(len(body))}
        )
        request.context["payload_sha256"] = sha256_hex
        try:
            frozen = self._credentials.get_frozen_credentials()
            _KnownPayloadSigV4(frozen, "s3", self._region).add_auth(request)
            status = self._http.send(request.prepare()).status_code
        except Exception as exc:  # a connection error, expired credentials...: fall back
            self._failed(key, str(exc))
            return False
        if status != 200:
            self._failed(key, f"HTTP {status}")
            return False
        with self._lock:
            self._failures = 0
        return True

    def _failed(self, key: str, reason: str) -> None:
        with self._lock:
            self._failures += 1
            gave_up = self._failures == _FAILURES_TO_GIVE_UP
        logger.debug("signed PUT of %s failed (%s); retrying with put_object", key, reason)
        if gave_up:
            logger.warning(
                "signed PUTs failed %d times in a row (last: %s); every object "
                "now goes up with put_object",
                _FAILURES_TO_GIVE_UP,
                reason,
            )
