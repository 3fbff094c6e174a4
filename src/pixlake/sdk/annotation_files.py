"""Sending annotation files to a version's import route, as a bundle of files."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from pixlake.bundle import BUNDLE_CONTENT_TYPE, encode_streams, frame_header
from pixlake.enums import AnnotationFileType, AnnotationStatus, ImportAnnotationMode
from pixlake.errors import BadRequestError, FileMissingError
from pixlake.import_schemas import AnnotationFileInspection, ImportSummary
from pixlake.sdk.base import coerce_enum
from pixlake.sdk.connection import Connection, ReplayableStream, idempotency_keys
from pixlake.sdk.worker import worker_id_of

__all__ = [
    "AnnotationSource",
    "ClassificationEntries",
    "annotation_files",
    "existing_file",
    "import_files",
    "inspect_files",
]


IMPORT_TIMEOUT = httpx.Timeout(60.0, read=3600.0)
"""An import answers once it has read, checked and written everything: up to minutes for
hundreds of thousands of shapes, so its answer is awaited longer than other requests'."""

SUFFIXES = {
    AnnotationFileType.COCO: (".json",),
    AnnotationFileType.YOLO: (".txt",),
    AnnotationFileType.PASCAL_VOC: (".xml",),
}


def existing_file(path: str | Path) -> Path:
    file = Path(path)
    if not file.is_file():
        raise FileMissingError(
            f"{path}: no such file" if not file.exists() else f"{path}: not a file",
            details={"file": str(path)},
        )
    return file


def annotation_files(
    paths: str | Path | Sequence[str | Path], file_type: AnnotationFileType
) -> list[Path]:
    """The files of ``paths``: a list of files, or a folder whose files of the format's
    extension (``.txt``, ``.xml``, ``.json``) are taken, in name order, recursively."""
    suffixes = SUFFIXES[file_type]
    if isinstance(paths, str | Path):
        folder = Path(paths)
        if folder.is_dir():
            found = sorted(
                p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
            )
            if not found:
                raise BadRequestError(
                    f"{paths}: holds no {' or '.join(suffixes)} file", details={"file": str(paths)}
                )
            return found
        return [existing_file(paths)]
    files = [existing_file(path) for path in paths]
    if not files:
        raise BadRequestError("no annotation file given")
    return files


@dataclass(frozen=True)
class ClassificationEntries:
    """The images of Ultralytics' classification layout, as paths ``<split>/<label>/<image>``
    relative to the dataset folder: what an import of that layout sends instead of
    annotation files (the folders are its annotations)."""

    paths: Sequence[str]


AnnotationSource = Sequence[Path] | ClassificationEntries


class _Bundle(ReplayableStream):
    """The bundle of annotation files (or of classification entries), read from the files
    each time it is sent, so that a retried import sends it whole again."""

    def __init__(self, source: AnnotationSource) -> None:
        self._frames: list[tuple[str, int, Path | None]]
        if isinstance(source, ClassificationEntries):
            self._frames = [(path, 0, None) for path in source.paths]
        else:
            # Frames are named by the path as given, so errors name the file the caller knows.
            self._frames = [(str(path), path.stat().st_size, path) for path in source]
        self.length = sum(len(frame_header(name, size)) + size for name, size, _ in self._frames)

    def __iter__(self) -> Iterator[bytes]:
        # encode_streams closes each stream once sent.
        return encode_streams(
            (name, size, open(path, "rb") if path is not None else io.BytesIO())
            for name, size, path in self._frames
        )


def _body(source: AnnotationSource) -> tuple[_Bundle, dict[str, str]]:
    """The bundle of ``source`` and its headers. Its length is announced: a server refuses
    an import over its limit before reading it, and the in-process transport needs it to
    read a streamed body."""
    body = _Bundle(source)
    return body, {"content-type": BUNDLE_CONTENT_TYPE, "content-length": str(body.length)}


def import_files(
    connection: Connection,
    version_id: UUID,
    file_type: AnnotationFileType,
    files: AnnotationSource,
    *,
    worker: Any = None,
    mode: ImportAnnotationMode | str = ImportAnnotationMode.REPLACE,
    force_create_label: bool = True,
    fail_on_asset_not_found: bool = True,
    status: AnnotationStatus | str | None = None,
) -> ImportSummary:
    """Upload ``files`` to the version's import route; what the import did.

    The request carries an idempotency key: a retry after a lost answer gets the first
    import's summary and imports nothing twice."""
    params: dict[str, Any] = {
        "format": file_type.value,
        "classification": isinstance(files, ClassificationEntries),
        "mode": coerce_enum(ImportAnnotationMode, mode).value,
        "force_create_label": bool(force_create_label),
        "fail_on_asset_not_found": bool(fail_on_asset_not_found),
    }
    if worker is not None:
        params["worker_id"] = worker_id_of(worker)
    if status is not None:
        params["status"] = coerce_enum(AnnotationStatus, status).value
    content, headers = _body(files)
    row = connection.request(
        "POST",
        f"/versions/{version_id}/annotations/import",
        params={k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()},
        content=content,
        headers=headers,
        idempotency_key=next(idempotency_keys()),
        timeout=IMPORT_TIMEOUT,
    )
    return ImportSummary.model_validate(row)


def inspect_files(
    connection: Connection, file_type: AnnotationFileType, files: AnnotationSource
) -> AnnotationFileInspection:
    """What the files hold, read and checked by the API without importing anything."""
    content, headers = _body(files)
    classification = isinstance(files, ClassificationEntries)
    row = connection.request(
        "POST",
        "/annotation-files/inspect",
        params={"format": file_type.value, "classification": str(classification).lower()},
        content=content,
        headers=headers,
        timeout=IMPORT_TIMEOUT,
    )
    return AnnotationFileInspection.model_validate(row)
