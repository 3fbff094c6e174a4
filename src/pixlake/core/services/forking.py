"""Copying a version's content into a new version (fork), without copying any bytes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import utcnow
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.sql import analyze_after_bulk, bulk_insert, chunked, one_of
from pixlake.ids import new_id

__all__ = ["copy_version_content"]


def copy_version_content(
    conn: Connection, source_id: UUID, target_id: UUID, with_annotations: bool
) -> None:
    """Copy labels, live assets with their asset tags and, if asked, live annotations with
    their shapes, from one version to another. New rows get new ids, in the same order."""
    now = utcnow()
    label_ids = _copy_rows(
        conn,
        t.labels,
        t.labels.c.dataset_version_id == source_id,
        {"dataset_version_id": target_id, "created_at": now},
    )
    asset_ids = _copy_rows(
        conn,
        t.assets,
        (t.assets.c.dataset_version_id == source_id) & kinds.not_in_trash(ASSET),
        {"dataset_version_id": target_id, "created_at": now},
    )
    analyze_after_bulk(conn, t.assets, len(asset_ids))
    links: list[dict[str, UUID]] = []
    for chunk in chunked(conn, list(asset_ids)):
        links.extend(
            {"tag_id": tag_id, "object_id": asset_ids[object_id]}
            for tag_id, object_id in conn.execute(
                select(t.tag_links.c.tag_id, t.tag_links.c.object_id).where(
                    one_of(conn, t.tag_links.c.object_id, chunk)
                )
            )
        )
    bulk_insert(conn, t.tag_links, links)
    if not with_annotations:
        return
    # Remapping drops what belongs to assets in the trash: their annotations are not copied,
    # and neither are the shapes of annotations that were not.
    annotation_ids = _copy_rows(
        conn,
        t.annotations_table,
        (t.annotations_table.c.dataset_version_id == source_id) & kinds.not_in_trash(ANNOTATION),
        {"dataset_version_id": target_id},
        remap={"asset_id": asset_ids},
    )
    _copy_rows(
        conn,
        t.shapes,
        t.shapes.c.dataset_version_id == source_id,
        {"dataset_version_id": target_id, "created_at": now},
        remap={"annotation_id": annotation_ids, "label_id": label_ids},
    )


def _copy_rows(
    conn: Connection,
    table: Any,
    where: Any,
    overrides: dict[str, Any],
    remap: dict[str, dict[UUID, UUID]] | None = None,
) -> dict[UUID, UUID]:
    """Insert a copy of every matching row with a new id; returns old id -> new id.

    Rows whose remapped reference has no new counterpart (an annotation of an asset in the
    trash, a shape of such an annotation) are left out.
    """
    remap = remap or {}
    new_ids: dict[UUID, UUID] = {}
    copies: list[dict[str, Any]] = []
    # Read everything first: inserting into a table while a SELECT on it is still being
    # stepped through is undefined on SQLite.
    for row in conn.execute(select(table).where(where).order_by(table.c.id)).all():
        values = dict(row._mapping)
        if any(values[column] not in mapping for column, mapping in remap.items()):
            continue
        for column, mapping in remap.items():
            values[column] = mapping[values[column]]
        new_ids[values["id"]] = values["id"] = new_id()
        values.update(overrides)
        copies.append(values)
    bulk_insert(conn, table, copies)
    return new_ids
