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


def test_bytes_held_in_memory_are_put_in_place_whole_or_not_at_all(tmp_path: Path) -> None:
    """A commit from memory writes a staging file renamed to the object's name (its folders
    made on the way); when the rename fails, neither the object nor the staging file stays."""
    storage = LocalStorage(tmp_path / "store", memory_budget=1 << 20)
    staged = storage.stage_stream([b"pic", b"ture"], 7)
    assert staged.data is not None  # held in memory, not staged to a file
    storage.commit(staged, "lake/cd/cdef01")
    assert storage.local_path("lake/cd/cdef01").read_bytes() == b"picture"

    (tmp_path / "store" / "objects" / "lake" / "ef" / "taken").mkdir(parents=True)
    refused = storage.stage_stream([b"other"], 5)
    with pytest.raises(StorageError):
        storage.commit(refused, "lake/ef/taken")  # a folder holds the name: no rename
    assert list((tmp_path / "store" / "staging").iterdir()) == []
    with pytest.raises(StorageError, match="escapes the object store"):
        storage.commit(storage.stage_stream([b"x"], 1), "lake/../x")
    assert list((tmp_path / "store" / "staging").iterdir()) == []
