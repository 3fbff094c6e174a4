"""Areas and bounds of shapes, as the COCO, YOLO and VOC writers need them."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["polygon_area", "polygon_bounds"]


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """The area a polygon encloses (shoelace formula; the order of its points is free)."""
    twice = 0.0
    for (x1, y1), (x2, y2) in zip(points, [*points[1:], points[0]], strict=True):
        twice += x1 * y2 - x2 * y1
    return abs(twice) / 2


def polygon_bounds(points: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(x, y, w, h) of the smallest box holding every point."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
