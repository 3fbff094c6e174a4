"""Files and folders only their owner may read: the workspace, its database, objects, key.

Each mode is given in the call that creates the file or folder (``os.open``, ``os.mkdir``),
never set by a ``chmod`` afterwards: in between, another user could open the file and keep
it open. The process umask can only take permissions away from these modes, not add any.
A library can't set the umask itself: it is shared by every thread of the caller's process.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from pixlake.errors import InsecureFileError

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "create_private_file",
    "make_private_dirs",
    "require_private",
]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_GROUP_OR_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and whichever of its parents are missing, each readable by its owner
    only; folders that exist already are left as they are."""
    try:
        os.mkdir(path, PRIVATE_DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    except FileNotFoundError:
        if path.parent == path:
            raise
        make_private_dirs(path.parent)
        make_private_dirs(path)


def create_private_file(path: Path) -> BinaryIO:
    """Open a new file for writing, readable by its owner only from the moment it exists.

    Raises:
        FileExistsError: something is at ``path`` already (it is never overwritten).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(path, flags, PRIVATE_FILE_MODE), "wb")


def require_private(path: Path, what: str) -> None:
    """Refuse a file that group or others may read or write, as PostgreSQL refuses a key file.

    Raises:
        InsecureFileError: naming the file, its mode and the command that fixes it.
    """
    if os.name == "nt":  # no POSIX modes: access is governed by ACLs
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & _GROUP_OR_OTHERS:
        raise InsecureFileError(
            f"{what} {path} is accessible by other users (mode {mode:04o}); it must be "
            f"readable by its owner only: run `chmod 600 {path}`",
            details={"path": str(path), "mode": f"{mode:04o}"},
        )
