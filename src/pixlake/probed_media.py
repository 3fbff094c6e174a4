"""Probes of bytes handed from the SDK to an API running in the same process.

An upload probes every file before it sends any, so that one bad file stops the whole
upload; the service probes what it receives again, since it can trust no client. When both
run in one process (embedded mode) the second probe repeats the first on the very same
bytes. The SDK then records what it found here, keyed by the SHA-256 of the bytes it
probed, and the service, having hashed the bytes it staged itself, takes the facts recorded
under that checksum instead of probing again.

Nothing of this crosses a request: the object is shared by reference between the
connection and the application that ``pixlake.embedded`` builds together, so a remote
client has no way to put a claim in it, and a checksum the service computed itself can only
find facts about exactly those bytes. The probe recorded is one made without the server's
limits (the SDK knows none); the service still holds each image to its own
``max_image_pixels`` (``check_limits``).

The SDK reads a small image whole to probe it, so it may also leave those very bytes here,
with their checksum, under the file's path: the service then stages that snapshot instead
of reading the file again. What is stored is exactly what was probed and hashed (a
``bytes`` object can't change), by this process's own code; what the bytes held take is
bounded (``MAX_BYTES_HELD``), past which the service reads the files itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import NamedTuple

from pixlake.media import MediaInfo

__all__ = ["MAX_BYTES_HELD", "MAX_PROBES_HELD", "HeldBytes", "ProbedMedia"]

MAX_PROBES_HELD = 1_000_000
"""Probes one ``ProbedMedia`` holds at most: past it nothing more is recorded, and the
service probes those files itself (a bound on memory, some 300 MB, whatever the caller does)."""


MAX_BYTES_HELD = 64 * 1024 * 1024
"""Bytes of files that one ``ProbedMedia`` holds at most for the service to stage."""


class HeldBytes(NamedTuple):
    """A file's bytes as the SDK read them, and their SHA-256."""

    checksum: str
    data: bytes


class ProbedMedia:
    """What probing found, by the checksum of the bytes probed; safe across threads."""

    def __init__(
        self, max_held: int = MAX_PROBES_HELD, max_bytes_held: int = MAX_BYTES_HELD
    ) -> None:
        self._max_held = max_held
        self._found: dict[str, MediaInfo] = {}
        self._max_bytes_held = max_bytes_held
        self._bytes_held = 0
        self._held: dict[str, HeldBytes] = {}
        self._lock = threading.Lock()

    def record(self, checksum: str, media: MediaInfo) -> bool:
        """Keep what a probe of the bytes of ``checksum`` found; False when full."""
        with self._lock:
            if len(self._found) >= self._max_held and checksum not in self._found:
                return False
            self._found[checksum] = media
            return True

    def get(self, checksum: str) -> MediaInfo | None:
        """What a probe of these bytes found, or None when none was recorded."""
        return self._found.get(checksum)

    def hold(self, path: str, checksum: str, data: bytes) -> bool:
        """Keep the bytes read from the file at ``path`` (hashing to ``checksum``) for the
        service to stage; False when that would pass the bound on bytes held."""
        with self._lock:
            if path in self._held or self._bytes_held + len(data) > self._max_bytes_held:
                return False
            self._held[path] = HeldBytes(checksum, data)
            self._bytes_held += len(data)
            return True

    def take(self, path: str) -> HeldBytes | None:
        """The bytes held for the file at ``path``, which are no longer held; None when
        none are (the service reads the file)."""
        with self._lock:
            held = self._held.pop(path, None)
            if held is not None:
                self._bytes_held -= len(held.data)
            return held

    def forget(self, checksums: Iterable[str], paths: Iterable[str] = ()) -> None:
        """Drop the probes, and the bytes held, of an upload that ended (stored or refused)."""
        with self._lock:
            for checksum in checksums:
                self._found.pop(checksum, None)
            for path in paths:
                held = self._held.pop(path, None)
                if held is not None:
                    self._bytes_held -= len(held.data)

    @property
    def bytes_held(self) -> int:
        return self._bytes_held

    def __len__(self) -> int:
        return len(self._found)
