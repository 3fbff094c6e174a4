"""``Client.import_dataset``: a COCO, YOLO or Pascal VOC dataset folder (or zip) in one step.

The layouts are those ``DatasetVersion.export`` writes (docs/formats.md, docs/import.md):

- COCO: ``annotations/instances_<split>.json`` and ``images/<split>/``, or one ``.json``
  with its images beside it (``file_name`` relative to the file's folder);
- YOLO: ``data.yaml`` (``names``), ``images/<split>/`` and ``labels/<split>/<stem>.txt``;
  or, without them, Ultralytics' classification layout ``<split>/<label>/<image>``;
- PASCAL_VOC: ``Annotations/<stem>.xml``, ``JPEGImages/`` and, optionally,
  ``ImageSets/Main/<split>.txt`` (one stem a line; without them, everything is ``train``).

Everything that can be checked is checked before anything is stored: the annotation files
(read by the API, which stores nothing then), every image they name (present, inside the
folder) and every image file (a readable image). Then the images are uploaded (as
``upload_data`` does), the dataset and version are created, each asset is tagged with its
split, and the annotations are imported in one transaction. Should that import still fail,
the new version is deleted again.
"""

from __future__ import annotations

import contextlib
import filecmp
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from pixlake.enums import AnnotationFileType, InferenceType, ShapeKind
from pixlake.errors import (
    BadRequestError,
    ConflictError,
    FileMissingError,
    InvalidFilenameError,
    NotFoundError,
    PixlakeError,
)
from pixlake.import_schemas import AnnotationFileInspection
from pixlake.sdk.annotation_files import (
    AnnotationSource,
    ClassificationEntries,
    import_files,
    inspect_files,
)
from pixlake.sdk.base import coerce_enum
from pixlake.sdk.data import Data, MultiData

if TYPE_CHECKING:
    from pixlake.sdk.client import Client
    from pixlake.sdk.datalake import Datalake
    from pixlake.sdk.dataset_version import DatasetVersion
    from pixlake.sdk.worker import Worker

__all__ = ["DatasetLayout", "import_dataset", "read_layout", "safe_extract"]

DEFAULT_SPLIT = "train"
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".jfif"}
)


@dataclass
class DatasetLayout:
    """What a dataset folder holds: the images of each split and the annotation files (in
    the order the import sends them: a YOLO configuration first)."""

    images: dict[str, list[Path]] = field(default_factory=dict)
    annotation_files: list[Path] = field(default_factory=list)
    image_folders: dict[Path, Path] = field(default_factory=dict)
    """The folder the images named by each annotation file live in."""
    coco_lone_file: bool = False
    classification: ClassificationEntries | None = None
    """YOLO's classification layout: its images' paths stand for annotation files."""

    @property
    def annotations(self) -> AnnotationSource:
        """What the import sends: the annotation files, or the classification entries."""
        if self.classification is not None:
            return self.classification
        return self.annotation_files


def _check_entry(name: str, where: str) -> PurePosixPath:
    """``name`` as a relative path that stays inside its folder, or InvalidFilenameError."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or posix.is_absolute()
        or PureWindowsPath(name).drive
        or any(part == ".." for part in posix.parts)
    ):
        raise InvalidFilenameError(
            f"{where}: {name!r} leaves the dataset folder (absolute, or with '..'); refused",
            details={"file": where, "item": name},
        )
    return posix


@contextmanager
def safe_extract(archive: Path) -> Iterator[Path]:
    """The zip's files in a temporary folder, removed afterwards; an entry whose name
    would land outside it (``..``, absolute, a drive) or a link is refused before anything
    is written."""
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        for member in members:
            _check_entry(member.filename, str(archive))
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise InvalidFilenameError(
                    f"{archive}: {member.filename!r} is a symbolic link; refused",
                    details={"file": str(archive), "item": member.filename},
                )
        with tempfile.TemporaryDirectory(prefix="pixlake-import-") as folder:
            zipped.extractall(folder, members)
            root = Path(folder)
            entries = [p for p in root.iterdir() if not p.name.startswith(".")]
            # A zip of one folder holding the dataset: that folder is the dataset.
            yield entries[0] if len(entries) == 1 and entries[0].is_dir() else root


def _images_in(folder: Path) -> list[Path]:
    """The image files of a folder (not recursive), hidden files aside, by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    )


