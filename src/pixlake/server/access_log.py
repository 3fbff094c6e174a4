"""Signed URLs' signatures kept out of the access log.

uvicorn's access log prints every request's query string, and a signature in a log is a
working download link for whoever reads the log until the URL expires. ``log_config()`` is
uvicorn's own logging configuration with a filter that masks the value of every
``signature`` query parameter, whichever way its name is spelled or percent-encoded.
"""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["REDACTED", "RedactSignatures", "log_config", "redact_signatures"]

REDACTED = "REDACTED"
_SECRET_PARAMETERS = frozenset({"signature"})


def redact_signatures(text: str) -> str:
    """``text`` (a path with its query string) with every signature value masked."""
    path, mark, query = text.partition("?")
    if not mark:
        return text
    pairs = []
    for pair in query.split("&"):
        name, equals, _value = pair.partition("=")
        if equals and unquote_plus(name).strip().lower() in _SECRET_PARAMETERS:
            pair = f"{name}={REDACTED}"
        pairs.append(pair)
    return f"{path}?{'&'.join(pairs)}"


class RedactSignatures(logging.Filter):
    """Masks signatures in the arguments (and the message) of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_signatures(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_signatures(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, its access logger filtered by RedactSignatures.

    Given to ``uvicorn.run(log_config=...)``, it is applied in every worker process too.
    """
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_signatures"] = {
        "()": "pixlake.server.access_log.RedactSignatures"
    }
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_signatures"]
    return config
