"""pixlake's SDK against the public Picsellia SDK's names and signatures.

pixlake's SDK takes the Picsellia SDK's names wherever its own reference (the seed and its
issues) is silent (docs/picsellia-compatibility.md). Each method both SDKs offer is read
with ``inspect.signature`` on both sides: a parameter of Picsellia's that pixlake's method
lacks, or one that sits at another place among the positional parameters, is a script of
theirs that breaks on pixlake. The differences pixlake keeps on purpose are listed here,
each with its reason; any other one fails. ``test_picsellia_names.py`` makes the calls
whose differences were closed.
"""

from __future__ import annotations

import inspect
import os

os.environ.setdefault("PICSELLIA_SDK_CUSTOM_LOGGING", "1")  # see test_picsellia_compat.py

from typing import Any

import pytest
from picsellia import Client as PicselliaClient
from picsellia.sdk import (
    annotation,
    asset,
    classification,
    data,
    datalake,
    dataset,
    dataset_version,
    label,
    line,
    model,
    model_file,
    model_version,
    point,
    polygon,
    rectangle,
    tag,
)

import pixlake

PAIRS: dict[str, Any] = {
    "Client": PicselliaClient,
    "Datalake": datalake.Datalake,
    "Data": data.Data,
    "MultiData": data.MultiData,
    "Dataset": dataset.Dataset,
    "DatasetVersion": dataset_version.DatasetVersion,
    "Asset": asset.Asset,
    "MultiAsset": asset.MultiAsset,
    "Annotation": annotation.Annotation,
    "Rectangle": rectangle.Rectangle,
    "Polygon": polygon.Polygon,
    "Classification": classification.Classification,
    "Point": point.Point,
    "Line": line.Line,
    "Label": label.Label,
    "Tag": tag.Tag,
    "Model": model.Model,
    "ModelVersion": model_version.ModelVersion,
    "ModelFile": model_file.ModelFile,
}
"""pixlake's class name -> the Picsellia SDK's class of the same name."""

_NOT_PIXLAKES_MODEL_VERSION_FIELDS = {
    "docker_image_name",
    "docker_flags",
    "thumb_object_name",
    "notebook_link",
    "docker_env_variables",
    "docker_tag",
}
"""A model version's Docker image, notebook and thumbnail, which pixlake does not keep."""

NOT_TAKEN: dict[str, set[str]] = {
    # ``use_id``: deprecated by the Picsellia SDK itself (``export_key`` replaces it).
    # ``order_by``: pixlake lists in creation order; ``page_size``, ``load_asset_page_size``:
    # pixlake pages by key on its side; ``private``: everything is the organization's;
    # ``wait``: pixlake's jobs are done within their request.
    "*": {"use_id", "order_by", "page_size", "load_asset_page_size", "private", "wait"},
    # pixlake knows neither organizations by id or name in the client nor a session object:
    # a token belongs to one organization.
    "Client.__init__": {"organization_id", "organization_name", "session"},
    "Client.list_users": {"username"},
    # pixlake keeps no object names a user could name, and no data sources, charts, error
    # managers or upload folders (docs/picsellia-compatibility.md).
    "Datalake.find_data": {"object_name"},
    "Datalake.list_data": {"intersect_tags", "object_names", "custom_metadata"},
    "Datalake.upload_data": {
        "source",
        "error_manager",
        "metadata",
        "fill_metadata",
        "wait_for_unprocessable_data",
        "upload_dir",
        "custom_metadata",
        "sizes",
    },
    "DatasetVersion.find_asset": {"object_name"},
    "DatasetVersion.list_assets": {
        "data_tags",
        "intersect_tags",
        "intersect_data_tags",
        "object_names",
        "filenames_startswith",
        "assignment_status",
        "assignment_step_id",
        "assignment_user_id",
        "custom_metadata",
    },
    "DatasetVersion.list_annotations": {"offset"},
    "DatasetVersion.build_coco_file_locally": {
        "enforced_ordered_categories",
        "export_key",
        "chunk_size",
    },
    "DatasetVersion.export_annotation_file": {"export_video", "export_key"},
    "DatasetVersion.import_annotations_coco_file": {"export_key"},
    # A fork copies the whole version, its labels and asset tags with it (docs/api.md).
    "DatasetVersion.fork": {"assets", "type", "with_tags", "with_labels"},
    "Label.update": {"group_id"},
    # Docker images, notebooks and thumbnails are not pixlake's (docs/models.md).
    "Model.create_version": _NOT_PIXLAKES_MODEL_VERSION_FIELDS,
    "ModelVersion.update": _NOT_PIXLAKES_MODEL_VERSION_FIELDS,
    # An annotation is its worker's for good; masks are not stored; ``overwrite`` replaces
    # shapes only (in one request per chunk of shapes), the duration is ``update``'s.
    "Annotation.update": {"worker"},
    "Annotation.overwrite": {"duration", "masks"},  # duration: ``update(duration=)``
}
"""Parameters of the Picsellia SDK's methods that pixlake's do not take, on purpose."""

