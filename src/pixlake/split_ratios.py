"""Split ratios, checked and normalised the same way by the SDK and by the server.

The SDK checks them before it sends anything (a refused split costs no request); the
server checks them again, as it must for any client.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pixlake.errors import BadRequestError, LimitExceededError
from pixlake.limits import MAX_SPLIT_PARTS

__all__ = ["normalise_ratios"]


def normalise_ratios(ratios: Any) -> list[float]:
    """``ratios`` scaled to sum to 1 (``[8, 1, 1]`` is ``[0.8, 0.1, 0.1]``), as the
    Picsellia SDK does.

    Raises:
        BadRequestError: not a list of at least two finite numbers >= 0 with a positive
            sum, naming the offending ratio (``ratios[1]``).
        LimitExceededError: more than ``MAX_SPLIT_PARTS`` ratios.
    """
    if isinstance(ratios, str | bytes) or not isinstance(ratios, Sequence):
        raise BadRequestError(
            f"ratios must be a list of numbers, got {ratios!r}", details={"field": "ratios"}
        )
    if len(ratios) < 2:
        raise BadRequestError(
            f"ratios must hold at least two numbers (one per part), got {len(ratios)}",
            details={"field": "ratios"},
        )
    if len(ratios) > MAX_SPLIT_PARTS:
        raise LimitExceededError(
            f"ratios holds {len(ratios)} parts, over {MAX_SPLIT_PARTS}",
            details={"field": "ratios"},
            limit="max_split_parts",
            maximum=MAX_SPLIT_PARTS,
        )
    for index, ratio in enumerate(ratios):
        field = f"ratios[{index}]"
        if (
            isinstance(ratio, bool)
            or not isinstance(ratio, int | float)
            or not math.isfinite(ratio)
        ):
            raise BadRequestError(
                f"{field} must be a finite number, got {ratio!r}", details={"field": field}
            )
        if ratio < 0:
            raise BadRequestError(
                f"{field} is negative ({ratio}); a part can't hold less than nothing",
                details={"field": field},
            )
    largest = max(ratios)
    if largest <= 0:
        raise BadRequestError(
            "ratios sum to 0: at least one part must get a share", details={"field": "ratios"}
        )
    # Scaled by the largest first, so that no sum of finite ratios can overflow.
    scaled = [ratio / largest for ratio in ratios]
    total = math.fsum(scaled)
    return [ratio / total for ratio in scaled]
