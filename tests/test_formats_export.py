"""Exports to COCO, YOLO and Pascal VOC: every rule of docs/formats.md, checked on real
photographs (scikit-image's bundled ones, one with an EXIF rotation) and by the tools users
validate with (pycocotools' COCOeval, globox), in embedded and in server mode."""

from __future__ import annotations

import contextlib
import io
import json
import os
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import globox
import numpy as np
import pytest
import yaml
from PIL import Image, ImageOps
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from skimage import data as skdata

from pixlake import (
    AnnotationFileType,
    AnnotationStatus,
    BadRequestError,
    Client,
    InferenceType,
    LimitExceededError,
    NotAFolderError,
    NotFoundError,
    UnsafePathError,
    UnsupportedShapeError,
)
from pixlake.core.context import AppContext
from pixlake.core.services import exports as export_service
from pixlake.core.services.accounts import create_user
from pixlake.samples import make_image
from pixlake.sdk.asset import Asset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.exporting import _unpack, safe_member_path

# (filename, photograph, EXIF orientation): displayed sizes are what the formats must say
PHOTOS = [
    ("astronaut.jpg", "astronaut", None),  # 512 x 512
    ("chelsea.jpg", "chelsea", None),  # 451 x 300
    ("coffee.jpeg", "coffee", None),  # 600 x 400, a .jpeg whose YOLO file is coffee.txt
    ("rotated.jpg", "chelsea", 6),  # stored 451 x 300, displayed 300 x 451
]
DISPLAYED = {
    "astronaut.jpg": (512, 512),
    "chelsea.jpg": (451, 300),
    "coffee.jpeg": (600, 400),
    "rotated.jpg": (300, 451),
    "empty.jpg": (64, 48),
}
BOXES: dict[str, list[tuple[float, float, float, float, str]]] = {
    "astronaut.jpg": [(10.5, 20.25, 100.125, 50.0, "cat"), (200.0, 300.0, 40.0, 60.0, "dog")],
    "chelsea.jpg": [(0.1, 0.2, 33.3, 44.4, "dog")],
    "coffee.jpeg": [(300.0, 100.0, 99.5, 80.0, "cat")],
    # below the stored height (300) but inside the displayed one (451)
    "rotated.jpg": [(10.0, 400.0, 50.0, 40.0, "cat")],
    "empty.jpg": [],
}
POLYGONS: dict[str, list[tuple[list[list[float]], str]]] = {
    "astronaut.jpg": [([[10.0, 10.0], [110.5, 10.0], [60.25, 90.75]], "cat")],
    "chelsea.jpg": [([[5.0, 5.0], [45.0, 5.0], [45.0, 35.0], [5.0, 35.0]], "dog")],
    "coffee.jpeg": [([[300.0, 100.0], [399.5, 120.0], [350.0, 180.0]], "cat")],
    "rotated.jpg": [([[10.0, 400.0], [60.0, 400.0], [35.0, 440.0]], "dog")],
    "empty.jpg": [],
}
SPLITS = {
    "train": ["astronaut.jpg", "chelsea.jpg", "empty.jpg"],
    "val": ["coffee.jpeg", "rotated.jpg"],
}
BOTH = {"train": "train", "val": "val"}


def _photo(folder: Path, filename: str, name: str, orientation: int | None) -> Path:
    path = folder / filename
    image = Image.fromarray(getattr(skdata, name)()).convert("RGB")
    if orientation is None:
        image.save(path, quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, quality=90, exif=exif)
    return path


@pytest.fixture(scope="session")
def photo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    files = [_photo(folder, *spec) for spec in PHOTOS]
    files.append(make_image(folder / "empty.jpg", 64, 48))
    return files


@dataclass
class Env:
    version: DatasetVersion
    assets: dict[str, Asset]
    label_order: list[str] = field(default_factory=lambda: ["cat", "dog"])


