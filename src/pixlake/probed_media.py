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
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from pixlake.media import MediaInfo

__all__ = ["MAX_PROBES_HELD", "ProbedMedia"]

MAX_PROBES_HELD = 1_000_000
"""Probes one ``ProbedMedia`` holds at most: past it nothing more is recorded, and the
service probes those files itself (a bound on memory, some 300 MB, whatever the caller does)."""


class ProbedMedia:
    """What probing found, by the checksum of the bytes probed; safe across threads."""

    def __init__(self, max_held: int = MAX_PROBES_HELD) -> None:
        self._max_held = max_held
        self._found: dict[str, MediaInfo] = {}
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

    def forget(self, checksums: Iterable[str]) -> None:
        """Drop the probes of an upload that ended (stored or refused)."""
        with self._lock:
            for checksum in checksums:
                self._found.pop(checksum, None)

    def __len__(self) -> int:
        return len(self._found)
