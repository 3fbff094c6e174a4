"""Recognising media from their bytes and reading their dimensions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake import DataType
from pixlake.errors import EmptyFileError, InvalidMediaError, UnsupportedMediaError
from pixlake.media import probe_media
from pixlake.samples import make_image


@pytest.mark.parametrize(
    "suffix, content_type",
    [
        (".jpg", "image/jpeg"),
        (".png", "image/png"),
        (".bmp", "image/bmp"),
        (".tiff", "image/tiff"),
        (".webp", "image/webp"),
        (".gif", "image/gif"),
    ],
)
def test_images_are_probed(tmp_path: Path, suffix: str, content_type: str) -> None:
    info = probe_media(make_image(tmp_path / f"a{suffix}", 120, 80))
    assert info.type is DataType.IMAGE
    assert info.content_type == content_type
    assert (info.width, info.height) == (120, 80)
    assert info.duration is None


@pytest.mark.parametrize(
    "orientation, size", [(1, (120, 80)), (3, (120, 80)), (6, (80, 120)), (8, (80, 120))]
)
def test_exif_orientation_is_taken_into_account(
    tmp_path: Path, orientation: int, size: tuple[int, int]
) -> None:
    info = probe_media(make_image(tmp_path / "r.jpg", 120, 80, exif_orientation=orientation))
    assert (info.width, info.height) == size
    assert info.metadata["exif"]["Orientation"] == orientation


@pytest.mark.parametrize(
    "suffix, content_type",
    [
        (".mp4", "video/mp4"),
        (".mov", "video/quicktime"),
        (".mkv", "video/x-matroska"),
        (".avi", "video/x-msvideo"),
        (".webm", "video/webm"),
    ],
)
def test_videos_are_probed(videos: dict[str, Path], suffix: str, content_type: str) -> None:
    info = probe_media(videos[suffix])
    assert info.type is DataType.VIDEO
    assert info.content_type == content_type
    assert (info.width, info.height) == (64, 48)
    assert info.duration == pytest.approx(1.0, abs=0.1)


def test_extension_does_not_decide(tmp_path: Path) -> None:
    png_named_jpg = make_image(tmp_path / "x.png", 30, 20).rename(tmp_path / "x.jpg")
    assert probe_media(png_named_jpg).content_type == "image/png"


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "e.jpg").write_bytes(b"")
    with pytest.raises(EmptyFileError, match="e.jpg"):
        probe_media(tmp_path / "e.jpg")


def test_text_named_jpg_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.jpg").write_text("not a picture")
    with pytest.raises(UnsupportedMediaError, match="t.jpg"):
        probe_media(tmp_path / "t.jpg")


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".gif", ".webp"])
def test_truncated_image_is_refused(tmp_path: Path, suffix: str) -> None:
    whole = make_image(tmp_path / f"w{suffix}", 200, 150).read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidMediaError, match=f"cut{suffix}"):
        probe_media(cut)


def test_truncated_video_is_refused(tmp_path: Path, videos: dict[str, Path]) -> None:
    whole = videos[".mp4"].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:200])
    with pytest.raises(InvalidMediaError, match="cut.mp4"):
        probe_media(cut)


def test_unsupported_type_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(UnsupportedMediaError, match="doc.pdf"):
        probe_media(pdf)


def test_error_names_the_given_filename(tmp_path: Path) -> None:
    (tmp_path / "staging.part").write_text("nope")
    with pytest.raises(UnsupportedMediaError, match="holiday.jpg"):
        probe_media(tmp_path / "staging.part", "holiday.jpg")


# Bytes staged in memory are probed as they are, with the same answers as from a file.


def test_image_bytes_probe_like_the_file(tmp_path: Path) -> None:
    path = make_image(tmp_path / "r.jpg", 120, 80, exif_orientation=6)
    assert probe_media(path.read_bytes(), "r.jpg") == probe_media(path)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv", ".avi", ".webm"])
def test_video_bytes_probe_like_the_file(videos: dict[str, Path], suffix: str) -> None:
    path = videos[suffix]
    assert probe_media(path.read_bytes(), path.name) == probe_media(path)


@pytest.mark.parametrize(
    "content, error",
    [
        (b"", EmptyFileError),
        (b"not a picture", UnsupportedMediaError),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 60, InvalidMediaError),
    ],
    ids=["empty", "text", "truncated-jpeg"],
)
def test_bad_bytes_are_refused_under_their_name(content: bytes, error: type[Exception]) -> None:
    with pytest.raises(error, match="holiday.jpg"):
        probe_media(content, "holiday.jpg")


def test_truncated_video_bytes_are_refused(videos: dict[str, Path]) -> None:
    with pytest.raises(InvalidMediaError, match="clip.mp4"):
        probe_media(videos[".mp4"].read_bytes()[:200], "clip.mp4")
