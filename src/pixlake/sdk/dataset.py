"""Datasets: named collections of versions, with their workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pixlake.enums import InferenceType, Target
from pixlake.errors import NotFoundError
from pixlake.schemas import DatasetPublic, VersionPublic, WorkerPublic
from pixlake.sdk.base import SchemaField, SdkObject, Taggable, coerce_enum, get_or_create
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.page_args import check_page_args, page_of
from pixlake.sdk.worker import Worker

__all__ = ["Dataset"]


class Dataset(Taggable, SdkObject[DatasetPublic]):
    """A dataset: its versions and the workers who annotate them."""

    _tag_target = Target.DATASET

    name = SchemaField[str]()
    description = SchemaField[str]()
    organization_id = SchemaField[UUID]()
    created_at = SchemaField[datetime]()

    def sync(self) -> dict[str, Any]:
        self._schema = DatasetPublic.model_validate(
            self._connection.request("GET", f"/datasets/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def update(self, name: str | None = None, description: str | None = None) -> None:
        body = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
        self._schema = DatasetPublic.model_validate(
            self._connection.request("PATCH", f"/datasets/{self.id}", json=body)
        )

    def delete(self, force: bool = False) -> None:
        """Move this dataset (with its versions) to the trash.

        Raises:
            ConflictError: a model version is attached to one of its versions and
                ``force`` is not set.
        """
        params = {"force": "true"} if force else {}
        self._connection.request("DELETE", f"/datasets/{self.id}", params=params)

    def create_version(
        self, version: str, description: str = "", type: InferenceType | str | None = None
    ) -> DatasetVersion:
        body = {
            "version": version,
            "description": description,
            "type": coerce_enum(InferenceType, type or InferenceType.NOT_CONFIGURED).value,
        }
        row = self._connection.request("POST", f"/datasets/{self.id}/versions", json=body)
        return DatasetVersion(self._connection, VersionPublic.model_validate(row))

    def get_version(self, version: str) -> DatasetVersion:
        rows = self._connection.request(
            "GET", f"/datasets/{self.id}/versions", params={"version": version}
        )
        if not rows:
            raise NotFoundError(
                f"dataset {self.name!r} has no version {version!r}", details={"version": version}
            )
        return DatasetVersion(self._connection, VersionPublic.model_validate(rows[0]))

    def get_or_create_version(
        self, version: str, description: str = "", type: InferenceType | str | None = None
    ) -> DatasetVersion:
        """The version called ``version``, created with ``description`` and ``type`` if there
        is none (so a script can run twice); an existing version is returned as it is."""
        return get_or_create(
            lambda: self.get_version(version),
            lambda: self.create_version(version, description, type),
        )

    def get_version_by_id(self, id: UUID | str) -> DatasetVersion:
        row = self._connection.request("GET", f"/versions/{id}")
        version = DatasetVersion(self._connection, VersionPublic.model_validate(row))
        if version.dataset_id != self.id:
            raise NotFoundError(
                f"dataset {self.name!r} has no version {id}", details={"id": str(id)}
            )
        return version

    def list_versions(
        self, limit: int | None = None, offset: int | None = None
    ) -> list[DatasetVersion]:
        """The dataset's versions in creation order; ``offset`` skips the first ones,
        ``limit`` keeps at most that many (the Picsellia SDK's arguments)."""
        check_page_args(limit, offset)
        rows = self._connection.request("GET", f"/datasets/{self.id}/versions")
        return [
            DatasetVersion(self._connection, VersionPublic.model_validate(r))
            for r in page_of(rows, limit, offset)
        ]

    def add_worker(self, username: str) -> Worker:
        """Make a user of the organization a worker of this dataset."""
        row = self._connection.request(
            "POST", f"/datasets/{self.id}/workers", json={"username": username}
        )
        return Worker(self._connection, WorkerPublic.model_validate(row))

    def list_workers(self) -> list[Worker]:
        rows = self._connection.request("GET", f"/datasets/{self.id}/workers")
        return [Worker(self._connection, WorkerPublic.model_validate(r)) for r in rows]

    def find_worker(self, username: str) -> Worker:
        rows = self._connection.request(
            "GET", f"/datasets/{self.id}/workers", params={"username": username}
        )
        if not rows:
            raise NotFoundError(
                f"{username!r} is not a worker of dataset {self.name!r}",
                details={"username": username},
            )
        return Worker(self._connection, WorkerPublic.model_validate(rows[0]))

    def __repr__(self) -> str:
        return f"Dataset(name={self.name!r}, id={self.id})"
