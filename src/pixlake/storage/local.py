"""Objects as files under a folder of this machine."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO

from pixlake.errors import StorageError
from pixlake.storage.base import ObjectStorage, StagedObject, storage_error

__all__ = ["LocalStorage"]

# An empty part is a leading, trailing or doubled "/".
_UNSAFE_PARTS = frozenset({"", ".", ".."})


class LocalStorage(ObjectStorage):
    """Keeps each object at ``root/objects/<object_name>``; staging files in ``root/staging``.

    Staging and objects share one filesystem, so committing is an atomic rename.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects_dir = self.root / "objects"
        self.staging_dir = self.root / "staging"
        self.objects_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        self._objects_root = self.objects_dir.resolve()

    def _path(self, object_name: str) -> Path:
        """The object's file. The name is checked as text, not resolved on disk: every
        read, write and URL goes through here, and resolving a path costs a system call
        per folder of it."""
        parts = object_name.split("/")
        if any(part in _UNSAFE_PARTS or "\\" in part or "\x00" in part for part in parts):
            raise StorageError(f"object name {object_name!r} escapes the object store")
        return self._objects_root.joinpath(*parts)

    def new_staging_path(self) -> Path:
        return self.staging_dir / f"{uuid.uuid4().hex}.part"

    def commit(self, staged: StagedObject, object_name: str) -> None:
        target = self._path(object_name)
        if staged.path is None:  # only a file can be moved in place; this store has no budget
            raise StorageError(f"object {object_name!r} has no staging file to move in place")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.path, target)
        except OSError as exc:
            raise storage_error(exc, f"store object {object_name!r}") from exc

    def open(self, object_name: str) -> BinaryIO:
        try:
            return open(self._path(object_name), "rb")
        except FileNotFoundError as exc:
            raise StorageError(f"object {object_name!r} is missing from the store") from exc

    def delete(self, object_name: str) -> None:
        self._path(object_name).unlink(missing_ok=True)

    def exists(self, object_name: str) -> bool:
        return self._path(object_name).is_file()

    def local_path(self, object_name: str) -> Path:
        return self._path(object_name)
