"""What a filename may be: refused at upload when a download could not write it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pixlake import Client
from pixlake.errors import BadRequestError, InvalidFilenameError
from pixlake.filenames import MAX_FILENAME_BYTES, validate_filename

LONGEST = "x" * (MAX_FILENAME_BYTES - 4) + ".jpg"


@pytest.mark.parametrize(
    "name",
    [
        "a.jpg",
        "été.png",
        LONGEST,
        "my photo (1).jpeg",
        "a.b.c.jpg",
        "猫.webp",
        "🐈.jpg",
        "CONSOLE.jpg",
        "con-tour.jpg",
        "com10.jpg",
        "lpt.jpg",
        "nul_1.png",
        ".hidden.jpg",
        " leading space.jpg",
        "שלום.jpg",
    ],
)
def test_acceptable_names(name: str) -> None:
    assert validate_filename(name) == name


@pytest.mark.parametrize(
    "name, reason",
    [
        ("", "empty"),
        ("a/b.jpg", "'/'"),
        ("a\\b.jpg", "'\\\\\\\\'"),
        ("../x.jpg", "'/'"),
        ("x..jpg", "'..'"),
        ("x" * 300, "300 bytes"),
        ("é" * 130, "260 bytes"),
        ("bad\udcffname.jpg", "UTF-8"),
        ("nul\x00.jpg", "control"),
        ("tab\t.jpg", "control"),
    ],
)
def test_refused_names(name: str, reason: str) -> None:
    with pytest.raises(InvalidFilenameError, match=reason):
        validate_filename(name)


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilenameError, match="names a folder") as caught:
        validate_filename(name)
    assert caught.value.details["filename"] == name


@pytest.mark.parametrize("name", ["   ", "\t", "\u3000", " \u00a0 ", "\u2003\u2003"])
def test_whitespace_only_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilenameError, match="whitespace|control"):
        validate_filename(name)


def test_name_one_byte_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidFilenameError, match="256 bytes long, more than 255"):
        validate_filename("x" + LONGEST)


@pytest.mark.parametrize(
    "name",
    [
        "CON",
        "con.jpg",
        "Prn.png",
        "aux.tar.gz",
        "NUL.jpg",
        "nul",
        "COM1.jpg",
        "com9.png",
        "LPT1",
        "lpt9.jpeg",
        "COM¹.jpg",
        "lpt³.png",
        "CON .jpg",
        "conin$.jpg",
        "CONOUT$",
    ],
)
def test_windows_device_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilenameError, match="Windows device name") as caught:
        validate_filename(name)
    assert caught.value.details == {"filename": name, "reason": "is a Windows device name"}


@pytest.mark.parametrize(
    "name",
    [
        "a:b.jpg",
        "C:photo.jpg",
        "photo.jpg:stream",
        "a<b.jpg",
        "a>b.jpg",
        'a"b.jpg',
        "a|b.jpg",
        "a?.jpg",
        "a*.jpg",
    ],
)
def test_windows_reserved_characters_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilenameError, match="which Windows does not allow"):
        validate_filename(name)


@pytest.mark.parametrize("name", ["photo.jpg.", "photo.jpg ", "photo. "])
def test_names_ending_with_a_dot_or_space_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilenameError, match="ends with a dot or a space"):
        validate_filename(name)


@pytest.mark.parametrize(
    "codepoint",
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0x200B, 0x2010),
        0xFEFF,
        0x2060,
        0x2061,
        0x2064,
        0x00AD,
        0x061C,
    ],
)
def test_bidirectional_and_zero_width_characters_are_refused(codepoint: int) -> None:
    name = f"photo{chr(codepoint)}gpj.exe"
    with pytest.raises(InvalidFilenameError, match=f"U\\+{codepoint:04X}") as caught:
        validate_filename(name)
    # The message shows the invisible character escaped, so a reader sees it.
    assert (
        f"\\u{codepoint:04x}" in caught.value.message
        or f"\\x{codepoint:02x}" in caught.value.message
    )


@pytest.mark.parametrize("codepoint", [0x2028, 0x2029])
def test_line_separators_are_refused(codepoint: int) -> None:
    with pytest.raises(InvalidFilenameError, match="separator"):
        validate_filename(f"a{chr(codepoint)}b.jpg")


# Through the SDK on every deployment: the preflight refuses, the download writes.


@pytest.mark.parametrize(
    "name", ["CON.jpg", "a:b.jpg", "photo\u202egpj.exe.jpg", "zero\u200bwidth.jpg", "dot.jpg."]
)
def test_upload_refuses_what_a_download_cannot_write(
    client: Client, unique_image, name: str
) -> None:
    lake = client.get_datalake()
    made = unique_image()
    path = made.rename(made.with_name(name))
    with pytest.raises(InvalidFilenameError) as caught:
        lake.upload_data(path)
    assert caught.value.details["filename"] == name
    assert len(lake.list_data()) == 0


def test_255_byte_filename_round_trip(client: Client, unique_image, tmp_path: Path) -> None:
    path = unique_image(LONGEST)
    lake = client.get_datalake()
    data = lake.upload_data(path)
    assert data.filename == LONGEST
    target = tmp_path / "downloaded"
    lake.list_data().download(target)
    assert [p.name for p in target.iterdir()] == [LONGEST]  # no temporary file left behind
    assert (target / LONGEST).read_bytes() == path.read_bytes()
    data.download(target, force_replace=True)
    assert (target / LONGEST).read_bytes() == path.read_bytes()


# Whitespace-only names are refused for every named object, not only for files.

BLANKS = ["   ", "\t", "\u3000"]


@pytest.mark.parametrize("blank", BLANKS)
def test_whitespace_only_names_are_refused_everywhere(client: Client, blank: str) -> None:
    datalakes, datasets = len(client.list_datalakes()), len(client.list_datasets())
    with pytest.raises(BadRequestError, match="whitespace"):
        client.create_datalake(blank)
    with pytest.raises(BadRequestError, match="whitespace"):
        client.create_dataset(blank)
    with pytest.raises(BadRequestError):
        client.create_tag(blank, "DATA")
    dataset = client.create_dataset(f"named-{uuid.uuid4().hex[:8]}")
    with pytest.raises(BadRequestError, match="whitespace"):
        dataset.create_version(blank)
    with pytest.raises(BadRequestError, match="whitespace"):
        dataset.update(name=blank)
    version = dataset.create_version("v1")
    with pytest.raises(BadRequestError, match="whitespace"):
        version.update(version=blank)
    with pytest.raises(BadRequestError, match="whitespace"):
        version.create_label(blank)
    assert len(client.list_datalakes()) == datalakes
    assert len(client.list_datasets()) == datasets + 1
    assert client.list_tags() == []
    assert [v.version for v in dataset.list_versions()] == ["v1"]
    assert version.list_labels() == []
    dataset.sync()
    assert dataset.name.startswith("named-")


def test_ascii_names_are_judged_as_each_character_would_be() -> None:
    """Plain ASCII names take one search instead of a Unicode lookup per character: it
    refuses exactly the characters, and gives the very reason, the full judgement does."""
    from pixlake.filenames import _refusal, _refused_character

    for code in range(128):
        name = f"a{chr(code)}b.jpg"
        assert _refusal(name) == _refused_character(name) or (
            _refused_character(name) is None and _refusal(name) is not None  # "/", "\\"
        ), code
    assert validate_filename("photo_001 (copy).JPG") == "photo_001 (copy).JPG"
    with pytest.raises(InvalidFilenameError, match="U\\+0007"):
        validate_filename("bell\x07.jpg")
    with pytest.raises(InvalidFilenameError, match="Windows does not allow"):
        validate_filename("what?.jpg")
