"""The size of a plain JPEG, read from its markers without Pillow.

Pillow identifies a JPEG by walking its markers in Python, a few dozen small reads and
table conversions per file: on a 20 kB picture that is most of the cost of an upload.
Most pictures carry only the markers whose reading has no effect besides the size (JFIF,
quantisation and Huffman tables, a baseline or progressive frame, comments). For those,
``plain_jpeg_size`` reads the size itself, with exactly the checks Pillow would make on
them; for anything else (EXIF or other application data, other frame types, odd bytes
between markers, a table or frame cut short, an image Pillow would refuse or warn about)
it answers None and Pillow judges the file as before. So it never refuses a file, nor
accepts one Pillow would refuse: it only gives Pillow's own answer faster.
"""

from __future__ import annotations

__all__ = ["plain_jpeg_size"]

_SOI = b"\xff\xd8"
_SOS = 0xDA
_FRAMES = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended sequential, progressive
_SKIPPED = frozenset({0xC4, 0xDD, 0xFE})  # Huffman tables, restart interval, comment
_JFIF = 0xE0
_DQT = 0xDB
_LAYERS = frozenset({1, 3, 4})  # grey, colour, CMYK: the layer counts Pillow reads
_TABLE_VALUES = 64


def plain_jpeg_size(data: bytes, max_pixels: int) -> tuple[int, int] | None:
    """``(width, height)`` of a JPEG made of plain markers only, up to its first scan, of
    at most ``max_pixels`` (Pillow's decompression-bomb threshold); None otherwise."""
    if not data.startswith(_SOI):
        return None
    end = len(data)
    position = 2
    size: tuple[int, int] | None = None
    while position + 4 <= end:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = (data[position + 2] << 8) | data[position + 3]
        body_start, body_end = position + 4, position + 2 + length
        if length < 2 or body_end > end:
            return None
        if marker == _SOS:
            return size
        if marker in _FRAMES:
            if size is not None:
                return None
            size = _frame_size(data[body_start:body_end], max_pixels)
            if size is None:
                return None
        elif marker == _DQT:
            if not _tables_complete(data[body_start:body_end]):
                return None
        elif marker == _JFIF:
            if not _jfif_readable(data[body_start:body_end]):
                return None
        elif marker not in _SKIPPED:
            return None
        position = body_end
    return None


def _frame_size(frame: bytes, max_pixels: int) -> tuple[int, int] | None:
    # Pillow reads a 3-byte entry per layer after the first 6 bytes, and fails on a short one.
    if len(frame) < 6 or frame[0] != 8 or frame[5] not in _LAYERS or len(frame) != 6 + 3 * frame[5]:
        return None
    height = (frame[1] << 8) | frame[2]
    width = (frame[3] << 8) | frame[4]
    if width <= 0 or height <= 0 or width * height > max_pixels:
        return None
    return width, height


def _tables_complete(tables: bytes) -> bool:
    """Whether every quantisation table holds its 64 values (Pillow refuses one cut short)."""
    offset = 0
    while offset < len(tables):
        precision = 1 if tables[offset] >> 4 == 0 else 2
        offset += 1 + precision * _TABLE_VALUES
        if offset > len(tables):
            return False
    return True


def _jfif_readable(segment: bytes) -> bool:
    """A JFIF header Pillow reads without failing: version, unit and density present, or
    another APP0 (which it ignores)."""
    if not segment.startswith(b"JFIF"):
        return True
    return len(segment) >= 12
