"""The local folder store: object names are checked before any file is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake.errors import StorageError
from pixlake.storage import LocalStorage


@pytest.mark.parametrize(
    "name",
    [
        "../outside",
        "lake/../../outside",
        "/etc/passwd",
        "lake//x",
        "lake/./x",
        "lake/x/",
        "",
        "lake\\..\\..\\x",
        "lake/x\x00y",
    ],
)
def test_names_that_would_leave_the_store_are_refused(tmp_path: Path, name: str) -> None:
    storage = LocalStorage(tmp_path / "store")
    with pytest.raises(StorageError, match="escapes the object store"):
        storage.local_path(name)
    with pytest.raises(StorageError, match="escapes the object store"):
        storage.commit(storage.stage_stream([b"bytes"]), name)
    assert not (tmp_path / "outside").exists()
    assert list((tmp_path / "store" / "objects").iterdir()) == []


def test_objects_live_under_the_store_root_even_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    storage = LocalStorage(tmp_path / "link")
    storage.commit(storage.stage_stream([b"picture"]), "lake/ab/abcdef")
    path = storage.local_path("lake/ab/abcdef")
    assert path == tmp_path / "real" / "objects" / "lake" / "ab" / "abcdef"
    assert path.read_bytes() == b"picture"
    with storage.open("lake/ab/abcdef") as stream:
        assert stream.read() == b"picture"
