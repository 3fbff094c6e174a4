"""Every error pixlake raises, shared by the server and the SDK.

The server turns an error into a JSON body ``{"code": ..., "message": ..., "details": ...}``
with the class's HTTP status; the SDK reads that body back into the very same class, so a
caller catches the same exception in embedded and in server mode.

Hierarchy::

    PixlakeError
    ├── ClientError                      the request is wrong; retrying it as is won't help
    │   ├── BadRequestError              (ValueError)       400 bad_request
    │   │   ├── InvalidFilenameError                       400 invalid_filename
    │   │   ├── InvalidMediaError                          400 invalid_media
    │   │   │   ├── EmptyFileError                         400 empty_file
    │   │   │   └── UnsupportedMediaError                  400 unsupported_media
    │   │   ├── WrongTargetError                           400 wrong_target
    │   │   ├── LimitExceededError                         400 limit_exceeded
    │   │   │   ├── PayloadTooLargeError                   413 payload_too_large
    │   │   │   └── HeadersTooLargeError                   431 headers_too_large
    │   │   └── IdempotencyKeyReusedError                  422 idempotency_key_reused
    │   ├── UnauthorizedError            (PermissionError)  401 unauthorized
    │   ├── ForbiddenError               (PermissionError)  403 forbidden
    │   ├── NotFoundError                (LookupError)      404 not_found
    │   │   └── FileMissingError         (FileNotFoundError) 404 file_missing
    │   ├── RequestTimeoutError          (TimeoutError)     408 request_timeout
    │   └── ConflictError                                   409 conflict
    │       ├── LockedError                                 409 locked
    │       └── RequestInProgressError                      409 request_in_progress
    └── ServiceError                     the platform failed; retrying may help
        ├── StorageError                 (OSError)          500 storage_error
        │   └── InsufficientStorageError                   507 insufficient_storage
        ├── InsecureFileError            (PermissionError)  500 insecure_file
        ├── DatabaseError                                   503 database_error
        │   └── OutdatedSchemaError                         503 outdated_schema
        └── TransportError               (ConnectionError)  503 transport_error
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "BadRequestError",
    "ClientError",
    "ConflictError",
    "DatabaseError",
    "EmptyFileError",
    "FileMissingError",
    "ForbiddenError",
    "HeadersTooLargeError",
    "IdempotencyKeyReusedError",
    "InsecureFileError",
    "InsufficientStorageError",
    "InvalidFilenameError",
    "InvalidMediaError",
    "LimitExceededError",
    "LockedError",
    "NotFoundError",
    "OutdatedSchemaError",
    "PayloadTooLargeError",
    "PixlakeError",
    "RequestInProgressError",
    "RequestTimeoutError",
    "ServiceError",
    "StorageError",
    "TransportError",
    "UnauthorizedError",
    "UnsupportedMediaError",
    "WrongTargetError",
    "error_class_for_code",
]


class PixlakeError(Exception):
    """Base of every pixlake error.

    Attributes:
        message: what went wrong, naming the offending item.
        details: machine-readable context (the offending file, id, field...).
        code: stable machine-readable identifier of the error kind.
        status_code: the HTTP status the server answers with.
    """

    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return self.message

    def to_body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ClientError(PixlakeError):
    """The request itself is wrong: fix it rather than retry it."""

    code = "client_error"
    status_code = 400


class BadRequestError(ClientError, ValueError):
    """An argument is invalid (a value out of range, a malformed name...)."""

    code = "bad_request"
    status_code = 400


class InvalidFilenameError(BadRequestError):
    """A filename is empty, too long, not UTF-8 or could escape a folder."""

    code = "invalid_filename"


class InvalidMediaError(BadRequestError):
    """A file is not a readable image or video (corrupt, truncated, mislabelled)."""

    code = "invalid_media"


class EmptyFileError(InvalidMediaError):
    """A file has no bytes."""

    code = "empty_file"


class UnsupportedMediaError(InvalidMediaError):
    """A file is of a kind pixlake does not store (not one of the supported formats)."""

    code = "unsupported_media"


class WrongTargetError(BadRequestError):
    """A tag was used on an object of another kind than its target."""

    code = "wrong_target"


class LimitExceededError(BadRequestError):
    """A request goes beyond one of the server's limits (items per request, text length,
    JSON depth...). ``details["limit"]`` names the limit and ``details["max"]`` its value."""

    code = "limit_exceeded"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        limit: str | None = None,
        maximum: int | float | None = None,
    ) -> None:
        named = {"limit": limit, "max": maximum} if limit is not None else {}
        super().__init__(message, details={**(details or {}), **named})

    @property
    def limit(self) -> str | None:
        """The name of the limit (its setting), e.g. ``max_request_body``."""
        return self.details.get("limit")


class PayloadTooLargeError(LimitExceededError):
    """A body, a file or a decoded image is larger than the server accepts."""

    code = "payload_too_large"
    status_code = 413


class HeadersTooLargeError(LimitExceededError):
    """A request's head has more headers, or more bytes of them, than the server accepts."""

    code = "headers_too_large"
    status_code = 431


