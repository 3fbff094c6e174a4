"""Uploads the way the Picsellia SDK makes them: a name first, the bytes next, the data last.

The official SDK asks for an object name, sends the bytes to a presigned URL (with no
token), then creates the data naming that object. pixlake stores content-addressed data
and only once the bytes are validated, so each step maps onto a row of ``compat_uploads``:

1. ``announce`` hands out an object name, bound to the organization, a size limit and an
   expiry;
2. ``receive`` takes the bytes once (a second use of the URL is refused) and keeps them
   as an object of their own, so that any server of a deployment can make the data;
3. ``consume`` turns them into a data through the ordinary ingest (checks, deduplication
   by checksum, tags), or ``consume_model_file`` into a file of the model version the upload
   was announced for, and drops the received object.

An upload is announced for one purpose: a data (its name ``<org>/<upload>/<filename>``) or
a file of one model version (``<org>/model-versions/<version>/<upload>/<filename>``). The
name says which, so bytes announced for a model file never become a data, nor the other way.

Received bytes are kept under ``compat-uploads/`` (``received_object_name``), named by no
row the orphan sweep reads: bytes no data was made of are swept with every other unnamed
object once ``orphan_grace_hours`` have passed. So that the sweep never takes bytes still to
be used, an upload can be made into something only within half that period of receiving it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.services import data as data_service
from pixlake.core.services import model_files
from pixlake.core.services import models as model_service
from pixlake.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
)
from pixlake.filenames import validate_filename
from pixlake.ids import new_id
from pixlake.schemas import DataPublic, ModelFilePublic
from pixlake.storage.base import CHUNK_SIZE, StagedObject

__all__ = [
    "RECEIVED_PREFIX",
    "Announced",
    "announce",
    "consume",
    "consume_model_file",
    "receive",
    "received_object_name",
    "require_announced",
]

RECEIVED_PREFIX = "compat-uploads"
"""Where received bytes wait to be made into a data or a model file."""

_MODEL_VERSIONS = "model-versions"


@dataclass(frozen=True)
class Announced:
    id: UUID
    organization_id: UUID
    object_name: str
    filename: str
    max_size: int


def _model_version_of(object_name: str) -> UUID | None:
    """The model version an upload was announced for, None for a data's upload."""
    parts = object_name.split("/")
    if len(parts) == 5 and parts[1] == _MODEL_VERSIONS:
        return UUID(parts[2])
    return None


def announce(
    ctx: AppContext, actor: Actor, filename: str, model_version_id: UUID | None = None
) -> Announced:
    """A fresh object name for ``filename``, valid for ``url_expiry_seconds``: for a data,
    or for a file of ``model_version_id`` (which must be the caller's)."""
    validate_filename(filename)
    upload_id = new_id()
    now = utcnow()
    purpose = ""
    if model_version_id is not None:
        model_service.get_version(ctx, actor, model_version_id)
        purpose = f"{_MODEL_VERSIONS}/{model_version_id}/"
    announced = Announced(
        id=upload_id,
        organization_id=actor.organization_id,
        object_name=f"{actor.organization_id}/{purpose}{upload_id}/{filename}",
        filename=filename,
        max_size=ctx.settings.max_file_size,
    )
    with ctx.db.write() as conn:
        conn.execute(
            insert(t.compat_uploads).values(
                id=announced.id,
                organization_id=announced.organization_id,
                announced_name=announced.object_name,
                filename=filename,
                max_size=announced.max_size,
                expires_at=now + timedelta(seconds=ctx.settings.url_expiry_seconds),
                created_at=now,
            )
        )
    return announced


def require_announced(ctx: AppContext, actor: Actor, object_name: str) -> Announced:
    """The upload announced under ``object_name`` in the actor's organization."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(t.compat_uploads).where(
                t.compat_uploads.c.announced_name == object_name,
                t.compat_uploads.c.organization_id == actor.organization_id,
            )
        ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"no upload was announced as {object_name!r}", details={"object_name": object_name}
        )
    return _announced(row)


def _announced(row: Any) -> Announced:
    return Announced(row.id, row.organization_id, row.announced_name, row.filename, row.max_size)


def check_receivable(ctx: AppContext, upload_id: UUID, size: int | None) -> Announced:
    """The upload, if its URL may still be used for ``size`` bytes (checked before reading
    any of them)."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(t.compat_uploads).where(t.compat_uploads.c.id == upload_id)
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"upload {upload_id} not found", details={"id": str(upload_id)})
    if row.received_at is not None:
        raise ConflictError(
            "this upload URL was used already: ask for a new object name",
            details={"object_name": row.announced_name},
        )
    if row.expires_at < utcnow():
        raise ForbiddenError(
            "the upload URL has expired", details={"object_name": row.announced_name}
        )
    if size is None:
        raise BadRequestError("an upload must announce its Content-Length")
    if size > row.max_size:
        raise PayloadTooLargeError(
            f"{row.filename} is {size} bytes, more than this upload takes ({row.max_size})",
            limit="max_file_size",
            maximum=row.max_size,
        )
    return _announced(row)


