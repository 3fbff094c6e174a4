"""Telling a dataset's format from the names at its top (pixlake.sdk.layout_detection)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pixlake.enums import AnnotationFileType
from pixlake.errors import BadRequestError
from pixlake.sdk.layout_detection import detect_annotation_format

COCO, YOLO, VOC = AnnotationFileType.COCO, AnnotationFileType.YOLO, AnnotationFileType.PASCAL_VOC


def _tree(root: Path, *names: str) -> Path:
    """Files (and folders, for names ending with /) under ``root``."""
    for name in names:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
    return root


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["annotations/instances_train.json", "images/train/a.jpg"], (COCO, "annotations")),
        (["instances.json", "a.jpg"], (COCO, "instances.json")),
        (["data.yaml", "images/train/a.jpg", "labels/train/a.txt"], (YOLO, "data.yaml")),
        (["images/train/a.jpg", "labels/train/a.txt"], (YOLO, "labels")),
        (["Annotations/a.xml", "JPEGImages/a.jpg"], (VOC, "Annotations")),
        ([".hidden.json", "Annotations/a.xml"], (VOC, "Annotations")),
    ],
)
def test_a_folder_is_told_by_its_top_names(
    tmp_path: Path, names: list[str], expected: tuple[AnnotationFileType, str]
) -> None:
    assert detect_annotation_format(_tree(tmp_path / "ds", *names)) == expected


def test_a_json_file_is_a_lone_coco_file(tmp_path: Path) -> None:
    path = _tree(tmp_path, "set.JSON") / "set.JSON"
    assert detect_annotation_format(path) == (COCO, "set.JSON")


@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize("folder_entries", [False, True])
def test_a_zip_is_told_by_its_entries(tmp_path: Path, wrapped: bool, folder_entries: bool) -> None:
    """Flat, or of one folder holding the dataset (as the import extracts it), with or
    without the folders' own entries."""
    prefix = "ds/" if wrapped else ""
    archive = tmp_path / "ds.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        if folder_entries:
            for folder in (prefix, f"{prefix}labels/", f"{prefix}labels/train/"):
                if folder:
                    zipped.writestr(folder, b"")
        zipped.writestr(f"{prefix}labels/train/a.txt", b"0 0.5 0.5 0.1 0.1\n")
        zipped.writestr(f"{prefix}a.jpg", b"x")
    assert detect_annotation_format(archive) == (YOLO, "labels")


def test_a_folder_with_no_mark_is_refused_naming_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pictures", "train/cat/a.jpg", "b.jpg")
    with pytest.raises(BadRequestError) as refused:
        detect_annotation_format(root)
    assert str(root) in str(refused.value) and "name the format" in str(refused.value)
    assert refused.value.details == {"file": str(root)}


def test_a_folder_with_the_marks_of_two_formats_is_refused_naming_them(tmp_path: Path) -> None:
    root = _tree(tmp_path / "mixed", "data.yaml", "Annotations/a.xml", "a.jpg")
    with pytest.raises(BadRequestError) as refused:
        detect_annotation_format(root)
    assert "Annotations (PASCAL_VOC)" in str(refused.value)
    assert "data.yaml (YOLO)" in str(refused.value)
    assert refused.value.details["found"] == ["Annotations", "data.yaml"]


def test_a_file_that_is_neither_json_nor_zip_is_refused(tmp_path: Path) -> None:
    path = _tree(tmp_path, "notes.txt") / "notes.txt"
    with pytest.raises(BadRequestError):
        detect_annotation_format(path)
