"""Pascal VOC annotation files: one ``.xml`` per image, boxes by the pixel convention of
``conventions`` (0-based edges, no +1, numbers as stored)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from pixlake.enums import ShapeKind
from pixlake.formats.conventions import VOC_IMAGES_DIR, format_number, voc_box_from_xywh
from pixlake.formats.records import ExportImage

__all__ = ["VOC_DEPTH", "voc_xml"]

VOC_DEPTH = 3
"""``<depth>`` written for every image: pixlake does not record channels, and VOC readers
use width and height only."""


def _child(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def voc_xml(file_name: str, image: ExportImage, label_names: Sequence[str]) -> bytes:
    """The VOC ``<annotation>`` of one image, as UTF-8 bytes."""
    root = ET.Element("annotation")
    _child(root, "folder", VOC_IMAGES_DIR)
    _child(root, "filename", file_name)
    source = _child(root, "source")
    _child(source, "database", "pixlake")
    size = _child(root, "size")
    _child(size, "width", str(image.width))
    _child(size, "height", str(image.height))
    _child(size, "depth", str(VOC_DEPTH))
    _child(root, "segmented", "0")
    for shape in image.shapes:
        # support.check_shapes_fit refuses every other kind before a file is begun
        assert shape.kind is ShapeKind.RECTANGLE
        assert shape.x is not None and shape.y is not None
        assert shape.w is not None and shape.h is not None
        obj = _child(root, "object")
        _child(obj, "name", label_names[shape.label_index])
        _child(obj, "pose", "Unspecified")
        _child(obj, "truncated", "0")
        _child(obj, "difficult", "0")
        box = _child(obj, "bndbox")
        for tag, value in zip(
            ("xmin", "ymin", "xmax", "ymax"),
            voc_box_from_xywh(shape.x, shape.y, shape.w, shape.h),
            strict=True,
        ):
            _child(box, tag, format_number(value))
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
