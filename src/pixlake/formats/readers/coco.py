"""COCO detection and instance-segmentation documents (one ``.json`` file each).

Rules (docs/import.md): images are named by ``file_name`` (only its last path part is
matched to assets); ``bbox`` is ``[x, y, width, height]`` in pixels, kept as given; a
non-empty polygon ``segmentation`` gives one polygon per ring (at least 3 points, an even
number of coordinates), else the ``bbox`` gives a rectangle; a run-length mask gives its
``bbox`` (counted in ``masks_as_boxes``). Ids must be unique and every reference resolve.
"""

from __future__ import annotations

import json
from math import isfinite
from typing import Any

import orjson

from pixlake.enums import ShapeKind
from pixlake.errors import AnnotationFileError
from pixlake.formats.readers.records import (
    ImageRecord,
    ParsedAnnotations,
    ShapeRecord,
    finite_number,
)

__all__ = ["read_coco"]


def _load(file: str, content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        pass
    # The standard reader takes what orjson refuses but Python writes (NaN, Infinity), so
    # that such a value is refused by the item holding it rather than as "not JSON".
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise AnnotationFileError.at(file, None, f"not JSON: not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise AnnotationFileError.at(
            file, f"line {exc.lineno}", f"not JSON: {exc.msg} (column {exc.colno})"
        ) from exc


def _list_of(document: dict[str, Any], key: str, file: str, required: bool) -> list[Any]:
    value = document.get(key, None if required else [])
    if not isinstance(value, list):
        raise AnnotationFileError.at(file, key, f"'{key}' must be a list, got {value!r:.80}")
    return value


def _integer_id(entry: Any, file: str, what: str, index: int) -> int:
    if not isinstance(entry, dict):
        raise AnnotationFileError.at(file, f"{what} {index}", "must be an object")
    value = entry.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnnotationFileError.at(
            file, f"{what} {index}", f"'id' must be an integer, got {value!r}"
        )
    return value


def _bare_filename(file_name: str) -> str:
    """The last part of a path written with either separator."""
    return file_name.replace("\\", "/").rsplit("/", 1)[-1]


def _categories(document: dict[str, Any], file: str) -> dict[int, str]:
    names: dict[int, str] = {}
    for index, entry in enumerate(_list_of(document, "categories", file, required=True)):
        category_id = _integer_id(entry, file, "category", index)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AnnotationFileError.at(
                file, f"category {category_id}", f"'name' must be a non-blank text, got {name!r}"
            )
        if category_id in names:
            raise AnnotationFileError.at(file, f"category {category_id}", "id appears twice")
        names[category_id] = name
    return names


def _size(entry: dict[str, Any], key: str, file: str, item: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise AnnotationFileError.at(file, item, f"'{key}' must be an integer > 0, got {value!r}")
    return value


def _images(document: dict[str, Any], file: str) -> dict[int, ImageRecord]:
    images: dict[int, ImageRecord] = {}
    by_name: dict[str, int] = {}
    for index, entry in enumerate(_list_of(document, "images", file, required=True)):
        image_id = _integer_id(entry, file, "image", index)
        item = f"image {image_id}"
        if image_id in images:
            raise AnnotationFileError.at(file, item, "id appears twice")
        file_name = entry.get("file_name")
        if not isinstance(file_name, str) or not _bare_filename(file_name):
            raise AnnotationFileError.at(
                file, item, f"'file_name' must name a file, got {file_name!r}"
            )
        name = _bare_filename(file_name)
        if name in by_name:
            raise AnnotationFileError.at(
                file, item, f"file name {name!r} is also that of image {by_name[name]}"
            )
        by_name[name] = image_id
        images[image_id] = ImageRecord(
            name=name,
            file=file,
            written=file_name,
            width=_size(entry, "width", file, item),
            height=_size(entry, "height", file, item),
        )
    return images


def _polygon(ring: Any, file: str, item: str) -> list[list[float]]:
    if not isinstance(ring, list):
        raise AnnotationFileError.at(file, item, f"a polygon must be a list, got {ring!r:.80}")
    if len(ring) % 2:
        raise AnnotationFileError.at(
            file, item, f"a polygon needs an even number of coordinates, got {len(ring)}"
        )
    if len(ring) < 6:
        raise AnnotationFileError.at(
            file, item, f"a polygon needs at least 3 points, got {len(ring) // 2}"
        )
    numbers = [finite_number(value, file, item, "a polygon coordinate") for value in ring]
    return [[numbers[i], numbers[i + 1]] for i in range(0, len(numbers), 2)]


def _box(bbox: Any, file: str, item: str) -> tuple[float, float, float, float]:
    if not isinstance(bbox, list) or len(bbox) != 4:
        raise AnnotationFileError.at(
            file, item, f"'bbox' must be [x, y, width, height], got {bbox!r:.80}"
        )
    x, y, w, h = bbox
    # The common case checked at once (500,000 boxes); any doubt goes to the named check.
    if not (
        type(x) is float
        and type(y) is float
        and type(w) is float
        and type(h) is float
        and isfinite(x + y + w + h)
    ):
        x, y, w, h = (finite_number(value, file, item, "a bbox value") for value in bbox)
    if w <= 0 or h <= 0:
        raise AnnotationFileError.at(
            file, item, f"bbox width and height must be > 0, got {w:g} x {h:g}"
        )
    return x, y, w, h


def read_coco(file: str, content: bytes) -> ParsedAnnotations:
    """The images and shapes of one COCO document; AnnotationFileError naming the file and
    the item (annotation, image or category id) at fault."""
    document = _load(file, content)
    if not isinstance(document, dict):
        raise AnnotationFileError.at(file, None, "a COCO document is a JSON object")
    categories = _categories(document, file)
    images = _images(document, file)
    parsed = ParsedAnnotations(labels=list(dict.fromkeys(categories.values())))
    seen: set[int] = set()
    for index, entry in enumerate(_list_of(document, "annotations", file, required=False)):
        annotation_id = _integer_id(entry, file, "annotation", index)
        item = f"annotation {annotation_id}"
        if annotation_id in seen:
            raise AnnotationFileError.at(file, item, "id appears twice")
        seen.add(annotation_id)
        image_id, category_id = entry.get("image_id"), entry.get("category_id")
        image = images.get(image_id) if type(image_id) is int else None
        if image is None:
            raise AnnotationFileError.at(
                file, item, f"names image {image_id!r}, which the file lacks"
            )
        label = categories.get(category_id) if type(category_id) is int else None
        if label is None:
            raise AnnotationFileError.at(
                file, item, f"names category {category_id!r}, which the file lacks"
            )
        segmentation = entry.get("segmentation")
        if isinstance(segmentation, list) and segmentation:
            rings = segmentation if isinstance(segmentation[0], list) else [segmentation]
            for ring in rings:
                image.shapes.append(
                    ShapeRecord(
                        ShapeKind.POLYGON, label, file, item, coords=_polygon(ring, file, item)
                    )
                )
            continue
        if isinstance(segmentation, dict):
            parsed.masks_as_boxes += 1
        x, y, w, h = _box(entry.get("bbox"), file, item)
        image.shapes.append(ShapeRecord(ShapeKind.RECTANGLE, label, file, item, x, y, w, h))
    parsed.images = list(images.values())
    return parsed
