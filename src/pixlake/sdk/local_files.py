"""Which local files an upload sends, and the checks each passes before any is sent.

Files given one by one are judged strictly: each must be a readable image or video.
Folders are walked recursively and recognise media by their bytes, as a single file is
judged; what a folder holds that is not media is skipped, and every skipped entry is
reported with its reason. Errors and reports name each file by the path as given (the
folder given, then the path below it), not only its basename.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pixlake.enums import DataType
from pixlake.errors import (
    BadRequestError,
    EmptyFileError,
    FileMissingError,
    InvalidFilenameError,
    PixlakeError,
    UnsupportedMediaError,
)
from pixlake.filenames import validate_filename
from pixlake.media import (
    MEDIA_EXTENSIONS,
    can_probe,
    probe_media,
    recognise_bytes,
    recognise_media,
    sniff_media,
)
from pixlake.probed_media import ProbedMedia

__all__ = [
    "Collected",
    "LocalFile",
    "SkippedFile",
    "collect_files",
    "preflight",
    "preflight_all",
    "report_skipped",
]

logger = logging.getLogger("pixlake")

HIDDEN = "hidden"
NOT_MEDIA = "not an image or video"
EMPTY = "empty file"
LINKED_FOLDER = "link to a folder, not followed"
"""Reasons for skipping an entry of a folder."""


@dataclass(frozen=True)
class SkippedFile:
    """An entry of an uploaded folder that was not sent, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class LocalFile:
    """A file to send: its absolute path, and the path as the caller gave it."""

    path: Path
    shown: str


@dataclass
class Collected:
    files: list[LocalFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def _shown(path: str) -> str:
    """A path fit for a message: bytes that are not UTF-8 written as escapes."""
    if path.isascii():  # escapes of bytes that are not UTF-8 are never ASCII
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def collect_files(filepaths: str | Path | Sequence[str | Path]) -> Collected:
    """The files to upload, in order and without repeats, and what folders held besides."""
    if isinstance(filepaths, str | os.PathLike):
        filepaths = [filepaths]
    if not filepaths:
        raise BadRequestError("no file to upload")
    collected = Collected()
    given: list[str] = []
    for item in filepaths:
        path = os.fspath(item)
        if os.path.isdir(path):
            found, skipped = _walk(path)
            collected.skipped.extend(skipped)
            if not found:
                raise UnsupportedMediaError(
                    f"{_shown(path)}: folder holds no image or video"
                    + (f" (skipped: {_summary(skipped)})" if skipped else ""),
                    details={
                        "path": _shown(path),
                        "skipped": [[s.path, s.reason] for s in skipped],
                    },
                )
            given.extend(found)
        elif os.path.isfile(path):
            given.append(path)
        else:
            raise FileMissingError(
                f"{_shown(path)}: no such file or folder", details={"path": _shown(path)}
            )
    # abspath, not resolve(): no system call per file, and symlinks keep their own names.
    # (What abspath does, with the working folder asked once rather than once a file.)
    cwd = os.getcwd()
    unique: dict[str, str] = {}
    for path in given:
        unique.setdefault(os.path.normpath(os.path.join(cwd, path)), path)
    collected.files = [LocalFile(Path(absolute), _shown(path)) for absolute, path in unique.items()]
    return collected


def _walk(folder: str) -> tuple[list[str], list[SkippedFile]]:
    """Media under ``folder``, recursively and sorted, and the entries skipped."""
    found: list[str] = []
    skipped: list[SkippedFile] = []

    def unreadable(exc: OSError) -> None:  # os.walk would otherwise pass over it in silence
        skipped.append(
            SkippedFile(
                _shown(os.fspath(exc.filename or folder)), f"can't be read ({exc.strerror or exc})"
            )
        )

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        kept = []
        for name in sorted(dirs):
            path = os.path.join(root, name)
            if name.startswith("."):
                skipped.append(SkippedFile(_shown(path), HIDDEN))
            elif os.path.islink(path):
                skipped.append(SkippedFile(_shown(path), LINKED_FOLDER))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            path = os.path.join(root, name)
            reason = _skip_reason(path, name)
            if reason is None:
                found.append(path)
            else:
                skipped.append(SkippedFile(_shown(path), reason))
    return sorted(found), skipped


def _skip_reason(path: str, name: str) -> str | None:
    """Why a file of a folder is not sent, or None when it is.

    A media extension keeps a file even when its bytes disappoint: a broken ``.jpg`` is an
    error that names it, not something to skip quietly. Other files are kept when their
    bytes are an image or video.
    """
    if name.startswith("."):
        return HIDDEN
    if os.path.splitext(name)[1].lower() in MEDIA_EXTENSIONS:
        return None
    try:
        kind = sniff_media(path)
    except EmptyFileError:
        return EMPTY
    except OSError as exc:
        return f"can't be read ({exc.strerror or exc})"
    return None if kind is not None else NOT_MEDIA


PREFLIGHT_THREADS = 2
PREFLIGHT_BATCH = 64
"""Preflight runs on a couple of threads, a batch of files per task: reading and hashing
release the GIL, so one thread's probe overlaps another's reads (this machine has two
cores or more; more threads would only contend for the GIL)."""


def preflight_all(files: Sequence[LocalFile], probes: ProbedMedia | None = None) -> list[str]:
    """``preflight`` of every file, on a few threads; the checksums recorded in ``probes``.

    Raises the error of the first bad file in the order given, as checking them one by one
    would: batches are judged in order and a batch stops at its first bad file. A refused
    upload leaves nothing recorded.
    """
    batches = [files[i : i + PREFLIGHT_BATCH] for i in range(0, len(files), PREFLIGHT_BATCH)]
    recorded: list[str] = []  # appended to by every batch, the last ones included

    def check(batch: Sequence[LocalFile]) -> None:
        for file in batch:
            if (checksum := preflight(file, probes)) is not None:
                recorded.append(checksum)

    try:
        if len(batches) <= 1:
            check(files)
        else:
            with ThreadPoolExecutor(PREFLIGHT_THREADS, "pixlake-preflight") as pool:
                try:
                    for _ in pool.map(check, batches):
                        pass
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)  # no batch records after
                    raise
    except BaseException:
        if probes is not None:
            probes.forget(recorded)
        raise
    return recorded


