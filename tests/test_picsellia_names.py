"""Calls written for the public Picsellia SDK, made on pixlake's SDK.

Each test is a difference between the two SDKs' names, signatures or return values that
pixlake has closed (docs/picsellia-compatibility.md): a call a Picsellia script makes that
pixlake's SDK once refused or read otherwise. ``test_picsellia_signatures.py`` compares
the signatures themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pixlake
from pixlake import AnnotationStatus, BadRequestError, Framework, InferenceType, Role, Target
from pixlake.errors import LimitExceededError
from pixlake.limits import MAX_IDS_PER_REQUEST
from pixlake.sdk.base import coerce_enum


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[pixlake.Client]:
    """These are the SDK's own argument rules: the same in every mode, so one suffices."""
    made = pixlake.Client(workspace=tmp_path / "workspace")
    yield made
    made.close()


@pytest.fixture
def version(embedded: pixlake.Client, unique_image) -> Any:
    """A version of four assets (images a.png ... d.png) and two labels."""
    version = embedded.create_dataset("pets").create_version("v1")
    lake = embedded.get_datalake()
    version.add_data(lake.upload_data([unique_image(f"{n}.png") for n in "abcd"]))
    version.create_label("cat")
    version.create_label("dog")
    return version


def test_enumerations_are_taken_in_any_case(embedded: pixlake.Client, version: Any) -> None:
    # The Picsellia SDK's enums ``validate`` any case: "pytorch" is Framework.PYTORCH.
    model = embedded.create_model("detector", type="object_detection", framework="pytorch")
    assert (model.type, model.framework) == (InferenceType.OBJECT_DETECTION, Framework.PYTORCH)
    assert model.create_version(framework="Onnx").framework is Framework.ONNX
    model.update(type="Segmentation")
    assert model.type is InferenceType.SEGMENTATION
    version.update(type="classification")
    assert version.type is InferenceType.CLASSIFICATION
    assert version.list_annotations(status="accepted") == []
    assert [t.target for t in embedded.list_tags(target="data")] == []
    assert coerce_enum(Role, "ADMIN") is Role.ADMIN  # a name, where the value is lower case


def test_an_unknown_enumeration_value_is_still_refused(embedded: pixlake.Client) -> None:
    with pytest.raises(BadRequestError, match="PYTORCH"):
        embedded.create_model("detector", framework="pytorchh")
    with pytest.raises(BadRequestError, match="unknown AnnotationStatus"):
        coerce_enum(AnnotationStatus, "acceptedd")
    assert embedded.list_models() == []


def test_train_test_val_split_takes_none_for_its_default_ratios(version: Any) -> None:
    # Picsellia's default ratios are ``None``, meaning [0.64, 0.16, 0.20].
    by_none = version.train_test_val_split(None, random_seed=3)
    by_default = version.train_test_val_split(random_seed=3)
    assert [len(part) for part in by_none[:3]] == [len(part) for part in by_default[:3]]
    assert [[a.id for a in part] for part in by_none[:3]] == [
        [a.id for a in part] for part in by_default[:3]
    ]
    with pytest.raises(BadRequestError, match="three ratios"):
        version.train_test_val_split([])


def test_update_custom_metadata_takes_picsellias_argument_name(version: Any) -> None:
    data = version.list_assets()[0].get_data()
    data.update_custom_metadata(custom_metadata={"camera": 2})
    data.update_custom_metadata(values={"site": "north"})  # pixlake's first name, kept
    data.update_custom_metadata({"lens": "wide"})
    assert data.sync()["custom_metadata"] == {"camera": 2, "site": "north", "lens": "wide"}
    with pytest.raises(TypeError, match="not both"):
        data.update_custom_metadata({"a": 1}, values={"b": 2})
    with pytest.raises(TypeError, match="custom_metadata"):
        data.update_custom_metadata()
    assert data.sync()["custom_metadata"] == {"camera": 2, "site": "north", "lens": "wide"}


def test_create_multiple_classifications_takes_picsellias_argument_name(version: Any) -> None:
    cat, dog = version.get_label("cat"), version.get_label("dog")
    annotation = version.list_assets()[0].create_annotation()
    made = annotation.create_multiple_classifications(classifications=[cat])
    made += annotation.create_multiple_classifications(labels=[dog])
    assert [c.label_id for c in made] == [cat.id, dog.id]
    assert [c.label_id for c in annotation.list_classifications()] == [cat.id, dog.id]


def test_find_asset_takes_a_data_first(version: Any) -> None:
    # Picsellia's ``find_asset(data=None, filename=None, object_name=None, id=None)``.
    asset = version.list_assets()[1]
    data = asset.get_data()
    assert version.find_asset(data) == asset
    assert version.find_asset(data=data) == asset
    assert version.find_asset(asset.id) == asset
    with pytest.raises(TypeError, match="once"):
        version.find_asset(data, data=data)


def test_get_datalake_takes_an_id_first(embedded: pixlake.Client) -> None:
    # Picsellia's ``get_datalake(id=None, name=None)``.
    lake = embedded.create_datalake("second")
    assert embedded.get_datalake(lake.id) == lake
    assert embedded.get_datalake("second") == lake
    with pytest.raises(TypeError, match="once"):
        embedded.get_datalake(lake.id, id=lake.id)


