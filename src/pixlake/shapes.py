"""What makes a shape valid, checked by the SDK (to fail early) and by the API (to be sure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pixlake.enums import ShapeKind
from pixlake.errors import BadRequestError

__all__ = ["MIN_POINTS", "check_inside_image", "check_shape"]

MIN_POINTS = {ShapeKind.POLYGON: 3, ShapeKind.LINE: 2, ShapeKind.POINT: 1}


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequestError(
            f"{where}: {what} must be a finite number, got {value!r}",
            details={"shape": where, "field": what},
        )
    return float(value)


def _points(coords: Any, kind: ShapeKind, where: str) -> list[list[float]]:
    if (
        kind is ShapeKind.POINT
        and isinstance(coords, Sequence)
        and len(coords) == 2
        and not isinstance(coords[0], Sequence)
    ):
        coords = [coords]  # a point may be given as [x, y]
    if isinstance(coords, str | bytes) or not isinstance(coords, Sequence):
        raise BadRequestError(
            f"{where}: coords must be a list of [x, y] points, got {coords!r}",
            details={"shape": where, "field": "coords"},
        )
    points = []
    for index, point in enumerate(coords):
        if isinstance(point, str | bytes) or not isinstance(point, Sequence) or len(point) != 2:
            raise BadRequestError(
                f"{where}: point {index} must be [x, y], got {point!r}",
                details={"shape": where, "field": "coords"},
            )
        points.append(
            [
                _number(point[0], f"point {index} x", where),
                _number(point[1], f"point {index} y", where),
            ]
        )
    needed = MIN_POINTS[kind]
    if len(points) < needed or (kind is ShapeKind.POINT and len(points) != 1):
        expected = "exactly 1 point" if kind is ShapeKind.POINT else f"at least {needed} points"
        raise BadRequestError(
            f"{where}: a {kind.value.lower()} needs {expected}, got {len(points)}",
            details={"shape": where, "field": "coords"},
        )
    return points


def check_shape(
    kind: ShapeKind,
    *,
    x: Any = None,
    y: Any = None,
    w: Any = None,
    h: Any = None,
    coords: Any = None,
    where: str = "shape",
    image_size: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """The normalised geometry of a shape, or BadRequestError saying what is wrong with it.

    Rectangles need x, y and a width and height > 0; polygons 3 points or more, lines 2 or
    more, points exactly one; classifications no geometry. With ``image_size`` (width,
    height of the asset's image, in pixels), a shape lying wholly outside the image is
    refused too (see ``check_inside_image``).
    """
    geometry: dict[str, Any]
    if kind is ShapeKind.RECTANGLE:
        values = {
            "x": _number(x, "x", where),
            "y": _number(y, "y", where),
            "w": _number(w, "width", where),
            "h": _number(h, "height", where),
        }
        if values["w"] <= 0 or values["h"] <= 0:
            raise BadRequestError(
                f"{where}: width and height must be > 0, got {values['w']:g} x {values['h']:g}",
                details={"shape": where, "field": "size"},
            )
        geometry = {**values, "coords": None}
    elif kind is ShapeKind.CLASSIFICATION:
        geometry = {"x": None, "y": None, "w": None, "h": None, "coords": None}
    else:
        geometry = {
            "x": None,
            "y": None,
            "w": None,
            "h": None,
            "coords": _points(coords, kind, where),
        }
    if image_size is not None:
        check_inside_image(geometry, image_size, where)
    return geometry


def check_inside_image(geometry: dict[str, Any], image_size: tuple[int, int], where: str) -> None:
    """Refuse a shape (normalised geometry) that shares no point with its image.

    The test is on the shape's bounding box against the image, borders included
    ([0, width] x [0, height]): what it refuses is certainly a mistake (a box drawn on
    another image, coordinates in another unit...), while a shape that merely overhangs
    the border, or a point on it, is kept as the annotator drew it.
    """
    width, height = image_size
    if geometry["coords"] is not None:
        xs = [point[0] for point in geometry["coords"]]
        ys = [point[1] for point in geometry["coords"]]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    elif geometry["x"] is not None:
        left, top = geometry["x"], geometry["y"]
        right, bottom = left + geometry["w"], top + geometry["h"]
    else:
        return  # a classification has no position
    if right < 0 or bottom < 0 or left > width or top > height:
        raise BadRequestError(
            f"{where}: lies wholly outside its {width} x {height} image "
            f"(x {left:g} to {right:g}, y {top:g} to {bottom:g})",
            details={"shape": where, "field": "position", "image_size": [width, height]},
        )
