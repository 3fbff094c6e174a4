"""Exports on the client's side: the server's streamed answer written to files, and the
images of a folder export placed beside its annotation files.

The server writes every document (``POST /versions/{id}/export``); this module only moves
bytes, keeping every file it writes inside the target folder whatever a name says.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.errors import NotAFolderError, UnsafePathError
from pixlake.progress import progress
from pixlake.schemas import EXPORT_MANIFEST
from pixlake.sdk.connection import raise_for_error
from pixlake.sdk.transfer import (
    DownloadJob,
    default_workers,
    fetch_many,
    temporary_path,
    write_atomically,
)

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = [
    "ImageToPlace",
    "export_to_file",
    "export_to_folder",
    "read_export",
    "require_folder",
    "safe_member_path",
]

_CHUNK = 1024 * 1024


def require_folder(target_path: str | Path) -> Path:
    """``target_path`` as a resolved folder, created if missing; NotAFolderError when a
    file (or anything but a folder) is there."""
    folder = Path(target_path)
    if folder.exists() and not folder.is_dir():
        raise NotAFolderError(
            f"export target {str(folder)!r} is a file, not a folder",
            details={"path": str(folder)},
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def safe_member_path(root: Path, name: str) -> Path:
    """Where a member named ``name`` (a relative path with ``/``) goes under ``root``;
    UnsafePathError for an absolute name, a ``..`` part, a backslash or a drive."""
    parts = PurePosixPath(name).parts
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or (parts and ":" in parts[0])
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise UnsafePathError(
            f"refusing to write {name!r}: it would leave {root}", details={"filename": name}
        )
    target = root.joinpath(*parts)
    if not target.resolve().is_relative_to(root):  # a symbolic link inside the folder
        raise UnsafePathError(
            f"refusing to write {name!r}: it would leave {root}", details={"filename": name}
        )
    return target


def _stream(connection: Connection, path: str, body: dict[str, Any]) -> Iterator[bytes]:
    with connection.http.stream("POST", path, json=body) as response:
        if response.status_code >= 400:
            response.read()
            raise_for_error(response)
        yield from response.iter_bytes(_CHUNK)


def read_export(connection: Connection, version_id: UUID, body: dict[str, Any]) -> bytes:
    """The whole answer of an export, in memory (for ``build_coco_file_locally``)."""
    return b"".join(_stream(connection, f"/versions/{version_id}/export", body))


def export_to_file(
    connection: Connection, version_id: UUID, body: dict[str, Any], target: Path
) -> Path:
    """Write an export's answer to ``target`` through a temporary file and a rename."""
    write_atomically(target, _stream(connection, f"/versions/{version_id}/export", body))
    return target


@dataclass(frozen=True)
class ImageToPlace:
    path: str
    data_id: UUID
    checksum: str


def export_to_folder(
    connection: Connection,
    version_id: UUID,
    body: dict[str, Any],
    root: Path,
    *,
    with_images: bool,
    max_workers: int | None = None,
) -> int:
    """Unpack a folder export into ``root`` (each file atomically) and, ``with_images``,
    place its images; returns how many image files were written."""
    archive = temporary_path(root / "export.zip")
    try:
        export_to_file(connection, version_id, body, archive)
        with zipfile.ZipFile(archive) as opened:
            images = _unpack(opened, root)
    finally:
        archive.unlink(missing_ok=True)
    return place_images(connection, root, images, max_workers) if with_images else 0


def _unpack(archive: zipfile.ZipFile, root: Path) -> list[ImageToPlace]:
    images: list[ImageToPlace] = []
    for member in archive.infolist():
        if member.filename == EXPORT_MANIFEST:
            with archive.open(member) as lines:
                images = [_image_line(line, root) for line in lines if line.strip()]
            continue
        target = safe_member_path(root, member.filename)
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source:
            write_atomically(target, iter(partial(source.read, _CHUNK), b""))
    return images


def _image_line(line: bytes, root: Path) -> ImageToPlace:
    item = json.loads(line)
    safe_member_path(root, item["path"])
    return ImageToPlace(str(item["path"]), UUID(item["data_id"]), str(item["checksum"]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _already_there(target: Path, checksum: str) -> bool:
    return target.is_file() and _sha256(target) == checksum


def place_images(
    connection: Connection,
    root: Path,
    images: list[ImageToPlace],
    max_workers: int | None = None,
) -> int:
    """Write every image to its path under ``root``: in parallel, each file atomically,
    skipped when a file with the same checksum is there, with one progress bar. A data
    placed at several paths (several splits or labels) is fetched once and copied."""
    workers = max(1, max_workers or default_workers())
    targets = [(image, safe_member_path(root, image.path)) for image in images]
    with ThreadPoolExecutor(workers) as pool:
        present = list(
            pool.map(_already_there, [t for _, t in targets], [i.checksum for i, _ in targets])
        )
    todo = [pair for pair, there in zip(targets, present, strict=True) if not there]
    first: dict[UUID, Path] = {}
    copies: list[tuple[Path, Path]] = []
    fetches: list[tuple[DownloadJob, Path]] = []
    for image, target in todo:
        target.parent.mkdir(parents=True, exist_ok=True)
        if image.data_id in first:
            copies.append((first[image.data_id], target))
            continue
        first[image.data_id] = target
        fetches.append((DownloadJob(image.data_id, PurePosixPath(image.path).name), target))
    bar = progress(len(todo), "Exporting images")
    try:
        fetch_many(connection, fetches, min(workers, len(fetches) or 1), bar)
        for source, target in copies:
            _copy_atomically(source, target)
            bar.update(1)
    finally:
        bar.close()
    return len(todo)


def _copy_atomically(source: Path, target: Path) -> None:
    temporary = temporary_path(target)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