def _version(
    client: Client,
    photo_files: list[Path],
    kind: str = "boxes",
    type: InferenceType = InferenceType.OBJECT_DETECTION,
) -> Env:
    data = client.get_datalake().upload_data(photo_files)
    version = client.create_dataset(f"photos-{kind}").create_version("v1", type=type)
    assets = {asset.filename: asset for asset in version.add_data(data)}
    labels = {name: version.create_label(name) for name in ("cat", "dog")}
    for filename, asset in assets.items():
        if filename == "empty.jpg":
            continue
        annotation = asset.create_annotation()
        if kind == "boxes":
            for x, y, w, h, label in BOXES[filename]:
                annotation.create_rectangle(x, y, w, h, labels[label])
        elif kind == "polygons":
            for coords, label in POLYGONS[filename]:
                annotation.create_polygon(coords, labels[label])
        else:
            annotation.create_classification(labels["dog" if "chelsea" in filename else "cat"])
    for split, filenames in SPLITS.items():
        for filename in filenames:
            assets[filename].add_tags(split)
    return Env(version, assets)


@pytest.fixture
def boxes(client: Client, photo_files: list[Path]) -> Env:
    return _version(client, photo_files)


@pytest.fixture
def polygons(client: Client, photo_files: list[Path]) -> Env:
    return _version(client, photo_files, "polygons", InferenceType.SEGMENTATION)


def _quiet_coco(path: Path) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def _self_ap(path: Path, iou_type: str) -> float:
    """COCOeval of the ground truth in ``path`` against itself (every annotation as a
    detection of score 1): AP at IoU 0.5:0.95."""
    ground_truth = _quiet_coco(path)
    detections = [{**a, "score": 1.0} for a in json.loads(path.read_text())["annotations"]]
    with contextlib.redirect_stdout(io.StringIO()):
        results = ground_truth.loadRes(detections)
        evaluation = COCOeval(ground_truth, results, iou_type)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return float(evaluation.stats[0])


# COCO


def test_coco_file_follows_every_rule(boxes: Env, tmp_path: Path) -> None:
    written = Path(boxes.version.export_annotation_file(AnnotationFileType.COCO, tmp_path))
    assert written.suffix == ".json" and written.parent == tmp_path.resolve()
    document = json.loads(written.read_text())
    assert document["categories"] == [
        {"id": 1, "name": "cat", "supercategory": ""},
        {"id": 2, "name": "dog", "supercategory": ""},
    ]
    images = {image["file_name"]: image for image in document["images"]}
    assert [image["id"] for image in document["images"]] == list(range(1, 6))
    assert set(images) == set(DISPLAYED)
    for name, (width, height) in DISPLAYED.items():
        assert (images[name]["width"], images[name]["height"]) == (width, height)
    annotations = document["annotations"]
    assert [a["id"] for a in annotations] == list(range(1, len(annotations) + 1))
    by_image: dict[str, list[dict[str, Any]]] = {}
    file_of = {image["id"]: name for name, image in images.items()}
    for annotation in annotations:
        assert annotation["iscrowd"] == 0
        _x, _y, w, h = annotation["bbox"]
        assert annotation["area"] == w * h
        by_image.setdefault(file_of[annotation["image_id"]], []).append(annotation)
    for name, expected in BOXES.items():
        got = [
            (*a["bbox"], boxes.label_order[a["category_id"] - 1]) for a in by_image.get(name, [])
        ]
        assert got == expected  # floats exactly as stored
    assert _self_ap(written, "bbox") == 1.0


def test_build_coco_file_locally_is_the_file(boxes: Env, tmp_path: Path) -> None:
    built = boxes.version.build_coco_file_locally()
    written = json.loads(Path(boxes.version.export_annotation_file("COCO", tmp_path)).read_text())
    for key in ("categories", "images", "annotations"):
        assert built[key] == written[key]


