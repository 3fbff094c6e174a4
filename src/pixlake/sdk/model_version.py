"""Model versions: a numbered state of a model, with its labels, parameters, files and the
dataset versions it learned from."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pixlake.enums import Framework, InferenceType, Target
from pixlake.errors import BadRequestError
from pixlake.schemas import ModelVersionPublic
from pixlake.sdk.base import SchemaField, SdkObject, Taggable, coerce_enum
from pixlake.sdk.model_file import FileStore

__all__ = ["ModelVersion", "labels_body"]


def labels_body(labels: Mapping[Any, str] | None) -> dict[str, str] | None:
    """``labels`` with its class indexes as text (``{0: "cat"}`` is ``{"0": "cat"}``); the
    API checks the rest."""
    if labels is None:
        return None
    if not isinstance(labels, Mapping):
        raise BadRequestError(
            f"labels must map class indexes to label names, got {labels!r}",
            details={"labels": repr(labels)},
        )
    return {
        str(index) if isinstance(index, int) and not isinstance(index, bool) else index: name
        for index, name in labels.items()
    }


class ModelVersion(FileStore, Taggable, SdkObject[ModelVersionPublic]):
    """One version of a model, numbered from 1 in creation order."""

    _tag_target = Target.MODEL_VERSION

    model_id: UUID = SchemaField()
    name: str = SchemaField()
    version: int = SchemaField()
    labels: dict[str, str] = SchemaField()
    """Class index (as text) -> label name, as the model predicts them."""
    type: InferenceType = SchemaField()
    framework: Framework = SchemaField()
    base_parameters: dict[str, Any] = SchemaField()
    description: str = SchemaField()
    created_at: datetime = SchemaField()

    def sync(self) -> dict[str, Any]:
        self._schema = ModelVersionPublic.model_validate(
            self._connection.request("GET", f"/model-versions/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def update(
        self,
        name: str | None = None,
        labels: Mapping[Any, str] | None = None,
        type: InferenceType | str | None = None,
        framework: Framework | str | None = None,
        base_parameters: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> None:
        """Change what is given; ``labels`` and ``base_parameters`` are replaced whole."""
        body: dict[str, Any] = {
            "name": name,
            "labels": labels_body(labels),
            "type": coerce_enum(InferenceType, type).value if type is not None else None,
            "framework": (
                coerce_enum(Framework, framework).value if framework is not None else None
            ),
            "base_parameters": base_parameters,
            "description": description,
        }
        self._schema = ModelVersionPublic.model_validate(
            self._connection.request(
                "PATCH",
                f"/model-versions/{self.id}",
                json={k: v for k, v in body.items() if v is not None},
            )
        )

    def delete(self) -> None:
        """Move this version (with its files) to the trash (admins only)."""
        self._connection.request("DELETE", f"/model-versions/{self.id}")

    def __repr__(self) -> str:
        return f"ModelVersion(name={self.name!r}, version={self.version}, id={self.id})"
