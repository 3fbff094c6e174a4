"""Sweeping crash residue: staging files and stored objects that no row names.

Bytes are put in place before the row naming them commits, and a request drops its staging
files when it ends, so a process killed mid-upload leaves staging files nobody will read and
objects no row names. Both are removed once older than the grace period
(``orphan_grace_hours``): anything younger may belong to an upload still in flight, which
puts its object in place and then commits its row. The age of an object is that of its
last write, so re-uploading the bytes of an old orphan makes it young again.

The sweep runs at start-up (staging files when any workspace opens, everything in the
background when ``pixlake serve`` starts), and on demand with ``pixlake gc`` and
``pixlake trash purge``. It works across organizations: it is an operator's task.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection, select

from pixlake.core import tables as t
from pixlake.core.context import AppContext
from pixlake.core.grace import grace_cutoff, sweep_staging
from pixlake.core.services import model_files
from pixlake.core.services.compat_uploads import RECEIVED_PREFIX, received_object_name
from pixlake.core.services.data import object_name_for
from pixlake.core.services.exports import EXPORT_OBJECT_PREFIX, export_object_name
from pixlake.core.sql import chunked, one_of
from pixlake.storage.base import Removed, StoredItem

__all__ = ["OBJECT_NAME_COLUMNS", "SweepReport", "grace_cutoff", "sweep_orphans", "sweep_staging"]

OBJECT_NAME_COLUMNS = (t.data.c.object_name, t.model_files.c.object_name)
"""Every column that names a stored object. A table that names objects must be added here,
and its names taught to ``_object_key`` and ``_named_objects``, or the sweep would remove
its objects."""

_BATCH = 1000  # objects checked against the database, then deleted, at a time
_CHECKSUM = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SweepReport:
    """What a sweep removed, and what it left because pixlake does not name such objects."""

    staging_files: Removed
    objects: Removed
    unfinished_uploads: Removed
    foreign_objects: int = 0

    @property
    def removed_anything(self) -> bool:
        return bool(self.staging_files.count or self.objects.count or self.unfinished_uploads.count)


def sweep_orphans(ctx: AppContext, *, now: float | None = None) -> SweepReport:
    """Remove staging files, objects no row names and unfinished uploads (a bucket's
    multipart uploads), each older than the grace period.

    Objects are listed, and checked against the database and deleted a batch at a time, so
    memory stays flat in the size of the store. Only objects named the way pixlake names
    them are considered: a bucket prefix shared with other software loses nothing.

    Args:
        ctx: the platform to sweep.
        now: the POSIX time to measure ages from (default: the clock).

    Raises:
        StorageError: the store could not be listed or an object deleted.
        DatabaseError: the database can't be reached.
    """
    cutoff = grace_cutoff(ctx.settings, now)
    staging = ctx.storage.sweep_staging(cutoff)
    objects, foreign = Removed(), 0
    for batch in _batches(ctx.storage.list_objects(), cutoff):
        keys = {item.name: key for item in batch if (key := _object_key(item.name)) is not None}
        foreign += len(batch) - len(keys)
        with ctx.db.read() as conn:
            named = _named_objects(conn, keys)
        orphans = [item for item in batch if item.name in keys and item.name not in named]
        if orphans:
            objects += Removed.of(ctx.storage.delete_unchanged(orphans))
    uploads = [
        item
        for item in ctx.storage.list_unfinished_uploads(cutoff)
        if _object_key(item.name) is not None
    ]
    for item in uploads:
        ctx.storage.abort_upload(item)
    return SweepReport(
        staging_files=staging,
        objects=objects,
        unfinished_uploads=Removed.of(uploads),
        foreign_objects=foreign,
    )


def _batches(items: Iterator[StoredItem], cutoff: float) -> Iterator[list[StoredItem]]:
    batch: list[StoredItem] = []
    for item in items:
        if item.modified >= cutoff:
            continue  # young: an upload in flight may be about to commit its row
        batch.append(item)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_PREFIXED_KINDS: dict[str, tuple[str, Callable[[UUID, str], str]]] = {
    model_files.OBJECT_PREFIX: ("model", model_files.object_name_for),
    EXPORT_OBJECT_PREFIX: ("export", export_object_name),
    RECEIVED_PREFIX: ("received", received_object_name),
}
"""Objects named ``<prefix>/<organization>/<xx>/<checksum>``; any other is a data's."""


def _object_key(name: str) -> tuple[str, UUID, str] | None:
    """What an object's name is made of: ``("data", datalake, checksum)`` for a data's
    bytes, ``("model", organization, checksum)`` for a model file's, ``("export", ...)``
    for a stored export and ``("received", ...)`` for the bytes of a Picsellia-style upload
    (which no row names), or None for a name pixlake never gives."""
    parts = name.split("/")
    kind: str = "data"
    expected_name: Callable[[UUID, str], str] = object_name_for
    if parts[0] in _PREFIXED_KINDS:
        (kind, expected_name), parts = _PREFIXED_KINDS[parts[0]], parts[1:]
    if len(parts) != 3 or not _CHECKSUM.fullmatch(parts[2]):
        return None
    try:
        owner = UUID(parts[0])
    except ValueError:
        return None
    return (kind, owner, parts[2]) if expected_name(owner, parts[2]) == name else None


def _named_objects(conn: Connection, keys: Mapping[str, tuple[str, UUID, str]]) -> set[str]:
    """Which of these object names (with their ``_object_key``) a row names.

    Data objects are looked up through the unique (datalake, checksum) index, since
    ``data.object_name`` has none; model files' through their ``object_name`` index. Rows
    in the trash name their objects too: they may be restored.
    """
    by_datalake: dict[UUID, list[str]] = defaultdict(list)
    model_names: list[str] = []
    for name, (kind, owner, checksum) in keys.items():
        if kind in ("export", "received"):
            continue  # used for a while (a URL, an upload to finish), named by no row
        if kind == "model":
            model_names.append(name)
        else:
            by_datalake[owner].append(checksum)
    named: set[str] = set()
    for datalake_id, checksums in by_datalake.items():
        for chunk in chunked(conn, checksums):
            named.update(
                conn.execute(
                    select(t.data.c.object_name).where(
                        t.data.c.datalake_id == datalake_id,
                        one_of(conn, t.data.c.checksum, chunk),
                    )
                ).scalars()
            )
    for chunk in chunked(conn, model_names):
        named.update(
            conn.execute(
                select(t.model_files.c.object_name).where(
                    one_of(conn, t.model_files.c.object_name, chunk)
                )
            ).scalars()
        )
    return named.intersection(keys)