PLACED_OTHERWISE: set[str] = {
    # Issue 12 gives these their order (name first, as in ``create_model``); Picsellia's
    # first ones are arguments pixlake does not take (docker fields) or takes by name.
    "Model.create_version",
    "Model.update",
    "ModelVersion.update",
    # The positions Picsellia gives before these are arguments pixlake does not take
    # (``organization_id``, ``object_name``, ``page_size``, ``source``, ``private``,
    # ``assets``, ``enforced_ordered_categories``, ``worker``): only a call naming them
    # reaches them in both SDKs.
    "Client.__init__",
    "Datalake.find_data",
    "Datalake.list_data",
    "Datalake.upload_data",
    "Dataset.update",
    "DatasetVersion.list_assets",
    "DatasetVersion.fork",
    "DatasetVersion.build_coco_file_locally",
    "Annotation.update",
    # pixlake's seed-era order (id first); a Data given first is taken as ``data``, as
    # Picsellia's ``find_asset(data)`` means it (test_find_asset_takes_a_data_first).
    "DatasetVersion.find_asset",
    # The datalake first by name in pixlake (``get_datalake("lake")``), by id in Picsellia.
    "Client.get_datalake",
}
"""Methods whose positional parameters pixlake orders otherwise, on purpose."""


def _parameters(function: Any) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(function).parameters.values() if p.name != "self"]


def _shared_methods() -> list[tuple[str, str]]:
    pairs = []
    for name, theirs in PAIRS.items():
        ours = getattr(pixlake, name)
        # Objects are built from the wire, never by users: only the client's __init__ counts.
        public = [a for a in dir(theirs) if not a.startswith("_")]
        for attr in sorted([*public, "__init__"] if name == "Client" else public):
            their = inspect.getattr_static(theirs, attr, None)
            our = inspect.getattr_static(ours, attr, None)
            if callable(their) and callable(our):
                pairs.append((name, attr))
    return pairs


SHARED = _shared_methods()


def test_the_comparison_covers_the_methods_of_the_issues() -> None:
    for method in [
        ("Client", "create_model"),
        ("Client", "list_models"),
        ("Model", "create_version"),
        ("Model", "list_versions"),
        ("ModelVersion", "store"),
        ("ModelFile", "download"),
        ("DatasetVersion", "list_assets"),
        ("DatasetVersion", "train_test_val_split"),
        ("DatasetVersion", "split_into_multi_assets"),
        ("Data", "update_custom_metadata"),
    ]:
        assert method in SHARED


