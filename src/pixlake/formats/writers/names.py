"""File names of an export: one per image and folder, none written over by another."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from uuid import UUID

from pixlake.errors import BadRequestError

__all__ = ["NamePlanner", "is_safe_component", "split_extension"]


def is_safe_component(name: str) -> bool:
    """Whether ``name`` is one plain path component (no separator, not ``.``/``..``, not
    hidden), so that a folder or file named after it stays inside its parent."""
    return (
        bool(name)
        and name not in (".", "..")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
        and len(name.encode()) <= 255
    )


def _folded(name: str) -> str:
    # compared as a case-insensitive file system would, so the folder can go anywhere
    return unicodedata.normalize("NFC", name).casefold()


def split_extension(name: str) -> tuple[str, str]:
    """(stem, extension) as ``PurePosixPath`` gives them, without its cost per name."""
    stem, extension = os.path.splitext(name)
    return stem, extension


def _with_id(filename: str, id_part: str) -> str:
    stem, extension = split_extension(filename)
    while stem and len(f"{stem}.{id_part}{extension}".encode()) > 255:
        stem = stem[:-1]
    return f"{stem}.{id_part}{extension}"


def _as_given(filename: str, _hex_id: str) -> str:
    return filename


def _with_short_id(filename: str, hex_id: str) -> str:
    return _with_id(filename, hex_id[-8:])


class NamePlanner:
    """Gives each data a file name in one folder: its own filename when free, else
    ``<stem>.<last 8 hex digits of its id><ext>`` (the same rule as downloads).

    ``by_stem`` compares names without their extension: YOLO's ``.txt`` and VOC's ``.xml``
    are named by the image's stem, so ``a.jpg`` and ``a.png`` must not both be ``a``.
    """

    def __init__(self, *, by_stem: bool = False) -> None:
        self._key: Callable[[str], str] = (
            (lambda name: _folded(split_extension(name)[0])) if by_stem else _folded
        )
        self._owners: dict[str, str | UUID] = {}

    def name_for(self, filename: str, data_id: str | UUID) -> str:
        hex_id = str(data_id).replace("-", "")
        base = filename.replace("\\", "/").rsplit("/", 1)[-1]
        if not is_safe_component(base):
            base = hex_id + split_extension(base)[1]
        # the usual case is a free name: the other forms are only made when it is taken
        for make in (_as_given, _with_short_id, _with_id):
            candidate = make(base, hex_id)
            owner = self._owners.setdefault(self._key(candidate), data_id)
            if owner == data_id:
                return candidate
        raise BadRequestError(  # only if other data are named after both forms of this id
            f"no free name to export {filename!r} (data {data_id}) as",
            details={"id": str(data_id), "filename": filename},
        )
