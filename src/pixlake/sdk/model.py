"""Models: a named line of trained versions in the registry (docs/models.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.enums import Framework, InferenceType, Target
from pixlake.errors import NotFoundError
from pixlake.schemas import ModelPublic, ModelVersionPublic
from pixlake.sdk.base import SchemaField, SdkObject, Taggable
from pixlake.sdk.model_fields import given_fields
from pixlake.sdk.model_version import ModelVersion
from pixlake.sdk.page_args import check_page_args, page_of

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = ["Model"]


class Model(Taggable, SdkObject[ModelPublic]):
    """A model of the registry and its versions."""

    _tag_target = Target.MODEL

    _connection: Connection  # SdkObject's, named for the checker (Taggable's comes first)

    name = SchemaField[str]()
    description = SchemaField[str]()
    type = SchemaField[InferenceType]()
    framework = SchemaField[Framework]()
    organization_id = SchemaField[UUID]()
    created_at = SchemaField[datetime]()

    def sync(self) -> dict[str, Any]:
        self._schema = ModelPublic.model_validate(
            self._connection.request("GET", f"/models/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def update(
        self,
        name: str | None = None,
        description: str | None = None,
        type: InferenceType | str | None = None,
        framework: Framework | str | None = None,
    ) -> None:
        """Change what is given."""
        body = given_fields(name=name, description=description, type=type, framework=framework)
        self._schema = ModelPublic.model_validate(
            self._connection.request("PATCH", f"/models/{self.id}", json=body)
        )

    def delete(self) -> None:
        """Move this model (with its versions) to the trash (admins only)."""
        self._connection.request("DELETE", f"/models/{self.id}")

    def create_version(
        self,
        name: str | None = None,
        labels: Mapping[Any, str] | None = None,
        type: InferenceType | str | None = None,
        framework: Framework | str | None = None,
        base_parameters: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> ModelVersion:
        """The model's next version, numbered 1, 2, ... in creation order and named after
        its number unless ``name`` is given; ``type`` and ``framework`` default to the
        model's. ``labels`` maps class index to label name (``{"0": "cat"}``)."""
        body = given_fields(
            name=name,
            labels=labels,
            type=type,
            framework=framework,
            base_parameters=base_parameters,
            description=description,
        )
        return self._version(
            self._connection.request("POST", f"/models/{self.id}/versions", json=body)
        )

    def get_version(self, version: int | str) -> ModelVersion:
        """A version by number (an int) or by name (a str)."""
        is_number = isinstance(version, int) and not isinstance(version, bool)
        params = {"version": str(version)} if is_number else {"name": version}
        rows = self._connection.request("GET", f"/models/{self.id}/versions", params=params)
        if not rows:
            raise NotFoundError(
                f"model {self.name!r} has no version {version!r}",
                details={"version": str(version)},
            )
        return self._version(rows[0])

    def get_version_by_id(self, id: UUID | str) -> ModelVersion:
        version = self._version(self._connection.request("GET", f"/model-versions/{id}"))
        if version.model_id != self.id:
            raise NotFoundError(f"model {self.name!r} has no version {id}", details={"id": str(id)})
        return version

    def list_versions(
        self, limit: int | None = None, offset: int | None = None
    ) -> list[ModelVersion]:
        """The model's versions by number; ``offset`` skips the first ones, ``limit`` keeps
        at most that many (the Picsellia SDK's arguments)."""
        check_page_args(limit, offset)
        rows = self._connection.request("GET", f"/models/{self.id}/versions")
        return [self._version(row) for row in page_of(rows, limit, offset)]

    def _version(self, row: Any) -> ModelVersion:
        return ModelVersion(self._connection, ModelVersionPublic.model_validate(row))

    def __repr__(self) -> str:
        return f"Model(name={self.name!r}, id={self.id})"
