"""Tags: names attached to objects of one target kind."""

from __future__ import annotations

from typing import Any

from pixlake.enums import Target
from pixlake.schemas import TagPublic
from pixlake.sdk.base import SdkObject

__all__ = ["Tag"]


class Tag(SdkObject[TagPublic]):
    """A tag; its name is unique in its organization for its target."""

    @property
    def name(self) -> str:
        return self._schema.name

    @property
    def target(self) -> Target:
        return self._schema.target

    @property
    def target_type(self) -> Target:
        """Alias of ``target``, the name the Picsellia SDK uses."""
        return self._schema.target

    def sync(self) -> dict[str, Any]:
        """Refresh this tag from the platform; returns its fields as a dict, as every
        object's ``sync`` does (and the Picsellia SDK's)."""
        self._schema = TagPublic.model_validate(self._connection.request("GET", f"/tags/{self.id}"))
        return self._schema.model_dump(mode="json")

    def update(self, name: str) -> None:
        """Rename the tag; a name already taken for its target raises ConflictError."""
        self._schema = TagPublic.model_validate(
            self._connection.request("PATCH", f"/tags/{self.id}", json={"name": name})
        )

    def delete(self) -> None:
        """Delete the tag; it is detached from every object."""
        self._connection.request("DELETE", f"/tags/{self.id}")

    def __repr__(self) -> str:
        return f"Tag(name={self.name!r}, target={self.target.value})"
