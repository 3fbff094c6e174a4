"""YOLO (Ultralytics) label files and their configuration (``data.yaml``).

Rules (docs/import.md): ``names`` is a list or a ``{class id: name}`` mapping; each label
file is named by the stem of its image, whatever the image's extension; a row is
``class cx cy w h`` (a box) or ``class x1 y1 x2 y2 ...`` (a polygon of 3 points or more),
every coordinate a fraction of the image's displayed size, in [0, 1]; an empty file is an
image without shapes.
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath
from typing import Any

import yaml

from pixlake.enums import ShapeKind
from pixlake.errors import AnnotationFileError
from pixlake.formats.readers.records import ImageRecord, ShapeRecord

__all__ = ["read_yolo_config", "read_yolo_labels"]


def _text(file: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationFileError.at(file, None, f"not UTF-8 text ({exc})") from exc


def read_yolo_config(file: str, content: bytes) -> dict[int, str]:
    """The class names of a YOLO configuration, by class id."""
    try:
        document = yaml.safe_load(_text(file, content))
    except yaml.MarkedYAMLError as exc:
        line = f"line {exc.problem_mark.line + 1}" if exc.problem_mark else None
        raise AnnotationFileError.at(file, line, f"not YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise AnnotationFileError.at(file, None, f"not YAML: {exc}") from exc
    if not isinstance(document, dict) or "names" not in document:
        raise AnnotationFileError.at(file, "names", "a YOLO configuration needs 'names'")
    names: Any = document["names"]
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        raise AnnotationFileError.at(
            file, "names", f"'names' must be a list or a mapping of class ids, got {names!r:.80}"
        )
    classes: dict[int, str] = {}
    for key, name in names.items():
        if isinstance(key, bool) or not isinstance(key, int) or key < 0:
            raise AnnotationFileError.at(file, f"names[{key!r}]", "class ids must be integers >= 0")
        if not isinstance(name, str | int | float) or not str(name).strip():
            raise AnnotationFileError.at(file, f"names[{key}]", f"invalid class name {name!r}")
        classes[key] = str(name)
    count = document.get("nc")
    if count is not None and count != len(classes):
        raise AnnotationFileError.at(file, "nc", f"nc is {count!r} but names has {len(classes)}")
    return dict(sorted(classes.items()))


def _coordinate(token: str, file: str, item: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise AnnotationFileError.at(file, item, f"{token!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise AnnotationFileError.at(
            file, item, f"coordinate {token} is outside [0, 1] (coordinates are normalised)"
        )
    return value


def read_yolo_labels(file: str, content: bytes, classes: dict[int, str]) -> ImageRecord:
    """The shapes of one label file, for the image whose stem is the file's."""
    image = ImageRecord(name=PurePosixPath(file).stem, file=file, by_stem=True)
    known = f"{min(classes)}..{max(classes)}"
    for number, line in enumerate(_text(file, content).splitlines(), start=1):
        tokens = line.split()
        if not tokens:
            continue
        item = f"line {number}"
        count = len(tokens)
        if count != 5 and (count < 7 or count % 2 == 0):
            raise AnnotationFileError.at(
                file,
                item,
                f"{count} fields: a row is 'class cx cy w h' (5) or "
                "'class x1 y1 x2 y2 x3 y3 ...' (an odd number, 7 or more)",
            )
        try:
            class_id = int(tokens[0])
        except ValueError:
            raise AnnotationFileError.at(
                file, item, f"class id {tokens[0]!r} is not an integer"
            ) from None
        label = classes.get(class_id)
        if label is None:
            raise AnnotationFileError.at(
                file, item, f"class id {class_id} is not in names ({known})"
            )
        numbers = [_coordinate(token, file, item) for token in tokens[1:]]
        if count == 5:
            cx, cy, w, h = numbers
            if w <= 0 or h <= 0:
                raise AnnotationFileError.at(
                    file, item, f"box width and height must be > 0, got {w:g} x {h:g}"
                )
            image.shapes.append(
                ShapeRecord(
                    ShapeKind.RECTANGLE,
                    label,
                    file,
                    item,
                    cx - w / 2,
                    cy - h / 2,
                    w,
                    h,
                    normalized=True,
                )
            )
        else:
            points = [[numbers[i], numbers[i + 1]] for i in range(0, len(numbers), 2)]
            image.shapes.append(
                ShapeRecord(ShapeKind.POLYGON, label, file, item, coords=points, normalized=True)
            )
    return image
