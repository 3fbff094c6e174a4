"""What pixlake's COCO, YOLO and Pascal VOC writers and readers agree on.

Both directions read these names so that an export imported again gives back the same labels
and shapes. docs/formats.md explains each rule; this module holds only what both sides need.

Label order
    The version's labels as ``list_labels`` returns them (ordered by id, which is creation
    order). The same order is used in every split of one export.

Ids
    COCO category id = label index + 1, image ids = 1.. in export order, annotation ids = 1..
    (COCOeval and CVAT's reader treat 0 as "no id"). YOLO class id = label index.

Sizes
    Every width/height written or read is pixlake's *displayed* size: EXIF orientation applied,
    the same numbers ``Data.width`` / ``Data.height`` report.

COCO ``file_name``
    The image's bare filename. In the folder layout it is relative to ``images/<split>/``, which
    holds the images of that split; a lone annotation file names images by filename only.

YOLO numbers
    Normalised coordinates are written with ``repr`` (shortest round-trip form of a float), so
    nothing is lost to a fixed precision.

VOC pixel convention
    ``xmin = x``, ``ymin = y``, ``xmax = x + w``, ``ymax = y + h``: 0-based, box edges, no +1.
    Numbers are written as stored: integral values without ``.0``, others as ``repr``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COCO_ANNOTATIONS_DIR",
    "COCO_FIRST_ANNOTATION_ID",
    "COCO_FIRST_CATEGORY_ID",
    "COCO_FIRST_IMAGE_ID",
    "DEFAULT_SPLIT",
    "IMAGES_DIR",
    "VOC_ANNOTATIONS_DIR",
    "VOC_IMAGES_DIR",
    "VOC_IMAGE_SETS_DIR",
    "YOLO_CLASS_ID_BASE",
    "YOLO_DATA_YAML",
    "YOLO_LABELS_DIR",
    "coco_annotations_path",
    "coco_category_id",
    "format_number",
    "format_yolo_number",
    "images_dir",
    "label_index_from_coco_category_id",
    "voc_box_from_xywh",
    "voc_image_set_path",
    "xywh_from_voc_box",
    "yolo_labels_dir",
]

# --- ids -----------------------------------------------------------------------------------
COCO_FIRST_CATEGORY_ID: Final = 1
COCO_FIRST_IMAGE_ID: Final = 1
COCO_FIRST_ANNOTATION_ID: Final = 1
YOLO_CLASS_ID_BASE: Final = 0


def coco_category_id(label_index: int) -> int:
    """COCO category id of the label at ``label_index`` in label order."""
    return label_index + COCO_FIRST_CATEGORY_ID


def label_index_from_coco_category_id(category_id: int) -> int:
    """Inverse of :func:`coco_category_id` (only for documents pixlake wrote)."""
    return category_id - COCO_FIRST_CATEGORY_ID


# --- layout path names (relative to the export folder, always with forward slashes) ----------
DEFAULT_SPLIT: Final = "train"
COCO_ANNOTATIONS_DIR: Final = "annotations"
IMAGES_DIR: Final = "images"
YOLO_LABELS_DIR: Final = "labels"
YOLO_DATA_YAML: Final = "data.yaml"
VOC_ANNOTATIONS_DIR: Final = "Annotations"
VOC_IMAGES_DIR: Final = "JPEGImages"
VOC_IMAGE_SETS_DIR: Final = "ImageSets/Main"


def coco_annotations_path(split: str) -> str:
    """``annotations/instances_<split>.json``."""
    return f"{COCO_ANNOTATIONS_DIR}/instances_{split}.json"


def images_dir(split: str) -> str:
    """``images/<split>`` (COCO and YOLO detection layouts)."""
    return f"{IMAGES_DIR}/{split}"


def yolo_labels_dir(split: str) -> str:
    """``labels/<split>`` (YOLO detection/segmentation layout)."""
    return f"{YOLO_LABELS_DIR}/{split}"


def voc_image_set_path(split: str) -> str:
    """``ImageSets/Main/<split>.txt``: one image stem per line."""
    return f"{VOC_IMAGE_SETS_DIR}/{split}.txt"


# --- numbers ---------------------------------------------------------------------------------
def format_number(value: float) -> str:
    """A stored coordinate as text: integral values without ``.0``, others as ``repr``."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def format_yolo_number(value: float) -> str:
    """A normalised YOLO coordinate: ``repr`` of the float (shortest exact form)."""
    return repr(float(value))


# --- VOC pixel convention ---------------------------------------------------------------------
def voc_box_from_xywh(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of a pixlake rectangle: 0-based edges, no +1."""
    return x, y, x + w, y + h


def xywh_from_voc_box(
    xmin: float, ymin: float, xmax: float, ymax: float
) -> tuple[float, float, float, float]:
    """Inverse of :func:`voc_box_from_xywh`."""
    return xmin, ymin, xmax - xmin, ymax - ymin
