"""Whole exports: an annotation file (``export_annotation_file``) or the annotation files of
a training-ready folder (``export``), from images streamed split by split.

A folder export is a zip of the layout's annotation files plus ``.pixlake/images.jsonl``:
one line per image file the layout holds (its path in the folder, its data id and
checksum), which the client fetches and places itself, so image bytes never pass through
the archive.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import orjson

from pixlake.enums import AnnotationFileType, ShapeKind
from pixlake.formats.conventions import (
    DEFAULT_SPLIT,
    VOC_ANNOTATIONS_DIR,
    VOC_IMAGES_DIR,
    YOLO_DATA_YAML,
    coco_annotations_path,
    images_dir,
    voc_image_set_path,
    yolo_labels_dir,
)
from pixlake.formats.records import ExportImage
from pixlake.formats.writers.chunks import CHUNK_SIZE
from pixlake.formats.writers.coco import coco_document
from pixlake.formats.writers.names import NamePlanner, split_extension
from pixlake.formats.writers.voc import voc_xml
from pixlake.formats.writers.yolo import data_yaml, yolo_label_text
from pixlake.formats.writers.zipstream import ZipStream
from pixlake.schemas import EXPORT_MANIFEST

__all__ = ["MANIFEST_PATH", "ExportSource", "annotation_file", "folder_export"]

MANIFEST_PATH = EXPORT_MANIFEST

_SPOOL_IN_MEMORY = 4 * 1024 * 1024


@dataclass(frozen=True)
class ExportSource:
    """What an export reads: the labels in label order and, per split, its images."""

    label_names: Sequence[str]
    splits: Sequence[tuple[str, Callable[[], Iterable[ExportImage]]]]
    description: str = ""


class _Spool:
    """Lines kept aside (memory up to a few MB, then disk) to be written as one member."""

    def __init__(self) -> None:
        # closed by chunks(), once its lines are written out
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def chunks(self) -> Iterator[bytes]:
        self._file.seek(0)
        while chunk := self._file.read(CHUNK_SIZE):
            yield chunk
        self._file.close()


class _Manifest(_Spool):
    def add(self, path: str, image: ExportImage) -> None:
        line = {"path": path, "data_id": str(image.data_id), "checksum": image.checksum}
        self.write(orjson.dumps(line) + b"\n")


def _stem(name: str) -> str:
    return split_extension(name)[0]


def annotation_file(file_type: AnnotationFileType, source: ExportSource) -> Iterator[bytes]:
    """COCO: one JSON document; YOLO: a zip of ``<stem>.txt`` per image and ``data.yaml``;
    PASCAL_VOC: a zip of ``<stem>.xml`` per image. Images of every split, once each."""
    images = _once_each(source)
    if file_type is AnnotationFileType.COCO:
        planner = NamePlanner()
        named = ((planner.name_for(i.filename, i.data_id), i) for i in images)
        yield from coco_document(source.label_names, named, description=source.description)
        return
    archive = ZipStream()
    planner = NamePlanner(by_stem=True)
    if file_type is AnnotationFileType.YOLO:
        yield from archive.add(
            YOLO_DATA_YAML, data_yaml(".", [(DEFAULT_SPLIT, ".")], source.label_names)
        )
        for image in images:
            stem = _stem(planner.name_for(image.filename, image.data_id))
            yield from archive.add(f"{stem}.txt", yolo_label_text(image))
    else:
        for image in images:
            name = planner.name_for(image.filename, image.data_id)
            yield from archive.add(f"{_stem(name)}.xml", voc_xml(name, image, source.label_names))
    yield from archive.finish()


def _once_each(source: ExportSource) -> Iterator[ExportImage]:
    if len(source.splits) == 1:
        yield from source.splits[0][1]()
        return
    seen: set[object] = set()
    for _name, images in source.splits:
        for image in images():
            if image.asset_id not in seen:
                seen.add(image.asset_id)
                yield image


def folder_export(
    file_type: AnnotationFileType,
    source: ExportSource,
    *,
    root: str = ".",
    classification: bool = False,
) -> Iterator[bytes]:
    """The zip of a folder export (see the module's docstring)."""
    archive = ZipStream()
    manifest = _Manifest()
    if classification:
        yield from _classification_folders(source, manifest)
    elif file_type is AnnotationFileType.COCO:
        yield from _coco_folder(archive, source, manifest)
    elif file_type is AnnotationFileType.YOLO:
        yield from _yolo_folder(archive, source, manifest, root)
    else:
        yield from _voc_folder(archive, source, manifest)
    yield from archive.add_stream(MANIFEST_PATH, manifest.chunks())
    yield from archive.finish()


def _coco_folder(archive: ZipStream, source: ExportSource, manifest: _Manifest) -> Iterator[bytes]:
    for split, images in source.splits:

        def named(
            split: str = split, images: Callable[[], Iterable[ExportImage]] = images
        ) -> Iterator[tuple[str, ExportImage]]:
            planner = NamePlanner()
            for image in images():
                name = planner.name_for(image.filename, image.data_id)
                manifest.add(f"{images_dir(split)}/{name}", image)
                yield name, image

        document = coco_document(source.label_names, named(), description=source.description)
        yield from archive.add_stream(coco_annotations_path(split), document)


def _yolo_folder(
    archive: ZipStream, source: ExportSource, manifest: _Manifest, root: str
) -> Iterator[bytes]:
    folders = [(split, images_dir(split)) for split, _ in source.splits]
    yield from archive.add(YOLO_DATA_YAML, data_yaml(root, folders, source.label_names))
    for split, images in source.splits:
        planner = NamePlanner(by_stem=True)
        for image in images():
            name = planner.name_for(image.filename, image.data_id)
            manifest.add(f"{images_dir(split)}/{name}", image)
            label_path = f"{yolo_labels_dir(split)}/{_stem(name)}.txt"
            yield from archive.add(label_path, yolo_label_text(image))


def _voc_folder(archive: ZipStream, source: ExportSource, manifest: _Manifest) -> Iterator[bytes]:
    # JPEGImages/ and Annotations/ are shared by every split: an image in two splits is
    # written once and listed in both image sets
    planner = NamePlanner(by_stem=True)
    written: set[object] = set()
    for split, images in source.splits:
        image_set = _Spool()
        for image in images():
            name = planner.name_for(image.filename, image.data_id)
            image_set.write(_stem(name).encode() + b"\n")
            if image.data_id in written:
                continue
            written.add(image.data_id)
            manifest.add(f"{VOC_IMAGES_DIR}/{name}", image)
            xml = voc_xml(name, image, source.label_names)
            yield from archive.add(f"{VOC_ANNOTATIONS_DIR}/{_stem(name)}.xml", xml)
        yield from archive.add_stream(voc_image_set_path(split), image_set.chunks())


def _classification_folders(source: ExportSource, manifest: _Manifest) -> Iterator[bytes]:
    """Ultralytics' classification layout, ``<split>/<label>/<image>``: only images to
    place. An image with several labels goes in each label's folder; one without a
    classification is left out."""
    for split, images in source.splits:
        planner = NamePlanner()
        for image in images():
            labels = sorted(
                {s.label_index for s in image.shapes if s.kind is ShapeKind.CLASSIFICATION}
            )
            if not labels:
                continue
            name = planner.name_for(image.filename, image.data_id)
            for index in labels:
                manifest.add(f"{split}/{source.label_names[index]}/{name}", image)
    yield from ()