def test_short_listings_take_limit_and_offset(embedded: pixlake.Client) -> None:
    model = embedded.create_model("detector")
    for _ in range(3):
        model.create_version()
    assert [v.version for v in model.list_versions()] == [1, 2, 3]
    assert [v.version for v in model.list_versions(limit=2)] == [1, 2]
    assert [v.version for v in model.list_versions(1, 1)] == [2]
    assert [v.version for v in model.list_versions(offset=2)] == [3]

    dataset = embedded.create_dataset("pets")
    for name in ("v1", "v2", "v3"):
        dataset.create_version(name)
    embedded.create_dataset("cars")
    assert [v.version for v in dataset.list_versions(limit=1, offset=1)] == ["v2"]
    assert [d.name for d in embedded.list_datasets(offset=1)] == ["cars"]
    assert [d.name for d in embedded.list_datasets(limit=1)] == ["pets"]
    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(BadRequestError, match="limit"):
            model.list_versions(limit=bad)
        with pytest.raises(BadRequestError, match="offset"):
            embedded.list_datasets(offset=bad)


def test_import_annotation_voc_file_takes_the_status_fifth(version: Any, tmp_path: Path) -> None:
    # Picsellia's ``(file_path, worker, mode, force_create_label, status)``.
    xml = tmp_path / "a.xml"
    xml.write_text(
        "<annotation><filename>a.png</filename><object><name>cat</name><bndbox>"
        "<xmin>1</xmin><ymin>2</ymin><xmax>11</xmax><ymax>7</ymax></bndbox></object>"
        "</annotation>"
    )
    summary = version.import_annotation_voc_file(xml, None, "REPLACE", True, "ACCEPTED")
    assert summary.assets_matched == 1
    (annotation,) = version.find_asset(filename="a.png").list_annotations()
    assert annotation.status is AnnotationStatus.ACCEPTED


def test_tag_sync_returns_the_fields_as_every_sync_does(embedded: pixlake.Client) -> None:
    tag = embedded.create_tag("raw", "DATA")
    fields = tag.sync()
    assert isinstance(fields, dict)
    assert (fields["name"], fields["target"], fields["id"]) == ("raw", "DATA", str(tag.id))


def test_objects_name_their_tag_target_and_origin(embedded: pixlake.Client, version: Any) -> None:
    assets = version.list_assets()
    model = embedded.create_model("detector")
    model_version = model.create_version()
    dataset = embedded.get_dataset("pets")
    assert (assets.target_type, assets[0].target_type) == (Target.ASSET, Target.ASSET)
    data = assets.as_multidata()
    assert (data.target_type, data[0].target_type) == (Target.DATA, Target.DATA)
    assert (dataset.target_type, version.target_type) == (Target.DATASET, Target.DATASET_VERSION)
    assert (model.target_type, model_version.target_type) == (Target.MODEL, Target.MODEL_VERSION)
    assert (version.origin_id, model_version.origin_id) == (dataset.id, model.id)


def test_an_asset_downloads_its_file(version: Any, tmp_path: Path) -> None:
    asset = version.find_asset(filename="b.png")
    expected = asset.get_data()
    asset.download(tmp_path / "out")
    written = tmp_path / "out" / "b.png"
    assert written.stat().st_size == expected.size
    written.write_bytes(b"kept")
    asset.download(tmp_path / "out")  # an existing file is kept...
    assert written.read_bytes() == b"kept"
    asset.download(tmp_path / "out", force_replace=True)  # ...unless replaced
    assert written.stat().st_size == expected.size


def test_listings_take_picsellias_ids(embedded: pixlake.Client, version: Any) -> None:
    # Picsellia's ``list_assets(ids=...)`` and ``list_data(ids=...)``.
    assets = version.list_assets()
    wanted = [assets[3].id, str(assets[1].id)]
    assert [a.filename for a in version.list_assets(ids=wanted)] == ["b.png", "d.png"]
    assert [a.filename for a in version.list_assets(ids=assets[2].id)] == ["c.png"]
    assert [a.filename for a in version.list_assets(ids=wanted, filenames=["d.png"])] == ["d.png"]
    assert len(version.list_assets(ids=[])) == 0
    lake = embedded.get_datalake()
    data = assets.as_multidata()
    assert [d.filename for d in lake.list_data(ids=[data[0].id, data[2].id])] == ["a.png", "c.png"]
    assert [d.filename for d in lake.list_data(ids=str(data[1].id))] == ["b.png"]


def test_too_many_ids_is_a_limit(embedded: pixlake.Client, version: Any) -> None:
    too_many = [uuid.uuid4() for _ in range(MAX_IDS_PER_REQUEST + 1)]
    with pytest.raises(LimitExceededError):
        version.list_assets(ids=too_many)
    with pytest.raises(LimitExceededError):
        embedded.get_datalake().list_data(ids=too_many)
    with pytest.raises(BadRequestError):
        version.list_assets(ids=["not-an-id"])
