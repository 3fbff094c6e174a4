"""The bodies of export requests, built from the SDK's arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pixlake.enums import AnnotationFileType, AnnotationStatus
from pixlake.errors import BadRequestError
from pixlake.sdk.asset import Asset, MultiAsset
from pixlake.sdk.base import coerce_enum
from pixlake.sdk.worker import worker_id_of

if TYPE_CHECKING:
    from pixlake.sdk.tag import Tag
    from pixlake.sdk.worker import Worker

__all__ = ["export_body", "split_body"]


def export_body(
    file_type: AnnotationFileType,
    layout: str,
    assets: MultiAsset | Sequence[Asset] | None,
    worker: Worker | None,
    status: AnnotationStatus | str | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"format": file_type.value, "layout": layout}
    if assets is not None:
        items = list(assets)
        for item in items:
            if not isinstance(item, Asset):
                raise BadRequestError(f"expected Asset, got {item!r}")
        body["asset_ids"] = [str(item.id) for item in items]
    if worker is not None:
        body["worker_id"] = worker_id_of(worker)
    if status is not None:
        body["status"] = coerce_enum(AnnotationStatus, status).value
    return body


def split_body(name: str, tag: Tag | str) -> dict[str, Any]:
    """One split: its name and its asset tag (a Tag or a tag name)."""
    from pixlake.sdk.tag import Tag

    if isinstance(tag, Tag):
        return {"name": name, "tag_id": str(tag.id)}
    if isinstance(tag, str):
        return {"name": name, "tag": tag}
    raise BadRequestError(f"split {name!r}: expected a Tag or a tag name, got {tag!r}")
