"""Export then import into a new version gives the same labels and, per asset, the same
shapes (COCO to 1e-6 of a pixel; YOLO and VOC within their precision). Needs the export
half (``DatasetVersion.export_annotation_file``); skipped where it is absent."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pixlake import AnnotationFileType, Client, ShapeKind
from pixlake.sdk.dataset_version import DatasetVersion

pytestmark = pytest.mark.skipif(
    not hasattr(DatasetVersion, "export_annotation_file"),
    reason="the export half (export_annotation_file) is not here",
)

SIZES = {"a.jpg": (64, 48), "b.png": (80, 60), "c.jpeg": (50, 40)}


def shapes_of(version: DatasetVersion) -> dict[str, list[tuple[Any, ...]]]:
    labels = {label.id: label.name for label in version.list_labels()}
    found: dict[str, list[tuple[Any, ...]]] = {}
    for annotation in version.list_annotations():
        asset = version.find_asset(id=annotation.asset_id)
        for shape in annotation.list_shapes():
            if shape.kind is ShapeKind.RECTANGLE:
                geometry = [shape.x, shape.y, shape.w, shape.h]
            elif shape.kind is ShapeKind.CLASSIFICATION:
                geometry = []  # the whole image
            else:
                geometry = [value for point in shape.coords for value in point]
            found.setdefault(asset.filename, []).append(
                (shape.kind, labels[shape.label_id], geometry)
            )
    return {name: sorted(shapes, key=repr) for name, shapes in found.items()}


def assert_same_shapes(
    left: dict[str, list[tuple[Any, ...]]],
    right: dict[str, list[tuple[Any, ...]]],
    tolerance: float,
) -> None:
    assert left.keys() == right.keys()
    for name in left:
        assert len(left[name]) == len(right[name]), name
        for (kind, label, geometry), (kind2, label2, geometry2) in zip(
            left[name], right[name], strict=True
        ):
            assert (kind, label) == (kind2, label2)
            assert geometry == pytest.approx(geometry2, abs=tolerance)


@pytest.fixture
def annotated(client: Client, unique_image: Callable[..., Path]) -> DatasetVersion:
    files = [unique_image(name, *size) for name, size in SIZES.items()]
    version = client.create_dataset("round").create_version("source")
    assets = version.add_data(client.get_datalake().upload_data(files))
    dog, cat = version.create_label("dog"), version.create_label("cat")
    for asset, (x, y) in zip(assets, [(10.5, 5.25), (1.125, 2.0), (3.0, 4.75)], strict=True):
        annotation = asset.create_annotation()
        annotation.create_rectangle(x, y, 20.3, 10.7, dog)
        annotation.create_rectangle(x + 1, y + 2, 5.5, 6.25, cat)
    return version


@pytest.mark.parametrize(
    ("file_type", "tolerance"),
    [
        (AnnotationFileType.COCO, 1e-6),
        (AnnotationFileType.PASCAL_VOC, 1e-6),
        (AnnotationFileType.YOLO, 1e-4),
    ],
)
def test_export_then_import_gives_the_same_shapes(
    annotated: DatasetVersion, tmp_path: Path, file_type: AnnotationFileType, tolerance: float
) -> None:
    written = Path(annotated.export_annotation_file(file_type, tmp_path / "out"))
    target = annotated.fork("target", with_annotations=False)
    if file_type is AnnotationFileType.COCO:
        target.import_annotations_coco_file(written)
    else:
        folder = tmp_path / "unzipped"
        with zipfile.ZipFile(written) as zipped:
            zipped.extractall(folder)
        if file_type is AnnotationFileType.YOLO:
            config = next(folder.rglob("data.yaml"))
            target.import_annotations_yolo_files(config, sorted(folder.rglob("*.txt")))
        else:
            target.import_annotations_voc_files(folder)

    assert [label.name for label in target.list_labels()] == ["dog", "cat"]
    assert_same_shapes(shapes_of(annotated), shapes_of(target), tolerance)


def test_a_classification_folder_export_imports_back_as_it_was(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    """YOLO's classification layout (<split>/<label>/<image>) both ways: the same classes
    per asset and the same splits. The layout holds no label order: labels come back in
    name order (Ultralytics' class ids)."""
    files = [unique_image(name, *size) for name, size in SIZES.items()]
    source = client.create_dataset("classes").create_version("source", type="CLASSIFICATION")
    assets = {a.filename: a for a in source.add_data(client.get_datalake().upload_data(files))}
    dog, cat = source.create_label("dog"), source.create_label("cat")
    for filename, labels in {"a.jpg": [dog], "b.png": [cat], "c.jpeg": [dog, cat]}.items():
        annotation = assets[filename].create_annotation()
        for label in labels:
            annotation.create_classification(label)
    assets["a.jpg"].add_tags("train")
    assets["b.png"].add_tags("train")
    assets["c.jpeg"].add_tags("val")

    folder = source.export(tmp_path / "out", "YOLO", splits={"train": "train", "val": "val"})
    target = client.import_dataset(folder, "YOLO", "classes-again")

    def classes(version: DatasetVersion) -> dict[str, list[str]]:
        return {
            name: sorted(label for _kind, label, _geometry in shapes)
            for name, shapes in shapes_of(version).items()
        }

    assert target.type.value == "CLASSIFICATION"
    assert [label.name for label in target.list_labels()] == ["cat", "dog"]
    assert classes(target) == classes(source)
    assert target.retrieve_stats().tag_repartition == {"train": 2, "val": 1}
