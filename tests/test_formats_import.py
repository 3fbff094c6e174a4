"""Importing COCO, YOLO and Pascal VOC annotation files into a version, and whole dataset
folders with ``Client.import_dataset``, in the three deployments."""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pixlake import (
    AnnotationFileError,
    AnnotationStatus,
    BadRequestError,
    Client,
    ConflictError,
    FileMissingError,
    ForbiddenError,
    ImportAnnotationMode,
    ImportSummary,
    InferenceType,
    InvalidFilenameError,
    LockedError,
    NotFoundError,
    PayloadTooLargeError,
    Role,
    ShapeKind,
)
from pixlake.bundle import BUNDLE_CONTENT_TYPE, frame_header
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user
from pixlake.sdk.dataset_version import DatasetVersion

SIZES = {"a.jpg": (64, 48), "b.png": (80, 60), "c.jpeg": (50, 40)}


@dataclass
class Setup:
    client: Client
    version: DatasetVersion
    folder: Path


@pytest.fixture
def env(client: Client, unique_image: Callable[..., Path], tmp_path: Path) -> Setup:
    """A version holding a.jpg (64 x 48), b.png (80 x 60) and c.jpeg (50 x 40)."""
    files = [unique_image(name, *size) for name, size in SIZES.items()]
    data = client.get_datalake().upload_data(files)
    version = client.create_dataset("d").create_version("v1")
    version.add_data(data)
    folder = tmp_path / "annotations"
    folder.mkdir()
    return Setup(client, version, folder)


def write(path: Path, content: str | bytes | dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def coco_document(annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 64, "height": 48},
            {"id": 2, "file_name": "b.png", "width": 80, "height": 60},
        ],
        "categories": [{"id": 1, "name": "dog"}, {"id": 2, "name": "cat"}],
        "annotations": annotations
        if annotations is not None
        else [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10.5, 5.25, 20, 10]},
            {
                "id": 2,
                "image_id": 2,
                "category_id": 2,
                "segmentation": [[1.5, 1, 20, 1, 10, 15.25]],
                "bbox": [1.5, 1, 18.5, 14.25],
            },
        ],
    }


def shapes_by_filename(version: DatasetVersion) -> dict[str, list[tuple[Any, ...]]]:
    """Every asset's shapes (kind, label, geometry), for the caller's annotations."""
    labels = {label.id: label.name for label in version.list_labels()}
    found: dict[str, list[tuple[Any, ...]]] = {}
    for annotation in version.list_annotations():
        asset = version.find_asset(id=annotation.asset_id)
        for shape in annotation.list_shapes():
            geometry = (
                (shape.x, shape.y, shape.w, shape.h)
                if shape.kind is ShapeKind.RECTANGLE
                else tuple(map(tuple, shape.coords))
            )
            found.setdefault(asset.filename, []).append(
                (shape.kind, labels[shape.label_id], geometry)
            )
    return found


def nothing_stored(version: DatasetVersion) -> bool:
    stats = version.retrieve_stats()
    return stats.nb_annotations == 0 and stats.nb_objects == 0 and not version.list_labels()


# COCO


def test_coco_import_keeps_floats_and_category_order(env: Setup) -> None:
    summary = env.version.import_annotations_coco_file(
        write(env.folder / "c.json", coco_document())
    )

    assert isinstance(summary, ImportSummary)
    assert (summary.assets_matched, summary.annotations_created) == (2, 2)
    assert (summary["shapes_created"], summary["labels_created"]) == (2, 2)
    assert summary.assets_not_found == 0 and summary.shapes_clipped == 0
    assert [label.name for label in env.version.list_labels()] == ["dog", "cat"]
    assert shapes_by_filename(env.version) == {
        "a.jpg": [(ShapeKind.RECTANGLE, "dog", (10.5, 5.25, 20.0, 10.0))],
        "b.png": [(ShapeKind.POLYGON, "cat", ((1.5, 1.0), (20.0, 1.0), (10.0, 15.25)))],
    }


def test_an_image_no_asset_matches_is_refused_or_counted(env: Setup) -> None:
    document = coco_document()
    document["images"].append({"id": 3, "file_name": "zzz.jpg", "width": 5, "height": 5})
    document["annotations"].append({"id": 3, "image_id": 3, "category_id": 1, "bbox": [0, 0, 1, 1]})
    path = write(env.folder / "c.json", document)

    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotations_coco_file(path)
    assert caught.value.details == {"file": str(path), "item": "image 'zzz.jpg'"}
    assert nothing_stored(env.version)

    summary = env.version.import_annotations_coco_file(path, fail_on_asset_not_found=False)
    assert (summary.assets_not_found, summary.not_found) == (1, ["zzz.jpg"])
    assert summary.assets_matched == 2 and summary.shapes_created == 2


