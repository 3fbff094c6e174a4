"""Workers: users working on a dataset."""

from __future__ import annotations

from uuid import UUID

from pixlake.schemas import WorkerPublic
from pixlake.sdk.base import SchemaField, SdkObject

__all__ = ["Worker"]


class Worker(SdkObject[WorkerPublic]):
    """A user working on a dataset; annotations belong to workers."""

    username: str = SchemaField()
    user_id: UUID = SchemaField()
    dataset_id: UUID = SchemaField()

    def __repr__(self) -> str:
        return f"Worker(username={self.username!r}, id={self.id})"
