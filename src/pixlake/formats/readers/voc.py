"""Pascal VOC annotation files (one ``.xml`` per image), parsed safely.

Rules (docs/import.md): the image is named by ``<filename>`` (else by the file's stem);
each ``<object>`` with a ``<bndbox>`` is a rectangle, read with the one pixel convention of
``conventions.xywh_from_voc_box``. Documents declaring entities or external references are
refused outright (``defusedxml``): nothing of them is expanded or fetched.
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_xml

from pixlake.enums import ShapeKind
from pixlake.errors import AnnotationFileError
from pixlake.formats.conventions import xywh_from_voc_box
from pixlake.formats.readers.records import ImageRecord, ShapeRecord

__all__ = ["read_voc"]


def _parse(file: str, content: bytes) -> Element:
    try:
        return safe_xml.fromstring(content, forbid_dtd=False)
    except defusedxml.DefusedXmlException as exc:
        raise AnnotationFileError.at(
            file, None, f"refused: the XML uses entity declarations or external references ({exc})"
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        raise AnnotationFileError.at(
            file, f"line {line}", f"not XML ({exc.msg}, column {column})"
        ) from exc


def _number(element: Element, tag: str, file: str, item: str) -> float:
    text = element.findtext(tag)
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise AnnotationFileError.at(file, item, f"<{tag}> must be a finite number, got {text!r}")
    return value


def _size(root: Element, tag: str) -> int | None:
    text = root.findtext(f"size/{tag}")
    try:
        value = int(float(text)) if text else 0
    except (ValueError, OverflowError):
        return None
    return value if value > 0 else None


def read_voc(file: str, content: bytes) -> ImageRecord:
    """The rectangles of one VOC annotation file."""
    root = _parse(file, content)
    if root.tag != "annotation":
        raise AnnotationFileError.at(
            file, None, f"the root element is <{root.tag}>, not <annotation>"
        )
    filename = (root.findtext("filename") or "").strip()
    image = ImageRecord(
        name=PurePosixPath(filename.replace("\\", "/")).name or PurePosixPath(file).stem,
        file=file,
        by_stem=not filename,
        written=filename,
        width=_size(root, "width"),
        height=_size(root, "height"),
    )
    for index, obj in enumerate(root.iter("object"), start=1):
        label = (obj.findtext("name") or "").strip()
        item = f"object {index}" + (f" ({label})" if label else "")
        if not label:
            raise AnnotationFileError.at(file, item, "<name> is missing or empty")
        box = obj.find("bndbox")
        if box is None:
            raise AnnotationFileError.at(file, item, "<bndbox> is missing")
        xmin, ymin, xmax, ymax = (
            _number(box, tag, file, item) for tag in ("xmin", "ymin", "xmax", "ymax")
        )
        x, y, w, h = xywh_from_voc_box(xmin, ymin, xmax, ymax)
        if not w > 0 or not h > 0 or not math.isfinite(w + h):
            raise AnnotationFileError.at(
                file,
                item,
                f"xmax must be > xmin and ymax > ymin, got {xmin:g}..{xmax:g}, {ymin:g}..{ymax:g}",
            )
        image.shapes.append(ShapeRecord(ShapeKind.RECTANGLE, label, file, item, x, y, w, h))
    return image
