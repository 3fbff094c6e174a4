"""What every text and every JSON value a client stores must be, checked when it is written.

A value the databases can't keep, or that can't be written back as JSON, would otherwise be
found only when it is read: a NaN in custom metadata answered 500 to every listing holding
it, and a NUL fails PostgreSQL's insert. So these are refused on the way in, with an error
naming the offending field.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from pixlake.errors import BadRequestError, LimitExceededError
from pixlake.limits import MAX_JSON_DEPTH

__all__ = ["DEFAULT_MAX_JSON_BYTES", "check_json", "check_text"]

DEFAULT_MAX_JSON_BYTES = 64 * 1024
"""Default of the setting ``max_json_bytes``: a JSON value's size, written compactly."""


def check_text(value: str, field: str) -> str:
    """``value`` if both databases can store it as text: no NUL (PostgreSQL refuses it)
    and no lone surrogate (it has no UTF-8 form). Raises BadRequestError naming ``field``."""
    if "\x00" in value:
        raise BadRequestError(f"{field} contains a NUL character", details={"field": field})
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequestError(
                f"{field} contains a lone surrogate (not valid Unicode)", details={"field": field}
            ) from None
    return value


def check_json(value: Any, field: str, max_bytes: int | None = DEFAULT_MAX_JSON_BYTES) -> Any:
    """``value`` if it is plain JSON a client may store: objects with text keys, arrays,
    text, finite numbers (integers of 64 bits), booleans and null, nested at most
    ``MAX_JSON_DEPTH`` deep and at most ``max_bytes`` long once written (None: any size).

    Raises:
        BadRequestError: a value that is not plain JSON (NaN, infinity, another type, a
            text with a NUL or a lone surrogate), naming its path (``field.a[2]``).
        LimitExceededError: too deep (``max_json_depth``) or too large (``max_json_bytes``).
    """
    _check_value(value, field, 0)
    if max_bytes is not None:
        size = len(orjson.dumps(value))  # bounded in depth above, so orjson writes it
        if size > max_bytes:
            raise LimitExceededError(
                f"{field} is {size} bytes of JSON, over {max_bytes} (max_json_bytes)",
                details={"field": field},
                limit="max_json_bytes",
                maximum=max_bytes,
            )
    return value


def _check_value(value: Any, where: str, depth: int) -> None:
    # bool and int are exact JSON already; type() rather than isinstance() so that no
    # subclass (an IntEnum, a numpy scalar) is taken for plain JSON.
    kind = type(value)
    if value is None or kind is bool:
        return
    if kind is int:
        # Beyond 64 bits, orjson (bulk answers) can't write it and PostgreSQL's JSON
        # functions would turn it into a float.
        if not -(2**63) <= value < 2**63:
            raise BadRequestError(f"{where} is an integer beyond 64 bits", details={"field": where})
        return
    if kind is float:
        if not math.isfinite(value):
            raise BadRequestError(
                f"{where} is {value}: only finite numbers are JSON", details={"field": where}
            )
        return
    if kind is str:
        check_text(value, where)
        return
    if kind is dict or kind is list:
        if depth >= MAX_JSON_DEPTH:
            raise LimitExceededError(
                f"{where} nests JSON more than {MAX_JSON_DEPTH} deep (max_json_depth)",
                details={"field": where},
                limit="max_json_depth",
                maximum=MAX_JSON_DEPTH,
            )
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str:
                    raise BadRequestError(
                        f"{where} has a key that is not text: {key!r}", details={"field": where}
                    )
                check_text(key, f"{where} key {key[:40]!r}")
                _check_value(item, f"{where}.{key[:40]}", depth + 1)
        else:
            for index, item in enumerate(value):
                _check_value(item, f"{where}[{index}]", depth + 1)
        return
    raise BadRequestError(
        f"{where} is a {kind.__name__}, not a JSON value", details={"field": where}
    )
