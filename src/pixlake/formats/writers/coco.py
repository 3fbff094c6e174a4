"""COCO documents (detection and instance segmentation), written as a stream of bytes.

The document's ``images`` come before its ``annotations``: images are written as they
arrive and their annotations are kept in a spooled temporary file (memory up to a few
megabytes, then disk) until the images are done, so a version of any size is read once
and never held in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson

from pixlake.enums import ShapeKind
from pixlake.formats.conventions import (
    COCO_FIRST_ANNOTATION_ID,
    COCO_FIRST_IMAGE_ID,
    coco_category_id,
)
from pixlake.formats.records import ExportImage, ExportShape
from pixlake.formats.writers.chunks import CHUNK_SIZE
from pixlake.formats.writers.geometry import polygon_area, polygon_bounds
from pixlake.gcpause import paused_gc

__all__ = ["coco_annotation", "coco_categories", "coco_document", "coco_image"]

_SPOOL_IN_MEMORY = 8 * 1024 * 1024

_RECTANGLE = ShapeKind.RECTANGLE

_IMAGES_PER_BATCH = 1000
"""Images (and their annotations) serialised per orjson call: about 100 KB of images
and, at five shapes an image, 600 KB of annotations."""


def coco_categories(label_names: Sequence[str]) -> list[dict[str, Any]]:
    """Categories in label order, ids from 1."""
    return [
        {"id": coco_category_id(index), "name": name, "supercategory": ""}
        for index, name in enumerate(label_names)
    ]


def coco_image(image_id: int, file_name: str, image: ExportImage) -> dict[str, Any]:
    return {
        "id": image_id,
        "file_name": file_name,
        "width": image.width,
        "height": image.height,
    }


def coco_annotation(annotation_id: int, image_id: int, shape: ExportShape) -> dict[str, Any]:
    """One annotation: a box (``bbox`` as stored, ``area`` w*h) or a polygon
    (``segmentation``, ``bbox`` its bounds, ``area`` what it encloses)."""
    if shape.kind is ShapeKind.RECTANGLE:
        w, h = shape.w, shape.h
        assert w is not None and h is not None
        return {
            "id": annotation_id,
            "image_id": image_id,
            "category_id": coco_category_id(shape.label_index),
            "iscrowd": 0,
            "bbox": [shape.x, shape.y, w, h],
            "area": w * h,
            "segmentation": [],
        }
    if shape.kind is ShapeKind.POLYGON:
        assert shape.coords is not None
        return {
            "id": annotation_id,
            "image_id": image_id,
            "category_id": coco_category_id(shape.label_index),
            "iscrowd": 0,
            "bbox": list(polygon_bounds(shape.coords)),
            "area": polygon_area(shape.coords),
            "segmentation": [[value for point in shape.coords for value in point]],
        }
    # support.check_shapes_fit refuses every other kind before a document is begun
    raise AssertionError(f"COCO holds no {shape.kind} shape")


def _batch_json(
    batch: Sequence[tuple[str, ExportImage]], image_id: int, annotation_id: int
) -> tuple[bytes, bytes]:
    """The JSON members (no brackets) of the images of ``batch``, ids from ``image_id``,
    and of their annotations, ids from ``annotation_id``: one orjson call for each, a
    fraction of the cost of one call per object. Built with the collector paused: the
    thousands of dicts all live until they are written, and collections triggered while
    they are built would walk them again and again."""
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    with paused_gc():
        for file_name, image in batch:
            images.append(coco_image(image_id, file_name, image))
            for shape in image.shapes:
                kind, label_index, x, y, w, h, _coords = shape
                if kind is _RECTANGLE:
                    # coco_annotation's box, inlined: the common case, half a million times
                    assert w is not None and h is not None
                    annotation = {
                        "id": annotation_id,
                        "image_id": image_id,
                        "category_id": coco_category_id(label_index),
                        "iscrowd": 0,
                        "bbox": [x, y, w, h],
                        "area": w * h,
                        "segmentation": [],
                    }
                else:
                    annotation = coco_annotation(annotation_id, image_id, shape)
                annotations.append(annotation)
                annotation_id += 1
            image_id += 1
        return orjson.dumps(images)[1:-1], orjson.dumps(annotations)[1:-1]


def coco_document(
    label_names: Sequence[str],
    images: Iterable[tuple[str, ExportImage]],
    *,
    description: str = "",
) -> Iterator[bytes]:
    """The COCO document of ``images`` (each with its ``file_name``), as chunks of JSON.

    Image ids are 1.. in the order given, annotation ids 1.. in the same order.
    """
    head = {
        "info": {
            "description": description,
            "date_created": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "licenses": [],
        "categories": coco_categories(label_names),
    }
    # the head without its closing brace, then the arrays
    yield orjson.dumps(head)[:-1] + b',"images":['
    image_id, annotation_id = COCO_FIRST_IMAGE_ID, COCO_FIRST_ANNOTATION_ID
    pending = iter(images)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        while batch := list(islice(pending, _IMAGES_PER_BATCH)):
            images_json, annotations_json = _batch_json(batch, image_id, annotation_id)
            if annotations_json:
                spool.write(
                    b"," + annotations_json
                    if annotation_id > COCO_FIRST_ANNOTATION_ID
                    else annotations_json
                )
            yield b"," + images_json if image_id > COCO_FIRST_IMAGE_ID else images_json
            image_id += len(batch)
            annotation_id += sum(len(image.shapes) for _name, image in batch)
        yield b'],"annotations":['
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk
    yield b"]}"
