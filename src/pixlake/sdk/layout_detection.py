"""Which format a dataset folder (or a zip of one) is in, from the names at its top.

``pixlake import`` asks for ``--format`` only when the folder does not say: each layout
the import reads (docs/import.md) has a name at its top that the others don't have.
Only names are read, never a file's content, so a folder of a million images costs one
listing of its top level.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from pixlake.enums import AnnotationFileType
from pixlake.errors import BadRequestError

__all__ = ["detect_annotation_format"]

# Each format's marks: (a name at the top of the dataset, whether it is a folder).
_MARKS: dict[AnnotationFileType, tuple[tuple[str, bool], ...]] = {
    AnnotationFileType.COCO: (("annotations", True),),
    AnnotationFileType.YOLO: (("data.yaml", False), ("labels", True)),
    AnnotationFileType.PASCAL_VOC: (("Annotations", True),),
}


def detect_annotation_format(path: Path) -> tuple[AnnotationFileType, str]:
    """The format of the dataset at ``path`` and the name that tells it.

    Raises:
        BadRequestError: no format's mark, or the marks of several, at the dataset's top
            (the message names what was found; ``--format`` decides).
    """
    if path.is_file() and path.suffix.lower() == ".json":
        return AnnotationFileType.COCO, path.name
    top = _top_names(path)
    found = [
        (file_type, name)
        for file_type, marks in _MARKS.items()
        for name, is_folder in marks
        if (name, is_folder) in top
    ]
    if not any(file_type is AnnotationFileType.COCO for file_type, _ in found):
        # A lone COCO file beside its images (one .json at the top).
        found += [
            (AnnotationFileType.COCO, name) for name, is_folder in top if _json(name, is_folder)
        ]
    formats = {file_type for file_type, _ in found}
    if len(formats) == 1:
        return found[0]
    if not formats:
        raise BadRequestError(
            f"{path}: no COCO (annotations/, a .json), YOLO (data.yaml, labels/) or VOC "
            "(Annotations/) mark at its top (a YOLO classification layout, "
            "<split>/<label>/<image>, has none); name the format",
            details={"file": str(path)},
        )
    names = ", ".join(sorted(f"{name} ({file_type.value})" for file_type, name in found))
    raise BadRequestError(
        f"{path}: holds the marks of several formats ({names}); name the format",
        details={"file": str(path), "found": sorted(name for _, name in found)},
    )


def _json(name: str, is_folder: bool) -> bool:
    return not is_folder and name.lower().endswith(".json")


def _top_names(path: Path) -> set[tuple[str, bool]]:
    """(name, is a folder) of the dataset's top level: the folder's entries, or the zip's
    (below a single folder holding all of them, as ``safe_extract`` reads a zip)."""
    if path.is_dir():
        return {(p.name, p.is_dir()) for p in path.iterdir() if not p.name.startswith(".")}
    if not (path.is_file() and zipfile.is_zipfile(path)):
        return set()
    with zipfile.ZipFile(path) as zipped:
        # A folder's own entry ends with "/": its name is then a folder's too.
        entries = [(PurePosixPath(name).parts, name.endswith("/")) for name in zipped.namelist()]
    entries = [(parts, folder) for parts, folder in entries if parts and parts[0][0] != "."]
    if len({parts[0] for parts, _ in entries}) == 1 and all(
        len(parts) > 1 or folder for parts, folder in entries
    ):
        entries = [(parts[1:], folder) for parts, folder in entries if len(parts) > 1]
    return {(parts[0], len(parts) > 1 or folder) for parts, folder in entries}
