"""How the SDK writes the fields of a model or a model version on the wire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pixlake.enums import Framework, InferenceType
from pixlake.errors import BadRequestError
from pixlake.sdk.base import coerce_enum

__all__ = ["given_fields", "labels_body"]

_ENUMS: dict[str, Any] = {"type": InferenceType, "framework": Framework}
"""The fields that take an enumeration: given as a member or as its text alike."""


def labels_body(labels: Mapping[Any, str]) -> dict[str, str]:
    """``labels`` with its class indexes as text (``{0: "cat"}`` is ``{"0": "cat"}``); the
    API checks the rest."""
    if not isinstance(labels, Mapping):
        raise BadRequestError(
            f"labels must map class indexes to label names, got {labels!r}",
            details={"labels": repr(labels)},
        )
    return {
        str(index) if isinstance(index, int) and not isinstance(index, bool) else index: name
        for index, name in labels.items()
    }


def given_fields(**fields: Any) -> dict[str, Any]:
    """The body of a creation or a change: the fields given (None is "not given", as in
    every SDK signature), ``type`` and ``framework`` as their values, ``labels`` keyed by
    text."""
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if key in _ENUMS:
            value = coerce_enum(_ENUMS[key], value).value
        elif key == "labels":
            value = labels_body(value)
        body[key] = value
    return body
