"""Data: the files of a datalake. Ingesting, listing, reading and deleting them.

Ingestion always goes the same way, whether bytes arrive over HTTP or from a local path:

1. stage: hold the bytes aside, hashing them on the way (a staging file, or memory for
   small files bound for a bucket);
2. probe: recognise the media and read its dimensions from the header;
3. commit: put the new bytes in place under their content-addressed object names, then,
   in one transaction, insert the new rows and link tags.

A request refused at any step leaves nothing behind: staged bytes are dropped and the
transaction rolls back. Bytes are in place before the row naming them commits.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import stat
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext, utcnow
from pixlake.core.file_limits import check_file_size
from pixlake.core.query import data_condition
from pixlake.core.roles import AdminAction, require_admin
from pixlake.core.services import tags as tag_service
from pixlake.core.services.datalakes import require_datalake
from pixlake.core.services.json_pages import read_json_page
from pixlake.core.services.wire_json import JsonPage, data_json_select
from pixlake.core.slices import map_in_slices
from pixlake.core.sql import analyze_after_bulk, bulk_insert, chunked, one_of
from pixlake.enums import DataType, Target
from pixlake.errors import ConflictError, FileMissingError, NotFoundError
from pixlake.filenames import validate_filename
from pixlake.gcpause import paused_gc
from pixlake.ids import new_id
from pixlake.media import ImageLimits, MediaInfo, probe_media, within_limits
from pixlake.probed_media import ProbedMedia
from pixlake.schemas import DataPublic, DataQuery
from pixlake.storage import StagedObject
from pixlake.validation import check_json

__all__ = [
    "check_upload",
    "count_data",
    "delete_data",
    "get_data",
    "get_many",
    "image_limits",
    "ingest_local_files",
    "ingest_staged",
    "object_name_for",
    "object_names_of",
    "search_data",
    "update_custom_metadata",
]

logger = logging.getLogger("pixlake.data")

DEFAULT_INGEST_WORKERS = 4
_COMMIT_ATTEMPTS = 3  # a concurrent upload of the same bytes may win the race once


@dataclass
class _Incoming:
    filename: str
    staged: StagedObject
    media: MediaInfo


def object_name_for(datalake_id: UUID, checksum: str) -> str:
    """Where bytes live: derived from their hash, never from a user's filename."""
    return f"{datalake_id}/{checksum[:2]}/{checksum}"


def to_public(row: Any, large_file_threshold: int) -> DataPublic:
    return DataPublic.trusted(
        id=row.id,
        datalake_id=row.datalake_id,
        object_name=row.object_name,
        filename=row.filename,
        type=DataType(row.type),
        content_type=row.content_type,
        size=row.size,
        checksum=row.checksum,
        width=row.width,
        height=row.height,
        duration=row.duration,
        large=row.size >= large_file_threshold,
        metadata=row.metadata,
        custom_metadata=row.custom_metadata,
        created_at=row.created_at,
    )


def check_upload(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    filenames: Sequence[str],
    tag_ids: Sequence[UUID] = (),
) -> None:
    """Refuse a bad filename, an unknown datalake or tag before a single byte is staged."""
    for filename in filenames:
        validate_filename(filename)
    with ctx.db.read() as conn:
        require_datalake(conn, actor, datalake_id)
        if tag_ids:
            tag_service.require_tags_of_target(conn, actor, tag_ids, Target.DATA)


def ingest_staged(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    staged: Sequence[tuple[str, StagedObject]],
    tags: Sequence[str] = (),
    tag_ids: Sequence[UUID] = (),
) -> list[DataPublic]:
    """Store files whose bytes were staged already, all or none, one Data per file in order.

    Call ``check_upload`` before staging. The staging files are consumed: committed as
    objects, or dropped.
    """
    limits = _limits_of(ctx)
    try:
        with paused_gc():
            incoming = [
                _Incoming(name, obj, probe_media(obj.source, name, limits)) for name, obj in staged
            ]
            return _commit(ctx, actor, datalake_id, incoming, tags, tag_ids)
    finally:
        for _name, obj in staged:
            ctx.storage.discard(obj)