def test_coco_polygons_are_segments_with_their_bounds_and_area(
    polygons: Env, tmp_path: Path
) -> None:
    written = Path(polygons.version.export_annotation_file("COCO", tmp_path))
    document = json.loads(written.read_text())
    triangle = next(a for a in document["annotations"] if a["image_id"] == 1)
    assert triangle["segmentation"] == [[10.0, 10.0, 110.5, 10.0, 60.25, 90.75]]
    assert triangle["bbox"] == [10.0, 10.0, 100.5, 80.75]
    assert triangle["area"] == pytest.approx(100.5 * 80.75 / 2)
    ground_truth = _quiet_coco(written)
    mask = ground_truth.annToMask(ground_truth.loadAnns([triangle["id"]])[0])
    assert mask.shape == (512, 512)
    assert abs(int(mask.sum()) - triangle["area"]) / triangle["area"] < 0.05
    assert _self_ap(written, "segm") == 1.0
    assert _self_ap(written, "bbox") == 1.0


def test_coco_folder_has_one_document_per_split_with_the_same_categories(
    boxes: Env, tmp_path: Path
) -> None:
    folder = boxes.version.export(
        tmp_path / "coco", "COCO", splits={"train": "train", "val": "val"}
    )
    categories = []
    for split, filenames in SPLITS.items():
        path = folder / "annotations" / f"instances_{split}.json"
        document = json.loads(path.read_text())
        categories.append(document["categories"])
        assert sorted(image["file_name"] for image in document["images"]) == sorted(filenames)
        assert [image["id"] for image in document["images"]] == list(range(1, len(filenames) + 1))
        for name in filenames:  # file_name is relative to images/<split>/
            assert (folder / "images" / split / name).is_file()
        ground_truth = _quiet_coco(path)
        for image in ground_truth.dataset["images"]:
            with Image.open(folder / "images" / split / image["file_name"]) as opened:
                shown = ImageOps.exif_transpose(opened)
                assert shown.size == (image["width"], image["height"])
        assert _self_ap(path, "bbox") == 1.0
    assert categories[0] == categories[1]
    assert not (folder / ".pixlake").exists()


# YOLO


def _yolo_rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()]


def test_yolo_folder_is_the_ultralytics_layout(boxes: Env, tmp_path: Path) -> None:
    folder = boxes.version.export(
        tmp_path / "yolo", "YOLO", splits={"train": "train", "val": "val"}
    )
    config = yaml.safe_load((folder / "data.yaml").read_text())
    assert config["path"] == str(folder)
    assert config["train"] == "images/train" and config["val"] == "images/val"
    assert config["names"] == {0: "cat", 1: "dog"}
    for split, filenames in SPLITS.items():
        for name in filenames:
            stem = Path(name).stem
            label_file = folder / "labels" / split / f"{stem}.txt"
            assert label_file.is_file() and (folder / "images" / split / name).is_file()
            rows = _yolo_rows(label_file)
            width, height = DISPLAYED[name]
            expected = [
                [
                    boxes.label_order.index(label),
                    *((x + w / 2) / width, (y + h / 2) / height, w / width, h / height),
                ]
                for x, y, w, h, label in BOXES[name]
            ]
            assert len(rows) == len(expected)
            for row, want in zip(rows, expected, strict=True):
                assert len(row) == 5 and int(row[0]) == want[0] < len(config["names"])
                values = [float(v) for v in row[1:]]
                assert all(0.0 <= v <= 1.0 for v in values)
                assert values == pytest.approx(want[1:], abs=1e-12)
    assert (folder / "labels" / "train" / "empty.txt").read_text() == ""
    assert (folder / "labels" / "val" / "coffee.txt").is_file()  # the .jpeg's stem

    # an independent reader finds the same boxes (the train split: no EXIF rotation there)
    read = globox.AnnotationSet.from_yolo_v5(
        folder / "labels" / "train", image_folder=folder / "images" / "train"
    )
    for name in SPLITS["train"]:
        found = read[name]
        got = sorted(
            (box.xmin, box.ymin, box.xmax - box.xmin, box.ymax - box.ymin, int(box.label))
            for box in found.boxes
        )
        want = sorted(
            (x, y, w, h, boxes.label_order.index(label)) for x, y, w, h, label in BOXES[name]
        )
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            assert a[:4] == pytest.approx(b[:4], abs=1e-6) and a[4] == b[4]


