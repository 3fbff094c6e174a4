"""Which shapes each format holds, and the refusal of an export that would drop some.

A shape that a format cannot hold is never left out silently: the export is refused before
anything is written, with an error naming the format and the shape kind.
"""

from __future__ import annotations

from collections.abc import Mapping

from pixlake.enums import AnnotationFileType, ShapeKind
from pixlake.errors import UnsupportedShapeError

__all__ = ["HELD_SHAPES", "check_shapes_fit"]

HELD_SHAPES: dict[AnnotationFileType, frozenset[ShapeKind]] = {
    AnnotationFileType.COCO: frozenset({ShapeKind.RECTANGLE, ShapeKind.POLYGON}),
    AnnotationFileType.YOLO: frozenset({ShapeKind.RECTANGLE, ShapeKind.POLYGON}),
    AnnotationFileType.PASCAL_VOC: frozenset({ShapeKind.RECTANGLE}),
}
"""Shapes of a detection/segmentation export. YOLO's classification layout holds
CLASSIFICATION shapes and nothing else."""

_CLASSIFICATION_ONLY = frozenset({ShapeKind.CLASSIFICATION})


def check_shapes_fit(
    file_type: AnnotationFileType,
    counts: Mapping[ShapeKind, int],
    *,
    classification_layout: bool = False,
) -> None:
    """Refuse (UnsupportedShapeError) an export whose shapes, counted by kind, the format
    cannot hold; YOLO also refuses boxes and segments together (Ultralytics rejects a
    dataset that mixes them)."""
    held = _CLASSIFICATION_ONLY if classification_layout else HELD_SHAPES[file_type]
    for kind, count in sorted(counts.items()):
        if count and kind not in held:
            where = " in the classification layout" if classification_layout else ""
            hint = (
                "; export() writes a CLASSIFICATION version in the Ultralytics classification "
                "layout"
                if kind is ShapeKind.CLASSIFICATION and file_type is AnnotationFileType.YOLO
                else ""
            )
            raise UnsupportedShapeError(
                f"{file_type.value} cannot hold {kind.value} shapes{where}: the selection has "
                f"{count}{hint}",
                details={"format": file_type.value, "kind": kind.value, "count": count},
            )
    if (
        file_type is AnnotationFileType.YOLO
        and counts.get(ShapeKind.RECTANGLE)
        and counts.get(ShapeKind.POLYGON)
    ):
        raise UnsupportedShapeError(
            f"YOLO cannot hold RECTANGLE and POLYGON shapes in one export (boxes and segments "
            f"never mix): the selection has {counts[ShapeKind.RECTANGLE]} rectangles and "
            f"{counts[ShapeKind.POLYGON]} polygons",
            details={
                "format": file_type.value,
                "kind": ShapeKind.POLYGON.value,
                "count": counts[ShapeKind.POLYGON],
            },
        )