def _limits_of(ctx: AppContext) -> ImageLimits:
    return image_limits(ctx.settings.max_image_pixels, ctx.settings.max_concurrent_decodes)


@functools.cache
def image_limits(max_pixels: int, max_concurrent_decodes: int) -> ImageLimits:
    """The image limits of this process: one pool of decoding threads shared by every request
    (and every platform of the same settings in the process)."""
    return ImageLimits.of(max_pixels, max_concurrent_decodes)


def ingest_local_files(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    paths: Sequence[str],
    tags: Sequence[str] = (),
    tag_ids: Sequence[UUID] = (),
    max_workers: int | None = None,
    probed: ProbedMedia | None = None,
) -> list[DataPublic]:
    """Store files that sit on this machine, all or none.

    Returns one Data per path, in order; paths holding the same bytes give the same Data.
    ``probed`` holds what the SDK of this very process found probing some of the files
    (see ``pixlake.probed_media``): a file whose staged bytes hash to a checksum found
    there, within this platform's limits, is not probed again.
    """
    # Paths stay text: building a Path per file cost more than its stat. Only a regular
    # file passes ``_regular_file_size``, and for every path naming one the last part
    # is what ``Path.name`` would say.
    sources = list(paths)
    sizes = [_regular_file_size(source) for source in sources]
    names = [os.path.basename(source) for source in sources]
    check_upload(ctx, actor, datalake_id, names, tag_ids)
    for name, size in zip(names, sizes, strict=True):
        check_file_size(ctx.settings, name, size)

    limits = _limits_of(ctx)

    def _stage_held(source: str, size: int) -> StagedObject | None:
        # The bytes the SDK of this process read, probed and hashed, when it left them;
        # only while the file still has their size, which the limits were checked on.
        assert probed is not None
        held = probed.take(source)
        if held is None or len(held.data) != size:
            return None
        return ctx.storage.stage_held(held.data, held.checksum)

    def stage_and_probe(file: tuple[str, str, int]) -> _Incoming:
        source, name, size = file
        # Each file is read once: by the SDK of this process when it left the bytes it
        # read, else here, hashed while staged and probed from the staged bytes. The
        # workers overlap one file's reading and hashing (outside the GIL) with another's
        # probe.
        staged = _stage_held(source, size) if probed is not None else None
        if staged is None:
            staged = ctx.storage.stage_file(Path(source))
        try:
            media = probed.get(staged.checksum) if probed is not None else None
            if media is None or not within_limits(media, limits):
                media = probe_media(staged.source, name, limits)  # refusals come from here
            return _Incoming(name, staged, media)
        except BaseException:
            ctx.storage.discard(staged)
            raise

    with paused_gc():
        incoming, failed = map_in_slices(
            stage_and_probe,
            list(zip(sources, names, sizes, strict=True)),
            max_workers or DEFAULT_INGEST_WORKERS,
        )
        try:
            if failed is not None:
                raise failed
            return _commit(ctx, actor, datalake_id, incoming, tags, tag_ids)
        finally:
            for item in incoming:
                ctx.storage.discard(item.staged)


_NOT_THERE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
"""What ``Path.is_file`` takes for "no such file" rather than raising."""


def _regular_file_size(source: str) -> int:
    """The size of a regular file, read with the one system call that also tells it is
    one; FileMissingError for anything else."""
    try:
        status = os.stat(source)
    except OSError as exc:
        if exc.errno not in _NOT_THERE:
            raise
    else:
        if stat.S_ISREG(status.st_mode):
            return status.st_size
    raise FileMissingError(f"{source}: no such file", details={"path": str(source)})


def _commit(
    ctx: AppContext,
    actor: Actor,
    datalake_id: UUID,
    incoming: Sequence[_Incoming],
    tags: Sequence[str],
    tag_ids: Sequence[UUID],
) -> list[DataPublic]:
    tag_service.check_names(tags)
    # The new rows are built while the bytes are being put in place: writing files is
    # system calls on other threads (the GIL released), building rows is Python on this
    # one, so on two cores the two overlap. The transaction still begins only once every
    # object is in place.
    with ThreadPoolExecutor(1, "pixlake-store") as pool:
        stored = pool.submit(_store_new_objects, ctx, datalake_id, incoming)
        prepared = _prepare_rows(ctx, actor, datalake_id, incoming)  # on error, waits for it
        stored.result()  # a failure to store raises here, before any transaction
    for attempt in range(_COMMIT_ATTEMPTS):
        try:
            with ctx.db.write() as conn:
                by_checksum = _commit_rows(ctx, conn, actor, datalake_id, prepared, tags, tag_ids)
            break
        except IntegrityError:
            # Another request stored the same bytes between our read and our insert:
            # the next attempt finds its row and returns it instead.
            if attempt == _COMMIT_ATTEMPTS - 1:
                raise
    return [by_checksum[item.staged.checksum] for item in incoming]


