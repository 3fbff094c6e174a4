"""Object storage behind one interface: a local folder today, S3-compatible buckets later."""

from pixlake.storage.base import ObjectStorage, StagedObject
from pixlake.storage.local import LocalStorage

__all__ = ["LocalStorage", "ObjectStorage", "StagedObject"]
