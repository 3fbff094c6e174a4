"""Synthetic sample media, for the quickstart, the benchmarks and the tests.

The pictures are gradients with a few shapes and light noise: they compress like photographs
(tens to a few hundred kilobytes) rather than like flat colour or pure noise.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SAMPLE_SIZES", "make_image", "make_images", "make_video"]

SAMPLE_SIZES: Sequence[tuple[int, int]] = ((320, 240), (640, 480), (800, 600), (1024, 768))


def make_image(
    path: Path,
    width: int,
    height: int,
    *,
    seed: int = 0,
    quality: int = 85,
    exif_orientation: int | None = None,
) -> Path:
    """Write one synthetic picture; the format follows the path's extension."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height))
    tint = tuple(rng.randrange(60, 255) for _ in range(3))
    image = Image.merge("RGB", [base.point(lambda v, t=t: v * t // 255) for t in tint])
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(3, 9)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = x0 + rng.randrange(10, max(11, width // 2))
        y1 = y0 + rng.randrange(10, max(11, height // 2))
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    noise = Image.effect_noise((width, height), rng.randrange(8, 24)).convert("RGB")
    image = Image.blend(image, noise, 0.12).filter(ImageFilter.SMOOTH)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_args: dict[str, Any] = {}
    if path.suffix.lower() in (".jpg", ".jpeg"):
        save_args["quality"] = quality
        if exif_orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = exif_orientation
            save_args["exif"] = exif
    image.save(path, **save_args)
    return path


def make_images(
    folder: Path,
    count: int,
    *,
    seed: int = 0,
    suffix: str = ".jpg",
    on_image: Callable[[Path], object] | None = None,
) -> list[Path]:
    """Write ``count`` pictures of mixed sizes (320x240 to 1024x768) into ``folder``;
    ``on_image`` is called after each one (a progress bar, for instance)."""
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        width, height = rng.choice(SAMPLE_SIZES)
        paths.append(
            make_image(
                folder / f"sample_{index:06d}{suffix}", width, height, seed=seed * 1_000_003 + index
            )
        )
        if on_image is not None:
            on_image(paths[-1])
    return paths


def make_video(
    path: Path, width: int = 64, height: int = 48, *, frames: int = 25, fps: int = 25
) -> Path:
    """Write a short synthetic video; the container follows the path's extension."""
    import av
    import numpy as np

    codec = {".webm": "libvpx", ".avi": "mpeg4", ".mkv": "mpeg4"}.get(path.suffix.lower(), "mpeg4")
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)  # a video codec gives a video stream
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            pixels = np.full((height, width, 3), (index * 9) % 256, dtype=np.uint8)
            pixels[:, : width // 2, 1] = 200
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