def _store_new_objects(ctx: AppContext, datalake_id: UUID, incoming: Sequence[_Incoming]) -> None:
    """Put the bytes the datalake does not hold yet in place, in parallel, before the
    transaction that names them: a slow object store then holds no database lock, and a
    failure leaves at most objects no row names (reused by the retry)."""
    first_of: dict[str, _Incoming] = {}
    for item in incoming:
        first_of.setdefault(item.staged.checksum, item)
    held: set[str] = set()
    with ctx.db.read() as conn:
        for chunk in chunked(conn, list(first_of)):
            held.update(
                conn.execute(
                    select(t.data.c.checksum).where(
                        t.data.c.datalake_id == datalake_id, one_of(conn, t.data.c.checksum, chunk)
                    )
                ).scalars()
            )
    new = [item for checksum, item in first_of.items() if checksum not in held]

    def store(item: _Incoming) -> None:
        ctx.storage.commit(item.staged, object_name_for(datalake_id, item.staged.checksum))

    _stored, failed = map_in_slices(store, new, ctx.storage.commit_workers)
    if failed is not None:
        raise failed


@dataclass
class _NewRow:
    """A row to insert for bytes the datalake may not hold yet, and the Data it answers."""

    values: dict[str, Any]
    public: DataPublic


def _prepare_rows(
    ctx: AppContext, actor: Actor, datalake_id: UUID, incoming: Sequence[_Incoming]
) -> dict[str, _NewRow]:
    """The row each distinct checksum of ``incoming`` would insert, by checksum (the first
    file of the same bytes wins); the transaction keeps those the datalake lacks."""
    threshold = ctx.settings.large_file_threshold
    now, prepared = utcnow(), {}
    for item in incoming:
        checksum = item.staged.checksum
        if checksum in prepared:
            continue
        media = item.media
        values = {
            "id": new_id(),
            "organization_id": actor.organization_id,
            "datalake_id": datalake_id,
            "object_name": object_name_for(datalake_id, checksum),  # see _store_new_objects
            "filename": item.filename,
            "type": media.type.value,
            "content_type": media.content_type,
            "size": item.staged.size,
            "checksum": checksum,
            "width": media.width,
            "height": media.height,
            "duration": media.duration,
            "metadata": media.metadata,
            "custom_metadata": {},
            "created_at": now,
        }
        prepared[checksum] = _NewRow(values, to_public(SimpleNamespace(**values), threshold))
    return prepared


def _commit_rows(
    ctx: AppContext,
    conn: Connection,
    actor: Actor,
    datalake_id: UUID,
    prepared: dict[str, _NewRow],
    tags: Sequence[str],
    tag_ids: Sequence[UUID],
) -> dict[str, DataPublic]:
    all_tag_ids = tag_service.require_tags_of_target(conn, actor, tag_ids, Target.DATA)
    all_tag_ids += tag_service.ensure_tags(conn, actor, tags, Target.DATA)
    threshold = ctx.settings.large_file_threshold

    by_checksum: dict[str, DataPublic] = {}
    for chunk in chunked(conn, list(prepared)):
        for row in conn.execute(
            select(t.data).where(
                t.data.c.datalake_id == datalake_id, one_of(conn, t.data.c.checksum, chunk)
            )
        ):
            by_checksum[row.checksum] = to_public(row, threshold)  # held already

    rows = []
    for checksum, new_row in prepared.items():
        if checksum not in by_checksum:
            rows.append(new_row.values)
            by_checksum[checksum] = new_row.public
    bulk_insert(conn, t.data, rows)
    analyze_after_bulk(conn, t.data, len(rows))
    if all_tag_ids:
        tag_service.link_tags(conn, [d.id for d in by_checksum.values()], all_tag_ids)
    return by_checksum


