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
from typing import Any

import orjson

from pixlake.enums import ShapeKind
from pixlake.formats.conventions import (
    COCO_FIRST_ANNOTATION_ID,
    COCO_FIRST_IMAGE_ID,
    coco_category_id,
)
from pixlake.formats.records import ExportImage, ExportShape
from pixlake.formats.writers.chunks import CHUNK_SIZE, ChunkBuffer
from pixlake.formats.writers.geometry import polygon_area, polygon_bounds

__all__ = ["coco_annotation", "coco_categories", "coco_document", "coco_image"]

_SPOOL_IN_MEMORY = 8 * 1024 * 1024


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
    base = {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": coco_category_id(shape.label_index),
        "iscrowd": 0,
    }
    if shape.kind is ShapeKind.RECTANGLE:
        assert shape.x is not None and shape.y is not None
        assert shape.w is not None and shape.h is not None
        return {
            **base,
            "bbox": [shape.x, shape.y, shape.w, shape.h],
            "area": shape.w * shape.h,
            "segmentation": [],
        }
    if shape.kind is ShapeKind.POLYGON:
        assert shape.coords is not None
        return {
            **base,
            "bbox": list(polygon_bounds(shape.coords)),
            "area": polygon_area(shape.coords),
            "segmentation": [[value for point in shape.coords for value in point]],
        }
    # support.check_shapes_fit refuses every other kind before a document is begun
    raise AssertionError(f"COCO holds no {shape.kind} shape")


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
    out = ChunkBuffer()
    # the head without its closing brace, then the arrays
    out.add(orjson.dumps(head)[:-1] + b',"images":[')
    annotation_id = COCO_FIRST_ANNOTATION_ID
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        for image_id, (file_name, image) in enumerate(images, start=COCO_FIRST_IMAGE_ID):
            comma = b"," if image_id > COCO_FIRST_IMAGE_ID else b""
            out.add(comma + orjson.dumps(coco_image(image_id, file_name, image)))
            for shape in image.shapes:
                separator = b"," if annotation_id > COCO_FIRST_ANNOTATION_ID else b""
                spool.write(
                    separator + orjson.dumps(coco_annotation(annotation_id, image_id, shape))
                )
                annotation_id += 1
            yield from out.take()
        out.add(b'],"annotations":[')
        yield from out.take(everything=True)
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk
    yield b"]}"
