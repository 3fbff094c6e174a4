"""The JPEG fast path gives Pillow's own answer, or leaves the file to Pillow."""

from __future__ import annotations

import io
import random
import re

import pytest
from PIL import Image

from pixlake import media
from pixlake.errors import PixlakeError
from pixlake.jpeg_header import plain_jpeg_size
from pixlake.media import ImageLimits, probe_media
from pixlake.samples import make_image


def jpeg(mode: str = "RGB", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    picture = Image.linear_gradient("L").resize(size).convert(mode)
    out = io.BytesIO()
    picture.save(out, "JPEG", **save)
    return out.getvalue()


def outcome(data: bytes, limits: ImageLimits | None = None) -> object:
    """What probing gives: the media found, or the error's class and message."""
    try:
        return probe_media(data, "x.jpg", limits)
    except PixlakeError as exc:
        return type(exc).__name__, re.sub(r" at 0x[0-9a-f]+", "", exc.message)


def through_pillow(monkeypatch: pytest.MonkeyPatch, data: bytes, **kw: object) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(media, "plain_jpeg_size", lambda data, max_pixels: None)
        return outcome(data, **kw)  # type: ignore[arg-type]


PLAIN = {
    "colour": jpeg(),
    "grey": jpeg("L"),
    "progressive": jpeg(progressive=True),
    "optimised": jpeg(optimize=True, quality=40),
    "no subsampling": jpeg(subsampling=0),
    "comment": jpeg(comment=b"made here"),
    "dpi": jpeg(dpi=(300, 300)),
    "large": jpeg(size=(1024, 768)),
}


def turned() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif


NOT_PLAIN = {
    "exif": jpeg(exif=turned()),
    "icc profile": jpeg(icc_profile=b"\0" * 200),
    "adobe (cmyk)": jpeg("CMYK"),
    "truncated": jpeg()[:-300],
    "trailing bytes": jpeg() + b"camera data",
}


@pytest.mark.parametrize("name", PLAIN)
def test_plain_jpegs_are_read_without_pillow_with_the_same_result(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = PLAIN[name]
    assert plain_jpeg_size(data, 10**9) is not None
    assert outcome(data) == through_pillow(monkeypatch, data)


@pytest.mark.parametrize("name", NOT_PLAIN)
def test_other_jpegs_are_left_to_pillow(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = NOT_PLAIN[name]
    if name != "truncated" and name != "trailing bytes":
        assert plain_jpeg_size(data, 10**9) is None
    assert outcome(data) == through_pillow(monkeypatch, data)


def test_exif_orientation_still_turns_the_size(tmp_path) -> None:
    path = make_image(tmp_path / "turned.jpg", 64, 48, exif_orientation=6)
    found = probe_media(path)
    assert (found.width, found.height) == (48, 64)


def test_the_limit_on_pixels_still_applies() -> None:
    limits = ImageLimits.of(64 * 48 - 1, 1)
    kind, message = outcome(PLAIN["colour"], limits)  # type: ignore[misc]
    assert kind == "PayloadTooLargeError" and "max_image_pixels" in message


def test_a_picture_over_pillows_bomb_threshold_is_left_to_pillow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    assert outcome(PLAIN["colour"]) == through_pillow(monkeypatch, PLAIN["colour"])
    assert outcome(PLAIN["colour"])[0] == "InvalidMediaError"  # type: ignore[index]


@pytest.mark.parametrize("seed", range(6))
def test_damaged_headers_get_pillows_answer(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes of the header changed at random: whatever Pillow says of each, probing says."""
    rng = random.Random(seed)
    original = list(PLAIN.values())[seed % len(PLAIN)]
    header_end = original.index(b"\xff\xda") + 2
    for _ in range(150):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(2, header_end)] = rng.randrange(256)
        data = bytes(damaged)
        assert outcome(data) == through_pillow(monkeypatch, data), data[:header_end].hex()
