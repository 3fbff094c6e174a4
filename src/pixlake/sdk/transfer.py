"""Moving bytes to local files: safely named, written atomically, in parallel."""

from __future__ import annotations

import logging
import os
import shutil
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse
from uuid import UUID

import httpx

from pixlake.bundle import ByteReader, read_frames
from pixlake.errors import BadRequestError, StorageError
from pixlake.progress import progress, progress_enabled
from pixlake.schemas import UrlMap
from pixlake.sdk.connection import raise_for_error

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = [
    "DownloadJob",
    "default_workers",
    "download_all",
    "fetch_many",
    "fetch_url",
    "plan_targets",
    "safe_target",
    "temporary_path",
]

logger = logging.getLogger("pixlake")
_CHUNK = 1024 * 1024


def default_workers() -> int:
    return (os.cpu_count() or 1) + 4


def safe_target(folder: Path, filename: str) -> Path:
    """``folder/filename``, refusing any name that would land elsewhere (``folder`` is
    resolved already)."""
    root = folder
    name = Path(filename.replace("\\", "/")).name
    if name in ("", ".", "..") or name != filename:
        raise BadRequestError(
            f"refusing to write {filename!r} outside {root}", details={"filename": filename}
        )
    target = root / name
    if target.parent != root:
        raise BadRequestError(
            f"refusing to write {filename!r} outside {root}", details={"filename": filename}
        )
    return target


def temporary_path(target: Path) -> Path:
    """Where a download to ``target`` is written before its rename: a hidden name of fixed
    length beside it, so that a filename of the full 255 bytes still downloads (a name
    derived from the target's would be longer than the filesystem allows)."""
    return target.with_name(f".pixlake-{uuid.uuid4().hex}.part")


def fetch_url(http: httpx.Client, url: str, target: Path) -> None:
    """Write the bytes at ``url`` to ``target`` through a temporary file and a rename.

    A failure leaves no partial file at ``target``.
    """
    temporary = temporary_path(target)
    try:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            shutil.copyfile(unquote(parsed.path), temporary)  # the kernel's fast copy
        else:
            with http.stream("GET", url) as response:
                if response.status_code >= 400:
                    response.read()
                    raise_for_error(response)
                with open(temporary, "wb") as out:
                    for chunk in response.iter_bytes(_CHUNK):
                        out.write(chunk)
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError):
            raise StorageError(f"bytes of {target.name} are missing from the store") from exc
        if isinstance(exc, httpx.TransportError):
            raise StorageError(f"could not download {target.name}: {exc}") from exc
        raise


@dataclass(frozen=True)
class DownloadJob:
    data_id: UUID
    filename: str


def plan_targets(folder: Path, jobs: Sequence[DownloadJob]) -> list[tuple[DownloadJob, Path]]:
    """One target file per distinct data, none of them written over by another.

    The first data with a filename (in the order given) gets it; another data with the same
    filename gets ``<stem>.<last 8 hex digits of its id><ext>`` (the random end of a
    UUIDv7), so that both are written and a second run finds the same names. Names are
    compared as a case-insensitive file system would (case and Unicode normalisation
    folded): the folder can be copied to any machine without two files becoming one.
    """
    unique = list({job.data_id: job for job in jobs}.values())  # a data listed twice: once
    taken: set[str] = set()
    named: dict[UUID, str] = {}
    for job in unique:  # first every name as given, so a renamed file can't take one
        if _name_key(job.filename) not in taken:
            taken.add(_name_key(job.filename))
            named[job.data_id] = job.filename
    renamed = []
    for job in unique:
        if job.data_id in named:
            continue
        for candidate in (
            _with_id(job.filename, job.data_id.hex[-8:]),
            _with_id(job.filename, job.data_id.hex),
        ):
            if _name_key(candidate) not in taken:
                break
        else:  # only if other data are named after both forms of this data's id
            raise BadRequestError(
                f"no free name to download {job.filename!r} (data {job.data_id}) as",
                details={"id": str(job.data_id)},
            )
        taken.add(_name_key(candidate))
        named[job.data_id] = candidate
        renamed.append(candidate)
    if renamed:
        logger.warning(
            "%d file(s) have the filename of another one in this download and are "
            "written with the end of their data id: %s",
            len(renamed),
            ", ".join(renamed[:5]) + (", ..." if len(renamed) > 5 else ""),
        )
    return [(job, safe_target(folder, named[job.data_id])) for job in unique]


