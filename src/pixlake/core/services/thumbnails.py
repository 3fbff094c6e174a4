"""Thumbnails of data: made once per content, kept in the object store, read many times.

A thumbnail is named after its data's checksum (``thumbnails/<version>/<ab>/<checksum>``),
so the same bytes in several datalakes, versions or organizations share one; who may read
it is decided by the data row, scoped to the caller's organization like every read. The
sweep of crash residue (``orphans``) leaves these names alone: they are not data objects.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, cast
from uuid import UUID

from sqlalchemy import bindparam, select

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.services.data import image_limits
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.enums import DataType
from pixlake.errors import NotFoundError, StorageError
from pixlake.thumbnailing import (
    THUMBNAIL_CONTENT_TYPE,
    ThumbnailError,
    placeholder_thumbnail,
    render_thumbnail,
)

__all__ = ["THUMBNAIL_VERSION", "Thumbnail", "ThumbnailSource", "thumbnail", "thumbnail_source"]

THUMBNAIL_VERSION = "v1-256-webp"
"""Part of every thumbnail's name and ETag: a new rendering gets new names, never stale
cached pictures."""

_SPOOL_IN_MEMORY = 8 * 1024 * 1024
"""Bytes of a remote object held in memory while decoding it; larger ones go to a file."""


_SOURCE_OF_DATA = select(t.data.c.checksum, t.data.c.object_name, t.data.c.type).where(
    t.data.c.id == bindparam("data_id", type_=t.data.c.id.type),
    t.data.c.organization_id == bindparam("organization_id", type_=t.data.c.organization_id.type),
)
"""The columns a thumbnail needs of a data row, scoped to the caller's organization: not
the whole row, and built once, since a gallery asks it for every picture it shows."""


@dataclass(frozen=True)
class ThumbnailSource:
    """What a thumbnail is made from, and its name: known from the data row alone."""

    data_id: UUID
    checksum: str
    object_name: str
    type: DataType

    @property
    def etag(self) -> str:
        return f'"{THUMBNAIL_VERSION}-{self.checksum}"'

    @property
    def thumbnail_name(self) -> str:
        return f"thumbnails/{THUMBNAIL_VERSION}/{self.checksum[:2]}/{self.checksum}"


@dataclass(frozen=True)
class Thumbnail:
    content: bytes
    content_type: str
    placeholder: bool
    """True when the media could not be made into a thumbnail (missing or unreadable)."""
    made: bool = False
    """True when it was rendered by this request (not read from the store)."""


def thumbnail_source(ctx: AppContext, actor: Actor, data_id: UUID) -> ThumbnailSource:
    """The data a thumbnail stands for; NotFoundError unless the caller's organization
    holds it."""
    with ctx.db.read() as conn:
        row = conn.execute(
            _SOURCE_OF_DATA, {"data_id": data_id, "organization_id": actor.organization_id}
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"data {data_id} not found", details={"id": str(data_id)})
    return ThumbnailSource(data_id, row.checksum, row.object_name, DataType(row.type))


def thumbnail(ctx: AppContext, source: ThumbnailSource, cache: ThumbnailCache) -> Thumbnail:
    """The thumbnail of ``source``: from the process's ``cache``, read from the store, or
    made and stored. A media that can't be read gives the placeholder (never an error): a
    gallery shows it in place. A real thumbnail is put in ``cache`` (a placeholder never is:
    the media may yet be repaired)."""
    cached = cache.get(source.checksum)
    if cached is not None:
        return Thumbnail(cached, THUMBNAIL_CONTENT_TYPE, placeholder=False)
    stored = _read_stored(ctx, source.thumbnail_name)
    if stored is not None:
        cache.put(source.checksum, stored)
        return Thumbnail(stored, THUMBNAIL_CONTENT_TYPE, placeholder=False)
    try:
        content = _render(ctx, source)
    except (ThumbnailError, StorageError):
        return Thumbnail(placeholder_thumbnail(), THUMBNAIL_CONTENT_TYPE, placeholder=True)
    _store(ctx, source.thumbnail_name, content)
    cache.put(source.checksum, content)
    return Thumbnail(content, THUMBNAIL_CONTENT_TYPE, placeholder=False, made=True)


def _read_stored(ctx: AppContext, name: str) -> bytes | None:
    local = ctx.storage.local_path(name)
    try:
        if local is not None:
            return local.read_bytes()
        if not ctx.storage.exists(name):
            return None
        with ctx.storage.open(name) as stream:
            return stream.read()
    except (FileNotFoundError, StorageError):
        return None


def _render(ctx: AppContext, source: ThumbnailSource) -> bytes:
    settings = ctx.settings
    limits = image_limits(settings.max_image_pixels, settings.max_concurrent_decodes)
    local = ctx.storage.local_path(source.object_name)
    if local is not None:
        if not local.is_file():
            raise StorageError(f"object {source.object_name!r} is missing from the store")
        # On the shared decoding threads: decode memory stays bounded however many ask.
        return limits.decoder.submit(
            render_thumbnail, str(local), source.type, settings.max_image_pixels
        ).result()
    with (
        ctx.storage.open(source.object_name) as remote,
        tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as copy,
    ):
        # A bucket's stream can't seek, which decoders need: a local copy can.
        shutil.copyfileobj(remote, copy)
        copy.seek(0)
        return limits.decoder.submit(
            render_thumbnail, cast(BinaryIO, copy), source.type, settings.max_image_pixels
        ).result()


def _store(ctx: AppContext, name: str, content: bytes) -> None:
    staged = ctx.storage.stage_stream([content], expected_size=len(content))
    try:
        ctx.storage.commit(staged, name)
    except StorageError:
        pass  # a thumbnail not kept is made again next time; the picture is still served
    finally:
        ctx.storage.discard(staged)
