"""Lineage: which dataset versions a model version was trained or evaluated on.

An attachment is (model version, dataset version, name): the name says what the data was
for ("train", "val", "test"...), and one dataset version may be attached under several.
Attaching locks nothing; but a dataset version that a live model version is attached to is
deleted only when the caller says so (``force``), so that lineage is not lost by mistake.
Only live objects show on either side: an attachment to an object in the trash comes back
with it on restore, and goes when it is purged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import DATASET_VERSION, MODEL_VERSION
from pixlake.core.services.datasets import require_version
from pixlake.core.services.models import require_model_version, version_public
from pixlake.errors import ConflictError
from pixlake.schemas import AttachedDatasetVersion, ModelVersionPublic, VersionPublic

__all__ = [
    "attach",
    "detach",
    "list_attached",
    "list_model_versions_of",
    "refuse_attached",
]

_links = t.model_version_datasets


def _attached_public(row: Any) -> AttachedDatasetVersion:
    """An attachment from a row of ``_ATTACHED_COLUMNS``."""
    return AttachedDatasetVersion(
        model_version_id=row.model_version_id,
        dataset_version_id=row.id,
        name=row.link_name,
        created_at=row.linked_at,
        dataset_version=VersionPublic(
            id=row.id,
            dataset_id=row.dataset_id,
            version=row.version,
            description=row.description,
            type=row.type,
            locked=row.locked,
            created_at=row.created_at,
        ),
    )


# An attachment and its dataset version in one row (the version's columns by their names).
_ATTACHED_COLUMNS = (
    _links.c.model_version_id,
    _links.c.name.label("link_name"),
    _links.c.created_at.label("linked_at"),
    *t.dataset_versions.c,
)


def _attached_query(organization_id: UUID, model_version_id: UUID) -> Any:
    """SELECT the model version's attachments to live dataset versions."""
    source, where = kinds.visible(DATASET_VERSION, organization_id)
    return (
        select(*_ATTACHED_COLUMNS)
        .select_from(source.join(_links, _links.c.dataset_version_id == t.dataset_versions.c.id))
        .where(*where, _links.c.model_version_id == model_version_id)
    )


def attach(
    ctx: AppContext, actor: Actor, model_version_id: UUID, dataset_version_id: UUID, name: str
) -> AttachedDatasetVersion:
    """Record that the model version used the dataset version for ``name``; attaching the
    same pair under the same name again changes nothing."""
    with ctx.db.write() as conn:
        require_model_version(conn, actor, model_version_id)
        require_version(conn, actor, dataset_version_id)
        key = (
            _links.c.model_version_id == model_version_id,
            _links.c.dataset_version_id == dataset_version_id,
            _links.c.name == name,
        )
        exists = conn.execute(select(_links.c.name).where(*key)).first()
        if exists is None:
            conn.execute(
                insert(_links).values(
                    model_version_id=model_version_id,
                    dataset_version_id=dataset_version_id,
                    name=name,
                    organization_id=actor.organization_id,
                    created_at=utcnow(),
                )
            )
        row = conn.execute(
            _attached_query(actor.organization_id, model_version_id).where(
                _links.c.dataset_version_id == dataset_version_id, _links.c.name == name
            )
        ).one()
        return _attached_public(row).answer()


def detach(
    ctx: AppContext,
    actor: Actor,
    model_version_id: UUID,
    dataset_version_id: UUID,
    name: str | None,
) -> None:
    """Remove the attachment of that name (every one of the pair when ``name`` is None).
    Detaching what is not attached changes nothing, so that a retried request succeeds."""
    with ctx.db.write() as conn:
        require_model_version(conn, actor, model_version_id)
        require_version(conn, actor, dataset_version_id)
        where = [
            _links.c.model_version_id == model_version_id,
            _links.c.dataset_version_id == dataset_version_id,
        ]
        if name is not None:
            where.append(_links.c.name == name)
        conn.execute(delete(_links).where(*where))


def list_attached(
    ctx: AppContext, actor: Actor, model_version_id: UUID, name: str | None = None
) -> list[AttachedDatasetVersion]:
    """The model version's attachments to live dataset versions, oldest first."""
    query = _attached_query(actor.organization_id, model_version_id)
    if name is not None:
        query = query.where(_links.c.name == name)
    with ctx.db.read() as conn:
        require_model_version(conn, actor, model_version_id)
        rows = conn.execute(query.order_by(_links.c.created_at, _links.c.name))
        return [_attached_public(row) for row in rows]


def _attached_model_versions(dataset_version_ids: Any, organization_id: UUID) -> Any:
    """SELECT the live model versions attached to any of the dataset versions (ids given
    as a list or as a SELECT of them)."""
    return kinds.select_visible(MODEL_VERSION, organization_id, t.model_versions).where(
        t.model_versions.c.id.in_(
            select(_links.c.model_version_id).where(
                _links.c.dataset_version_id.in_(dataset_version_ids)
            )
        )
    )


def list_model_versions_of(
    ctx: AppContext, actor: Actor, dataset_version_id: UUID
) -> list[ModelVersionPublic]:
    """The live model versions the dataset version is attached to, oldest first."""
    with ctx.db.read() as conn:
        require_version(conn, actor, dataset_version_id)
        rows = conn.execute(
            _attached_model_versions([dataset_version_id], actor.organization_id).order_by(
                t.model_versions.c.id
            )
        )
        return [version_public(row) for row in rows]


def refuse_attached(conn: Connection, actor: Actor, dataset_version_ids: Any) -> None:
    """ConflictError when a live model version is attached to any of the dataset versions
    (a list of ids, or a SELECT of them): the caller deletes them only with ``force``."""
    source, where = kinds.visible(MODEL_VERSION, actor.organization_id)
    row = conn.execute(
        select(
            t.models.c.name.label("model"),
            t.model_versions.c.name.label("model_version"),
            t.dataset_versions.c.version.label("dataset_version"),
        )
        .select_from(
            source.join(_links, _links.c.model_version_id == t.model_versions.c.id).join(
                t.dataset_versions, t.dataset_versions.c.id == _links.c.dataset_version_id
            )
        )
        .where(*where, _links.c.dataset_version_id.in_(dataset_version_ids))
        .order_by(_links.c.created_at)
        .limit(1)
    ).first()
    if row is not None:
        raise ConflictError(
            f"dataset version {row.dataset_version!r} is attached to model {row.model!r} "
            f"version {row.model_version!r}: detach it first, or delete with force=True",
            details={
                "dataset_version": row.dataset_version,
                "model": row.model,
                "model_version": row.model_version,
            },
        )
