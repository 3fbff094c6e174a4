"""What a filename may be.

A filename is a label shown to people and used as the name of downloaded files; it never
becomes a storage path. It is still refused when it could be mistaken for a path, so that a
download written under it can't land outside its folder on any operating system, and when a
download could not write it under that very name on Linux, macOS or Windows: the upload is
the moment to say so, not the download, which may be years later on another machine.
"""

from __future__ import annotations

import re
import unicodedata

from pixlake.errors import InvalidFilenameError

__all__ = ["MAX_FILENAME_BYTES", "validate_filename"]

MAX_FILENAME_BYTES = 255
"""The limit of common filesystems (ext4, APFS, NTFS counts characters but is no tighter).
Downloads write through a temporary name of fixed length, so a name of this size downloads."""

_WINDOWS_RESERVED_CHARACTERS = frozenset('<>:"|?*')
"""Characters Windows refuses in a name; ``:`` would even open an NTFS alternate stream."""

# Device names Windows opens instead of a file, whatever the extension (``nul.tar.gz`` too)
# and the case; the digits include 0 and the superscripts Windows also reserves.
_WINDOWS_DEVICE = re.compile(
    r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(COM|LPT)[0-9¹²³])( *)(\..*)?", re.IGNORECASE
)

# Unicode categories of characters that are invisible or change how the name around them
# is shown: control (Cc), format (Cf: bidirectional overrides and isolates U+202A-U+202E,
# U+2066-U+2069, zero-width U+200B-U+200F, U+2060-U+2064, U+FEFF, soft hyphen...), and line
# or paragraph separators (Zl, Zp). A name like "photo\u202egpj.exe" shows as "photoexe.jpg".
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character (bidirectional override or zero-width)",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}

_ASCII_REFUSED = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
"""The ASCII characters refused: Windows' reserved ones and the controls (Cc). A plain
ASCII name is judged by this one search instead of a Unicode lookup per character."""


def validate_filename(filename: str) -> str:
    """Return ``filename`` unchanged if it is acceptable, else raise InvalidFilenameError.

    Refused, each with a message naming the file and the reason (also in
    ``details["reason"]``): empty or whitespace-only names, ``.`` and ``..``, names that are
    not valid UTF-8 (undecodable bytes from the filesystem arrive as surrogates), longer
    than 255 UTF-8 bytes, containing ``/``, ``\\``, ``..``, a character Windows refuses
    (``< > : " | ? *``), a control, invisible formatting or line-separator character,
    ending with a dot or a space (Windows drops them, so two names would download as one),
    and Windows device names (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM0``-``COM9``,
    ``LPT0``-``LPT9``, with or without an extension, in any case).
    """
    reason = _refusal(filename)
    if reason is None:
        return filename
    shown = filename.encode("utf-8", "backslashreplace").decode("utf-8")
    quoted = repr(shown if len(shown) <= 60 else shown[:40] + "...")
    raise InvalidFilenameError(
        f"filename {quoted} {reason}", details={"filename": shown, "reason": reason}
    )


def _refusal(filename: str) -> str | None:
    """Why ``filename`` is refused, or None."""
    if not filename:
        return "is empty"
    if not filename.strip():
        return "is only whitespace"
    try:
        size = len(filename.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if size > MAX_FILENAME_BYTES:
        return f"is {size} bytes long, more than {MAX_FILENAME_BYTES}"
    if filename in (".", ".."):
        return "names a folder, not a file"
    for forbidden in ("/", "\\", ".."):
        if forbidden in filename:
            return f"contains {forbidden!r}"
    # ASCII's only refused category is Cc, so a plain ASCII name the search passes holds
    # nothing the lookup per character would find.
    plain = filename.isascii() and _ASCII_REFUSED.search(filename) is None
    if not plain and (reason := _refused_character(filename)) is not None:
        return reason
    if filename[-1] in ". ":
        return "ends with a dot or a space, which Windows drops"
    if _WINDOWS_DEVICE.fullmatch(filename):
        return "is a Windows device name"
    return None


def _refused_character(filename: str) -> str | None:
    for ch in filename:
        if ch in _WINDOWS_RESERVED_CHARACTERS:
            return f"contains {ch!r}, which Windows does not allow in a filename"
        category = unicodedata.category(ch)
        if category in _REFUSED_CATEGORIES:
            return f"contains {_REFUSED_CATEGORIES[category]} (U+{ord(ch):04X})"
    return None
