"""Labels of a dataset version."""

from __future__ import annotations

from uuid import UUID

from pixlake.schemas import LabelPublic
from pixlake.sdk.base import SchemaField, SdkObject

__all__ = ["Label"]


class Label(SdkObject[LabelPublic]):
    """A class name shapes are drawn with; it belongs to one dataset version."""

    name = SchemaField[str]()
    dataset_version_id = SchemaField[UUID]()

    def update(self, name: str) -> None:
        """Rename the label (ConflictError if the version has one of that name)."""
        self._schema = LabelPublic.model_validate(
            self._connection.request("PATCH", f"/labels/{self.id}", json={"name": name})
        )

    def delete(self) -> None:
        """Delete the label; refused (ConflictError) while shapes use it."""
        self._connection.request("DELETE", f"/labels/{self.id}")

    def __repr__(self) -> str:
        return f"Label(name={self.name!r})"