class IdempotencyKeyReusedError(BadRequestError):
    """An ``Idempotency-Key`` already names another request (another method, path, body or
    user): a key stands for one request only. ``details["idempotency_key"]`` names it."""

    code = "idempotency_key_reused"
    status_code = 422


class UnauthorizedError(ClientError, PermissionError):
    """The API token is missing, unknown or revoked."""

    code = "unauthorized"
    status_code = 401


class ForbiddenError(ClientError, PermissionError):
    """The caller is known but may not do this (a member asking for what only an admin may
    do, an expired or forged signed URL...)."""

    code = "forbidden"
    status_code = 403


class SessionExpiredError(UnauthorizedError):
    """The web app's session cookie has expired, was forged, or its token was revoked:
    sign in again."""

    code = "session_expired"


class CsrfError(ForbiddenError):
    """A state-changing request authenticated by the session cookie came without the
    session's CSRF token (``X-CSRF-Token``), or from another site."""

    code = "csrf_failed"


class NotFoundError(ClientError, LookupError):
    """No such object for the caller (another organization's objects are not found either)."""

    code = "not_found"
    status_code = 404


class FileMissingError(NotFoundError, FileNotFoundError):
    """A local path given to the SDK does not exist."""

    code = "file_missing"


class ConflictError(ClientError):
    """The object already exists (a name that must be unique is taken...)."""

    code = "conflict"
    status_code = 409


class LockedError(ConflictError):
    """The dataset version is locked: it refuses every write until unlocked."""

    code = "locked"


class RequestTimeoutError(ClientError, TimeoutError):
    """The client stopped sending a request (its headers, or its body) for too long."""

    code = "request_timeout"
    status_code = 408


class RequestInProgressError(ConflictError):
    """The first request with this ``Idempotency-Key`` is still running: retry later to get
    its answer. ``details["idempotency_key"]`` names the key."""

    code = "request_in_progress"


class ServiceError(PixlakeError):
    """The platform failed to do something it should have done; retrying may help."""

    code = "service_error"
    status_code = 500


class StorageError(ServiceError, OSError):
    """The object store could not read or write bytes."""

    code = "storage_error"
    status_code = 500


class InsufficientStorageError(StorageError):
    """The object store (or the staging folder) is out of space; retry once space is freed."""

    code = "insufficient_storage"
    status_code = 507


class InsecureFileError(ServiceError, PermissionError):
    """A file holding a secret (the URL signing key) can be read by other users: the
    platform refuses to start on it until its mode is fixed."""

    code = "insecure_file"
    status_code = 500


class DatabaseError(ServiceError):
    """The database can't be reached or used."""

    code = "database_error"
    status_code = 503


class OutdatedSchemaError(DatabaseError):
    """The database is at an older schema revision than this pixlake needs."""

    code = "outdated_schema"


class TransportError(ServiceError, ConnectionError):
    """The SDK could not reach the server."""

    code = "transport_error"
    status_code = 503


def _all_subclasses(cls: type[PixlakeError]) -> list[type[PixlakeError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


_BY_CODE: dict[str, type[PixlakeError]] = {cls.code: cls for cls in _all_subclasses(PixlakeError)}


def error_class_for_code(code: str, status_code: int) -> type[PixlakeError]:
    """The class matching a server's error code, or the closest one by HTTP status."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    by_status = {
        400: BadRequestError,
        401: UnauthorizedError,
        403: ForbiddenError,
        404: NotFoundError,
        408: RequestTimeoutError,
        409: ConflictError,
        413: PayloadTooLargeError,
        422: BadRequestError,
        431: HeadersTooLargeError,
        507: InsufficientStorageError,
    }
    if status_code in by_status:
        return by_status[status_code]
    return ClientError if 400 <= status_code < 500 else ServiceError