def test_yolo_annotation_file_is_a_zip_of_txt_and_data_yaml(boxes: Env, tmp_path: Path) -> None:
    written = Path(boxes.version.export_annotation_file("YOLO", tmp_path))
    assert written.suffix == ".zip"
    with zipfile.ZipFile(written) as archive:
        names = set(archive.namelist())
        config = yaml.safe_load(archive.read("data.yaml"))
        rotated = archive.read("rotated.txt").decode().split()
    assert names == {"data.yaml"} | {f"{Path(n).stem}.txt" for n in DISPLAYED}
    assert config["names"] == {0: "cat", 1: "dog"}
    # normalised by the displayed size (300 x 451), not the stored one
    assert [float(v) for v in rotated[1:]] == pytest.approx(
        [35 / 300, 420 / 451, 50 / 300, 40 / 451], abs=1e-12
    )


def test_yolo_polygons_are_segment_rows(polygons: Env, tmp_path: Path) -> None:
    folder = polygons.version.export(tmp_path / "seg", "YOLO", with_images=False)
    rows = _yolo_rows(folder / "labels" / "train" / "astronaut.txt")
    assert len(rows) == 1 and rows[0][0] == "0" and len(rows[0]) == 1 + 2 * 3
    assert [float(v) for v in rows[0][1:]] == pytest.approx(
        [10 / 512, 10 / 512, 110.5 / 512, 10 / 512, 60.25 / 512, 90.75 / 512], abs=1e-12
    )
    assert not (folder / "images" / "train").exists()  # with_images=False


def test_classification_version_exports_the_ultralytics_classification_layout(
    client: Client, photo_files: list[Path], tmp_path: Path
) -> None:
    env = _version(client, photo_files, "classes", InferenceType.CLASSIFICATION)
    folder = env.version.export(tmp_path / "cls", "YOLO", splits=BOTH)
    found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert found == [
        "train/cat/astronaut.jpg",
        "train/dog/chelsea.jpg",
        "val/cat/coffee.jpeg",
        "val/cat/rotated.jpg",
    ]  # empty.jpg has no class: left out
    with pytest.raises(UnsupportedShapeError, match="CLASSIFICATION") as refused:
        env.version.export_annotation_file("YOLO", tmp_path / "file")
    assert refused.value.details["format"] == "YOLO"


# VOC


def test_voc_folder_uses_the_documented_pixel_convention(boxes: Env, tmp_path: Path) -> None:
    folder = boxes.version.export(
        tmp_path / "voc", "PASCAL_VOC", splits={"train": "train", "val": "val"}
    )
    for split, filenames in SPLITS.items():
        stems = (folder / "ImageSets" / "Main" / f"{split}.txt").read_text().split()
        assert sorted(stems) == sorted(Path(n).stem for n in filenames)
    for name in DISPLAYED:
        assert (folder / "JPEGImages" / name).is_file()
    xml = (folder / "Annotations" / "astronaut.xml").read_text()
    assert "<xmin>10.5</xmin>" in xml and "<xmax>110.625</xmax>" in xml
    assert "<ymin>300</ymin>" in xml  # integral values without .0
    assert "<width>300</width>" in (folder / "Annotations" / "rotated.xml").read_text()

    read = globox.AnnotationSet.from_pascal_voc(folder / "Annotations")
    for name, expected in BOXES.items():
        found = read[name]
        assert (found.image_width, found.image_height) == DISPLAYED[name]
        got = sorted((b.label, b.xmin, b.ymin, b.xmax, b.ymax) for b in found.boxes)
        want = sorted((label, x, y, x + w, y + h) for x, y, w, h, label in expected)
        assert [g[0] for g in got] == [w[0] for w in want]
        for g, w in zip(got, want, strict=True):
            assert g[1:] == pytest.approx(w[1:], abs=1e-9)


def test_voc_annotation_file_is_a_zip_of_xml(boxes: Env, tmp_path: Path) -> None:
    written = Path(boxes.version.export_annotation_file("PASCAL_VOC", tmp_path))
    with zipfile.ZipFile(written) as archive:
        assert set(archive.namelist()) == {f"{Path(n).stem}.xml" for n in DISPLAYED}


# Shapes a format cannot hold


