"""Objects as files under a folder of this machine."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from pixlake.errors import StorageError
from pixlake.permissions import PRIVATE_FILE_MODE, make_private_dirs
from pixlake.storage.base import (
    MemoryBudget,
    ObjectStorage,
    StagedObject,
    StoredItem,
    storage_error,
)

__all__ = ["LocalStorage"]

# An empty part is a leading, trailing or doubled "/".
_UNSAFE_PARTS = frozenset({"", ".", ".."})


class LocalStorage(ObjectStorage):
    """Keeps each object at ``root/objects/<object_name>``; staging files in ``root/staging``.

    Staging and objects share one filesystem, so committing is an atomic rename. With a
    ``memory_budget``, small files whose size is announced are held in memory instead,
    where they are hashed and probed without a file being read back, and committing writes
    them once: to a staging file, renamed into place at once.
    """

    memory_needs_size = True  # a file of unknown size would be written twice if it spilled
    # Writing a local file waits on no network, only on a core: more threads than cores
    # only contend (512 objects on /dev/shm: 60-65 us of CPU each on 2 threads, 69-75 on 8).
    commit_workers = 2

    def __init__(self, root: Path, *, memory_budget: int = 0) -> None:
        self.root = Path(root)
        self.objects_dir = self.root / "objects"
        self.staging_dir = self.root / "staging"
        make_private_dirs(self.objects_dir)
        make_private_dirs(self.staging_dir)
        self._objects_root = self.objects_dir.resolve()
        # Text forms for the commit of each file: building Paths cost more than the
        # rename itself (pathlib parses every part it is given).
        self._objects_text = str(self._objects_root)
        self._staging_text = str(self.staging_dir)
        if memory_budget > 0:
            self.memory_budget = MemoryBudget(memory_budget)

    def _path(self, object_name: str) -> Path:
        """The object's file. The name is checked as text, not resolved on disk: every
        read, write and URL goes through here, and resolving a path costs a system call
        per folder of it."""
        return self._objects_root.joinpath(*self._safe_parts(object_name))

    def _file_text(self, object_name: str) -> str:
        """``_path`` as text, for the commit of each file."""
        return os.path.join(self._objects_text, *self._safe_parts(object_name))

    @staticmethod
    def _safe_parts(object_name: str) -> list[str]:
        parts = object_name.split("/")
        if any(part in _UNSAFE_PARTS or "\\" in part or "\x00" in part for part in parts):
            raise StorageError(f"object name {object_name!r} escapes the object store")
        return parts

    def new_staging_path(self) -> Path:
        return self.staging_dir / f"{uuid.uuid4().hex}.part"

    def commit(self, staged: StagedObject, object_name: str) -> None:
        target = self._file_text(object_name)
        try:
            if staged.data is not None:
                self._write_in_place(staged.data, target)
                self.discard(staged)
                return
            if staged.path is None:
                raise StorageError(f"object {object_name!r} has no staged bytes to put in place")
            _replace(staged.path, target)
        except OSError as exc:
            raise storage_error(exc, f"store object {object_name!r}") from exc

    def _write_in_place(self, data: bytes, target: str) -> None:
        """Write bytes held in memory to a staging file and rename it to ``target``: the
        object appears whole or not at all, and a process killed in between leaves a
        staging file, which the sweep of old staging files removes."""
        temporary = os.path.join(self._staging_text, f"{os.urandom(16).hex()}.part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            _replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

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

    def size_of(self, object_name: str) -> int | None:
        try:
            return self._path(object_name).stat().st_size
        except FileNotFoundError:
            return None

    def list_objects(self) -> Iterator[StoredItem]:
        yield from _walk(self._objects_root, "")

    def delete_unchanged(self, items: Sequence[StoredItem]) -> list[StoredItem]:
        """Each object is first renamed aside (atomically), then the file moved aside is
        compared with the one listed: an upload that renamed the same bytes into place
        in between brought a new file (a new inode and time), which is put back. Once
        moved aside, a later upload can only create a new file, which stays."""
        removed = []
        for item in items:
            path = self._path(item.name)
            aside = self.staging_dir / f"{uuid.uuid4().hex}.removed"
            try:
                os.rename(path, aside)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(f"could not remove object {item.name!r}: {exc}") from exc
            try:
                info = os.lstat(aside)
            except FileNotFoundError:
                continue  # old, so swept from staging by another process meanwhile
            if (info.st_ino, info.st_mtime_ns) != item.version:
                # Content addressed: whatever is at the name now holds these same bytes.
                os.replace(aside, path)
                continue
            aside.unlink(missing_ok=True)
            removed.append(item)
        # Emptied folders stay: removing one could race an upload creating its object in it.
        return removed


def _replace(source: str | Path, target: str) -> None:
    """Rename ``source`` to ``target``, creating the target's folder when it is missing
    (tried first: the folders of 256 prefixes exist almost always)."""
    try:
        os.replace(source, target)
    except FileNotFoundError:
        if not os.path.exists(source):
            raise
        make_private_dirs(Path(target).parent)
        os.replace(source, target)


def _walk(folder: Path, prefix: str) -> Iterator[StoredItem]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        name = f"{prefix}{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), f"{name}/")
            elif entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                yield StoredItem(
                    name, info.st_size, info.st_mtime, version=(info.st_ino, info.st_mtime_ns)
                )
        except FileNotFoundError:
            continue  # removed while listed
