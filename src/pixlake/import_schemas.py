"""Wire models of annotation imports: what an import did, what an annotation file holds."""

from __future__ import annotations

from typing import Any

from pixlake.enums import ShapeKind
from pixlake.schemas import WireModel

__all__ = ["AnnotationFileInspection", "ImportSummary", "InspectedImage"]


class ImportSummary(WireModel):
    """What one annotation import did (it did all of it, or nothing).

    Readable as attributes or as keys (``summary["shapes_created"]``).
    """

    assets_matched: int
    """Assets of the version that an image of the files named."""
    annotations_created: int
    """Annotations written (in REPLACE mode, an asset's annotation by the worker is moved to
    the trash and a new one takes its place; in CONCATENATE mode, an existing one is added
    to and not counted here)."""
    annotations_replaced: int
    """Annotations moved to the trash by REPLACE."""
    annotations_extended: int
    """Existing annotations CONCATENATE added shapes to."""
    assets_kept: int
    """Assets KEEP left alone because the worker had annotated them already."""
    shapes_created: int
    shapes_clipped: int
    """Shapes partly outside their image, clipped to it."""
    labels_created: int
    assets_not_found: int
    """Images of the files that no asset of the version matched (counted, not imported,
    when ``fail_on_asset_not_found`` is False)."""
    not_found: list[str]
    """Their names (filenames; stems for YOLO label files), in file order."""
    masks_as_boxes: int
    """COCO run-length masks imported as their bounding box."""

    def __getitem__(self, key: str) -> Any:
        if key not in type(self).model_fields:
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> list[str]:
        return list(type(self).model_fields)


class InspectedImage(WireModel):
    name: str
    """The image's filename (its stem for a YOLO label file)."""
    file: str
    """The annotation file that names it."""
    written: str
    """The name as that file writes it (a relative path, maybe)."""
    shapes: int


class AnnotationFileInspection(WireModel):
    """What annotation files hold, read without importing them (``import_dataset`` checks
    the images it needs and picks the version's type from this)."""

    labels: list[str]
    images: list[InspectedImage]
    by_stem: bool
    """Images are named by stem (YOLO label files), not by filename."""
    shape_kinds: list[ShapeKind]
