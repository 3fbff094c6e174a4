"""The query string of the SDK's calls that take a query ``q`` (docs/query.md)."""

from __future__ import annotations

from pixlake.errors import BadRequestError, LimitExceededError
from pixlake.limits import MAX_QUERY_LENGTH

__all__ = ["query_params"]


def query_params(q: str | None) -> dict[str, str] | None:
    """The parameters that carry ``q`` (None without one).

    The server parses the query; only its length is checked here, so that an overlong one
    is refused with the same error whether or not its URL would fit in a request's head.
    """
    if q is None:
        return None
    if not isinstance(q, str):
        raise BadRequestError(f"q must be a string, got {type(q).__name__}", details={"field": "q"})
    if len(q) > MAX_QUERY_LENGTH:
        raise LimitExceededError(
            f"q is longer than {MAX_QUERY_LENGTH} characters ({len(q)})",
            details={
                "field": "q",
                "position": MAX_QUERY_LENGTH,
                "token": q[MAX_QUERY_LENGTH:][:20],
            },
            limit="max_query_length",
            maximum=MAX_QUERY_LENGTH,
        )
    return {"q": q}