def _data_by_ids(ctx: AppContext, actor: Actor, ids: Sequence[UUID]) -> list[DataPublic]:
    with ctx.db.read() as conn:
        return _data_by_ids_in(conn, ctx, actor, ids)


def _data_by_ids_in(
    conn: Connection, ctx: AppContext, actor: Actor, ids: Sequence[UUID]
) -> list[DataPublic]:
    threshold = ctx.settings.large_file_threshold
    found: list[DataPublic] = []
    for chunk in chunked(conn, list(ids)):
        found.extend(
            to_public(row, threshold)
            for row in conn.execute(
                select(t.data).where(
                    one_of(conn, t.data.c.id, chunk),
                    t.data.c.organization_id == actor.organization_id,
                )
            )
        )
    return found


def get_many(ctx: AppContext, actor: Actor, data_ids: Sequence[UUID]) -> list[DataPublic]:
    """Data by id in the order asked; NotFoundError naming the first unknown one."""
    found = {d.id: d for d in _data_by_ids(ctx, actor, list(dict.fromkeys(data_ids)))}
    _require_all(list(data_ids), found)
    return [found[data_id] for data_id in data_ids]


def get_data(ctx: AppContext, actor: Actor, data_id: UUID) -> DataPublic:
    found = _data_by_ids(ctx, actor, [data_id])
    if not found:
        raise NotFoundError(f"data {data_id} not found", details={"id": str(data_id)})
    return found[0]


def search_data(
    ctx: AppContext, actor: Actor, datalake_id: UUID, query: DataQuery, q: str | None = None
) -> JsonPage:
    """One page of a datalake's data matching the filters and the query ``q``
    (docs/query.md), in id (creation) order.

    The page's items come back as one JSON array written by the database (see
    ``wire_json``): listings run to hundreds of thousands of rows.
    """
    matching = data_condition(q, ctx.db.engine.dialect.name)  # refused before any read
    with ctx.db.read() as conn:
        require_datalake(conn, actor, datalake_id)
        statement = data_json_select(
            conn.dialect.name, ctx.settings.large_file_threshold, datalake_id
        ).where(t.data.c.organization_id == actor.organization_id)
        if matching is not None:
            statement = statement.where(matching)
        tagged = tag_service.tagged_filter(
            conn, actor, t.data.c.id, query.tag_ids, query.tags, Target.DATA
        )
        if tagged is not None:
            statement = statement.where(tagged)
        if query.filenames is not None:
            statement = statement.where(one_of(conn, t.data.c.filename, query.filenames))
        if query.ids is not None:
            statement = statement.where(one_of(conn, t.data.c.id, query.ids))
        if query.after is not None:
            statement = statement.where(t.data.c.id > query.after)
        return read_json_page(conn, statement, t.data.c.id, limit=query.limit, offset=query.offset)


def count_data(ctx: AppContext, actor: Actor, datalake_id: UUID, q: str | None = None) -> int:
    """How many data of the datalake match ``q`` (all of them when None)."""
    matching = data_condition(q, ctx.db.engine.dialect.name)
    statement = select(func.count()).where(
        t.data.c.datalake_id == datalake_id, t.data.c.organization_id == actor.organization_id
    )
    if matching is not None:
        statement = statement.where(matching)
    with ctx.db.read() as conn:
        require_datalake(conn, actor, datalake_id)
        return int(conn.execute(statement).scalar_one())


def update_custom_metadata(
    ctx: AppContext, actor: Actor, data_id: UUID, values: dict[str, Any]
) -> DataPublic:
    """Merge ``values`` into the data's custom metadata (like ``dict.update``).

    The merged metadata must be plain JSON of at most ``max_json_bytes``
    (``check_json``); the answer is read inside the transaction, so a failure to build it
    rolls the change back rather than following its commit.
    """
    check_json(values, "custom_metadata", max_bytes=None)
    with ctx.db.write() as conn:
        current = conn.execute(
            select(t.data.c.custom_metadata).where(
                t.data.c.id == data_id, t.data.c.organization_id == actor.organization_id
            )
        ).scalar_one_or_none()
        if current is None:
            raise NotFoundError(f"data {data_id} not found", details={"id": str(data_id)})
        merged = check_json({**current, **values}, "custom_metadata", ctx.settings.max_json_bytes)
        conn.execute(update(t.data).where(t.data.c.id == data_id).values(custom_metadata=merged))
        return _data_by_ids_in(conn, ctx, actor, [data_id])[0].answer()


