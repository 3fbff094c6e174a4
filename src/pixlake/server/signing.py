"""Signed, expiring URLs for reading objects through the API (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from pixlake.errors import ForbiddenError

__all__ = [
    "sign_object_url",
    "sign_upload_url",
    "verify_object_signature",
    "verify_upload_signature",
]


def _signature(secret: str, object_name: str, expires: int, content_type: str) -> str:
    message = f"{object_name}\n{expires}\n{content_type}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_object_url(
    base_url: str, secret: str, object_name: str, content_type: str, expiry_seconds: int
) -> tuple[str, datetime]:
    """A URL under ``base_url`` that reads ``object_name`` until it expires."""
    expires = int(time.time()) + expiry_seconds
    query = urlencode(
        {
            "expires": expires,
            "content_type": content_type,
            "signature": _signature(secret, object_name, expires, content_type),
        }
    )
    url = f"{base_url.rstrip('/')}/objects/{quote(object_name)}?{query}"
    return url, datetime.fromtimestamp(expires, UTC)


def verify_object_signature(
    secret: str, object_name: str, expires: int, content_type: str, signature: str
) -> None:
    expected = _signature(secret, object_name, expires, content_type)
    # As bytes: compare_digest refuses a str that is not ASCII (anyone may send one,
    # no token needed), and a forged signature is simply not the expected one.
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise ForbiddenError("the URL signature is not valid")
    if expires < time.time():
        raise ForbiddenError("the URL has expired; ask for a new one with reset_url()")


def _upload_signature(secret: str, upload_id: str, expires: int) -> str:
    message = f"compat-upload\n{upload_id}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_upload_url(base_url: str, secret: str, upload_id: str, expiry_seconds: int) -> str:
    """A URL under ``base_url`` that takes the bytes of one announced upload, once, until
    it expires (the Picsellia-compatible API's presigned upload)."""
    expires = int(time.time()) + expiry_seconds
    query = urlencode(
        {"expires": expires, "signature": _upload_signature(secret, upload_id, expires)}
    )
    return f"{base_url.rstrip('/')}/api/compat/uploads/{upload_id}?{query}"


def verify_upload_signature(secret: str, upload_id: str, expires: int, signature: str) -> None:
    expected = _upload_signature(secret, upload_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise ForbiddenError("the upload URL signature is not valid")
    if expires < time.time():
        raise ForbiddenError("the upload URL has expired; ask for a new one")