def test_voc_refuses_polygons_naming_format_and_kind(polygons: Env, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedShapeError, match="PASCAL_VOC cannot hold POLYGON") as refused:
        polygons.version.export(tmp_path / "voc", "PASCAL_VOC")
    assert refused.value.details == {"format": "PASCAL_VOC", "kind": "POLYGON", "count": 4}
    assert list((tmp_path / "voc").iterdir()) == []  # nothing written


def test_yolo_refuses_boxes_and_segments_together(boxes: Env, tmp_path: Path) -> None:
    label = boxes.version.get_label("cat")
    boxes.assets["chelsea.jpg"].get_annotation().create_polygon([[1, 1], [9, 1], [5, 7]], label)
    with pytest.raises(UnsupportedShapeError, match="RECTANGLE and POLYGON"):
        boxes.version.export_annotation_file("YOLO", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_coco_refuses_points_and_lines(boxes: Env, tmp_path: Path) -> None:
    label = boxes.version.get_label("dog")
    boxes.assets["coffee.jpeg"].get_annotation().create_point([5, 5], label)
    with pytest.raises(UnsupportedShapeError, match="COCO cannot hold POINT") as refused:
        boxes.version.build_coco_file_locally()
    assert refused.value.details["kind"] == "POINT"


# Selection: worker, status, assets, latest annotation


def test_the_latest_annotation_a_worker_and_a_status_are_exported(
    boxes: Env, client: Client, platform: AppContext
) -> None:
    colleague = f"colleague-{os.urandom(4).hex()}"
    create_user(platform, colleague, client.organization_name)
    dataset = client.get_dataset("photos-boxes")
    theirs = dataset.add_worker(colleague)
    asset = boxes.assets["astronaut.jpg"]
    later = asset.create_annotation(worker=theirs)
    later.create_rectangle(1, 2, 3, 4, boxes.version.get_label("dog"))
    later.update(status=AnnotationStatus.ACCEPTED)

    def astronaut_boxes(document: dict[str, Any]) -> list[list[float]]:
        image_id = next(i["id"] for i in document["images"] if i["file_name"] == "astronaut.jpg")
        return [a["bbox"] for a in document["annotations"] if a["image_id"] == image_id]

    # no worker: the latest annotation of each asset (the colleague's)
    assert astronaut_boxes(boxes.version.build_coco_file_locally()) == [[1, 2, 3, 4]]
    mine = dataset.find_worker(client.username)
    assert astronaut_boxes(boxes.version.build_coco_file_locally(worker=mine)) == [
        [10.5, 20.25, 100.125, 50.0],
        [200.0, 300.0, 40.0, 60.0],
    ]
    accepted = boxes.version.build_coco_file_locally(status="ACCEPTED")
    assert len(accepted["images"]) == 5 and len(accepted["annotations"]) == 1
    only = boxes.version.build_coco_file_locally(
        assets=[boxes.assets["coffee.jpeg"], boxes.assets["empty.jpg"]]
    )
    assert sorted(i["file_name"] for i in only["images"]) == ["coffee.jpeg", "empty.jpg"]


def test_export_reads_the_database_page_by_page(
    boxes: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = boxes.version.build_coco_file_locally()
    monkeypatch.setattr(export_service, "EXPORT_PAGE", 2)  # the servers run in this process
    paged = boxes.version.build_coco_file_locally()
    assert paged["images"] == whole["images"]
    assert paged["annotations"] == whole["annotations"]


# Files on disk


def test_images_are_skipped_when_the_same_bytes_are_there(boxes: Env, tmp_path: Path) -> None:
    folder = boxes.version.export(tmp_path / "coco", "COCO")
    kept = folder / "images" / "train" / "astronaut.jpg"
    damaged = folder / "images" / "train" / "chelsea.jpg"
    original = damaged.read_bytes()
    damaged.write_bytes(b"not the picture")
    before = kept.stat().st_mtime_ns, kept.stat().st_ino
    boxes.version.export(folder, "COCO")
    assert damaged.read_bytes() == original  # rewritten: its checksum differed
    assert (kept.stat().st_mtime_ns, kept.stat().st_ino) == before  # same bytes: kept
    assert not [p for p in folder.rglob("*.part")]


def test_force_replace_false_keeps_an_annotation_file(boxes: Env, tmp_path: Path) -> None:
    written = Path(boxes.version.export_annotation_file("COCO", tmp_path))
    written.write_text("{}")
    kept = boxes.version.export_annotation_file("COCO", tmp_path, force_replace=False)
    assert Path(kept).read_text() == "{}"
    boxes.version.export_annotation_file("COCO", tmp_path)
    assert json.loads(written.read_text())["images"]


def test_a_target_that_is_a_file_is_refused(boxes: Env, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("a file")
    with pytest.raises(NotAFolderError, match="taken"):
        boxes.version.export(target, "COCO")
    with pytest.raises(NotAFolderError):
        boxes.version.export_annotation_file("YOLO", target)
    assert target.read_text() == "a file"


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/escape.txt", "a/../../b.txt", "C:x.txt"])
def test_zip_entries_leaving_the_target_are_refused(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "x")
    root = (tmp_path / "root").resolve()
    root.mkdir()
    with zipfile.ZipFile(buffer) as archive, pytest.raises(UnsafePathError) as refused:
        _unpack(archive, root)
    assert refused.value.details["filename"] == name
    assert not (tmp_path / "escape.txt").exists() and list(root.iterdir()) == []


def test_manifest_paths_leaving_the_target_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        safe_member_path(tmp_path.resolve(), "images/../../x.jpg")


def test_a_label_that_cannot_name_a_folder_is_refused(
    client: Client, photo_files: list[Path], tmp_path: Path
) -> None:
    env = _version(client, photo_files, "classes", InferenceType.CLASSIFICATION)
    env.version.get_label("cat").update(name="../cat")
    with pytest.raises(UnsafePathError, match=r"\.\./cat"):
        env.version.export(tmp_path / "cls", "YOLO")


# Organizations


def test_another_organizations_version_is_not_found(boxes: Env, other_client: Client) -> None:
    with pytest.raises(NotFoundError):
        other_client._connection.request(
            "POST", f"/versions/{boxes.version.id}/export", json={"format": "COCO"}
        )
    stranger = DatasetVersion(other_client._connection, boxes.version._schema)
    with pytest.raises(NotFoundError):
        stranger.build_coco_file_locally()


def test_openapi_documents_the_export_route(client: Client) -> None:
    document = client._connection.request("GET", "/openapi.json")
    operation = document["paths"]["/versions/{version_id}/export"]["post"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "application/zip"}
    assert {"400", "404"} <= set(operation["responses"])


def test_displayed_size_comes_from_exif(photo_files: list[Path]) -> None:
    """The fixture's rotated photograph is stored on its side (a check of the test data)."""
    rotated = next(p for p in photo_files if p.name == "rotated.jpg")
    with Image.open(rotated) as opened:
        assert opened.size == (451, 300)
    assert np.asarray(skdata.chelsea()).shape[:2] == (300, 451)


# Bounds of an export request


def test_too_many_asset_ids_are_refused_naming_the_limit(boxes: Env, client: Client) -> None:
    body = {"format": "COCO", "asset_ids": [str(uuid.uuid4()) for _ in range(10_001)]}
    with pytest.raises(LimitExceededError) as refused:
        client._connection.request("POST", f"/versions/{boxes.version.id}/export", json=body)
    assert refused.value.limit == "max_ids_per_request"


@pytest.mark.parametrize("name", ["../up", ".hidden", "a/b", "", "x" * 65])
def test_a_split_name_that_is_not_a_folder_name_is_refused(
    boxes: Env, tmp_path: Path, name: str
) -> None:
    with pytest.raises(BadRequestError):
        boxes.version.export(tmp_path / "out", "COCO", splits={name: "train"})
    assert list((tmp_path / "out").iterdir()) == []


def test_a_split_of_an_unknown_tag_is_not_found(boxes: Env, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        boxes.version.export(tmp_path / "out", "YOLO", splits={"train": "nope"})
