"""Model versions: a numbered state of a model, with its labels, parameters, files and the
dataset versions it learned from."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.enums import Framework, InferenceType, Target
from pixlake.errors import BadRequestError
from pixlake.schemas import AttachedDatasetVersion, ModelVersionPublic
from pixlake.sdk.base import SchemaField, SdkObject, Taggable
from pixlake.sdk.model_fields import given_fields
from pixlake.sdk.model_file import FileStore

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection
    from pixlake.sdk.dataset_version import DatasetVersion

__all__ = ["ModelVersion"]


def _id_of(dataset_version: Any) -> UUID:
    """The id of a DatasetVersion (or of an id given as such)."""
    from pixlake.sdk.dataset_version import DatasetVersion

    if isinstance(dataset_version, DatasetVersion):
        return dataset_version.id
    if isinstance(dataset_version, UUID):
        return dataset_version
    if isinstance(dataset_version, str):
        try:
            return UUID(dataset_version)
        except ValueError:
            pass
    raise BadRequestError(
        f"expected a DatasetVersion, got {dataset_version!r}",
        details={"dataset_version": repr(dataset_version)},
    )


class ModelVersion(FileStore, Taggable, SdkObject[ModelVersionPublic]):
    """One version of a model, numbered from 1 in creation order."""

    _tag_target = Target.MODEL_VERSION

    _connection: Connection  # SdkObject's, named for the checker (Taggable's comes first)

    model_id = SchemaField[UUID]()
    name = SchemaField[str]()
    version = SchemaField[int]()
    labels = SchemaField[dict[str, str]]()
    """Class index (as text) -> label name, as the model predicts them."""
    type = SchemaField[InferenceType]()
    framework = SchemaField[Framework]()
    base_parameters = SchemaField[dict[str, Any]]()
    description = SchemaField[str]()
    created_at = SchemaField[datetime]()

    @property
    def origin_id(self) -> UUID:
        """The id of the model of this version (the Picsellia SDK's name for it)."""
        return self.model_id

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
        body = given_fields(
            name=name,
            labels=labels,
            type=type,
            framework=framework,
            base_parameters=base_parameters,
            description=description,
        )
        self._schema = ModelVersionPublic.model_validate(
            self._connection.request("PATCH", f"/model-versions/{self.id}", json=body)
        )

    def delete(self) -> None:
        """Move this version (with its files) to the trash (admins only)."""
        self._connection.request("DELETE", f"/model-versions/{self.id}")

    # Lineage

    def attach_dataset_version(self, dataset_version: DatasetVersion, name: str = "train") -> None:
        """Record that this version was trained (or evaluated...) on ``dataset_version``;
        ``name`` says for what (train, val, test...). Attaching it again under the same
        name changes nothing; attaching locks nothing."""
        self._connection.request(
            "POST",
            f"/model-versions/{self.id}/dataset-versions",
            json={"dataset_version_id": str(_id_of(dataset_version)), "name": name},
        )

    def list_attached_dataset_versions(self, name: str | None = None) -> list[DatasetVersion]:
        """The dataset versions attached to this version, in attachment order, each once;
        with ``name``, those attached under that name only."""
        from pixlake.sdk.dataset_version import DatasetVersion

        params = {"name": name} if name is not None else {}
        rows = self._connection.request(
            "GET", f"/model-versions/{self.id}/dataset-versions", params=params
        )
        attached = [AttachedDatasetVersion.model_validate(row) for row in rows]
        versions = {a.dataset_version_id: a.dataset_version for a in attached}
        return [DatasetVersion(self._connection, version) for version in versions.values()]

    def detach_dataset_version(
        self, dataset_version: DatasetVersion, name: str | None = None
    ) -> None:
        """Remove the attachment under ``name`` (under every name when None); what is not
        attached is left as it is."""
        params = {"name": name} if name is not None else {}
        self._connection.request(
            "DELETE",
            f"/model-versions/{self.id}/dataset-versions/{_id_of(dataset_version)}",
            params=params,
        )

    def __repr__(self) -> str:
        return f"ModelVersion(name={self.name!r}, version={self.version}, id={self.id})"
