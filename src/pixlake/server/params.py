"""Query parameters typed as strictly as the JSON fields of the wire models.

A query value is always text, so pydantic's strict mode can't apply to it; its lax mode
reads ``1.0``, `` 12 ``, ``1_000`` and ``+5`` as integers. An integer parameter here is
written in decimal digits and nothing else.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from pixlake.limits import OFFSET_BOUND

__all__ = ["DecimalInt", "DecimalOffset", "Flag"]

_DIGITS = re.compile(r"[0-9]{1,19}")


def _decimal_digits(value: Any) -> Any:
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("must be a whole number in decimal digits")
    return value


DecimalInt = Annotated[int, Field(ge=0, le=2**63 - 1), BeforeValidator(_decimal_digits)]
"""A non-negative integer query parameter that fits in 64 bits, in decimal digits only."""

DecimalOffset = Annotated[int, Field(ge=0, lt=OFFSET_BOUND), BeforeValidator(_decimal_digits)]
"""A listing's ``offset`` in the query string: below ``OFFSET_BOUND``, as in the bodies."""


def _true_or_false(value: Any) -> Any:
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value


Flag = Annotated[bool, BeforeValidator(_true_or_false)]
"""A yes-or-no query parameter, written ``true`` or ``false`` and nothing else (not ``1``,
``yes`` or ``on``, which a lax reading would take)."""
