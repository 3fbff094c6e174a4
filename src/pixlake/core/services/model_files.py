"""Model files: the stored files of a model version (weights, configs, anything).

Their bytes are kept like the bytes of data: content addressed (an object named after the
organization and the SHA-256 of the bytes, so the same weights stored twice take the space
once), never probed, and in place before the row that names them commits. They arrive one
of three ways, which the SDK picks from the answer of ``plan_upload``:

- ``direct``: the client puts them straight into a bucket through presigned URLs (one PUT,
  or one per part of a multipart upload), then ``create_from_store`` checks that the store
  holds them (completing the multipart upload) and commits the row;
- ``stream``: the body of one request, staged and hashed by the API (``store_staged``);
- a path of this machine, for an API in the caller's process (``store_local``).

A file deleted, or replaced by a new one of the same name, goes to the trash (kind
MODEL_FILE). Its bytes go only when the trash is purged and no other row (data or model
file, in the trash or not) names the same object: ``release_objects``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.file_limits import check_file_size
from pixlake.core.sql import chunked, one_of
from pixlake.errors import (
    BadRequestError,
    ConflictError,
    FileMissingError,
    InvalidFilenameError,
    LimitExceededError,
    NotFoundError,
)
from pixlake.filenames import validate_filename
from pixlake.ids import new_id
from pixlake.schemas import (
    ModelFileCreate,
    ModelFileLocal,
    ModelFilePublic,
    ModelFileUpload,
    ModelFileUploadPlan,
)
from pixlake.storage import StagedObject

__all__ = [
    "OBJECT_PREFIX",
    "check_file_name",
    "check_new_file",
    "create_from_store",
    "delete_file",
    "get_file",
    "holds_object",
    "list_files",
    "object_name_for",
    "plan_upload",
    "release_objects",
    "store_local",
    "store_staged",
]

logger = logging.getLogger("pixlake.models")

OBJECT_PREFIX = "models"
"""Model files' objects live under ``models/``, apart from data objects (named after a
datalake), so that neither kind of name can be taken for the other."""


def object_name_for(organization_id: UUID, checksum: str) -> str:
    """Where the bytes of a model file live: derived from their hash, scoped to the
    organization (a client announces the hash of what it puts directly into a bucket, and
    must not be able to write under the name of another organization's bytes)."""
    return f"{OBJECT_PREFIX}/{organization_id}/{checksum[:2]}/{checksum}"


def to_public(row: Any) -> ModelFilePublic:
    return ModelFilePublic.trusted(
        id=row.id,
        model_version_id=row.model_version_id,
        name=row.name,
        filename=row.filename,
        object_name=row.object_name,
        size=row.size,
        checksum=row.checksum,
        large=row.large,
        created_at=row.created_at,
    )


def check_file_name(name: str) -> None:
    """Refuse a file name that could be taken for a path or does not show as written: the
    rules of filenames (no ``/``, ``\\``, ``..``, control characters...), since the name
    is what a version's files are told apart and looked up by."""
    try:
        validate_filename(name)
    except InvalidFilenameError as exc:
        reason = exc.details.get("reason", "is not a valid name")
        shown = exc.details.get("filename", name)
        raise InvalidFilenameError(
            f"model file name {shown!r} {reason}", details={"name": shown, "reason": reason}
        ) from None


def check_new_file(
    ctx: AppContext,
    actor: Actor,
    model_version_id: UUID,
    name: str,
    filename: str,
    size: int,
    replace: bool,
) -> None:
    """Refuse a file before a byte of it travels: a bad name or filename, a size over
    ``max_file_size``, a version that is not the caller's (or in the trash), a name taken
    without ``replace``, a version full."""
    check_file_name(name)
    validate_filename(filename)
    check_file_size(ctx.settings, filename, size)
    with ctx.db.read() as conn:
        _require_version(conn, actor, model_version_id)
        _check_room(ctx, conn, model_version_id, name, replace)


def _require_version(conn: Connection, actor: Actor, model_version_id: UUID) -> None:
    kind = kinds.MODEL_VERSION
    found = conn.execute(
        kinds.select_visible(kind, actor.organization_id, kind.id_column).where(
            kind.id_column == model_version_id
        )
    ).first()
    if found is None:
        raise NotFoundError(
            f"model version {model_version_id} not found", details={"id": str(model_version_id)}
        )


def _live_files(model_version_id: UUID) -> Any:
    return (t.model_files.c.model_version_id == model_version_id) & kinds.not_in_trash(
        kinds.MODEL_FILE
    )


def _check_room(
    ctx: AppContext, conn: Connection, model_version_id: UUID, name: str, replace: bool
) -> list[UUID]:
    """The live files named ``name`` (which ``replace`` sends to the trash), after
    refusing a name taken without ``replace`` and a version that holds its maximum."""
    taken = list(
        conn.execute(
            select(t.model_files.c.id).where(
                _live_files(model_version_id), t.model_files.c.name == name
            )
        ).scalars()
    )
    if taken and not replace:
        raise ConflictError(
            f"model version {model_version_id} has a file named {name!r} already "
            "(store it with replace=True to replace it)",
            details={"name": name},
        )
    if not taken:
        held = conn.execute(
            select(func.count()).select_from(t.model_files).where(_live_files(model_version_id))
        ).scalar_one()
        maximum = ctx.settings.max_files_per_model_version
        if held >= maximum:
            raise LimitExceededError(
                f"model version {model_version_id} holds {held} files, the most it may "
                f"(max_files_per_model_version); can't store {name!r}",
                details={"name": name},
                limit="max_files_per_model_version",
                maximum=maximum,
            )
    return taken


def plan_upload(
    ctx: AppContext, actor: Actor, model_version_id: UUID, request: ModelFileUpload
) -> ModelFileUploadPlan:
    """How the bytes of the file announced should travel (see ``ModelFileUploadPlan``)."""
    check_new_file(
        ctx, actor, model_version_id, request.name, request.filename, request.size, request.replace
    )
    storage = ctx.storage
    if request.checksum is not None:
        object_name = object_name_for(actor.organization_id, request.checksum)
        if storage.size_of(object_name) == request.size:
            return ModelFileUploadPlan(method="held")
    if not storage.direct_uploads:
        return ModelFileUploadPlan(method="stream")
    if request.checksum is None:
        return ModelFileUploadPlan(method="direct")  # the name needs the hash: ask again
    expiry = ctx.settings.url_expiry_seconds
    target = storage.direct_upload(object_name, request.size, expiry)
    assert target is not None  # direct_uploads says the store has them
    return ModelFileUploadPlan(
        method="direct",
        urls=target.urls,
        part_size=target.part_size,
        upload_id=target.upload_id,
        expires_at=utcnow() + timedelta(seconds=expiry),
    )


def create_from_store(
    ctx: AppContext, actor: Actor, model_version_id: UUID, body: ModelFileCreate
) -> ModelFilePublic:
    """Create a file whose bytes the store holds: held already, or put there directly
    (``upload_id`` names the multipart upload to complete first)."""
    check_new_file(ctx, actor, model_version_id, body.name, body.filename, body.size, body.replace)
    object_name = object_name_for(actor.organization_id, body.checksum)
    storage = ctx.storage
    if body.upload_id is not None and not storage.direct_uploads:
        raise BadRequestError(
            f"{body.filename}: this store takes no direct uploads, so there is no upload "
            f"{body.upload_id!r} to complete; send the bytes to .../files/content",
            details={"filename": body.filename, "upload_id": body.upload_id},
        )
    if body.upload_id is not None and not storage.finish_direct_upload(
        object_name, body.upload_id, body.size
    ):
        raise BadRequestError(
            f"{body.filename}: the upload is incomplete (its parts don't hold {body.size} bytes)",
            details={"filename": body.filename, "upload_id": body.upload_id},
        )
    held = storage.size_of(object_name)
    if held != body.size:
        raise BadRequestError(
            f"{body.filename}: the store holds {held or 0} of its {body.size} bytes; "
            "upload them first",
            details={"filename": body.filename},
        )
    return _insert(
        ctx,
        actor,
        model_version_id,
        body.name,
        body.filename,
        body.size,
        body.checksum,
        body.replace,
    )


def store_staged(
    ctx: AppContext,
    actor: Actor,
    model_version_id: UUID,
    name: str,
    filename: str,
    staged: StagedObject,
    *,
    replace: bool = False,
    checksum: str | None = None,
) -> ModelFilePublic:
    """Store bytes staged (and hashed) by the API; the staged bytes are consumed.

    ``checksum``, when the client gave one, must be that of the bytes received.
    """
    try:
        if checksum is not None and checksum != staged.checksum:
            raise BadRequestError(
                f"{filename}: the bytes received don't match the checksum announced",
                details={"filename": filename, "checksum": checksum},
            )
        check_new_file(ctx, actor, model_version_id, name, filename, staged.size, replace)
        ctx.storage.commit(staged, object_name_for(actor.organization_id, staged.checksum))
        return _insert(
            ctx, actor, model_version_id, name, filename, staged.size, staged.checksum, replace
        )
    finally:
        ctx.storage.discard(staged)


def store_local(
    ctx: AppContext, actor: Actor, model_version_id: UUID, body: ModelFileLocal
) -> ModelFilePublic:
    """Store a file of this machine, read by path (for an API in the caller's process)."""
    source = Path(body.path)
    if not source.is_file():
        raise FileMissingError(f"{source}: no such file", details={"path": str(source)})
    size = source.stat().st_size
    check_new_file(ctx, actor, model_version_id, body.name, body.filename, size, body.replace)
    staged = ctx.storage.stage_file_copy(source)
    return store_staged(
        ctx, actor, model_version_id, body.name, body.filename, staged, replace=body.replace
    )


def _insert(
    ctx: AppContext,
    actor: Actor,
    model_version_id: UUID,
    name: str,
    filename: str,
    size: int,
    checksum: str,
    replace: bool,
) -> ModelFilePublic:
    """Commit the row of a file whose bytes are in place; with ``replace``, a live file of
    the same name goes to the trash in the same transaction."""
    row = {
        "id": new_id(),
        "organization_id": actor.organization_id,
        "model_version_id": model_version_id,
        "name": name,
        "filename": filename,
        "object_name": object_name_for(actor.organization_id, checksum),
        "size": size,
        "checksum": checksum,
        "large": size >= ctx.settings.large_file_threshold,
        "created_at": utcnow(),
    }
    try:
        with ctx.db.write() as conn:
            _require_version(conn, actor, model_version_id)
            # Checked again: a file of that name may have been stored meanwhile.
            replaced = _check_room(ctx, conn, model_version_id, name, replace)
            if replaced:
                conn.execute(
                    update(t.model_files)
                    .where(one_of(conn, t.model_files.c.id, replaced))
                    .values(deleted_at=row["created_at"])
                )
            conn.execute(insert(t.model_files).values(**row))
    except IntegrityError as exc:
        raise ConflictError(
            f"model version {model_version_id} has a file named {name!r} already",
            details={"name": name},
        ) from exc
    return to_public(SimpleNamespace(**row))


def list_files(ctx: AppContext, actor: Actor, model_version_id: UUID) -> list[ModelFilePublic]:
    """The live files of a version, by name (at most ``max_files_per_model_version``)."""
    with ctx.db.read() as conn:
        _require_version(conn, actor, model_version_id)
        rows = conn.execute(
            select(t.model_files)
            .where(_live_files(model_version_id))
            .order_by(t.model_files.c.name)
            .limit(ctx.settings.max_files_per_model_version)
        ).all()
    return [to_public(row) for row in rows]


def _visible_file(conn: Connection, actor: Actor, file_id: UUID) -> Any:
    row = conn.execute(
        kinds.select_visible(kinds.MODEL_FILE, actor.organization_id).where(
            t.model_files.c.id == file_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"model file {file_id} not found", details={"id": str(file_id)})
    return row


def get_file(ctx: AppContext, actor: Actor, file_id: UUID) -> ModelFilePublic:
    with ctx.db.read() as conn:
        return to_public(_visible_file(conn, actor, file_id))


def holds_object(ctx: AppContext, actor: Actor, object_name: str) -> bool:
    """Whether a file the caller can see is stored under ``object_name`` (so that the
    caller may be handed a URL to those bytes)."""
    with ctx.db.read() as conn:
        found = conn.execute(
            kinds.select_visible(kinds.MODEL_FILE, actor.organization_id, t.model_files.c.id)
            .where(t.model_files.c.object_name == object_name)
            .limit(1)
        ).first()
    return found is not None


def delete_file(ctx: AppContext, actor: Actor, file_id: UUID) -> None:
    """Send a file to the trash; its bytes stay until the trash is purged."""
    with ctx.db.write() as conn:
        _visible_file(conn, actor, file_id)
        conn.execute(
            update(t.model_files).where(t.model_files.c.id == file_id).values(deleted_at=utcnow())
        )


def _still_named(conn: Connection, object_names: Sequence[str]) -> set[str]:
    """Which of these objects a row of any table naming objects (data, model files; in
    the trash or not) still names."""
    from pixlake.core.services.orphans import OBJECT_NAME_COLUMNS

    named: set[str] = set()
    for column in OBJECT_NAME_COLUMNS:
        for chunk in chunked(conn, list(object_names)):
            named.update(conn.execute(select(column).where(one_of(conn, column, chunk))).scalars())
    return named


def release_objects(ctx: AppContext, object_names: Iterable[str]) -> int:
    """Delete the objects no row names any more; returns how many were deleted.

    Call it after the transaction that removed the rows committed: a failed commit must
    not lose bytes. Best effort: the rows are gone for good, so a store failing now is
    logged rather than turned into an error answer (what it leaves is an object no row
    names, which the orphan sweep removes).
    """
    wanted = sorted(set(object_names))
    if not wanted:
        return 0
    with ctx.db.read() as conn:
        still = _still_named(conn, wanted)
    deleted = 0
    for object_name in wanted:
        if object_name in still:
            continue
        try:
            ctx.storage.delete(object_name)
            deleted += 1
        except Exception:
            logger.exception("could not delete object %s of a purged model file", object_name)
    return deleted