def _name_key(filename: str) -> str:
    return unicodedata.normalize("NFC", filename).casefold()


def _with_id(filename: str, id_part: str) -> str:
    """``filename`` with ``.<id_part>`` before its extension, within 255 UTF-8 bytes."""
    name = PurePath(filename)
    stem, extension = name.stem, name.suffix
    while stem and len(f"{stem}.{id_part}{extension}".encode()) > 255:
        stem = stem[:-1]
    return f"{stem}.{id_part}{extension}"


URL_CHUNK = 1000
BUNDLE_FILES = 32
"""Files per download bundle: several bundles stay in flight, each amortises a request."""


def download_all(
    connection: Connection,
    jobs: Sequence[DownloadJob],
    target_path: str | Path,
    *,
    force_replace: bool = False,
    max_workers: int | None = None,
) -> int:
    """Download many data into ``target_path`` with a thread pool and one progress bar;
    returns how many files were written.

    Files already at their target are skipped unless ``force_replace``. URLs are asked for
    in bulk, only for the files that will be downloaded; when they are the API's own (a
    server on a local store), the files come in streamed bundles instead, one request per
    32 files rather than one each.
    """
    folder = Path(target_path)
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    planned = plan_targets(folder, jobs)
    todo = [(job, target) for job, target in planned if force_replace or not target.exists()]
    skipped = len(planned) - len(todo)
    workers = max(1, min(max_workers or default_workers(), len(todo) or 1))
    bar = progress(len(todo), "Downloading")
    try:
        fetch_many(connection, todo, workers, bar)
    finally:
        bar.close()
    message = f"{len(todo)} file(s) downloaded to {folder}"
    if skipped:
        message += f", {skipped} already there and kept"
    logger.info(message)
    if progress_enabled():
        bar.write(message)
    return len(todo)


def fetch_many(
    connection: Connection, todo: Sequence[tuple[DownloadJob, Path]], workers: int, bar: Any
) -> None:
    """Write each job's data to its target (one target per data), ``workers`` at a time,
    each file atomically; ``bar`` counts the files."""
    if not todo:
        return
    urls, through_api = _urls(connection, [job.data_id for job, _ in todo])
    if through_api:
        _download_bundles(connection, todo, workers, bar)
    else:
        _download_urls(connection.downloads, urls, todo, workers, bar)


def _urls(connection: Connection, data_ids: list[UUID]) -> tuple[dict[UUID, str], bool]:
    """URLs to read many data from, asked for in fixed-size chunks, and whether they are
    the API's own."""
    urls: dict[UUID, str] = {}
    through_api = True
    unique = list(dict.fromkeys(data_ids))
    for start in range(0, len(unique), URL_CHUNK):
        chunk = [str(i) for i in unique[start : start + URL_CHUNK]]
        answer = UrlMap.model_validate(
            connection.request("POST", "/data/urls", json={"ids": chunk})
        )
        urls.update(answer.urls)
        through_api = through_api and answer.through_api
    return urls, through_api


def _download_urls(
    http: httpx.Client,
    urls: dict[UUID, str],
    todo: Sequence[tuple[DownloadJob, Path]],
    workers: int,
    bar: Any,
) -> None:
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(fetch_url, http, urls[job.data_id], target) for job, target in todo]
        for future in as_completed(futures):
            future.result()
            bar.update(1)


def _download_bundles(
    connection: Connection, todo: Sequence[tuple[DownloadJob, Path]], workers: int, bar: Any
) -> None:
    batches = [todo[i : i + BUNDLE_FILES] for i in range(0, len(todo), BUNDLE_FILES)]

    def fetch(batch: Sequence[tuple[DownloadJob, Path]]) -> int:
        targets = {str(job.data_id): target for job, target in batch}  # one per data
        body = {"ids": list(targets)}
        with connection.http.stream("POST", "/data/download", json=body) as response:
            if response.status_code >= 400:
                response.read()
                raise_for_error(response)
            for name, chunks in read_frames(ByteReader(response.iter_bytes(_CHUNK))):
                write_atomically(targets[name], chunks)
        return len(batch)

    with ThreadPoolExecutor(max(1, min(workers, len(batches)))) as pool:
        for done in pool.map(fetch, batches):
            bar.update(done)


def write_atomically(target: Path, chunks: Iterator[bytes]) -> None:
    """Write ``chunks`` to ``target`` through a temporary file and a rename."""
    temporary = temporary_path(target)
    try:
        with open(temporary, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