def test_a_shape_partly_outside_is_clipped_and_one_wholly_outside_refused(env: Setup) -> None:
    overhanging = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [50, -4, 20, 10]}]
    summary = env.version.import_annotations_coco_file(
        write(env.folder / "c.json", coco_document(overhanging))
    )
    assert summary.shapes_clipped == 1
    assert shapes_by_filename(env.version)["a.jpg"] == [
        (ShapeKind.RECTANGLE, "dog", (50.0, 0.0, 14.0, 6.0))
    ]

    outside = [{"id": 9, "image_id": 2, "category_id": 1, "bbox": [100, 10, 5, 5]}]
    path = write(env.folder / "out.json", coco_document(outside))
    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotations_coco_file(path)
    assert caught.value.details == {"file": str(path), "item": "annotation 9"}
    assert "wholly outside" in str(caught.value)
    assert env.version.retrieve_stats().nb_objects == 1


@pytest.mark.parametrize(
    ("content", "item"),
    [
        (b"{oops", "line 1"),
        (coco_document([{"id": 4, "image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1]}]), None),
        (coco_document([{"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 0, 1]}]), None),
    ],
    ids=["not-json", "unknown-image", "zero-width"],
)
def test_a_refused_coco_file_stores_nothing(
    env: Setup, content: bytes | dict[str, Any], item: str | None
) -> None:
    path = write(env.folder / "bad.json", content)

    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotations_coco_file(path)

    assert caught.value.details["file"] == str(path)
    assert caught.value.details["item"] == (item or "annotation 4")
    assert nothing_stored(env.version)


def test_unknown_labels_are_refused_without_force_create_label(env: Setup) -> None:
    env.version.create_label("dog")
    path = write(env.folder / "c.json", coco_document())

    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotations_coco_file(path, force_create_label=False)

    assert caught.value.details["item"] == "label 'cat'"
    assert env.version.retrieve_stats().nb_annotations == 0
    assert [label.name for label in env.version.list_labels()] == ["dog"]


# Modes


def test_modes_replace_keep_and_concatenate(env: Setup) -> None:
    first = write(env.folder / "first.json", coco_document())
    box = [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 1, 2, 2]}]
    only_a = coco_document(box)
    only_a["images"] = only_a["images"][:1]
    second = write(env.folder / "second.json", only_a)
    env.version.import_annotations_coco_file(first)

    kept = env.version.import_annotations_coco_file(second, mode=ImportAnnotationMode.KEEP)
    assert (kept.assets_kept, kept.shapes_created) == (1, 0)
    assert len(shapes_by_filename(env.version)["a.jpg"]) == 1

    added = env.version.import_annotations_coco_file(second, mode="concatenate")
    assert (added.annotations_extended, added.shapes_created) == (1, 1)
    assert len(shapes_by_filename(env.version)["a.jpg"]) == 2

    replaced = env.version.import_annotations_coco_file(second)  # REPLACE, the default
    assert (replaced.annotations_replaced, replaced.annotations_created) == (1, 1)
    assert shapes_by_filename(env.version)["a.jpg"] == [
        (ShapeKind.RECTANGLE, "cat", (1.0, 1.0, 2.0, 2.0))
    ]
    assert "b.png" in shapes_by_filename(env.version)  # not named by the second file


def test_status_and_worker(env: Setup) -> None:
    worker = env.version.list_annotations and env.client.get_dataset("d").list_workers()[0]
    env.version.import_annotations_coco_file(
        write(env.folder / "c.json", coco_document()),
        worker=worker,
        status=AnnotationStatus.ACCEPTED,
    )
    annotations = env.version.list_annotations(status="ACCEPTED")
    assert len(annotations) == 2 and {a.worker_id for a in annotations} == {worker.id}


def test_a_member_imports_as_itself_but_not_as_another_worker(
    env: Setup, platform: AppContext
) -> None:
    username = f"member-{uuid.uuid4().hex[:8]}"
    _user, token = create_user(platform, username, env.client.organization_name, role=Role.MEMBER)
    if env.client.mode == "embedded":
        member = Client(workspace=env.client.workspace, api_token=token)
    else:
        member = Client(api_token=token, host=str(env.client._connection.http.base_url))
    with member:
        version = member.get_dataset("d").get_version("v1")
        owner = member.get_dataset("d").find_worker(env.client.username)
        path = write(env.folder / "c.json", coco_document())
        with pytest.raises(ForbiddenError):
            version.import_annotations_coco_file(path, worker=owner)
        assert nothing_stored(env.version)
        assert version.import_annotations_coco_file(path).annotations_created == 2


def test_importing_into_a_locked_version_is_refused(env: Setup) -> None:
    env.version.lock()
    with pytest.raises(LockedError):
        env.version.import_annotations_coco_file(write(env.folder / "c.json", coco_document()))
    env.version.unlock()
    assert nothing_stored(env.version)


def test_another_organizations_version_is_not_found(env: Setup, other_client: Client) -> None:
    body = frame_header("c.json", 2) + b"{}"
    with pytest.raises(NotFoundError):
        other_client._connection.request(
            "POST",
            f"/versions/{env.version.id}/annotations/import",
            params={"format": "COCO"},
            content=body,
            headers={"content-type": BUNDLE_CONTENT_TYPE},
        )
    assert nothing_stored(env.version)


def test_an_import_over_the_size_limit_answers_413(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unique_image: Callable[..., Path]
) -> None:
    monkeypatch.setenv("PIXLAKE_MAX_ANNOTATION_IMPORT_BYTES", "100")
    with Client(workspace=tmp_path / "small") as client:
        version = client.create_dataset("d").create_version("v")
        version.add_data(client.get_datalake().upload_data([unique_image("a.jpg")]))
        path = write(tmp_path / "c.json", coco_document())
        with pytest.raises(PayloadTooLargeError) as caught:
            version.import_annotations_coco_file(path)
        assert caught.value.limit == "max_annotation_import_bytes"
        assert version.retrieve_stats().nb_annotations == 0


# YOLO


def test_yolo_names_mapping_stems_and_a_folder_of_labels(env: Setup) -> None:
    config = write(env.folder / "data.yaml", "names:\n  0: dog\n  1: cat\n")
    labels = env.folder / "labels"
    write(labels / "a.txt", "1 0.5 0.5 0.25 0.5\n")
    write(labels / "c.txt", "0 0.1 0.25 0.9 0.25 0.5 0.75\n")  # the image is c.jpeg
    write(labels / "b.txt", "")  # an image without shapes

    summary = env.version.import_annotations_yolo_files(config, labels)

    assert (summary.assets_matched, summary.annotations_created) == (3, 3)
    assert summary.shapes_created == 2
    found = shapes_by_filename(env.version)
    assert found["a.jpg"] == [(ShapeKind.RECTANGLE, "cat", (24.0, 12.0, 16.0, 24.0))]
    assert found["c.jpeg"] == [
        (ShapeKind.POLYGON, "dog", ((5.0, 10.0), (45.0, 10.0), (25.0, 30.0)))
    ]
    assert [label.name for label in env.version.list_labels()] == ["dog", "cat"]


def test_yolo_names_as_a_list_and_labels_as_a_list(env: Setup) -> None:
    config = write(env.folder / "data.yaml", "names: [dog, cat]\n")
    summary = env.version.import_annotations_yolo_files(
        config, [write(env.folder / "b.txt", "0 0.5 0.5 1 1\n")]
    )
    assert shapes_by_filename(env.version)["b.png"] == [
        (ShapeKind.RECTANGLE, "dog", (0.0, 0.0, 80.0, 60.0))
    ]
    assert summary.shapes_clipped == 0


@pytest.mark.parametrize(
    ("config", "rows", "item"),
    [
        ("names: [dog\n", "0 0.5 0.5 0.2 0.2\n", "line 2"),
        ("names: [dog]\n", "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n", "line 2"),
        ("names: [dog]\n", "0 0.5 1.5 0.2 0.2\n", "line 1"),
        ("names: [dog]\n", "0 0.5 0.5 0.2\n", "line 1"),
    ],
    ids=["not-yaml", "class-not-in-names", "outside-0-1", "wrong-field-count"],
)
def test_a_refused_yolo_import_stores_nothing(
    env: Setup, config: str, rows: str, item: str
) -> None:
    config_path = write(env.folder / "data.yaml", config)
    label_path = write(env.folder / "a.txt", rows)

    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotations_yolo_files(config_path, [label_path])

    assert caught.value.details["item"] == item
    assert caught.value.details["file"] in (str(config_path), str(label_path))
    assert nothing_stored(env.version)


# Pascal VOC


def voc(filename: str, *boxes: tuple[str, float, float, float, float]) -> str:
    objects = "".join(
        f"<object><name>{name}</name><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
        f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
        for name, x0, y0, x1, y1 in boxes
    )
    return f"<annotation><filename>{filename}</filename>{objects}</annotation>"


def test_voc_folder_and_single_file(env: Setup) -> None:
    folder = env.folder / "Annotations"
    write(folder / "a.xml", voc("a.jpg", ("dog", 1, 2, 11, 7.5), ("cat", 0, 0, 64, 48)))
    write(folder / "b.xml", voc("b.png"))

    summary = env.version.import_annotations_voc_files(folder)

    assert (summary.assets_matched, summary.shapes_created, summary.labels_created) == (2, 2, 2)
    assert shapes_by_filename(env.version)["a.jpg"] == [
        (ShapeKind.RECTANGLE, "dog", (1.0, 2.0, 10.0, 5.5)),
        (ShapeKind.RECTANGLE, "cat", (0.0, 0.0, 64.0, 48.0)),
    ]
    single = write(env.folder / "c.xml", voc("c.jpeg", ("cat", 5, 5, 10, 10)))
    assert env.version.import_annotation_voc_file(single).assets_matched == 1


def test_voc_with_entities_is_refused(env: Setup) -> None:
    path = write(
        env.folder / "a.xml",
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<annotation><filename>&e;</filename></annotation>",
    )
    with pytest.raises(AnnotationFileError) as caught:
        env.version.import_annotation_voc_file(path)
    assert "entity" in str(caught.value) and caught.value.details["file"] == str(path)
    assert nothing_stored(env.version)


# Whole datasets


def coco_folder(root: Path, images: dict[str, list[Path]]) -> Path:
    """A COCO dataset folder: one box per image, in the splits given."""
    for split, files in images.items():
        entries = [
            {"id": index, "file_name": file.name, "width": 64, "height": 48}
            for index, file in enumerate(files, start=1)
        ]
        boxes = [
            {"id": index, "image_id": index, "category_id": 1, "bbox": [1.5, 2, 10, 10]}
            for index in range(1, len(files) + 1)
        ]
        for file in files:
            write(root / "images" / split / file.name, file.read_bytes())
        write(
            root / "annotations" / f"instances_{split}.json",
            {"images": entries, "annotations": boxes, "categories": [{"id": 1, "name": "dog"}]},
        )
    return root


def test_import_dataset_coco_folder_tags_splits(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    train = [unique_image("t1.jpg"), unique_image("t2.jpg")]
    root = coco_folder(tmp_path / "coco", {"train": train, "val": [unique_image("v1.jpg")]})

    version = client.import_dataset(root, "coco", "imported")

    assert (version.version, version.type) == ("initial", InferenceType.OBJECT_DETECTION)
    stats = version.retrieve_stats()
    assert (stats.nb_assets, stats.nb_annotations, stats.nb_objects) == (3, 3, 3)
    assert stats.tag_repartition == {"train": 2, "val": 1}
    assert [a.filename for a in version.list_assets(tags="val")] == ["v1.jpg"]
    assert client.get_dataset("imported").get_version("initial").id == version.id


def test_import_dataset_refuses_an_existing_version_before_uploading(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    client.create_dataset("imported").create_version("initial")
    root = coco_folder(tmp_path / "coco", {"train": [unique_image("t1.jpg")]})

    with pytest.raises(ConflictError):
        client.import_dataset(root, "coco", "imported")

    assert len(client.get_datalake().list_data()) == 0


def test_import_dataset_yolo_and_voc_folders(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    yolo = tmp_path / "yolo"
    write(yolo / "data.yaml", "path: .\ntrain: images/train\nnames:\n  0: dog\n")
    write(yolo / "images" / "train" / "a.jpeg", unique_image("a.jpeg", 64, 48).read_bytes())
    write(yolo / "labels" / "train" / "a.txt", "0 0.1 0.1 0.9 0.1 0.5 0.9\n")

    version = client.import_dataset(yolo, "YOLO", "yolo-set", version_name="v")
    assert version.type is InferenceType.SEGMENTATION
    assert version.retrieve_stats().nb_objects == 1

    voc_root = tmp_path / "voc"
    write(voc_root / "JPEGImages" / "b.jpg", unique_image("b.jpg", 64, 48).read_bytes())
    write(voc_root / "Annotations" / "b.xml", voc("b.jpg", ("cat", 1, 1, 5, 5)))
    write(voc_root / "ImageSets" / "Main" / "val.txt", "b\n")
    version = client.import_dataset(voc_root, "pascal_voc", "voc-set")
    assert version.retrieve_stats().tag_repartition == {"val": 1}
    assert version.retrieve_stats().label_repartition == {"cat": 1}


def test_import_dataset_refuses_a_missing_image_before_storing(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    root = coco_folder(tmp_path / "coco", {"train": [unique_image("t1.jpg")]})
    (root / "images" / "train" / "t1.jpg").unlink()
    write(root / "images" / "train" / "other.jpg", unique_image("other.jpg").read_bytes())

    with pytest.raises(FileMissingError) as caught:
        client.import_dataset(root, "coco", "imported")

    assert caught.value.details["item"] == "t1.jpg"
    assert client.list_datasets() == [] and len(client.get_datalake().list_data()) == 0


def test_import_dataset_refuses_a_file_that_is_not_an_image(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    root = coco_folder(tmp_path / "coco", {"train": [unique_image("t1.jpg")]})
    write(root / "images" / "train" / "broken.jpg", b"not an image at all")

    with pytest.raises(Exception) as caught:
        client.import_dataset(root, "coco", "imported")

    assert "broken.jpg" in str(caught.value)
    assert client.list_datasets() == [] and len(client.get_datalake().list_data()) == 0


def test_import_dataset_refuses_names_leaving_the_folder(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    root = coco_folder(tmp_path / "coco", {"train": [unique_image("t1.jpg")]})
    document_path = root / "annotations" / "instances_train.json"
    document = json.loads(document_path.read_text())
    lone = tmp_path / "lone" / "c.json"
    write(lone.parent / "t1.jpg", (root / "images" / "train" / "t1.jpg").read_bytes())
    document["images"][0]["file_name"] = "../t1.jpg"
    write(lone, document)
    with pytest.raises(InvalidFilenameError):
        client.import_dataset(lone, "coco", "imported")

    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(document_path, "annotations/instances_train.json")
        zipped.writestr("../escaped.jpg", b"x")
    with pytest.raises(InvalidFilenameError) as caught:
        client.import_dataset(archive, "coco", "imported")
    assert caught.value.details["item"] == "../escaped.jpg"
    assert not (tmp_path / "escaped.jpg").exists()
    assert client.list_datasets() == []


def test_import_dataset_from_a_zip_and_a_lone_coco_file(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    root = coco_folder(tmp_path / "coco", {"train": [unique_image("t1.jpg")]})
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in root.rglob("*"):
            zipped.write(path, f"set/{path.relative_to(root)}")
    assert client.import_dataset(archive, "coco", "zipped").retrieve_stats().nb_objects == 1

    lone = tmp_path / "lone"
    write(lone / "t1.jpg", (root / "images" / "train" / "t1.jpg").read_bytes())
    document = json.loads((root / "annotations" / "instances_train.json").read_text())
    write(lone / "c.json", document)
    version = client.import_dataset(lone / "c.json", "coco", "lone")
    assert version.retrieve_stats().tag_repartition == {"train": 1}


# Ultralytics' classification layout, <split>/<label>/<image>


def classes_of(version: DatasetVersion) -> dict[str, list[str]]:
    """The classification labels of each asset, by filename."""
    names = {label.id: label.name for label in version.list_labels()}
    found: dict[str, list[str]] = {}
    for annotation in version.list_annotations():
        filename = version.find_asset(id=annotation.asset_id).filename
        for shape in annotation.list_shapes():
            assert shape.kind is ShapeKind.CLASSIFICATION
            found.setdefault(filename, []).append(names[shape.label_id])
    return {name: sorted(labels) for name, labels in found.items()}


def classification_folder(root: Path, images: dict[str, Path]) -> Path:
    """``images`` by their path in the layout (``<split>/<label>/<name>``)."""
    for path, image in images.items():
        write(root / path, image.read_bytes())
    return root


def test_import_dataset_yolo_classification_folder(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    a, b, c = unique_image("a.jpg"), unique_image("b.png"), unique_image("c.jpeg")
    root = classification_folder(
        tmp_path / "classes",
        {
            "train/dog/a.jpg": a,
            "train/cat/a.jpg": a,  # one image with two labels, as the export writes it
            "train/cat/b.png": b,
            "val/zebra/c.jpeg": c,
        },
    )
    (root / "train" / "cat" / "notes.txt").write_text("not an image, left aside")

    version = client.import_dataset(root, "YOLO", "classes")

    assert version.type is InferenceType.CLASSIFICATION
    # labels in name order, the order Ultralytics gives class ids in
    assert [label.name for label in version.list_labels()] == ["cat", "dog", "zebra"]
    assert classes_of(version) == {"a.jpg": ["cat", "dog"], "b.png": ["cat"], "c.jpeg": ["zebra"]}
    stats = version.retrieve_stats()
    assert (stats.nb_assets, stats.nb_annotations) == (3, 3)
    assert stats.tag_repartition == {"train": 2, "val": 1}


def test_import_dataset_refuses_a_bad_classification_folder_before_storing(
    client: Client, unique_image: Callable[..., Path], tmp_path: Path
) -> None:
    two_of_one_name = classification_folder(
        tmp_path / "clash",
        {"train/cat/a.jpg": unique_image("a.jpg"), "val/dog/a.jpg": unique_image("a.jpg")},
    )
    with pytest.raises(InvalidFilenameError) as caught:
        client.import_dataset(two_of_one_name, "YOLO", "classes")
    assert caught.value.details["item"] == "a.jpg"
    assert caught.value.details["file"].endswith("a.jpg")

    stray = classification_folder(
        tmp_path / "stray",
        {"train/cat/a.jpg": unique_image("a.jpg"), "train/loose.jpg": unique_image("l.jpg")},
    )
    with pytest.raises(BadRequestError) as refused:
        client.import_dataset(stray, "YOLO", "classes")
    assert refused.value.details["file"] == str(stray / "train" / "loose.jpg")

    broken = classification_folder(tmp_path / "broken", {"train/cat/a.jpg": unique_image()})
    write(broken / "train" / "cat" / "broken.jpg", b"not an image at all")
    with pytest.raises(Exception) as failed:
        client.import_dataset(broken, "YOLO", "classes")
    assert "broken.jpg" in str(failed.value)

    empty = tmp_path / "empty"
    (empty / "train" / "cat").mkdir(parents=True)
    with pytest.raises(FileMissingError):
        client.import_dataset(empty, "YOLO", "classes")

    assert client.list_datasets() == [] and len(client.get_datalake().list_data()) == 0


def bundle(*frames: tuple[str, bytes]) -> bytes:
    return b"".join(frame_header(name, len(content)) + content for name, content in frames)


@pytest.mark.parametrize(
    ("frames", "item_file"),
    [
        ([("train/cat/a.jpg", b"bytes")], "train/cat/a.jpg"),  # an entry holds no content
        ([("train/cat/a.jpg", b""), ("a.jpg", b"")], "a.jpg"),  # no label folder
    ],
)
def test_a_bad_classification_entry_is_refused_naming_it(
    env: Setup, frames: list[tuple[str, bytes]], item_file: str
) -> None:
    answer = env.client._connection.http.post(
        f"/versions/{env.version.id}/annotations/import",
        params={"format": "YOLO", "classification": "true"},
        content=bundle(*frames),
        headers={"content-type": BUNDLE_CONTENT_TYPE},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == AnnotationFileError.code
    assert answer.json()["details"]["file"] == item_file
    assert nothing_stored(env.version)


def test_the_classification_layout_is_yolos_only(env: Setup) -> None:
    answer = env.client._connection.http.post(
        f"/versions/{env.version.id}/annotations/import",
        params={"format": "COCO", "classification": "true"},
        content=bundle(("train/cat/a.jpg", b"")),
        headers={"content-type": BUNDLE_CONTENT_TYPE},
    )
    assert answer.status_code == 400 and answer.json()["details"]["format"] == "COCO"
    assert nothing_stored(env.version)


def test_classification_entries_import_into_a_version(env: Setup) -> None:
    answer = env.client._connection.http.post(
        f"/versions/{env.version.id}/annotations/import",
        params={"format": "YOLO", "classification": "true"},
        content=bundle(("train/cat/a.jpg", b""), ("val/dog/a.jpg", b""), ("x/dog/b.png", b"")),
        headers={"content-type": BUNDLE_CONTENT_TYPE},
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert (summary["assets_matched"], summary["shapes_created"]) == (2, 3)
    assert classes_of(env.version) == {"a.jpg": ["cat", "dog"], "b.png": ["dog"]}
