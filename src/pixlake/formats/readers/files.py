"""The files of one import, read by the reader of their format."""

from __future__ import annotations

from collections.abc import Sequence

from pixlake.enums import AnnotationFileType
from pixlake.errors import AnnotationFileError, BadRequestError
from pixlake.formats.readers.coco import read_coco
from pixlake.formats.readers.records import ParsedAnnotations
from pixlake.formats.readers.voc import read_voc
from pixlake.formats.readers.yolo import read_yolo_config, read_yolo_labels
from pixlake.formats.readers.yolo_classification import read_yolo_classification

__all__ = ["read_annotation_files"]


def read_annotation_files(
    file_type: AnnotationFileType,
    files: Sequence[tuple[str, bytes]],
    *,
    classification: bool = False,
) -> ParsedAnnotations:
    """Read ``(name, bytes)`` files of one import.

    COCO: each file is a document. YOLO: the first file is the configuration (``names``),
    the others label files; with ``classification``, every entry is instead the path of an
    image of the classification layout (``<split>/<label>/<image>``, no content).
    PASCAL_VOC: each file is one image's annotation.
    """
    if not files:
        raise BadRequestError("no annotation file to import")
    if classification and file_type is not AnnotationFileType.YOLO:
        raise BadRequestError(
            f"the classification layout is YOLO's; {file_type.value} has none",
            details={"format": file_type.value},
        )
    parsed = ParsedAnnotations()
    if classification:
        parsed = read_yolo_classification(files)
    elif file_type is AnnotationFileType.COCO:
        for name, content in files:
            parsed.extend(read_coco(name, content))
    elif file_type is AnnotationFileType.YOLO:
        config_name, config = files[0]
        classes = read_yolo_config(config_name, config)
        parsed.labels = list(dict.fromkeys(classes.values()))
        parsed.images = [read_yolo_labels(name, content, classes) for name, content in files[1:]]
    else:
        for name, content in files:
            image = read_voc(name, content)
            parsed.images.append(image)
            for shape in image.shapes:
                if shape.label not in parsed.labels:
                    parsed.labels.append(shape.label)
    _refuse_duplicate_images(parsed)
    return parsed


def _refuse_duplicate_images(parsed: ParsedAnnotations) -> None:
    """Two files of one import annotating the same image can't both be right."""
    seen: dict[tuple[bool, str], str] = {}
    for image in parsed.images:
        key = (image.by_stem, image.name)
        if key in seen and seen[key] != image.file:
            raise AnnotationFileError.at(
                image.file, f"image {image.name!r}", f"is annotated in {seen[key]} too"
            )
        seen[key] = image.file
