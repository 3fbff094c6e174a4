"""Silence pydantic's warning about the alias FastAPI gives each request body.

FastAPI validates a request body through a pydantic ``TypeAdapter`` of the body's model
annotated with a field named after the parameter (``alias="body"``), and pydantic 2.12 and
later warn (``UnsupportedFieldAttributeWarning``) that such an alias has no effect there.
FastAPI silences that warning while it makes the adapter; but the wire models defer
building their validators until first used (``defer_build``, docs/startup.md), so does an
adapter made over one of them, and it is built by the first request with that body,
outside FastAPI's silencing: every process printed the warning once, to users of the
command line and of embedded scripts too, and nothing in it is theirs to act on. The
adapters are made again, out of reach, for each router an application includes (recent
FastAPI builds a route per inclusion on its first request), so the warning is silenced by
a filter, as narrow as it can be: that category, from pydantic's schema generation, for an
alias equal to the name of one of the application's body parameters.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute

__all__ = ["silence_body_alias_warnings"]


def silence_body_alias_warnings(routes: Iterable[Any]) -> None:
    """Ignore the warning for the body parameters of ``routes`` (and of the routers
    included in them). Adding a filter twice keeps one (``warnings`` replaces it)."""
    try:
        from pydantic.warnings import UnsupportedFieldAttributeWarning
    except ImportError:  # before pydantic 2.12: no such warning
        return
    names = {field.name for route in _api_routes(routes) for field in route.dependant.body_params}
    for name in sorted(names):
        warnings.filterwarnings(
            "ignore",
            message=f"The 'alias' attribute with value '{re.escape(name)}' was provided",
            category=UnsupportedFieldAttributeWarning,
            module=r"pydantic\._internal\._generate_schema",
        )


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # Recent FastAPI keeps an included router whole rather than copying its routes.
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)