RECORDED_PROBE_MAX_SIZE = 256 * 1024
"""Images up to this size are read whole to be probed, so hashing the same bytes costs
little more; larger files are probed by path and left to the service to probe again."""


def preflight(file: LocalFile, probes: ProbedMedia | None = None) -> str | None:
    """Refuse a bad file before anything is sent, naming it by the path as given.

    With ``probes`` (an API in this process), what probing a small image found is recorded
    there under the checksum of the bytes probed, which is returned (None when nothing was
    recorded).
    """
    try:
        validate_filename(file.path.name)
        try:
            size = file.path.stat().st_size
        except OSError as exc:
            raise FileMissingError(f"{file.shown}: can't be read ({exc.strerror})") from exc
        if size == 0:
            raise EmptyFileError(f"{file.shown}: file is empty")
        if probes is not None and size <= RECORDED_PROBE_MAX_SIZE and _can_probe_all():
            return _probe_and_record(file, probes)
        _check_media(file)
    except InvalidFilenameError as exc:
        raise InvalidFilenameError(
            f"{file.shown}: {exc.message}", details={**exc.details, "path": file.shown}
        ) from None
    except PixlakeError as exc:
        exc.details.update({"filename": file.path.name, "path": file.shown})
        raise
    return None


def _can_probe_all() -> bool:
    return can_probe(DataType.IMAGE) and can_probe(DataType.VIDEO)


def _probe_and_record(file: LocalFile, probes: ProbedMedia) -> str | None:
    """Probe an image from its bytes read once, and record the result under their hash."""
    data = _read_whole(file.path, RECORDED_PROBE_MAX_SIZE)  # fails as probe_media's open would
    if data is None or recognise_bytes(data[:64], file.shown) is not DataType.IMAGE:
        # Grown since its size was read, or a video: probed by path (PyAV opens it itself).
        probe_media(file.path, filename=file.shown)
        return None
    media = probe_media(data, filename=file.shown)
    checksum = hashlib.sha256(data).hexdigest()
    if not probes.record(checksum, media):
        return None
    probes.hold(str(file.path), checksum, data)  # spares the service reading it again
    return checksum


def _read_whole(path: Path, limit: int) -> bytes | None:
    """The bytes of the file at ``path``, or None when it holds more than ``limit``.

    The first read asks for the size the file has, and a byte more: a read of ``limit``
    bytes would allocate that much for every small file, a fresh mapping of pages each
    time, which cost more than the read itself (48 us against 11 us for a file of 23 kB).
    Reads go on until the end, so a file that grew meanwhile is read whole all the same.
    """
    with open(path, "rb", buffering=0) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            return None
        data = stream.read(size + 1)
        while len(data) <= limit and (more := stream.read(limit + 1 - len(data))):
            data += more
    return data if len(data) <= limit else None


def _check_media(file: LocalFile) -> None:
    """Probe the file as the server will, as far as this machine can.

    With the SDK alone (no Pillow or PyAV) a file is only recognised by its bytes: a text
    file is still refused here, while a truncated picture is left to the server, which
    probes every file anyway and stores nothing of a refused upload.
    """
    if _can_probe_all() or can_probe(recognise_media(file.path, file.shown)):
        probe_media(file.path, filename=file.shown)


def _summary(skipped: Sequence[SkippedFile], examples: int = 3) -> str:
    """``2 not an image or video (a.txt, b.csv), 1 hidden (.DS_Store)``."""
    by_reason: dict[str, list[str]] = {}
    for entry in skipped:
        by_reason.setdefault(entry.reason, []).append(entry.path)
    parts = []
    for reason, paths in by_reason.items():
        shown = ", ".join(paths[:examples]) + (", ..." if len(paths) > examples else "")
        parts.append(f"{len(paths)} {reason} ({shown})")
    return ", ".join(parts)


def report_skipped(skipped: Sequence[SkippedFile]) -> None:
    """Say what folders held that was not uploaded (a warning of the ``pixlake`` logger,
    which Python prints to stderr when logging is not configured)."""
    if skipped:
        logger.warning(
            "upload skipped %d entr%s of the folders given: %s",
            len(skipped),
            "y" if len(skipped) == 1 else "ies",
            _summary(skipped),
        )