def received_object_name(organization_id: UUID, key: str) -> str:
    """Where the bytes of one use of an upload URL wait: ``key`` is 64 hex digits, unique
    to that use (the upload's id and a fresh one), in the layout of pixlake's other
    object names (``<prefix>/<organization>/<xx>/<key>``)."""
    return f"{RECEIVED_PREFIX}/{organization_id}/{key[:2]}/{key}"


def receive(ctx: AppContext, upload: Announced, staged: StagedObject) -> None:
    """Keep the bytes of a first use of the upload URL; refuse any other use."""
    stored_object = received_object_name(upload.organization_id, upload.id.hex + new_id().hex)
    try:
        ctx.storage.commit(staged, stored_object)
    finally:
        ctx.storage.discard(staged)
    with ctx.db.write() as conn:
        taken = conn.execute(
            update(t.compat_uploads)
            .where(t.compat_uploads.c.id == upload.id, t.compat_uploads.c.received_at.is_(None))
            .values(received_at=utcnow(), size=staged.size, stored_object=stored_object)
        ).rowcount
    if not taken:  # another request used the URL meanwhile
        ctx.storage.delete(stored_object)
        raise ConflictError(
            "this upload URL was used already: ask for a new object name",
            details={"object_name": upload.object_name},
        )


def consume(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    object_name: str,
    tag_ids: Sequence[UUID],
) -> DataPublic:
    """The data made of the bytes received for ``object_name`` (the data already holding
    the same bytes, if any), tagged with ``tag_ids``."""
    row = _received(ctx, actor, object_name, None)
    data_service.check_upload(ctx, actor, datalake_id, [row.filename], tag_ids)
    with ctx.storage.open(row.stored_object) as stream:
        staged = ctx.storage.stage_stream(_chunks(stream), row.size)
    data = data_service.ingest_staged(
        ctx, actor, datalake_id, [(row.filename, staged)], tag_ids=tag_ids
    )[0]
    _mark_consumed(ctx, row)
    return data


def consume_model_file(
    ctx: AppContext, actor: Actor, model_version_id: UUID, object_name: str, name: str
) -> ModelFilePublic:
    """The file ``name`` of the model version, made of the bytes received for
    ``object_name`` (announced for that version), through the model registry's rules."""
    model_service.get_version(ctx, actor, model_version_id)  # the caller's, else 404
    row = _received(ctx, actor, object_name, model_version_id)
    model_files.check_new_file(
        ctx, actor, model_version_id, name, row.filename, row.size, replace=False
    )
    with ctx.storage.open(row.stored_object) as stream:
        staged = ctx.storage.stage_stream(_chunks(stream), row.size)
    stored = model_files.store_staged(ctx, actor, model_version_id, name, row.filename, staged)
    _mark_consumed(ctx, row)
    return stored


def _received(
    ctx: AppContext, actor: Actor, object_name: str, model_version_id: UUID | None
) -> Any:
    """The row of an upload announced as ``object_name`` for this purpose, whose bytes
    came and were not made into anything yet."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(t.compat_uploads).where(
                t.compat_uploads.c.announced_name == object_name,
                t.compat_uploads.c.organization_id == actor.organization_id,
            )
        ).one_or_none()
    if row is None or row.received_at is None:
        raise BadRequestError(
            f"no bytes were uploaded as {object_name!r}", details={"object_name": object_name}
        )
    if _model_version_of(row.announced_name) != model_version_id:
        wanted = "a data" if model_version_id is None else f"model version {model_version_id}"
        raise BadRequestError(
            f"{object_name!r} was not announced for {wanted}",
            details={"object_name": object_name},
        )
    if row.consumed_at is not None:
        raise ConflictError(
            f"something was made of {object_name!r} already",
            details={"object_name": object_name},
        )
    usable_for = timedelta(hours=ctx.settings.orphan_grace_hours / 2)
    if row.received_at < utcnow() - usable_for:
        raise BadRequestError(
            f"the bytes uploaded as {object_name!r} came too long ago to be used: upload again",
            details={"object_name": object_name},
        )
    return row


def _mark_consumed(ctx: AppContext, row: Any) -> None:
    with ctx.db.write() as conn:
        conn.execute(
            update(t.compat_uploads)
            .where(t.compat_uploads.c.id == row.id)
            .values(consumed_at=utcnow())
        )
    ctx.storage.delete(row.stored_object)


def _chunks(stream: Any) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk
