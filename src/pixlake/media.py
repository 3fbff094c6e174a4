"""Recognising images and videos and reading their dimensions from headers.

Files are recognised by their bytes, not their extension: a text file named ``.jpg`` is
refused. Images are probed with Pillow, which reads only the header; videos with PyAV, which
reads the container and decodes a single frame to prove the stream is readable.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pixlake.enums import DataType
from pixlake.errors import EmptyFileError, InvalidMediaError, UnsupportedMediaError

__all__ = [
    "IMAGE_EXTENSIONS",
    "MEDIA_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "MediaInfo",
    "probe_media",
    "sniff_media",
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


@dataclass(frozen=True)
class MediaInfo:
    type: DataType
    content_type: str
    width: int
    height: int
    duration: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def probe_media(source: Path | bytes, filename: str | None = None) -> MediaInfo:
    """Identify a file and read its dimensions.

    Args:
        source: the file's path, or its bytes.
        filename: the name to cite in errors (defaults to the path's name).

    Raises:
        EmptyFileError: the file has no bytes.
        UnsupportedMediaError: the bytes are not one of the supported formats.
        InvalidMediaError: the bytes claim a supported format but are corrupt or truncated.
    """
    in_memory = isinstance(source, bytes)
    name = filename or ("upload" if in_memory else Path(source).name)
    with (io.BytesIO(source) if in_memory else open(source, "rb")) as stream:
        head = stream.read(64)
        if not head:
            raise EmptyFileError(f"{name}: file is empty", details={"filename": name})
        kind = _sniff(head)
        if kind is None:
            raise UnsupportedMediaError(
                f"{name}: not a supported image (JPEG, PNG, BMP, TIFF, WEBP, GIF) "
                "or video (MP4, MOV, MKV, AVI, WEBM)",
                details={"filename": name},
            )
        stream.seek(0)
        if kind is DataType.IMAGE:
            # One open stream serves sniffing, the header and the tail check.
            return _probe_image(stream, name)
        return _probe_video(stream if in_memory else str(source), name, head)


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


def _probe_image(stream: BinaryIO, name: str) -> MediaInfo:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.format not in _IMAGE_CONTENT_TYPES:
                    raise UnsupportedMediaError(
                        f"{name}: image format {image.format} is not supported",
                        details={"filename": name},
                    )
                _check_complete(stream, image, name)
                width, height = image.size
                exif = image.getexif()
                if exif.get(_EXIF_ORIENTATION) in _ROTATED_ORIENTATIONS:
                    width, height = height, width
                metadata = _exif_as_json(exif)
                content_type = _IMAGE_CONTENT_TYPES[image.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidMediaError):
            raise
        raise InvalidMediaError(
            f"{name}: not a readable image ({exc})", details={"filename": name}
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidMediaError(
            f"{name}: image is too large to be safe ({exc})", details={"filename": name}
        ) from exc
    if width <= 0 or height <= 0:
        raise InvalidMediaError(f"{name}: image has no pixels", details={"filename": name})
    return MediaInfo(DataType.IMAGE, content_type, width, height, None, metadata)


def _check_complete(stream: BinaryIO, image: Any, name: str) -> None:
    """Refuse truncated images without decoding the common ones.

    JPEG and PNG end with a known marker; when it is there the file is complete. When it is
    not (a truncated file, or trailing bytes some cameras append), decode fully to decide.
    """
    position = stream.tell()
    stream.seek(0, 2)
    stream.seek(max(0, stream.tell() - _TAIL_BYTES))
    tail = stream.read().rstrip(b"\x00")
    stream.seek(position)
    if image.format == "JPEG" and tail.endswith(b"\xff\xd9"):
        return
    if image.format == "PNG" and b"IEND" in tail:
        return
    try:
        image.load()
    except OSError as exc:
        raise InvalidMediaError(
            f"{name}: image is truncated or corrupt ({exc})", details={"filename": name}
        ) from exc


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


_CONTAINER_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "matroska": "video/x-matroska",
                    "webm": "video/webm", "avi": "video/x-msvideo"}


def _probe_video(source: str | BinaryIO, name: str, head: bytes) -> MediaInfo:
    import av

    try:
        with av.open(source, metadata_errors="ignore") as container:
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
    return MediaInfo(DataType.VIDEO, content_type, width, height, duration,
                     {k: v for k, v in metadata.items() if v is not None})


def _duration_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # av.time_base is microseconds
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
