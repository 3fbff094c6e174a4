"""Moving bytes to local files: safely named, written atomically, in parallel."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from pixlake.errors import BadRequestError, StorageError
from pixlake.progress import progress, progress_enabled
from pixlake.sdk.connection import raise_for_error

__all__ = ["DownloadJob", "default_workers", "download_all", "fetch_url", "safe_target"]

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
        raise BadRequestError(f"refusing to write {filename!r} outside {root}",
                              details={"filename": filename})
    target = root / name
    if target.parent != root:
        raise BadRequestError(f"refusing to write {filename!r} outside {root}",
                              details={"filename": filename})
    return target


def fetch_url(http: httpx.Client, url: str, target: Path) -> None:
    """Write the bytes at ``url`` to ``target`` through a temporary file and a rename.

    A failure leaves no partial file at ``target``.
    """
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
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
    key: object
    filename: str


def download_all(
    http: httpx.Client, jobs: Sequence[DownloadJob],
    urls_for: Callable[[list[object]], dict[object, str]], target_path: str | Path,
    *, force_replace: bool = False, max_workers: int | None = None,
) -> int:
    """Download many files in a thread pool with one progress bar; returns how many.

    Files already at their target are skipped unless ``force_replace``. URLs are asked for
    in bulk, only for the files that will be downloaded.
    """
    folder = Path(target_path)
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    planned = [(job, safe_target(folder, job.filename)) for job in jobs]
    todo = [(job, target) for job, target in planned if force_replace or not target.exists()]
    skipped = len(planned) - len(todo)
    urls = urls_for([job.key for job, _ in todo]) if todo else {}
    workers = max(1, min(max_workers or default_workers(), len(todo) or 1))
    bar = progress(len(todo), "Downloading")
    try:
        with ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(fetch_url, http, urls[job.key], target)
                       for job, target in todo]
            for future in as_completed(futures):
                future.result()
                bar.update(1)
    finally:
        bar.close()
    message = f"{len(todo)} file(s) downloaded to {folder}"
    if skipped:
        message += f", {skipped} already there (use force_replace=True to download again)"
    logger.info(message)
    if progress_enabled():
        bar.write(message)
    return len(todo)
