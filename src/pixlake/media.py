"""Recognising images and videos and reading their dimensions from headers.

Files are recognised by their bytes, not their extension: a text file named ``.jpg`` is
refused. Images are probed with Pillow, which reads only the header; videos with PyAV, which
reads the container and decodes a single frame to prove the stream is readable. Both are
imported only when a file is probed: on a client machine with the SDK alone, which has
neither, ``can_probe`` says so and ``recognise_media`` still tells media by their bytes.

An image's pixel count is checked against ``ImageLimits.max_pixels`` from its header, before
anything is decoded: a small file can describe a huge picture (a 308 kB PNG of 81 Mpx decodes
to 324 MB). The few images that are decoded fully (see ``_check_complete``) are decoded on
``ImageLimits.decoder``'s few threads, so the memory they need at once stays bounded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import os
import struct
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from pixlake.enums import DataType
from pixlake.errors import (
    EmptyFileError,
    InvalidMediaError,
    PayloadTooLargeError,
    UnsupportedMediaError,
)
from pixlake.jpeg_header import plain_jpeg_size

__all__ = [
    "IMAGE_EXTENSIONS",
    "MEDIA_CONTENT_TYPES",
    "MEDIA_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "ImageLimits",
    "MediaInfo",
    "can_probe",
    "probe_media",
    "recognise_bytes",
    "recognise_media",
    "sniff_media",
    "within_limits",
]

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"}
)
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".avi", ".webm"})
MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS
"""Extensions that mark a file of a walked folder as meant to be media (so a broken one is an
error, not skipped). Files are judged by their bytes whatever their extension."""

_IMAGE_CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
_EXIF_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that turn the picture on its side
_TAIL_BYTES = 64
_PNG_SIGNATURE = 8
_PNG_CHUNK_HEAD = struct.Struct(">I4s")
_PNG_CRC = 4
_JPEG_DRAFT_SCALE = 8  # libjpeg decodes at 1/8 scale, reading every byte all the same
_JPEG_END = b"\xff\xd9"  # the EOI marker
_READ_WHOLE = 256 * 1024
"""Image files up to this size are read whole and probed from memory."""


@dataclass(frozen=True)
class ImageLimits:
    """What probing an image may cost: its pixels at most, and the threads that decode,
    shared by every probe that uses this object (a server process has one).

    Decodes run on those few threads rather than the requests' own, not just a few at a
    time: the C allocator keeps freed memory in the arena of the thread that used it, so
    decodes spread over 16 request threads held 16 decoded pictures' worth of memory even
    when only two ran at once.
    """

    max_pixels: int
    decoder: ThreadPoolExecutor

    @classmethod
    def of(cls, max_pixels: int, max_concurrent_decodes: int) -> ImageLimits:
        return cls(
            max_pixels,
            ThreadPoolExecutor(max_concurrent_decodes, thread_name_prefix="pixlake-decode"),
        )


@dataclass(frozen=True)
class MediaInfo:
    type: DataType
    content_type: str
    width: int
    height: int
    duration: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def probe_media(
    source: Path | bytes, filename: str | None = None, limits: ImageLimits | None = None
) -> MediaInfo:
    """Identify a file and read its dimensions.

    Args:
        source: the file's path, or its bytes.
        filename: the name to cite in errors (defaults to the path's name).
        limits: the server's limits on images (none for a preflight on the caller's own
            files, where Pillow's own bomb check still applies).

    Raises:
        PayloadTooLargeError: an image has more pixels than ``limits.max_pixels``.
        EmptyFileError: the file has no bytes.
        UnsupportedMediaError: the bytes are not one of the supported formats.
        InvalidMediaError: the bytes claim a supported format but are corrupt or truncated.
    """
    stream: BinaryIO
    if isinstance(source, bytes):
        name, stream = filename or "upload", io.BytesIO(source)
    else:
        name, stream = filename or Path(source).name, open(source, "rb")  # noqa: SIM115
    with stream:
        head = stream.read(64)
        kind = _recognise(head, name)
        stream.seek(0)
        if kind is DataType.IMAGE:
            data = source if isinstance(source, bytes) else None
            if data is None and os.fstat(stream.fileno()).st_size <= _READ_WHOLE:
                # Pillow reads a header in dozens of small reads: from memory they cost a
                # fraction of what they cost through a file (a third off a 20 kB JPEG).
                data = stream.read()
                stream = io.BytesIO(data)
            if data is not None and (plain := _probe_plain_jpeg(data, name, limits)):
                return plain
            # One open stream serves sniffing, the header and the tail check.
            return _probe_image(stream, name, limits)
        # A file goes to PyAV by its path (FFmpeg opens it itself); bytes as a stream.
        return _probe_video(stream if isinstance(source, bytes) else str(source), name, head)


def sniff_media(path: Path | str) -> DataType | None:
    """What a file's first bytes say it is (an image, a video, or neither: None), without
    reading further.

    Raises:
        EmptyFileError: the file has no bytes.
        OSError: the file can't be read.
    """
    with open(path, "rb") as stream:
        head = stream.read(64)
    if not head:
        name = Path(path).name
        raise EmptyFileError(f"{name}: file is empty", details={"filename": name})
    return _sniff(head)


def recognise_media(path: Path, filename: str | None = None) -> DataType:
    """Whether a file is an image or a video, by its first bytes alone: what can be
    checked without Pillow and PyAV (a client machine with the SDK alone lacks them).

    Raises:
        EmptyFileError: the file has no bytes.
        UnsupportedMediaError: the bytes are not one of the supported formats.
        OSError: the file can't be read.
    """
    with open(path, "rb") as stream:
        return _recognise(stream.read(64), filename or path.name)


def recognise_bytes(head: bytes, filename: str) -> DataType:
    """``recognise_media`` of a file whose first bytes (64 are enough) are in memory."""
    return _recognise(head, filename)


def within_limits(media: MediaInfo, limits: ImageLimits) -> bool:
    """Whether what a probe without limits found passes the server's limits too (an image
    of at most ``limits.max_pixels`` pixels); when not, a probe with the limits names the
    reason."""
    return media.type is not DataType.IMAGE or media.width * media.height <= limits.max_pixels


def can_probe(kind: DataType) -> bool:
    """Whether this interpreter has the library that probes ``kind`` (Pillow for images,
    PyAV for videos); the application always has both."""
    return _has_module(_PROBING_MODULES[kind])


_PROBING_MODULES = {DataType.IMAGE: "PIL", DataType.VIDEO: "av"}


@cache
def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _recognise(head: bytes, name: str) -> DataType:
    if not head:
        raise EmptyFileError(f"{name}: file is empty", details={"filename": name})
    kind = _sniff(head)
    if kind is None:
        raise UnsupportedMediaError(
            f"{name}: not a supported image (JPEG, PNG, BMP, TIFF, WEBP, GIF) "
            "or video (MP4, MOV, MKV, AVI, WEBM)",
            details={"filename": name},
        )
    return kind


def _sniff(head: bytes) -> DataType | None:
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")):
        return DataType.IMAGE
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return DataType.IMAGE
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return DataType.IMAGE
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return DataType.VIDEO
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return DataType.VIDEO
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska and WebM
        return DataType.VIDEO
    return None


def _probe_plain_jpeg(data: bytes, name: str, limits: ImageLimits | None) -> MediaInfo | None:
    """What ``_probe_image`` finds in a plain, complete JPEG (see ``pixlake.jpeg_header``),
    without Pillow's walk of its markers; None for any other file."""
    from PIL import Image

    bomb_threshold = Image.MAX_IMAGE_PIXELS or sys.maxsize  # None turns Pillow's check off
    size = plain_jpeg_size(data, bomb_threshold)
    if size is None or not data[-_TAIL_BYTES:].rstrip(b"\x00").endswith(_JPEG_END):
        return None  # incomplete ones are decoded to decide, by _check_complete
    width, height = size
    if limits is not None:
        _check_pixels(name, width, height, limits.max_pixels)
    # No EXIF (it would have made the file not plain): no orientation, no metadata.
    return MediaInfo(DataType.IMAGE, _IMAGE_CONTENT_TYPES["JPEG"], width, height, None, {})


