"""Request bodies of the compatibility routes, bounded like pixlake's own."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import ConfigDict, Field

from pixlake.enums import InferenceType
from pixlake.errors import BadRequestError
from pixlake.limits import (
    MAX_IDS_PER_REQUEST,
    MAX_NAME_LENGTH,
    MAX_TAGS_PER_REQUEST,
    MAX_TEXT_LENGTH,
)
from pixlake.schemas import Name, WireModel

__all__ = [
    "AssetsAdd",
    "CompatModel",
    "DataCreate",
    "DatasetCreate",
    "IdsBody",
    "ListBody",
    "NameBody",
    "ObjectNameBody",
    "ObjectNameRequest",
    "VersionCreate",
]


Prefix = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]


class CompatModel(WireModel):
    """A body the SDK sends: fields pixlake has no use for are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class NameBody(CompatModel):
    name: Name


class ObjectNameRequest(CompatModel):
    """What an object name is asked for: a data, or a file of the model version the
    ``context`` names (``MODEL_FILE``)."""

    filename: Name
    type: str = Field(default="DATA", max_length=64)
    context: dict[str, UUID] | None = Field(default=None, max_length=4)


class ObjectNameBody(CompatModel):
    object_name: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(default="application/octet-stream", max_length=255)


class DataCreate(CompatModel):
    object_name: str = Field(min_length=1, max_length=1024)
    filename: Name | None = None
    tags: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    custom_metadata: dict[str, Any] | None = None


class IdsBody(CompatModel):
    ids: list[UUID] = Field(default=[], max_length=MAX_IDS_PER_REQUEST)


class ListBody(CompatModel):
    """An XGET listing's body: one list of keys (at most 1,000 from the SDK), maybe a q."""

    ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    data_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    filenames: list[str] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    object_names: list[str] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    filename_startswith: list[Prefix] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    q: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)

    def keys(self, supported: tuple[str, ...]) -> dict[str, list[Any]]:
        """The one list of keys given, as ``{field: keys}`` (empty for none), or a 400
        naming a key this listing does not support."""
        for field in ("ids", "data_ids", "filenames", "object_names", "filename_startswith"):
            values = getattr(self, field)
            if values is None:
                continue
            if field not in supported:
                raise BadRequestError(
                    f"listing by {field} is not supported here", details={"field": field}
                )
            return {field: values}
        return {}


class DatasetCreate(CompatModel):
    name: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)


class VersionCreate(CompatModel):
    version: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    type: InferenceType = InferenceType.NOT_CONFIGURED


class AssetsAdd(CompatModel):
    data_ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)
    asset_tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
