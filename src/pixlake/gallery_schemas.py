"""Wire models of the galleries: the web app's pages of thumbnails with their shapes, and
the sidebar's counts per label and per tag under the same filter."""

from __future__ import annotations

from typing import Any, Self
from uuid import UUID

from pydantic import Field, model_validator

from pixlake.enums import AnnotationStatus, DataType, ShapeKind
from pixlake.limits import MAX_NAME_LENGTH, MAX_QUERY_LENGTH, MAX_TAGS_PER_REQUEST
from pixlake.schemas import JsonInt, Name, WireModel

__all__ = [
    "MAX_GALLERY_PAGE",
    "DatalakeGalleryCounts",
    "DatalakeGalleryFilter",
    "DatalakeGalleryItem",
    "DatalakeGalleryPage",
    "DatalakeGalleryQuery",
    "GalleryAnnotation",
    "GalleryCounts",
    "GalleryFilter",
    "GalleryItem",
    "GalleryPage",
    "GalleryPageKeys",
    "GalleryQuery",
    "GalleryShape",
    "LabelCount",
    "TagCount",
]

MAX_GALLERY_PAGE = 100
"""Items of one gallery page: thumbnails a screen shows, each with all its shapes."""


class DatalakeGalleryFilter(WireModel):
    tags: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    """Data having any of these tags (target DATA)."""
    filename: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    """Data whose filename holds this text, whatever its case."""
    q: str | None = Field(default=None, json_schema_extra={"maxLength": MAX_QUERY_LENGTH})
    """Data the query keeps (docs/query.md), as ``list_data(q=...)``; checked by the parser,
    whose error names the position and the token."""


class GalleryFilter(WireModel):
    tags: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    """Assets having any of these tags (target ASSET)."""
    labels: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    """Assets with a shape of any of these labels."""
    status: AnnotationStatus | None = None
    """Assets with an annotation of this status."""
    filename: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    """Assets whose filename holds this text, whatever its case."""
    q: str | None = Field(default=None, json_schema_extra={"maxLength": MAX_QUERY_LENGTH})
    """Assets the query keeps (docs/query.md), as ``list_assets(q=...)``."""


class GalleryPageKeys(WireModel):
    """Which page of a gallery: by key, after or before an item's id."""

    after: UUID | None = None
    """The items after this key: the ``next_after`` of the previous page."""
    before: UUID | None = None
    """The items just before this key instead (still in id order): the ``prev_before`` of
    the next page, or an item's id for the one before it (``limit`` 1)."""
    limit: JsonInt = Field(default=MAX_GALLERY_PAGE, ge=1, le=MAX_GALLERY_PAGE)

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if self.after is not None and self.before is not None:
            raise ValueError("give after or before, not both")
        return self


class GalleryQuery(GalleryFilter, GalleryPageKeys):
    """One page of a version's gallery, in asset id order."""


class DatalakeGalleryQuery(DatalakeGalleryFilter, GalleryPageKeys):
    """One page of a datalake's gallery, in data id order."""


class GalleryShape(WireModel):
    id: UUID
    kind: ShapeKind
    label_id: UUID
    x: float | None
    y: float | None
    w: float | None
    h: float | None
    coords: list[Any] | None
    text: str | None


class GalleryAnnotation(WireModel):
    id: UUID
    worker_id: UUID
    status: AnnotationStatus
    shapes: list[GalleryShape]


class GalleryItem(WireModel):
    id: UUID
    """The asset's id."""
    data_id: UUID
    """Its data, whose thumbnail is ``/data/{data_id}/thumbnail``."""
    filename: str
    type: DataType
    width: int | None
    height: int | None
    annotations: list[GalleryAnnotation]


class GalleryPage(WireModel):
    items: list[GalleryItem]
    next_after: UUID | None
    """Key of the next page (``after``), None when this page is the last."""
    prev_before: UUID | None
    """Key of the previous page (``before``), None when this page is the first."""


class DatalakeGalleryItem(WireModel):
    id: UUID
    """The data's id."""
    filename: str
    type: DataType
    width: int | None
    height: int | None


class DatalakeGalleryPage(WireModel):
    items: list[DatalakeGalleryItem]
    next_after: UUID | None
    prev_before: UUID | None


class LabelCount(WireModel):
    id: UUID
    name: str
    images: int
    """Assets under the filter with at least one shape of this label."""
    shapes: int


class TagCount(WireModel):
    id: UUID
    name: str
    images: int


class GalleryCounts(WireModel):
    images: int
    shapes: int
    labels: list[LabelCount]
    """Every label of the version, with its counts under the filter (0 included)."""
    tags: list[TagCount]
    """Tags of the assets under the filter."""


class DatalakeGalleryCounts(WireModel):
    images: int
    tags: list[TagCount]