def _probe_image(stream: BinaryIO, name: str, limits: ImageLimits | None) -> MediaInfo:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # With limits, ours is the check (Pillow's warning threshold is a global of its
            # own); without, Pillow's warning refuses as an error.
            warnings.simplefilter("ignore" if limits else "error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.format not in _IMAGE_CONTENT_TYPES:
                    raise UnsupportedMediaError(
                        f"{name}: image format {image.format} is not supported",
                        details={"filename": name},
                    )
                width, height = image.size
                if limits is not None:
                    _check_pixels(name, width, height, limits.max_pixels)
                if image.format == "PNG":
                    _check_png_complete(stream, image, name)  # finds a late eXIf chunk too
                exif = _header_exif(image)
                if exif.get(_EXIF_ORIENTATION) in _ROTATED_ORIENTATIONS:
                    width, height = height, width
                metadata = _exif_as_json(exif)
                content_type = _IMAGE_CONTENT_TYPES[image.format]
                if image.format != "PNG":
                    _check_complete(stream, image, name, limits)  # last: it may decode
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidMediaError | PayloadTooLargeError):
            raise
        raise InvalidMediaError(
            f"{name}: not a readable image ({exc})", details={"filename": name}
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if limits is not None:
            # Pillow refuses at open what is far over any allowed max_pixels.
            raise _too_many_pixels(name, limits.max_pixels, str(exc)) from exc
        raise InvalidMediaError(
            f"{name}: image is too large to be safe ({exc})", details={"filename": name}
        ) from exc
    if width <= 0 or height <= 0:
        raise InvalidMediaError(f"{name}: image has no pixels", details={"filename": name})
    return MediaInfo(DataType.IMAGE, content_type, width, height, None, metadata)


def _check_pixels(name: str, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels(
            name,
            max_pixels,
            f"{width}x{height} = {width * height} pixels",
            width=width,
            height=height,
        )


def _too_many_pixels(name: str, max_pixels: int, what: str, **details: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"{name}: image is over {max_pixels} pixels ({what}; max_image_pixels)",
        details={"filename": name, **details},
        limit="max_image_pixels",
        maximum=max_pixels,
    )


def _check_png_complete(stream: BinaryIO, image: Any, name: str) -> None:
    """A PNG is complete when its chunks, walked by their lengths, reach IEND: no pixel
    is decoded."""
    if not _png_chunks(stream, image):
        raise InvalidMediaError(
            f"{name}: image is truncated (no IEND chunk)", details={"filename": name}
        )


def _check_complete(stream: BinaryIO, image: Any, name: str, limits: ImageLimits | None) -> None:
    """Refuse truncated images (other than PNG) without decoding the common ones.

    A JPEG ends with a known marker; when it is there the file is complete. When it is not
    (a truncated file, or trailing bytes some cameras append), it is decoded to decide, at
    1/8 scale (every byte is still read, a 64th of the memory). Other formats are decoded
    fully, on one of ``limits.decoder``'s threads; the picture is dropped there at once.
    """
    position = stream.tell()
    stream.seek(0, 2)
    stream.seek(max(0, stream.tell() - _TAIL_BYTES))
    tail = stream.read().rstrip(b"\x00")
    stream.seek(position)
    if image.format == "JPEG":
        if tail.endswith(_JPEG_END):
            return
        image.draft(
            image.mode,
            (max(1, image.width // _JPEG_DRAFT_SCALE), max(1, image.height // _JPEG_DRAFT_SCALE)),
        )
    try:
        if limits is None:
            _decode_and_drop(image)
        else:
            limits.decoder.submit(_decode_and_drop, image).result()
    except OSError as exc:
        raise InvalidMediaError(
            f"{name}: image is truncated or corrupt ({exc})", details={"filename": name}
        ) from exc


def _decode_and_drop(image: Any) -> None:
    try:
        image.load()
    finally:
        image.close()  # frees the decoded pixels now, on this thread


def _png_chunks(stream: BinaryIO, image: Any) -> bool:
    """Whether the PNG's chunks reach IEND, reading their heads only. An eXIf chunk after
    the image data (which Pillow finds only by decoding every pixel) is kept in
    ``image.info`` on the way."""
    position = stream.tell()
    try:
        stream.seek(_PNG_SIGNATURE)
        while len(head := stream.read(_PNG_CHUNK_HEAD.size)) == _PNG_CHUNK_HEAD.size:
            length, kind = _PNG_CHUNK_HEAD.unpack(head)
            if kind == b"IEND":
                return True
            if kind == b"eXIf" and "exif" not in image.info:
                exif = stream.read(length)
                image.info["exif"] = (
                    exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif
                )
                length = 0  # read already (a short read ends the walk at the next head)
            stream.seek(length + _PNG_CRC, 1)
        return False
    finally:
        stream.seek(position)


def _header_exif(image: Any) -> Any:
    """The image's EXIF from what was read without decoding: Pillow's PNG plugin would
    decode the whole picture to look for EXIF after the image data."""
    from PIL import Image

    return Image.Image.getexif(image)


def _exif_as_json(exif: Any) -> dict[str, Any]:
    from PIL import ExifTags

    if not exif:
        return {}
    tags: dict[str, Any] = {}
    entries = dict(exif)
    with contextlib.suppress(KeyError, ValueError, OSError):  # no or unreadable Exif IFD
        entries.update(exif.get_ifd(_EXIF_IFD))
    for tag_id, value in entries.items():
        if tag_id == _EXIF_IFD:
            continue
        name = ExifTags.TAGS.get(tag_id, str(tag_id))
        plain = _json_value(value)
        if plain is not None:
            tags[name] = plain
    return {"exif": tags} if tags else {}


def _json_value(value: Any) -> Any:
    """A JSON-safe copy of an EXIF value, or None to leave it out (binary blobs)."""
    if isinstance(value, bytes):
        return None
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, tuple | list):
        items = [_json_value(v) for v in value]
        return None if any(i is None for i in items) else items
    try:
        number = float(value)  # IFDRational and friends
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


_CONTAINER_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "matroska": "video/x-matroska",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
}
MEDIA_CONTENT_TYPES = frozenset(_IMAGE_CONTENT_TYPES.values()) | frozenset(
    _CONTAINER_TYPES.values()
)
"""Every content type a stored file can have: raster images and videos, none of which a
browser runs scripts from."""


def _probe_video(source: str | BinaryIO, name: str, head: bytes) -> MediaInfo:
    import av

    try:
        with av.open(source, mode="r", metadata_errors="ignore") as container:
            streams = container.streams.video
            if not streams:
                raise InvalidMediaError(
                    f"{name}: container holds no video stream", details={"filename": name}
                )
            stream = streams[0]
            width = stream.codec_context.width
            height = stream.codec_context.height
            duration = _duration_seconds(container, stream)
            # Decoding one frame proves the stream is readable, not just its header.
            next(container.decode(stream), None)
            content_type = _CONTAINER_TYPES[_container_kind(container.format.name, head)]
            metadata = {
                "codec": stream.codec_context.name,
                "frame_rate": float(stream.average_rate) if stream.average_rate else None,
                "frames": stream.frames or None,
            }
    except InvalidMediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, KeyError, StopIteration) as exc:
        raise InvalidMediaError(
            f"{name}: not a readable video ({exc})", details={"filename": name}
        ) from exc
    if not width or not height:
        raise InvalidMediaError(f"{name}: video has no picture size", details={"filename": name})
    return MediaInfo(
        DataType.VIDEO,
        content_type,
        width,
        height,
        duration,
        {k: v for k, v in metadata.items() if v is not None},
    )


def _duration_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # av.time_base is microseconds
    return None


def _container_kind(format_name: str, head: bytes) -> str:
    formats = set(format_name.split(","))
    if "avi" in formats:
        return "avi"
    if "matroska" in formats or "webm" in formats:
        return "webm" if b"webm" in head else "matroska"
    if head[4:8] == b"ftyp" and head[8:12] == b"qt  ":
        return "mov"
    if formats & {"mov", "mp4"}:
        return "mp4" if head[4:8] == b"ftyp" else "mov"
    raise ValueError(f"unexpected container {format_name}")
