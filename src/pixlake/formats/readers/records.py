"""What a reader makes of an annotation file: images, each with its shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pixlake.enums import ShapeKind
from pixlake.errors import AnnotationFileError

__all__ = ["ImageRecord", "ParsedAnnotations", "ShapeRecord", "finite_number"]


@dataclass(slots=True)
class ShapeRecord:
    """One shape as the file gives it.

    Rectangles use ``x, y, w, h`` (top-left corner and size), polygons ``coords`` (``[x, y]``
    points). With ``normalized`` (YOLO), those numbers are fractions of the image's width and
    height; otherwise pixels. ``file`` and ``item`` name where it comes from, for errors.
    """

    kind: ShapeKind
    label: str
    file: str
    item: str
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    coords: list[list[float]] | None = None
    normalized: bool = False


@dataclass(slots=True)
class ImageRecord:
    """The shapes a file gives one image, named by filename (``by_stem``: by stem)."""

    name: str
    file: str
    by_stem: bool = False
    written: str = ""
    """The image's name as the file writes it (a path, maybe), when it differs."""
    width: int | None = None
    height: int | None = None
    shapes: list[ShapeRecord] = field(default_factory=list)


@dataclass(slots=True)
class ParsedAnnotations:
    """Everything an import reads: the labels the files declare (in their order) and the
    images they annotate."""

    labels: list[str] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    masks_as_boxes: int = 0
    """COCO run-length masks imported as their bounding box (pixlake stores no masks)."""

    def extend(self, other: ParsedAnnotations) -> None:
        for label in other.labels:
            if label not in self.labels:
                self.labels.append(label)
        self.images.extend(other.images)
        self.masks_as_boxes += other.masks_as_boxes


def finite_number(value: Any, file: str, item: str, what: str) -> float:
    """``value`` as a float, or AnnotationFileError unless it is a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnnotationFileError.at(file, item, f"{what} must be a finite number, got {value!r}")
    return float(value)