def _split_folders(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {
        p.name: p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")
    }


def _coco_layout(root: Path) -> DatasetLayout:
    layout = DatasetLayout()
    if root.is_file():
        layout.coco_lone_file = True
        layout.annotation_files = [root]
        layout.image_folders[root] = root.parent
        return layout
    documents = sorted((root / "annotations").glob("instances_*.json"))
    if not documents:
        lone = sorted(root.glob("*.json"))
        if len(lone) == 1:
            return _coco_layout(lone[0])
        raise FileMissingError(
            f"{root}: no annotations/instances_<split>.json (nor one .json beside its images)",
            details={"file": str(root)},
        )
    for document in documents:
        split = document.stem.removeprefix("instances_")
        folder = root / "images" / split
        if not folder.is_dir():
            raise FileMissingError(
                f"{document}: its images folder {folder} is missing",
                details={"file": str(document)},
            )
        layout.annotation_files.append(document)
        layout.image_folders[document] = folder
        layout.images[split] = _images_in(folder)
    return layout


def _yolo_layout(root: Path) -> DatasetLayout:
    configs = [p for p in (root / "data.yaml", root / "data.yml") if p.is_file()]
    if not configs:
        configs = sorted(root.glob("*.yaml"))[:1]
    if not configs and not (root / "images").is_dir():
        return _yolo_classification_layout(root)
    if not configs:
        raise FileMissingError(f"{root}: no data.yaml", details={"file": str(root)})
    layout = DatasetLayout(annotation_files=[configs[0]])
    splits = _split_folders(root / "images")
    if not splits:
        raise FileMissingError(f"{root}: no images/<split>/ folder", details={"file": str(root)})
    for split, folder in splits.items():
        images = _images_in(folder)
        layout.images[split] = images
        labels = root / "labels" / split
        stems = {image.stem for image in images}
        for label_file in sorted(labels.glob("*.txt")) if labels.is_dir() else []:
            if label_file.stem not in stems:
                raise FileMissingError(
                    f"{label_file}: no image of stem {label_file.stem!r} in {folder}",
                    details={"file": str(label_file), "item": label_file.stem},
                )
            layout.annotation_files.append(label_file)
            layout.image_folders[label_file] = folder
    return layout


def _yolo_classification_layout(root: Path) -> DatasetLayout:
    """Ultralytics' classification layout, ``<split>/<label>/<image>``. An image in several
    label folders of a split has each of those labels; one name stands for one image in
    the whole folder (assets are matched by filename), so two different files of one name
    are refused, as is a file lying outside a label folder."""
    layout = DatasetLayout()
    entries: list[str] = []
    first_of: dict[str, Path] = {}
    for split, split_folder in _split_folders(root).items():
        stray = _images_in(split_folder)
        if stray:
            raise BadRequestError(
                f"{stray[0]}: an image of the classification layout lies in a label folder "
                f"(<split>/<label>/<image>), not in {split_folder}",
                details={"file": str(stray[0])},
            )
        images: dict[str, Path] = {}
        for label, label_folder in _split_folders(split_folder).items():
            for image in _images_in(label_folder):
                first = first_of.setdefault(image.name, image)
                if first != image and not filecmp.cmp(first, image, shallow=False):
                    raise InvalidFilenameError(
                        f"{image}: another image of the folder has this name ({first}); "
                        "assets are matched by filename, so one of them must be renamed",
                        details={"file": str(image), "item": image.name},
                    )
                images.setdefault(image.name, image)
                entries.append(f"{split}/{label}/{image.name}")
        layout.images[split] = sorted(images.values())
    if not entries:
        raise FileMissingError(
            f"{root}: no data.yaml, and no image in <split>/<label>/ folders (the "
            "classification layout)",
            details={"file": str(root)},
        )
    layout.classification = ClassificationEntries(entries)
    return layout


def _voc_layout(root: Path) -> DatasetLayout:
    annotations, images_folder = root / "Annotations", root / "JPEGImages"
    for folder in (annotations, images_folder):
        if not folder.is_dir():
            raise FileMissingError(f"{root}: no {folder.name}/ folder", details={"file": str(root)})
    images = {image.stem: image for image in _images_in(images_folder)}
    sets = sorted((root / "ImageSets" / "Main").glob("*.txt"))
    split_stems: dict[str, list[str]] = {}
    for image_set in sets:
        split_stems[image_set.stem] = [
            line.split()[0] for line in image_set.read_text().splitlines() if line.strip()
        ]
    if not split_stems:
        split_stems[DEFAULT_SPLIT] = sorted(images)
    layout = DatasetLayout()
    for split, stems in split_stems.items():
        layout.images[split] = []
        for stem in stems:
            if stem not in images:
                image_set = root / "ImageSets" / "Main" / f"{split}.txt"
                raise FileMissingError(
                    f"{image_set}: image {stem!r} is not in {images_folder}",
                    details={"file": str(image_set), "item": stem},
                )
            layout.images[split].append(images[stem])
            xml = annotations / f"{stem}.xml"
            if xml.is_file() and xml not in layout.image_folders:
                layout.annotation_files.append(xml)
                layout.image_folders[xml] = images_folder
    return layout


def read_layout(root: Path, file_type: AnnotationFileType) -> DatasetLayout:
    if file_type is AnnotationFileType.COCO:
        return _coco_layout(root)
    if not root.is_dir():
        raise BadRequestError(
            f"{root}: a {file_type.value} dataset is a folder (or a zip of one)",
            details={"file": str(root)},
        )
    if file_type is AnnotationFileType.YOLO:
        return _yolo_layout(root)
    return _voc_layout(root)


def _resolve_images(layout: DatasetLayout, inspection: AnnotationFileInspection) -> None:
    """Check every image the annotation files name is in the folder (inside it); a lone
    COCO file's images become its split."""
    by_file = {str(path): path for path in layout.annotation_files}
    lone: list[Path] = []
    if layout.classification is not None:
        return  # the entries are the images found in the folder
    for image in inspection.images:
        source = by_file[image.file]
        folder = layout.image_folders[source]
        if inspection.by_stem:
            continue  # YOLO label files were matched to images by stem already
        relative = _check_entry(image.written, image.file)
        path = folder / relative if layout.coco_lone_file else folder / relative.name
        if not path.is_file():
            raise FileMissingError(
                f"{image.file}: image {image.written!r} is missing ({path})",
                details={"file": image.file, "item": image.written},
            )
        if layout.coco_lone_file:
            lone.append(path)
    if layout.coco_lone_file:
        layout.images = {DEFAULT_SPLIT: list(dict.fromkeys(lone))}


def version_type(kinds: list[ShapeKind]) -> InferenceType:
    """The type of a version holding shapes of these kinds."""
    if ShapeKind.CLASSIFICATION in kinds:
        return InferenceType.CLASSIFICATION
    if ShapeKind.POLYGON in kinds:
        return InferenceType.SEGMENTATION
    if ShapeKind.RECTANGLE in kinds:
        return InferenceType.OBJECT_DETECTION
    return InferenceType.NOT_CONFIGURED


def _refuse_existing_version(client: Client, dataset_name: str, version_name: str) -> None:
    """ConflictError before anything is uploaded, rather than once the images are in."""
    try:
        client.get_dataset(dataset_name).get_version(version_name)
    except NotFoundError:
        return
    raise ConflictError(
        f"dataset {dataset_name!r} has a version {version_name!r} already",
        details={"dataset": dataset_name, "version": version_name},
    )


def import_dataset(
    client: Client,
    path: str | Path,
    annotation_file_type: AnnotationFileType | str,
    dataset_name: str,
    version_name: str = "initial",
    datalake: Datalake | str | None = None,
    worker: Worker | None = None,
) -> DatasetVersion:
    file_type = coerce_enum(AnnotationFileType, annotation_file_type)
    source = Path(path)
    if not source.exists():
        raise FileMissingError(f"{path}: no such file or folder", details={"file": str(path)})
    if source.is_file() and zipfile.is_zipfile(source):
        with safe_extract(source) as root:
            return _import_folder(
                client, root, file_type, dataset_name, version_name, datalake, worker
            )
    return _import_folder(client, source, file_type, dataset_name, version_name, datalake, worker)


def _import_folder(
    client: Client,
    root: Path,
    file_type: AnnotationFileType,
    dataset_name: str,
    version_name: str,
    datalake: Datalake | str | None,
    worker: Worker | None,
) -> DatasetVersion:
    connection = client._connection
    _refuse_existing_version(client, dataset_name, version_name)
    layout = read_layout(root, file_type)
    inspection = inspect_files(connection, file_type, layout.annotations)
    _resolve_images(layout, inspection)
    if not any(layout.images.values()):
        raise BadRequestError(f"{root}: holds no image", details={"file": str(root)})
    lake = datalake if not isinstance(datalake, str | None) else client.get_datalake(datalake)
    uploaded: dict[str, list[Data]] = {}
    for split, images in layout.images.items():
        if images:
            data = lake.upload_data(images)
            uploaded[split] = list(data) if isinstance(data, MultiData) else [data]
    dataset = client.get_or_create_dataset(dataset_name)
    version = dataset.create_version(version_name, type=version_type(inspection.shape_kinds))
    try:
        for split, data_list in uploaded.items():
            version.add_data(data_list, tags=[split])
        if inspection.images:
            import_files(
                connection,
                version.id,
                file_type,
                layout.annotations,
                worker=worker,
                fail_on_asset_not_found=True,
            )
    except BaseException:
        with contextlib.suppress(PixlakeError):  # the first error is the one to tell
            version.delete()
        raise
    version.sync()
    return version
