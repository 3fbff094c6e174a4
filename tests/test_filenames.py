"""What a filename may be."""

from __future__ import annotations

import pytest

from pixlake.errors import InvalidFilenameError
from pixlake.filenames import validate_filename


@pytest.mark.parametrize("name", ["a.jpg", "été.png", "x" * 251 + ".jpg", "my photo (1).jpeg",
                                  "a.b.c.jpg"])
def test_acceptable_names(name: str) -> None:
    assert validate_filename(name) == name


@pytest.mark.parametrize("name, reason", [
    ("", "empty"), ("   ", "empty"), ("a/b.jpg", "'/'"), ("a\\b.jpg", "'\\\\\\\\'"),
    ("..", "'..'"), ("../x.jpg", "'/'"), ("x..jpg", "'..'"), ("x" * 300, "300 bytes"),
    ("é" * 130, "260 bytes"), ("bad\udcffname.jpg", "UTF-8"), ("nul\x00.jpg", "control"),
    ("tab\t.jpg", "control"),
])
def test_refused_names(name: str, reason: str) -> None:
    with pytest.raises(InvalidFilenameError, match=reason):
        validate_filename(name)
