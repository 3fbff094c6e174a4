"""Choosing the object store from the settings' storage URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from pixlake.errors import BadRequestError
from pixlake.settings import Settings
from pixlake.storage.base import ObjectStorage
from pixlake.storage.local import LocalStorage

__all__ = ["storage_from_settings"]


def storage_from_settings(settings: Settings) -> ObjectStorage:
    """``s3://bucket/prefix`` for a bucket; ``file:///dir`` or nothing for a local folder
    (the workspace by default)."""
    url = settings.storage_url
    if not url:
        return LocalStorage(settings.workspace_dir, memory_budget=settings.staging_memory)
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        from pixlake.storage.s3 import S3Storage

        if not parsed.netloc:
            raise BadRequestError(f"storage URL {url!r} names no bucket (s3://bucket/prefix)")
        return S3Storage(
            parsed.netloc,
            parsed.path,
            settings.workspace_dir / "staging",
            multipart_threshold=settings.large_file_threshold,
            memory_budget=settings.staging_memory,
        )
    if parsed.scheme in ("file", ""):
        return LocalStorage(
            Path(unquote(parsed.path)).expanduser(), memory_budget=settings.staging_memory
        )
    raise BadRequestError(
        f"unsupported storage URL {url!r}: use s3://bucket/prefix or a file:// path"
    )
