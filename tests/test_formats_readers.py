"""The COCO, YOLO and Pascal VOC readers on bad input: each refusal is an
AnnotationFileError naming the file and the item at fault (no database needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pixlake import AnnotationFileError
from pixlake.enums import AnnotationFileType, ShapeKind
from pixlake.formats.readers.coco import read_coco
from pixlake.formats.readers.files import read_annotation_files
from pixlake.formats.readers.voc import read_voc
from pixlake.formats.readers.yolo import read_yolo_config, read_yolo_labels


def coco(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 64, "height": 48}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": [
            {"id": 7, "image_id": 1, "category_id": 1, "bbox": [10.5, 5.25, 20, 10]},
        ],
    }
    document.update(changes)
    return document


def coco_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


def annotation(**fields: Any) -> dict[str, Any]:
    return {"id": 7, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], **fields}


def refusal(call: Any, *args: Any) -> AnnotationFileError:
    with pytest.raises(AnnotationFileError) as caught:
        call(*args)
    return caught.value


# COCO


def test_coco_keeps_floats_and_category_order() -> None:
    parsed = read_coco("x.json", coco_bytes(coco()))

    assert parsed.labels == ["cat", "dog"]
    (image,) = parsed.images
    assert (image.name, image.width, image.height) == ("a.jpg", 64, 48)
    (shape,) = image.shapes
    assert (shape.kind, shape.label) == (ShapeKind.RECTANGLE, "cat")
    assert (shape.x, shape.y, shape.w, shape.h) == (10.5, 5.25, 20.0, 10.0)


def test_coco_polygons_give_one_polygon_per_ring() -> None:
    rings = [[0, 0, 10, 0, 5, 8], [20, 20, 30, 20, 30, 30, 20, 30]]
    document = coco(annotations=[annotation(segmentation=rings)])

    shapes = read_coco("x.json", coco_bytes(document)).images[0].shapes

    assert [s.kind for s in shapes] == [ShapeKind.POLYGON, ShapeKind.POLYGON]
    assert shapes[1].coords == [[20, 20], [30, 20], [30, 30], [20, 30]]


def test_coco_file_name_is_matched_by_its_last_part() -> None:
    document = coco(images=[{"id": 1, "file_name": "train/sub\\a.jpg"}])
    assert read_coco("x.json", coco_bytes(document)).images[0].name == "a.jpg"


@pytest.mark.parametrize(
    ("content", "item", "words"),
    [
        (b"{not json", "line 1", "not JSON"),
        (b"\xff\xfe\x00", None, "not JSON"),
        (coco_bytes([1, 2]), None, "JSON object"),
        (coco_bytes(coco(annotations=[annotation(image_id=9)])), "annotation 7", "image 9"),
        (coco_bytes(coco(annotations=[annotation(category_id=5)])), "annotation 7", "category 5"),
        (
            coco_bytes(coco(images=[{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "b"}])),
            "image 1",
            "twice",
        ),
        (
            coco_bytes(coco(categories=[{"id": 1, "name": "a"}, {"id": 1, "name": "b"}])),
            "category 1",
            "twice",
        ),
        (coco_bytes(coco(annotations=[annotation(), annotation()])), "annotation 7", "twice"),
        (coco_bytes(coco(annotations=[annotation(bbox=[1, 2, -3, 4])])), "annotation 7", "> 0"),
        (coco_bytes(coco(annotations=[annotation(bbox=[1, 2, 3, 0])])), "annotation 7", "> 0"),
        (
            coco_bytes(coco(annotations=[annotation(bbox=[1, 2, 3, 4])])).replace(
                b"[1, 2", b"[NaN, 2"
            ),
            "annotation 7",
            "finite",
        ),
        (coco_bytes(coco(annotations=[annotation(bbox=[1, 2, 3])])), "annotation 7", "bbox"),
        (
            coco_bytes(coco(annotations=[annotation(segmentation=[[0, 0, 1, 1]])])),
            "annotation 7",
            "at least 3 points",
        ),
        (
            coco_bytes(coco(annotations=[annotation(segmentation=[[0, 0, 1, 1, 2, 2, 3]])])),
            "annotation 7",
            "even number",
        ),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "not-an-object",
        "unknown-image",
        "unknown-category",
        "duplicate-image-id",
        "duplicate-category-id",
        "duplicate-annotation-id",
        "negative-width",
        "zero-height",
        "nan",
        "short-bbox",
        "polygon-of-2-points",
        "polygon-odd-coordinates",
    ],
)
def test_coco_bad_input(content: bytes, item: str | None, words: str) -> None:
    error = refusal(read_coco, "instances_train.json", content)

    assert error.details == {"file": "instances_train.json", "item": item}
    assert "instances_train.json" in str(error) and words in str(error)


# YOLO


def test_yolo_names_as_a_list_or_a_mapping() -> None:
    assert read_yolo_config("d.yaml", b"names: [cat, dog]\n") == {0: "cat", 1: "dog"}
    assert read_yolo_config("d.yaml", b"names:\n  0: cat\n  1: dog\n") == {0: "cat", 1: "dog"}


def test_yolo_rows_give_boxes_and_polygons_in_fractions() -> None:
    rows = b"0 0.5 0.5 0.25 0.5\n\n1 0.1 0.1 0.9 0.1 0.5 0.9\n"
    image = read_yolo_labels("labels/a.txt", rows, {0: "cat", 1: "dog"})

    assert (image.name, image.by_stem) == ("a", True)
    box, polygon = image.shapes
    assert (box.x, box.y, box.w, box.h, box.normalized) == (0.375, 0.25, 0.25, 0.5, True)
    assert polygon.coords == [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]] and polygon.label == "dog"


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (b"0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n", "class id 3 is not in names"),
        (b"0 0.5 0.5 0.2 0.2\n1 0.5 1.5 0.2 0.2\n", "outside [0, 1]"),
        (b"0 0.5 0.5 0.2 0.2\n0 -0.1 0.5 0.2 0.2\n", "outside [0, 1]"),
        (b"0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n", "4 fields"),
        (b"0 0.5 0.5 0.2 0.2\n0 0.1 0.1 0.2 0.2 0.3\n", "6 fields"),
        (b"0 0.5 0.5 0.2 0.2\nx 0.5 0.5 0.2 0.2\n", "not an integer"),
        (b"0 0.5 0.5 0.2 0.2\n0 nan 0.5 0.2 0.2\n", "outside [0, 1]"),
        (b"0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0 0.2\n", "> 0"),
    ],
    ids=[
        "unknown-class",
        "above-1",
        "negative",
        "4-fields",
        "6-fields",
        "class-not-int",
        "nan",
        "zero",
    ],
)
def test_yolo_bad_rows_name_the_line(rows: bytes, words: str) -> None:
    error = refusal(read_yolo_labels, "labels/a.txt", rows, {0: "cat", 1: "dog"})

    assert error.details == {"file": "labels/a.txt", "item": "line 2"}
    assert words in str(error)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"names: [cat\n  dog: {\n", "not YAML"),
        (b"nc: 2\n", "needs 'names'"),
        (b"names: 3\n", "list or a mapping"),
        (b"names: [a, b]\nnc: 3\n", "nc is 3"),
        (b"names:\n  -1: cat\n", "class ids"),
    ],
    ids=["not-yaml", "no-names", "names-not-a-list", "nc-mismatch", "negative-class-id"],
)
def test_yolo_bad_configuration(content: bytes, words: str) -> None:
    error = refusal(read_yolo_config, "data.yaml", content)

    assert error.details["file"] == "data.yaml" and words in str(error)


# Pascal VOC


def voc(objects: str, filename: str = "a.jpg") -> bytes:
    return (
        f"<annotation><filename>{filename}</filename>"
        "<size><width>64</width><height>48</height><depth>3</depth></size>"
        f"{objects}</annotation>"
    ).encode()


def box(name: str, xmin: str, ymin: str, xmax: str, ymax: str) -> str:
    return (
        f"<object><name>{name}</name><bndbox><xmin>{xmin}</xmin><ymin>{ymin}</ymin>"
        f"<xmax>{xmax}</xmax><ymax>{ymax}</ymax></bndbox></object>"
    )


def test_voc_boxes_use_the_documented_pixel_convention() -> None:
    image = read_voc("Annotations/a.xml", voc(box("cat", "10", "5.5", "30", "15")))

    assert (image.name, image.width, image.height, image.by_stem) == ("a.jpg", 64, 48, False)
    (shape,) = image.shapes
    assert (shape.x, shape.y, shape.w, shape.h, shape.label) == (10, 5.5, 20, 9.5, "cat")


def test_voc_without_filename_is_matched_by_stem() -> None:
    image = read_voc("Annotations/b.xml", b"<annotation></annotation>")
    assert (image.name, image.by_stem) == ("b", True)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<annotation><filename>&lol2;</filename></annotation>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<annotation><filename>&secret;</filename></annotation>"""


