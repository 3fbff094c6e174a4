"""JSON responses for bulk answers, written with orjson.

FastAPI validates a returned model against the response model, then serialises it: for a
page of 5,000 assets that is twice the work of building it. Bulk routes build their models
without validation (the rows come from our own database) and answer through ``fast_json``,
which serialises them in one pass; the routes still declare their response model, so the
API's schema is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel

from pixlake.schemas import NEXT_AFTER_HEADER

if TYPE_CHECKING:
    from pixlake.core.services.wire_json import JsonPage

__all__ = ["fast_json", "json_bytes", "page_json"]


def _fields(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.__dict__
    raise TypeError(f"can't serialise {type(value).__name__}")


def json_bytes(content: Any) -> bytes:
    """The body ``fast_json`` answers with (models serialised from their fields)."""
    return orjson.dumps(content, default=_fields)


def fast_json(content: Any, status_code: int = 200) -> Response:
    return Response(json_bytes(content), status_code=status_code, media_type="application/json")


def page_json(page: JsonPage) -> Response:
    """A listing's page, as ``fast_json`` writes it, with the next page's key in a header
    too (``NEXT_AFTER_HEADER``) when there is one."""
    response = fast_json(page)
    if page.next_after is not None:
        response.headers[NEXT_AFTER_HEADER] = page.next_after
    return response
