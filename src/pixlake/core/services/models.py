"""The model registry: models and their numbered versions (docs/models.md).

A model is named once in an organization; its versions are numbered 1, 2, ... in creation
order, and each has a name unique in the model (its number as text by default). Both go to
the trash on delete, and a model in the trash hides its versions (``kinds``' parent rule).
The files of a version and the lineage to dataset versions have their own modules.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.kinds import MODEL, MODEL_VERSION
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services.tags import tagged_filter
from pixlake.enums import Framework, InferenceType, Target
from pixlake.errors import ConflictError, NotFoundError
from pixlake.ids import new_id
from pixlake.schemas import ModelPublic, ModelVersionPublic
from pixlake.validation import check_json

__all__ = [
    "create_model",
    "create_version",
    "delete_model",
    "delete_version",
    "get_model",
    "get_version",
    "list_models",
    "list_versions",
    "require_model",
    "require_model_version",
    "update_model",
    "update_version",
    "version_public",
]


def _model_public(row: Any) -> ModelPublic:
    return ModelPublic(
        id=row.id,
        name=row.name,
        description=row.description,
        type=InferenceType(row.type),
        framework=Framework(row.framework),
        organization_id=row.organization_id,
        created_at=row.created_at,
    )


def version_public(row: Any) -> ModelVersionPublic:
    return ModelVersionPublic(
        id=row.id,
        model_id=row.model_id,
        name=row.name,
        version=row.version,
        labels=row.labels,
        type=InferenceType(row.type),
        framework=Framework(row.framework),
        base_parameters=row.base_parameters,
        description=row.description,
        created_at=row.created_at,
    )


def require_model(conn: Connection, actor: Actor, model_id: UUID) -> Any:
    """The model's row if the actor's organization sees it (not in the trash)."""
    row = conn.execute(
        kinds.select_visible(MODEL, actor.organization_id).where(t.models.c.id == model_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"model {model_id} not found", details={"id": str(model_id)})
    return row


def require_model_version(conn: Connection, actor: Actor, version_id: UUID) -> Any:
    """The version's row if the actor's organization sees it (neither it nor its model in
    the trash)."""
    row = conn.execute(
        kinds.select_visible(MODEL_VERSION, actor.organization_id, t.model_versions).where(
            t.model_versions.c.id == version_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"model version {version_id} not found", details={"id": str(version_id)}
        )
    return row


def _name_taken(name: str | None) -> ConflictError:
    return ConflictError(f"a model named {name!r} already exists", details={"name": name})


def _version_name_taken(name: str | None) -> ConflictError:
    return ConflictError(f"the model already has a version {name!r}", details={"name": name})


def _check_parameters(ctx: AppContext, value: dict[str, Any] | None) -> None:
    if value is not None:
        check_json(value, "base_parameters", ctx.settings.max_json_bytes)


# Models


def create_model(
    ctx: AppContext,
    actor: Actor,
    name: str,
    description: str,
    type: InferenceType,
    framework: Framework,
) -> ModelPublic:
    model_id = new_id()
    row = {
        "id": model_id,
        "organization_id": actor.organization_id,
        "name": name,
        "description": description,
        "type": type.value,
        "framework": framework.value,
        "last_version": 0,
        "created_by": actor.user_id,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            conn.execute(insert(t.models).values(**row))
            return _model_public(require_model(conn, actor, model_id)).answer()
    except IntegrityError as exc:
        raise _name_taken(name) from exc


def list_models(
    ctx: AppContext,
    actor: Actor,
    *,
    name: str | None = None,
    tag_names: list[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ModelPublic]:
    """The organization's models in creation order; with ``tag_names``, those having any
    of the tags (of target MODEL)."""
    query = kinds.select_visible(MODEL, actor.organization_id)
    if name is not None:
        query = query.where(t.models.c.name == name)
    with ctx.db.read() as conn:
        tagged = tagged_filter(conn, actor, t.models.c.id, [], tag_names or [], Target.MODEL)
        if tagged is not None:
            query = query.where(tagged)
        query = query.order_by(t.models.c.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_model_public(r) for r in conn.execute(query)]


def get_model(ctx: AppContext, actor: Actor, model_id: UUID) -> ModelPublic:
    with ctx.db.read() as conn:
        return _model_public(require_model(conn, actor, model_id))


def update_model(
    ctx: AppContext, actor: Actor, model_id: UUID, changes: dict[str, Any]
) -> ModelPublic:
    """Change the given fields (name, description, type, framework; None leaves one)."""
    values = {key: _stored(value) for key, value in changes.items() if value is not None}
    try:
        with ctx.db.write() as conn:
            require_model(conn, actor, model_id)
            if values:
                conn.execute(update(t.models).where(t.models.c.id == model_id).values(**values))
            # Read inside the transaction: the answer never fails after the commit.
            return _model_public(require_model(conn, actor, model_id)).answer()
    except IntegrityError as exc:
        raise _name_taken(changes.get("name")) from exc


def delete_model(ctx: AppContext, actor: Actor, model_id: UUID) -> None:
    """Move the model (and so its versions and their files) to the trash."""
    with ctx.db.write() as conn:
        require_model(conn, actor, model_id)
        require_admin(actor, AdminAction.DELETE_MODEL)
        conn.execute(update(t.models).where(t.models.c.id == model_id).values(deleted_at=utcnow()))


# Versions


def create_version(
    ctx: AppContext,
    actor: Actor,
    model_id: UUID,
    *,
    name: str | None,
    labels: dict[str, str],
    type: InferenceType | None,
    framework: Framework | None,
    base_parameters: dict[str, Any],
    description: str,
) -> ModelVersionPublic:
    """The model's next version: numbered one more than the last one ever given; named
    after its number unless ``name`` says otherwise; of the model's type and framework
    unless told."""
    _check_parameters(ctx, base_parameters)
    version_id = new_id()
    try:
        with ctx.db.write() as conn:
            model = require_model(conn, actor, model_id)
            # The UPDATE takes the model row's lock: concurrent creations are numbered in turn.
            number = conn.execute(
                update(t.models)
                .where(t.models.c.id == model_id)
                .values(last_version=t.models.c.last_version + 1)
                .returning(t.models.c.last_version)
            ).scalar_one()
            name = name if name is not None else str(number)
            conn.execute(
                insert(t.model_versions).values(
                    id=version_id,
                    organization_id=actor.organization_id,
                    model_id=model_id,
                    version=number,
                    name=name,
                    labels=labels,
                    type=(type or InferenceType(model.type)).value,
                    framework=(framework or Framework(model.framework)).value,
                    base_parameters=base_parameters,
                    description=description,
                    created_at=utcnow(),
                )
            )
            return version_public(require_model_version(conn, actor, version_id)).answer()
    except IntegrityError as exc:
        raise _version_name_taken(name) from exc


def list_versions(
    ctx: AppContext,
    actor: Actor,
    model_id: UUID,
    *,
    name: str | None = None,
    number: int | None = None,
) -> list[ModelVersionPublic]:
    """The model's live versions by number; ``name`` or ``number`` picks one."""
    with ctx.db.read() as conn:
        require_model(conn, actor, model_id)
        query = select(t.model_versions).where(
            t.model_versions.c.model_id == model_id, kinds.not_in_trash(MODEL_VERSION)
        )
        if name is not None:
            query = query.where(t.model_versions.c.name == name)
        if number is not None:
            query = query.where(t.model_versions.c.version == number)
        rows = conn.execute(query.order_by(t.model_versions.c.version))
        return [version_public(r) for r in rows]


