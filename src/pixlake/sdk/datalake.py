"""Datalakes: where data is uploaded, listed and found."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

from pixlake.bundle import BUNDLE_CONTENT_TYPE, encode_bundle
from pixlake.enums import Target
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.gcpause import paused_gc
from pixlake.progress import progress
from pixlake.schemas import MAX_PAGE_SIZE, DatalakePublic, DataPublic
from pixlake.sdk.base import SchemaField, SdkObject, id_list, split_tags
from pixlake.sdk.data import Data, MultiData
from pixlake.sdk.local_files import collect_files, preflight_all, report_skipped
from pixlake.sdk.page_args import check_page_args
from pixlake.sdk.paging import keyset_pages
from pixlake.sdk.querying import query_params
from pixlake.sdk.transfer import default_workers
from pixlake.sdk.wire import parse_many

if TYPE_CHECKING:
    from pixlake.sdk.tag import Tag

__all__ = ["Datalake"]

BUNDLE_MAX_FILES = 256
BUNDLE_MAX_BYTES = 8 * 1024 * 1024
"""Bounds of one bundle request in server mode: small enough to keep several requests in
flight and a retry cheap, big enough that request overhead stops dominating. A request
costs the server some milliseconds of its own (authentication, the checks, a transaction,
the threads that put objects in place), whatever it carries: with 32 files of 23 kB that
was over half the server's CPU per file (docs/ingest-speed.md). The byte bound, not the
file count, caps what one request holds in memory."""

LOCAL_INGEST_CHUNK = 512
"""Files per in-process ingest request: big enough to amortise a transaction and the
request's thread pools (256 cost some 10% more CPU per file), small enough for a smooth
progress bar and to keep what a request holds in memory small (within
``MAX_LOCAL_PATHS_PER_REQUEST``)."""


class Datalake(SdkObject[DatalakePublic]):
    """A pool of images and videos of an organization."""

    name = SchemaField[str]()
    organization_id = SchemaField[UUID]()
    created_at = SchemaField[Any]()

    def upload_data(
        self,
        filepaths: str | Path | Sequence[str | Path],
        tags: Tag | str | Sequence[Tag | str] | None = None,
        max_workers: int | None = None,
    ) -> Data | MultiData:
        """Upload images and videos.

        Args:
            filepaths: one file (gives a Data), or a list of files or folders (gives a
                MultiData, in the order given). Folders are walked recursively; their files
                are recognised as media by their bytes, and what is not media is skipped,
                reported by a warning of the ``pixlake`` logger and listed in the result's
                ``skipped`` (path and reason each).
            tags: a tag name, a Tag of target DATA, or a list of them, for every file;
                unknown names are created.
            max_workers: parallel uploads (defaults to ``os.cpu_count() + 4``).

        Every file is checked before any is sent, so a bad one (missing, empty, not a
        supported image or video, badly named; in a folder, a broken file with a media
        extension) raises an error naming it by the path as given, and nothing is
        stored. Bytes the datalake already holds give back their existing Data.
        """
        with paused_gc():  # thousands of long-lived rows, answers and Data: see gcpause
            return self._upload(filepaths, tags, max_workers)

    def _upload(
        self,
        filepaths: str | Path | Sequence[str | Path],
        tags: Tag | str | Sequence[Tag | str] | None,
        max_workers: int | None,
    ) -> Data | MultiData:
        single = isinstance(filepaths, str | os.PathLike) and not Path(filepaths).is_dir()
        collected = collect_files(filepaths)
        tag_names, tag_ids = split_tags(tags, Target.DATA)
        probes = self._connection.capabilities.probes
        recorded = preflight_all(collected.files, probes)
        try:
            report_skipped(collected.skipped)
            paths = [file.path for file in collected.files]
            if self._connection.capabilities.local_files:
                uploaded = self._ingest_local(paths, tag_names, tag_ids, max_workers)
            else:
                uploaded = self._upload_streams(paths, tag_names, tag_ids, max_workers)
        finally:
            if probes is not None:
                probes.forget(recorded, (str(file.path) for file in collected.files))
        if single:
            return uploaded[0]
        result = MultiData(self._connection, _unique_by_id(uploaded))
        result.skipped = tuple(collected.skipped)
        return result

    def _ingest_local(
        self, paths: list[Path], tag_names: list[str], tag_ids: list[str], max_workers: int | None
    ) -> list[Data]:
        uploaded: list[Data] = []
        bar = progress(len(paths), "Uploading")
        try:
            for start in range(0, len(paths), LOCAL_INGEST_CHUNK):
                chunk = paths[start : start + LOCAL_INGEST_CHUNK]
                rows = self._connection.request(
                    "POST",
                    f"/datalakes/{self.id}/data/ingest-local",
                    json={
                        "paths": [str(p) for p in chunk],
                        "tags": tag_names,
                        "tag_ids": tag_ids,
                        "max_workers": max_workers,
                    },
                )
                uploaded.extend(
                    Data(self._connection, item) for item in parse_many(DataPublic, rows)
                )
                bar.update(len(chunk))
        finally:
            bar.close()
        return uploaded

    def _upload_streams(
        self, paths: list[Path], tag_names: list[str], tag_ids: list[str], max_workers: int | None
    ) -> list[Data]:
        """Small files travel in bundles, large ones alone; requests run in parallel."""
        params: list[tuple[str, str]] = [("tags", n) for n in tag_names]
        params += [("tag_ids", i) for i in tag_ids]

        def send(batch: list[Path]) -> list[Data]:
            if len(batch) == 1 and batch[0].stat().st_size > BUNDLE_MAX_BYTES:
                with open(batch[0], "rb") as stream:
                    rows = [
                        self._connection.request(
                            "PUT",
                            f"/datalakes/{self.id}/data",
                            params=[("filename", batch[0].name), *params],
                            content=_chunks(stream),
                        )
                    ]
            else:
                rows = self._connection.request(
                    "POST",
                    f"/datalakes/{self.id}/data/bundle",
                    params=params,
                    content=encode_bundle(batch),
                    headers={"content-type": BUNDLE_CONTENT_TYPE},
                )
            return [Data(self._connection, item) for item in parse_many(DataPublic, rows)]

        batches = _bundle(paths)
        results: list[Data] = []
        bar = progress(len(paths), "Uploading")
        workers = max(1, min(max_workers or default_workers(), len(batches)))
        try:
            with ThreadPoolExecutor(workers) as pool:
                for batch, stored in zip(batches, pool.map(send, batches), strict=True):
                    results.extend(stored)
                    bar.update(len(batch))
        finally:
            bar.close()
        return results

    def list_data(
        self,
        limit: int | None = None,
        offset: int | None = None,
        tags: str | Tag | Sequence[str | Tag] | None = None,
        filenames: Sequence[str] | None = None,
        q: str | None = None,
        ids: Sequence[UUID | str] | None = None,
    ) -> MultiData:
        """Data of this datalake in upload order, optionally filtered.

        Args:
            limit: at most this many (all when None).
            offset: skip this many first.
            tags: keep data having any of these tags (names or Tags of target DATA).
            filenames: keep data with one of these filenames.
            q: keep data matching this query (docs/query.md), e.g.
                ``'width >= 1024 and tags.name = "night"'``; and-ed with the other filters.
            ids: keep the data of these ids (the Picsellia SDK's ``ids``; up to
                ``MAX_IDS_PER_REQUEST``).

        Raises:
            InvalidQueryError: ``q`` does not parse or names what data lack (its position
                and token in ``details``).
            LimitExceededError: more ids or filenames than ``MAX_IDS_PER_REQUEST``.
        """
        check_page_args(limit, offset)
        tag_names, tag_ids = split_tags(tags, Target.DATA)
        query: dict[str, Any] = {
            "tags": tag_names,
            "tag_ids": tag_ids,
            "filenames": list(filenames) if filenames is not None else None,
            "ids": id_list(ids),
            "offset": offset or 0,
        }
        params = query_params(q)
        with paused_gc():
            return MultiData(self._connection, self._pages(query, limit, params))

    def count_data(self, q: str | None = None) -> int:
        """How many data of this datalake match the query ``q`` (all of them when None),
        without listing them."""
        answer = self._connection.request(
            "GET", f"/datalakes/{self.id}/data/count", params=query_params(q)
        )
        return int(answer["count"])

    def _pages(
        self, query: dict[str, Any], limit: int | None, params: dict[str, str] | None = None
    ) -> Iterator[Data]:
        for rows in keyset_pages(
            self._connection,
            f"/datalakes/{self.id}/data/search",
            query,
            limit=limit,
            page_size=MAX_PAGE_SIZE,
            params=params,
        ):
            yield from (Data(self._connection, item) for item in parse_many(DataPublic, rows))

    def find_data(self, filename: str | None = None, id: UUID | str | None = None) -> Data:
        """The data with this id, or the first one uploaded with this filename.

        Raises:
            NotFoundError: there is none in this datalake.
        """
        if id is not None:
            data = Data(
                self._connection,
                DataPublic.model_validate(
                    self._connection.request("GET", f"/data/{quote(str(id))}")
                ),
            )
            if data.datalake_id != self.id:
                raise NotFoundError(
                    f"data {id} is not in datalake {self.name!r}", details={"id": str(id)}
                )
            if filename is not None and data.filename != filename:
                raise NotFoundError(
                    f"data {id} is not named {filename!r}",
                    details={"id": str(id), "filename": filename},
                )
            return data
        if filename is None:
            raise BadRequestError("give a filename or an id to find data")
        found = self.list_data(limit=1, filenames=[filename])
        if not found:
            raise NotFoundError(
                f"no data named {filename!r} in datalake {self.name!r}",
                details={"filename": filename},
            )
        return found[0]

    def __repr__(self) -> str:
        return f"Datalake(name={self.name!r}, id={self.id})"


def _bundle(paths: list[Path]) -> list[list[Path]]:
    """Group files into bundles of at most BUNDLE_MAX_FILES files and BUNDLE_MAX_BYTES bytes;
    a file bigger than that travels alone."""
    batches: list[list[Path]] = []
    current: list[Path] = []
    current_bytes = 0
    for path in paths:
        size = path.stat().st_size
        full = len(current) == BUNDLE_MAX_FILES or current_bytes + size > BUNDLE_MAX_BYTES
        if current and full:
            batches.append(current)
            current, current_bytes = [], 0
        current.append(path)
        current_bytes += size
    if current:
        batches.append(current)
    return batches


def _chunks(stream: Any, size: int = 1024 * 1024) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _unique_by_id(items: list[Data]) -> list[Data]:
    return list({item.id: item for item in items}.values())
