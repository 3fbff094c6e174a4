"""Rendering thumbnails: an image or a video frame, at most 256 px on its long edge, as WebP.

Decoding is bounded as an upload's probe is: images over ``max_pixels`` (read from the
header, before anything is decoded) are not decoded at all, and JPEGs are decoded at a
reduced scale (``Image.draft``: libjpeg skips the detail a 256 px picture can't show).
The EXIF orientation is applied, so a thumbnail stands the way the camera held it. Every
failure is a ``ThumbnailError``; callers show a placeholder for it.
"""

from __future__ import annotations

import functools
import io
import warnings
from typing import Any, BinaryIO

from pixlake.enums import DataType

__all__ = [
    "THUMBNAIL_CONTENT_TYPE",
    "THUMBNAIL_SIZE",
    "ThumbnailError",
    "placeholder_thumbnail",
    "render_thumbnail",
]

THUMBNAIL_SIZE = 256
"""Pixels of a thumbnail's long edge."""

THUMBNAIL_CONTENT_TYPE = "image/webp"
_WEBP_QUALITY = 80
# Pillow's fastest WebP method that still compresses well: thumbnails are made on demand.
_WEBP_METHOD = 2
_VIDEO_FRAME_SECONDS = 1.0
"""A video's thumbnail is the first frame from this far in (or its first, if shorter):
the very first frame is often black."""
_MAX_VIDEO_FRAMES = 120
"""Frames decoded at most to reach that point (a video of a high frame rate)."""


class ThumbnailError(Exception):
    """The media could not be made into a thumbnail (unreadable, too large, no frame)."""


def render_thumbnail(source: BinaryIO | str, kind: DataType, max_pixels: int) -> bytes:
    """The WebP thumbnail of an image or video read from ``source`` (a seekable stream,
    or a path); ThumbnailError when it can't be made."""
    if kind is DataType.VIDEO:
        return _encode(_video_frame(source))
    return _encode(_image(source, max_pixels))


def _image(source: BinaryIO | str, max_pixels: int) -> Any:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ThumbnailError(f"image of {width}x{height} pixels is over max_pixels")
                # Reduced decoding: JPEGs at the smallest scale still >= the thumbnail.
                image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), reducing_gap=2.0)
                return _displayable(upright)
    except ThumbnailError:
        raise
    except Exception as exc:  # Pillow raises many kinds on corrupt input; all mean "unreadable"
        raise ThumbnailError(f"not a readable image ({exc})") from exc


def _displayable(image: Any) -> Any:
    """The image in a mode WebP holds: RGB, or RGBA when it has transparency."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _video_frame(source: BinaryIO | str) -> Any:
    import av

    try:
        with av.open(source, mode="r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            target = _VIDEO_FRAME_SECONDS
            if stream.duration is not None and stream.time_base is not None:
                target = min(target, float(stream.duration * stream.time_base) / 2)
            chosen = None
            for count, frame in enumerate(container.decode(stream)):
                chosen = frame
                if frame.time is None or frame.time >= target or count >= _MAX_VIDEO_FRAMES:
                    break
            if chosen is None:
                raise ThumbnailError("the video has no frame")
            image = chosen.to_image()  # type: ignore[no-untyped-call]
    except ThumbnailError:
        raise
    except Exception as exc:  # PyAV's errors on a broken container or codec
        raise ThumbnailError(f"not a readable video ({exc})") from exc
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), reducing_gap=2.0)
    return image.convert("RGB")


def _encode(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=_WEBP_QUALITY, method=_WEBP_METHOD)
    return out.getvalue()


@functools.cache
def placeholder_thumbnail() -> bytes:
    """What stands for a thumbnail that can't be made: a grey square with a crossed frame."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE), (224, 224, 224))
    draw = ImageDraw.Draw(image)
    inset = THUMBNAIL_SIZE // 4
    box = (inset, inset, THUMBNAIL_SIZE - inset, THUMBNAIL_SIZE - inset)
    draw.rectangle(box, outline=(150, 150, 150), width=6)
    draw.line(box, fill=(150, 150, 150), width=6)
    return _encode(image)
