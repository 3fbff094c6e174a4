"""Wire models: the JSON the API speaks, defined once for the server and the SDK.

Families follow one pattern per resource: ``XCreate`` (what a client sends to make one),
``XUpdate`` (what it may change), ``XPublic`` (what the API answers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from pixlake.enums import DataType, Target

MAX_PAGE_SIZE = 1000
"""The most items one page of a listing holds; the SDK pages through longer listings by key."""


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(WireModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class OrganizationPublic(WireModel):
    id: UUID
    name: str
    created_at: datetime


class UserPublic(WireModel):
    id: UUID
    username: str
    organization_id: UUID
    created_at: datetime


class Me(WireModel):
    user: UserPublic
    organization: OrganizationPublic


class DatalakeCreate(WireModel):
    name: str = Field(min_length=1, max_length=255)


class DatalakePublic(WireModel):
    id: UUID
    name: str
    organization_id: UUID
    created_at: datetime


class DataPublic(WireModel):
    """One stored file of a datalake.

    ``large`` is derived from ``size`` and the server's large-file threshold.
    """

    id: UUID
    datalake_id: UUID
    object_name: str
    filename: str
    type: DataType
    content_type: str
    size: int
    checksum: str
    width: int | None
    height: int | None
    duration: float | None
    large: bool
    metadata: dict[str, Any]
    custom_metadata: dict[str, Any]
    created_at: datetime


class DataIngestLocal(WireModel):
    """Ingest files that already sit on the API's own machine (embedded mode only)."""

    paths: list[str] = Field(min_length=1)
    tags: list[str] = []
    tag_ids: list[UUID] = []
    max_workers: int | None = Field(default=None, ge=1, le=64)


class DataQuery(WireModel):
    """One page of a datalake's data, ordered by id (which is creation order)."""

    after: UUID | None = None
    limit: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0)
    tags: list[str] = []
    tag_ids: list[UUID] = []
    filenames: list[str] | None = None
    ids: list[UUID] | None = None


class DataPage(WireModel):
    items: list[DataPublic]
    next_after: UUID | None
    """Key to ask the next page with, or None when this page is the last."""


class DataCustomMetadataUpdate(WireModel):
    custom_metadata: dict[str, Any]


class IdList(WireModel):
    ids: list[UUID] = Field(min_length=1)


class UrlPublic(WireModel):
    url: str
    expires_at: datetime | None


class UrlMap(WireModel):
    urls: dict[UUID, str]


class TagCreate(WireModel):
    name: str = Field(min_length=1, max_length=255)
    target: Target


class TagUpdate(WireModel):
    name: str = Field(min_length=1, max_length=255)


class TagPublic(WireModel):
    id: UUID
    name: str
    target: Target
    organization_id: UUID
    created_at: datetime


class TagLinks(WireModel):
    """Attach (or detach) every tag to (or from) every object, all of kind ``target``."""

    target: Target
    object_ids: list[UUID] = Field(min_length=1)
    tag_ids: list[UUID] = Field(min_length=1)


class TagsOfObject(WireModel):
    target: Target
    object_id: UUID
