"""What a filename may be.

A filename is a label shown to people and used as the name of downloaded files; it never
becomes a storage path. It is still refused when it could be mistaken for a path, so that a
download written under it can't land outside its folder on any operating system.
"""

from __future__ import annotations

import unicodedata

from pixlake.errors import InvalidFilenameError

__all__ = ["MAX_FILENAME_BYTES", "validate_filename"]

MAX_FILENAME_BYTES = 255
"""The limit of common filesystems (ext4, APFS, NTFS counts characters but is no tighter)."""


def validate_filename(filename: str) -> str:
    """Return ``filename`` unchanged if it is acceptable, else raise InvalidFilenameError.

    Refused: empty names, names that are not valid UTF-8 (undecodable bytes from the
    filesystem arrive as surrogates), longer than 255 UTF-8 bytes, containing ``/``, ``\\``,
    ``..``, a NUL or another control character.
    """
    shown = filename.encode("utf-8", "backslashreplace").decode("utf-8")
    if not filename or not filename.strip():
        raise InvalidFilenameError("filename is empty", details={"filename": filename})
    try:
        encoded = filename.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidFilenameError(
            f"filename {shown!r} is not valid UTF-8", details={"filename": shown}
        ) from None
    if len(encoded) > MAX_FILENAME_BYTES:
        raise InvalidFilenameError(
            f"filename {shown[:40]!r}... is {len(encoded)} bytes long, "
            f"more than {MAX_FILENAME_BYTES}",
            details={"filename": shown},
        )
    for forbidden in ("/", "\\", ".."):
        if forbidden in filename:
            raise InvalidFilenameError(
                f"filename {shown!r} contains {forbidden!r}", details={"filename": shown}
            )
    if any(unicodedata.category(ch) == "Cc" for ch in filename):
        raise InvalidFilenameError(
            f"filename {shown!r} contains a control character", details={"filename": shown}
        )
    return filename
