"""The model registry's part of the trash: how its items are listed and purged.

Models, model versions and model files go to the trash like datasets (``deleted_at``); a
model in the trash hides its versions and their files. Purging deletes their rows for good,
and with them their tags and their lineage; the bytes of a purged file go only when no
other row (a data, another model file, live or in the trash) names the same content, since
content is stored once (see docs/models.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, select

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import AppContext
from pixlake.core.services import model_files
from pixlake.core.sql import chunked, one_of
from pixlake.enums import TrashKind

__all__ = [
    "purge_lineage_of_dataset_versions",
    "purge_model_files",
    "purge_model_versions",
    "purge_models",
    "release_objects",
    "trash_queries",
]


def trash_queries(in_scope: Any) -> dict[TrashKind, Any]:
    """The trash listing of each kind of the registry: id, name, parent_id, deleted_at.

    Args:
        in_scope: ``table -> WHERE`` keeping the rows of the caller's organization.
    """
    version_name = t.models.c.name + "/" + t.model_versions.c.name
    return {
        TrashKind.MODEL: select(
            t.models.c.id,
            t.models.c.name.label("name"),
            t.models.c.id.label("parent_id"),
            t.models.c.deleted_at,
        ).where(kinds.in_trash(kinds.MODEL), in_scope(t.models)),
        TrashKind.MODEL_VERSION: select(
            t.model_versions.c.id,
            version_name.label("name"),
            t.model_versions.c.model_id.label("parent_id"),
            t.model_versions.c.deleted_at,
        )
        .join(t.models, t.models.c.id == t.model_versions.c.model_id)
        .where(kinds.in_trash(kinds.MODEL_VERSION), in_scope(t.model_versions)),
        TrashKind.MODEL_FILE: select(
            t.model_files.c.id,
            (version_name + "/" + t.model_files.c.name).label("name"),
            t.model_files.c.model_version_id.label("parent_id"),
            t.model_files.c.deleted_at,
        )
        .join(t.model_versions, t.model_versions.c.id == t.model_files.c.model_version_id)
        .join(t.models, t.models.c.id == t.model_versions.c.model_id)
        .where(kinds.in_trash(kinds.MODEL_FILE), in_scope(t.model_files)),
    }


def _ids_where(conn: Connection, column: Any, value: UUID) -> list[UUID]:
    table = column.table
    return list(conn.execute(select(table.c.id).where(column == value)).scalars())


def purge_model_files(conn: Connection, file_ids: Sequence[UUID]) -> list[str]:
    """Delete the files' rows; returns the objects they named (to release after commit)."""
    names: list[str] = []
    for chunk in chunked(conn, list(file_ids)):
        names += conn.execute(
            select(t.model_files.c.object_name).where(one_of(conn, t.model_files.c.id, chunk))
        ).scalars()
        conn.execute(delete(t.model_files).where(one_of(conn, t.model_files.c.id, chunk)))
    return names


def purge_model_versions(conn: Connection, version_ids: Sequence[UUID]) -> list[str]:
    """Delete the versions with their files, tags and lineage; returns the objects their
    files named."""
    names: list[str] = []
    for version_id in version_ids:
        names += purge_model_files(
            conn, _ids_where(conn, t.model_files.c.model_version_id, version_id)
        )
        conn.execute(
            delete(t.model_version_datasets).where(
                t.model_version_datasets.c.model_version_id == version_id
            )
        )
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == version_id))
        conn.execute(delete(t.model_versions).where(t.model_versions.c.id == version_id))
    return names


def purge_models(conn: Connection, model_ids: Sequence[UUID]) -> list[str]:
    """Delete the models with their versions and tags; returns the objects their files
    named."""
    names: list[str] = []
    for model_id in model_ids:
        names += purge_model_versions(conn, _ids_where(conn, t.model_versions.c.model_id, model_id))
        conn.execute(delete(t.tag_links).where(t.tag_links.c.object_id == model_id))
        conn.execute(delete(t.models).where(t.models.c.id == model_id))
    return names


def purge_lineage_of_dataset_versions(conn: Connection, version_ids: Sequence[UUID]) -> None:
    """Drop the attachments of dataset versions being purged (the model versions stay)."""
    for chunk in chunked(conn, list(version_ids)):
        conn.execute(
            delete(t.model_version_datasets).where(
                one_of(conn, t.model_version_datasets.c.dataset_version_id, chunk)
            )
        )


def release_objects(ctx: AppContext, object_names: Iterable[str]) -> None:
    """After a purge has committed: delete each object no row names any more.

    Content is stored once, so a purged file's bytes may still be another file's (or a
    data's): ``model_files.release_objects`` decides, best effort.
    """
    model_files.release_objects(ctx, object_names)