def get_version(ctx: AppContext, actor: Actor, version_id: UUID) -> ModelVersionPublic:
    with ctx.db.read() as conn:
        return version_public(require_model_version(conn, actor, version_id))


def update_version(
    ctx: AppContext, actor: Actor, version_id: UUID, changes: dict[str, Any]
) -> ModelVersionPublic:
    """Change the given fields (name, labels, type, framework, base_parameters,
    description; None leaves one). ``labels`` and ``base_parameters`` are replaced whole."""
    _check_parameters(ctx, changes.get("base_parameters"))
    values = {key: _stored(value) for key, value in changes.items() if value is not None}
    try:
        with ctx.db.write() as conn:
            require_model_version(conn, actor, version_id)
            if values:
                conn.execute(
                    update(t.model_versions)
                    .where(t.model_versions.c.id == version_id)
                    .values(**values)
                )
            return version_public(require_model_version(conn, actor, version_id)).answer()
    except IntegrityError as exc:
        raise _version_name_taken(changes.get("name")) from exc


def delete_version(ctx: AppContext, actor: Actor, version_id: UUID) -> None:
    """Move the version (and so its files) to the trash; its number is not given again."""
    with ctx.db.write() as conn:
        require_model_version(conn, actor, version_id)
        require_admin(actor, AdminAction.DELETE_MODEL_VERSION)
        conn.execute(
            update(t.model_versions)
            .where(t.model_versions.c.id == version_id)
            .values(deleted_at=utcnow())
        )


def _stored(value: Any) -> Any:
    """An enumeration as the text its column holds; anything else as it is."""
    return value.value if isinstance(value, InferenceType | Framework) else value