@pytest.mark.parametrize(
    ("content", "item", "words"),
    [
        (b"<annotation><object>", "line 1", "not XML"),
        (b"not xml at all", "line 1", "not XML"),
        (BILLION_LAUGHS, None, "entity"),
        (EXTERNAL_ENTITY, None, "entity"),
        (
            voc(box("cat", "1", "1", "5", "5") + box("dog", "9", "1", "5", "5")),
            "object 2 (dog)",
            "xmax",
        ),
        (voc(box("cat", "1", "nan", "5", "5")), "object 1 (cat)", "finite"),
        (voc(box("cat", "1", "x", "5", "5")), "object 1 (cat)", "finite"),
        (voc("<object><name>cat</name></object>"), "object 1 (cat)", "bndbox"),
        (voc(box("", "1", "1", "5", "5")), "object 1", "<name>"),
    ],
    ids=[
        "truncated",
        "not-xml",
        "entity-expansion",
        "external-entity",
        "xmax-below-xmin",
        "nan",
        "not-a-number",
        "no-bndbox",
        "no-name",
    ],
)
def test_voc_bad_input(content: bytes, item: str | None, words: str) -> None:
    error = refusal(read_voc, "Annotations/a.xml", content)

    assert error.details == {"file": "Annotations/a.xml", "item": item}
    assert words in str(error)


def test_two_files_annotating_one_image_are_refused() -> None:
    files = [("one.xml", voc("")), ("two.xml", voc(""))]
    error = refusal(read_annotation_files, AnnotationFileType.PASCAL_VOC, files)
    assert error.details == {"file": "two.xml", "item": "image 'a.jpg'"}
