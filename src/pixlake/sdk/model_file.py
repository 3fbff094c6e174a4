"""ModelFile (one stored file of a model version) and the file methods of ModelVersion."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.errors import BadRequestError, FileMissingError, InvalidFilenameError, NotFoundError
from pixlake.filenames import validate_filename
from pixlake.progress import progress
from pixlake.schemas import ModelFilePublic, ModelFileUploadPlan
from pixlake.sdk.base import SchemaField, SdkObject
from pixlake.sdk.data import ReadableBytes
from pixlake.sdk.file_transfer import (
    Fetch,
    download_verified,
    file_chunks,
    put_direct,
    sha256_of,
    zipped,
)
from pixlake.sdk.socket_stream import reads_straight
from pixlake.sdk.transfer import safe_target

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = ["FileStore", "ModelFile", "check_file_name"]

logger = logging.getLogger("pixlake")


def check_file_name(name: str) -> None:
    """Refuse, before anything is read or sent, a file name the platform refuses."""
    try:
        validate_filename(name)
    except InvalidFilenameError as exc:
        reason = exc.details.get("reason", "is not a valid name")
        shown = exc.details.get("filename", name)
        raise InvalidFilenameError(
            f"model file name {shown!r} {reason}", details={"name": shown, "reason": reason}
        ) from None


class ModelFile(ReadableBytes, SdkObject[ModelFilePublic]):
    """One stored file of a model version: weights, a config, anything.

    Its bytes are content addressed (the same bytes stored twice are held once) and travel
    straight between this machine and the bucket in production.
    """

    model_version_id = SchemaField[UUID]()
    name = SchemaField[str]()
    filename = SchemaField[str]()
    object_name = SchemaField[str]()
    size = SchemaField[int]()
    checksum = SchemaField[str]()
    large = SchemaField[bool]()
    created_at = SchemaField[datetime]()

    def _url_route(self) -> str:
        return f"/model-files/{self.id}/url"

    def sync(self) -> dict[str, Any]:
        """Refresh this object from the platform; returns its fields as a dict."""
        self._schema = ModelFilePublic.model_validate(
            self._connection.request("GET", f"/model-files/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def download(self, target_path: str | Path = "./", force_replace: bool = False) -> None:
        """Write the file as ``target_path/filename``.

        An existing file is kept unless ``force_replace``. The bytes go to a temporary file
        beside the target and are renamed into place once their SHA-256 matched the
        checksum, so nothing partial or corrupt is ever left at the target.

        Raises:
            ChecksumMismatchError: the bytes read are not those stored.
        """
        folder = Path(target_path)
        folder.mkdir(parents=True, exist_ok=True)
        target = safe_target(folder.resolve(), self.filename)
        if target.exists() and not force_replace:
            logger.info("%s is there already and kept (force_replace=True replaces it)", target)
            return
        bar = progress(self.size, f"Downloading {self.filename}", unit="B", unit_scale=True)
        try:
            url = self.reset_url()
            download_verified(
                self._connection.downloads,
                url,
                target,
                self.checksum,
                self.size,
                bar.update,
                fetch=self._fetch(url),
            )
        finally:
            bar.close()

    def _fetch(self, url: str) -> Fetch:
        """How to read the file at ``url``. Bytes the API serves itself come off one
        process's disk: one stream hashed on the way costs the server a third less CPU
        than parallel ranges and the client no read-back; read off the socket where
        nothing the downloads client was given could matter (docs/models.md)."""
        connection = self._connection
        if not connection.serves(url):
            return Fetch.RANGES
        if connection.owns_downloads and reads_straight(url):
            return Fetch.SOCKET
        return Fetch.STREAM

    def delete(self) -> None:
        """Send this file to the trash (``pixlake trash`` restores it until it is purged)."""
        self._connection.request("DELETE", f"/model-files/{self.id}")

    def __repr__(self) -> str:
        return f"ModelFile(name={self.name!r}, filename={self.filename!r}, size={self.size})"


class FileStore:
    """The file methods of a model version (``store``, ``list_files``, ``get_file``)."""

    _connection: Connection
    id: UUID

    def store(
        self, name: str, path: str | Path, do_zip: bool = False, replace: bool = False
    ) -> ModelFile:
        """Store a file under ``name``, unique among the files of this version.

        Args:
            name: the file's name in the version ("weights", "config"...): no ``/``, ``\\``,
                ``..`` or control characters.
            path: the file to store; a folder only with ``do_zip``.
            do_zip: store ``path`` (a folder, or a file) as a zip named ``<name of path>.zip``,
                written to a temporary file first (members stored, not compressed).
            replace: replace a file of the same name, which goes to the trash; without it,
                such a file is a ConflictError.

        The bytes stream with flat memory whatever their size: in production straight into
        the bucket through presigned URLs (in parts, several at once, for large files),
        else to the API. Bytes the organization holds already are not sent again.

        Raises:
            FileMissingError: ``path`` does not exist.
            BadRequestError: ``path`` is a folder and ``do_zip`` is False.
            InvalidFilenameError: ``name`` or the file's name is refused.
            ConflictError: the version has a file of this name and ``replace`` is False.
        """
        check_file_name(name)
        source = Path(path)
        if not source.exists():
            raise FileMissingError(f"{path}: no such file or folder", details={"path": str(path)})
        if source.is_dir() and not do_zip:
            raise BadRequestError(
                f"{path} is a folder: store it with do_zip=True (as a zip)",
                details={"path": str(path)},
            )
        with zipped(source) if do_zip else contextlib.nullcontext(source) as file:
            validate_filename(file.name)
            return self._store_file(name, file, replace)

    def _store_file(self, name: str, path: Path, replace: bool) -> ModelFile:
        size = path.stat().st_size
        bar = progress(size, f"Storing {path.name}", unit="B", unit_scale=True)
        try:
            return self._send(name, path, size, replace, bar.update)
        finally:
            bar.close()

    def _send(
        self, name: str, path: Path, size: int, replace: bool, sent: Callable[[int], object]
    ) -> ModelFile:
        connection = self._connection
        files = f"/model-versions/{self.id}/files"
        if connection.capabilities.local_files:  # the API reads the file itself
            body = {
                "path": os.fspath(path.resolve()),
                "name": name,
                "filename": path.name,
                "replace": replace,
            }
            stored = self._file(connection.request("POST", f"{files}/local", json=body))
            sent(size)
            return stored
        announced: dict[str, Any] = {
            "name": name,
            "filename": path.name,
            "size": size,
            "replace": replace,
        }
        plan = _plan(connection, files, announced)
        if plan.method == "direct" and not plan.urls:  # the bucket names bytes by their hash
            announced["checksum"] = sha256_of(path)
            plan = _plan(connection, files, announced)
        if plan.method == "stream":
            row = connection.request(
                "PUT",
                f"{files}/content",
                params={"name": name, "filename": path.name, "replace": replace},
                content=file_chunks(path, progress=sent),
                headers={"content-length": str(size)},
            )
            return self._file(row)
        if plan.method == "direct":
            assert plan.part_size is not None
            put_direct(connection.downloads, plan.urls, plan.part_size, path, size, sent)
        else:
            sent(size)  # held already: nothing to send
        created = {**announced, "upload_id": plan.upload_id}
        return self._file(connection.request("POST", files, json=created))

    def _file(self, row: Any) -> ModelFile:
        return ModelFile(self._connection, ModelFilePublic.model_validate(row))

    def list_files(self) -> list[ModelFile]:
        """The files of this version, by name."""
        rows = self._connection.request("GET", f"/model-versions/{self.id}/files")
        return [self._file(row) for row in rows]

    def get_file(self, name: str) -> ModelFile:
        """The file of this version stored under ``name``.

        Raises:
            NotFoundError: the version has no file of this name.
        """
        for file in self.list_files():
            if file.name == name:
                return file
        raise NotFoundError(
            f"model version {self.id} has no file named {name!r}", details={"name": name}
        )


def _plan(connection: Connection, files: str, announced: dict[str, Any]) -> ModelFileUploadPlan:
    return ModelFileUploadPlan.model_validate(
        connection.request("POST", f"{files}/uploads", json=announced)
    )