@pytest.mark.parametrize(("cls", "method"), SHARED, ids=[f"{c}.{m}" for c, m in SHARED])
def test_picsellia_parameters_are_taken_by_name(cls: str, method: str) -> None:
    theirs = _parameters(getattr(PAIRS[cls], method))
    ours = {p.name for p in _parameters(getattr(getattr(pixlake, cls), method))}
    listed = NOT_TAKEN.get(f"{cls}.{method}", set())
    missing = {p.name for p in theirs if p.kind is not p.VAR_KEYWORD} - ours
    assert not missing - NOT_TAKEN["*"] - listed, f"{cls}.{method} lacks {sorted(missing)}"
    assert listed <= missing, f"{cls}.{method} takes {sorted(listed - missing)} now: unlist"


def _misplaced(cls: str, method: str) -> list[str]:
    """Picsellia's parameters that pixlake's method takes at another position."""
    theirs = [p.name for p in _parameters(getattr(PAIRS[cls], method))]
    ours = [
        p.name
        for p in _parameters(getattr(getattr(pixlake, cls), method))
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return [
        f"{name!r} is Picsellia's positional argument {index}, pixlake's {ours.index(name)}"
        for index, name in enumerate(theirs)
        if name in ours and ours.index(name) != index
    ]


IN_PLACE = [pair for pair in SHARED if ".".join(pair) not in PLACED_OTHERWISE]


@pytest.mark.parametrize(("cls", "method"), IN_PLACE, ids=[f"{c}.{m}" for c, m in IN_PLACE])
def test_picsellia_positional_parameters_keep_their_place(cls: str, method: str) -> None:
    assert not _misplaced(cls, method), f"{cls}.{method}: {_misplaced(cls, method)}"


@pytest.mark.parametrize("name", sorted(PLACED_OTHERWISE))
def test_the_methods_listed_as_ordered_otherwise_still_are(name: str) -> None:
    cls, method = name.split(".")
    assert (cls, method) in SHARED
    assert _misplaced(cls, method), f"{name} now keeps Picsellia's order: unlist it"


NOT_OFFERED: dict[str, set[str]] = {
    # pixlake's objects keep their connection private.
    "*": {"connection", "connexion"},
    # No shape attributes, embeddings, label groups, data connectors or keypoint order.
    "Annotation": {"attributes"},
    "Rectangle": {"attributes"},
    "Polygon": {"attributes"},
    "Classification": {"attributes"},
    "Line": {"attributes"},
    "Point": {"attributes", "order"},
    "Label": {"group_id"},
    "Datalake": {"connector_id"},
    # Files are written by filename, never by id (``use_id`` is deprecated there too).
    "Asset": {"embeddings", "id_with_extension"},
    "Data": {"embeddings", "id_with_extension", "upload_status"},
    "ModelFile": {"id_with_extension"},
    # The organization is ``organization_id`` / ``organization_name`` on pixlake's client.
    "Client": {"id", "name"},
    # Every model is its organization's; a version's model is ``origin_id``.
    "Model": {"private"},
    "ModelVersion": {"origin_name"},
}
"""Properties of the Picsellia SDK's objects that pixlake's do not offer, on purpose."""


def _properties(cls: Any) -> list[str]:
    return sorted(
        name
        for name in dir(cls)
        if not name.startswith("_") and isinstance(inspect.getattr_static(cls, name), property)
    )


PROPERTIES = [(name, prop) for name, theirs in PAIRS.items() for prop in _properties(theirs)]


@pytest.mark.parametrize(("cls", "prop"), PROPERTIES, ids=[f"{c}.{p}" for c, p in PROPERTIES])
def test_picsellia_properties_are_offered(cls: str, prop: str) -> None:
    # A single object is not a list of ids in pixlake (a MultiAsset's ``ids`` is).
    single = set() if cls.startswith("Multi") else {"ids"}
    if prop in NOT_OFFERED["*"] | NOT_OFFERED.get(cls, set()) | single:
        assert inspect.getattr_static(getattr(pixlake, cls), prop, None) is None  # still true
        return
    assert inspect.getattr_static(getattr(pixlake, cls), prop, None) is not None, (
        f"pixlake's {cls} lacks the Picsellia SDK's {prop!r}"
    )
