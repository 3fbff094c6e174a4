"""The per-file size limit of uploads (``max_file_size``), for every way files arrive."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from pixlake.errors import PayloadTooLargeError
from pixlake.settings import Settings

__all__ = ["check_file_size", "within_file_size"]


def check_file_size(settings: Settings, filename: str, size: int) -> None:
    """Refuse a file of ``size`` bytes over the limit, naming it; call before staging."""
    if size > settings.max_file_size:
        raise _too_large(settings, filename)


async def within_file_size(
    chunks: AsyncIterable[bytes], settings: Settings, filename: str
) -> AsyncIterator[bytes]:
    """``chunks``, refused as soon as they pass the limit (a file of unannounced size)."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > settings.max_file_size:
            raise _too_large(settings, filename)
        yield chunk


def _too_large(settings: Settings, filename: str) -> PayloadTooLargeError:
    maximum = settings.max_file_size
    return PayloadTooLargeError(
        f"{filename}: file is over {maximum} bytes (max_file_size)",
        details={"filename": filename},
        limit="max_file_size",
        maximum=maximum,
    )