def object_names_of(ctx: AppContext, actor: Actor, data_ids: Sequence[UUID]) -> dict[UUID, str]:
    """Object names of data the actor may read; NotFoundError naming the first other id."""
    with ctx.db.read() as conn:
        return _object_names(conn, actor, list(dict.fromkeys(data_ids)))


def _object_names(conn: Connection, actor: Actor, wanted: list[UUID]) -> dict[UUID, str]:
    names: dict[UUID, str] = {}
    for chunk in chunked(conn, wanted):
        names.update(
            conn.execute(
                select(t.data.c.id, t.data.c.object_name).where(
                    one_of(conn, t.data.c.id, chunk),
                    t.data.c.organization_id == actor.organization_id,
                )
            ).all()
        )
    _require_all(wanted, names)
    return names


def delete_data(ctx: AppContext, actor: Actor, data_ids: Sequence[UUID]) -> int:
    """Delete data, all or none; returns how many. Objects go once no row names them."""
    wanted = list(dict.fromkeys(data_ids))
    with ctx.db.write() as conn:
        names = _object_names(conn, actor, wanted)
        # Admins only: data serve every dataset of the organization, and this is for good.
        require_admin(actor, AdminAction.DELETE_DATA)
        _refuse_data_in_versions(conn, wanted)
        tag_service.unlink_objects(conn, wanted)
        for chunk in chunked(conn, wanted):
            conn.execute(delete(t.data).where(one_of(conn, t.data.c.id, chunk)))
        object_names = list(set(names.values()))
        still_used: set[str] = set()
        for names_chunk in chunked(conn, object_names):
            still_used.update(
                conn.execute(
                    select(t.data.c.object_name).where(
                        one_of(conn, t.data.c.object_name, names_chunk)
                    )
                ).scalars()
            )
    # Only after the rows are gone for good: a failed commit must not lose bytes. And
    # best effort: the deletion is committed, so a store failing now must not turn it
    # into an error answer; an object left behind is one no row names.
    for object_name in object_names:
        if object_name not in still_used:
            try:
                ctx.storage.delete(object_name)
            except Exception:
                logger.exception("could not delete object %s of deleted data", object_name)
    return len(wanted)


def _refuse_data_in_versions(conn: Connection, data_ids: Sequence[UUID]) -> None:
    for chunk in chunked(conn, list(data_ids)):
        used = conn.execute(
            select(
                t.assets.c.data_id,
                t.data.c.filename,
                t.assets.c.deleted_at,
                t.dataset_versions.c.deleted_at.label("version_deleted_at"),
                t.datasets.c.deleted_at.label("dataset_deleted_at"),
            )
            .join(t.data, t.data.c.id == t.assets.c.data_id)
            .join(t.dataset_versions, t.dataset_versions.c.id == t.assets.c.dataset_version_id)
            .join(t.datasets, t.datasets.c.id == t.dataset_versions.c.dataset_id)
            .where(one_of(conn, t.assets.c.data_id, chunk))
            .order_by(t.assets.c.deleted_at.is_not(None))
        ).first()
        if used is not None:
            in_trash = used.deleted_at or used.version_deleted_at or used.dataset_deleted_at
            where = (
                "the trash (purge it, or restore and delete the asset)"
                if in_trash
                else "a dataset version (delete its asset first)"
            )
            raise ConflictError(
                f"data {used.filename!r} is used by an asset in {where}",
                details={"id": str(used.data_id)},
            )


def _require_all(wanted: Sequence[UUID], found: dict[UUID, Any]) -> None:
    for data_id in wanted:
        if data_id not in found:
            raise NotFoundError(f"data {data_id} not found", details={"id": str(data_id)})
