"""pixlake's objects as the Picsellia SDK reads them (its ``types/schemas.py``).

Ids are dashed UUID text and enumerations upper-case, as there. What pixlake has no notion
of is answered with the value the SDK expects of a plain platform: every data is DONE, no
data source, no annotation campaign, no label group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid5

from pixlake.enums import Framework, ShapeKind
from pixlake.schemas import (
    AnnotationPublic,
    AssetPublic,
    DatalakePublic,
    DataPublic,
    DatasetPublic,
    LabelPublic,
    ModelFilePublic,
    ModelPublic,
    ModelVersionPublic,
    ShapePublic,
    TagPublic,
    VersionPublic,
    WorkerPublic,
)

__all__ = [
    "annotation_json",
    "asset_json",
    "data_json",
    "datalake_json",
    "dataset_json",
    "label_json",
    "model_file_json",
    "model_json",
    "model_version_json",
    "organization_connector",
    "page",
    "shape_json",
    "tag_json",
    "version_json",
    "worker_json",
]

_CONNECTORS = UUID("6f1c1d2e-9a57-4b8e-9a3f-2c5e1f0b7d11")
"""Namespace of the connector ids: the SDK needs one per organization to upload at all."""


def organization_connector(organization_id: UUID) -> UUID:
    """The organization's one (synthetic) storage connector: stable, and no other's."""
    return uuid5(_CONNECTORS, str(organization_id))


def page(items: Sequence[Any], count: int, next_cursor: str | None = None) -> dict[str, Any]:
    return {"items": list(items), "count": count, "next_cursor": next_cursor}


def tag_json(tag: TagPublic) -> dict[str, Any]:
    return {"id": str(tag.id), "name": tag.name, "target_type": tag.target.value}


def datalake_json(datalake: DatalakePublic) -> dict[str, Any]:
    return {
        "id": str(datalake.id),
        "name": datalake.name,
        "connector_id": str(organization_connector(datalake.organization_id)),
    }


def data_json(
    data: DataPublic, url: str | None, tags: Sequence[TagPublic] | None = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": str(data.id),
        "datalake_id": str(data.datalake_id),
        "object_name": data.object_name,
        "filename": data.filename,
        "type": data.type.value,
        "content_type": data.content_type,
        "upload_status": "DONE",
        "presigned_url": url,
        "metadata": data.metadata,
        "custom_metadata": data.custom_metadata,
        "meta": {"width": data.width or 0, "height": data.height or 0},
        "data_source": None,
    }
    if tags is not None:
        answer["tags"] = [tag_json(tag) for tag in tags]
    return answer


def asset_json(
    asset: AssetPublic, url: str | None, tags: Sequence[TagPublic] | None = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": str(asset.id),
        "data": data_json(asset.to_data(), url),
        "dataset_version_id": str(asset.dataset_version_id),
    }
    if tags is not None:
        answer["tags"] = [tag_json(tag) for tag in tags]
    return answer


def dataset_json(dataset: DatasetPublic) -> dict[str, Any]:
    return {"id": str(dataset.id), "name": dataset.name, "description": dataset.description}


def version_json(
    version: VersionPublic, dataset: DatasetPublic, tags: Sequence[TagPublic] = ()
) -> dict[str, Any]:
    return {
        "id": str(version.id),
        "origin_id": str(dataset.id),
        "origin_name": dataset.name,
        "version": version.version,
        "description": version.description,
        "type": version.type.value,
        "locked": version.locked,
        "annotation_campaign_id": None,
        "tags": [tag_json(tag) for tag in tags],
    }


def label_json(label: LabelPublic) -> dict[str, Any]:
    return {"id": str(label.id), "name": label.name, "group_id": None}


def annotation_json(annotation: AnnotationPublic) -> dict[str, Any]:
    return {
        "id": str(annotation.id),
        "asset_id": str(annotation.asset_id),
        "worker_id": str(annotation.worker_id),
        "duration": annotation.duration,
        "status": annotation.status.value,
        "attributes": None,
    }


def worker_json(worker: WorkerPublic) -> dict[str, Any]:
    return {"id": str(worker.id), "username": worker.username, "user_id": str(worker.user_id)}


_COORDS_KEY = {ShapeKind.POLYGON: "polygon", ShapeKind.LINE: "line", ShapeKind.POINT: "point"}


def shape_json(shape: ShapePublic, label: LabelPublic) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": str(shape.id),
        "label": label_json(label),
        "text": shape.text,
        "attributes": None,
    }
    if shape.kind is ShapeKind.RECTANGLE:
        # The SDK's rectangles are integers: a fractional coordinate would fail its
        # validation, so each is rounded (docs/picsellia-compatibility.md).
        for key in ("x", "y", "w", "h"):
            answer[key] = _integer(getattr(shape, key))
    elif shape.kind in _COORDS_KEY:
        coords = shape.coords or []
        answer[_COORDS_KEY[shape.kind]] = coords[0] if shape.kind is ShapeKind.POINT else coords
    return answer


def _integer(value: float | None) -> int:
    return 0 if value is None else math.floor(value + 0.5)


# Models. The SDK knows four frameworks: pixlake's others (KERAS, OTHER) are shown as
# NOT_CONFIGURED (docs/picsellia-compatibility.md).
_SDK_FRAMEWORKS = frozenset({"PYTORCH", "TENSORFLOW", "ONNX", "NOT_CONFIGURED"})


def _framework(framework: Framework) -> str:
    return framework.value if framework.value in _SDK_FRAMEWORKS else "NOT_CONFIGURED"


def model_json(model: ModelPublic, tags: Sequence[TagPublic] = ()) -> dict[str, Any]:
    return {
        "id": str(model.id),
        "name": model.name,
        "description": model.description,
        "private": True,
        "type": model.type.value,
        "framework": _framework(model.framework),
        "tags": [tag_json(tag) for tag in tags],
    }


def model_version_json(version: ModelVersionPublic, model: ModelPublic) -> dict[str, Any]:
    return {
        "id": str(version.id),
        "origin": {"id": str(model.id), "name": model.name, "private": True},
        "name": version.name,
        "version": version.version,
        "labels": version.labels,
        "type": version.type.value,
        "framework": _framework(version.framework),
        "parameters": version.base_parameters,
        "description": version.description,
    }


def model_file_json(file: ModelFilePublic, url: str | None) -> dict[str, Any]:
    return {
        "id": str(file.id),
        "name": file.name,
        "object_name": file.object_name,
        "filename": file.filename,
        "large": file.large,
        "presigned_url": url,
    }
