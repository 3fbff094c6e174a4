"""Ultralytics' classification layout, ``<split>/<label>/<image>``: the folders are the
annotations.

The layout has no annotation file, so an import of it sends the paths of its images, each
as an entry with no content (docs/import.md): the folder holding an image names its label.
An image named in several label folders has each of those labels (the export writes an
image with two classifications into both folders), and an image named in several splits
is one image. Labels come in name order, the order Ultralytics gives class ids in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from pixlake.enums import ShapeKind
from pixlake.errors import AnnotationFileError
from pixlake.formats.readers.records import ImageRecord, ParsedAnnotations, ShapeRecord

__all__ = ["read_yolo_classification"]


def read_yolo_classification(entries: Sequence[tuple[str, bytes]]) -> ParsedAnnotations:
    """The images and labels of ``(path, b"")`` entries, paths ``[<split>/]<label>/<image>``."""
    parsed = ParsedAnnotations()
    images: dict[str, ImageRecord] = {}
    for path, content in entries:
        if content:
            raise AnnotationFileError.at(
                path,
                None,
                "an entry of the classification layout is an image's path and holds no bytes",
            )
        parts = PurePosixPath(path.replace("\\", "/")).parts
        if len(parts) < 2 or any(part in ("", ".", "..") for part in parts[-2:]):
            raise AnnotationFileError.at(
                path, None, "not a path of the classification layout, <split>/<label>/<image>"
            )
        label, name = parts[-2], parts[-1]
        image = images.get(name)
        if image is None:
            image = images[name] = ImageRecord(name=name, file=path)
        if all(shape.label != label for shape in image.shapes):
            image.shapes.append(
                ShapeRecord(ShapeKind.CLASSIFICATION, label, path, f"label {label!r}")
            )
    parsed.images = list(images.values())
    parsed.labels = sorted({shape.label for image in parsed.images for shape in image.shapes})
    return parsed
