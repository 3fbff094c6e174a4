"""YOLO label files (Ultralytics detection and segmentation rows) and ``data.yaml``.

Coordinates are normalised by the image's displayed size and written with ``repr`` (see
``conventions``); a value a shape reaches past the image's edge is clipped to [0, 1], which
Ultralytics requires.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pixlake.enums import ShapeKind
from pixlake.formats.conventions import YOLO_CLASS_ID_BASE, format_yolo_number
from pixlake.formats.records import ExportImage, ExportShape

__all__ = ["data_yaml", "yolo_label_text", "yolo_row"]


def _unit(value: float) -> str:
    return format_yolo_number(min(1.0, max(0.0, value)))


def yolo_row(shape: ExportShape, width: int, height: int) -> str:
    """``class cx cy w h`` for a rectangle, ``class x1 y1 x2 y2 ...`` for a polygon."""
    class_id = str(shape.label_index + YOLO_CLASS_ID_BASE)
    if shape.kind is ShapeKind.RECTANGLE:
        assert shape.x is not None and shape.y is not None
        assert shape.w is not None and shape.h is not None
        # the box clipped to the image first, so that its centre and size agree
        x1, y1 = max(0.0, shape.x), max(0.0, shape.y)
        x2, y2 = min(float(width), shape.x + shape.w), min(float(height), shape.y + shape.h)
        values = [(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width]
        values.append((y2 - y1) / height)
        return " ".join([class_id, *(_unit(v) for v in values)])
    if shape.kind is ShapeKind.POLYGON:
        assert shape.coords is not None
        numbers = [_unit(v) for x, y in shape.coords for v in (x / width, y / height)]
        return " ".join([class_id, *numbers])
    # support.check_shapes_fit refuses every other kind before a file is begun
    raise AssertionError(f"YOLO rows hold no {shape.kind} shape")


def yolo_label_text(image: ExportImage) -> str:
    """The ``.txt`` of one image: one row per shape; empty for an image without shapes."""
    return "".join(yolo_row(s, image.width, image.height) + "\n" for s in image.shapes)


def _quoted(text: str) -> str:
    # a JSON string is a YAML double-quoted scalar: any name, quoted safely
    return json.dumps(text, ensure_ascii=False)


def data_yaml(root: str, splits: Sequence[tuple[str, str]], label_names: Sequence[str]) -> str:
    """``data.yaml``: ``path``, one key per split (its images folder), ``nc`` and
    ``names: {0: ..., 1: ...}``."""
    lines = [f"path: {_quoted(root)}"]
    lines += [f"{_quoted(name)}: {_quoted(folder)}" for name, folder in splits]
    lines.append(f"nc: {len(label_names)}")
    lines.append("names:")
    lines += [
        f"  {index + YOLO_CLASS_ID_BASE}: {_quoted(name)}" for index, name in enumerate(label_names)
    ]
    return "\n".join(lines) + "\n"
