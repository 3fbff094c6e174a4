"""Workers: users working on a dataset."""

from __future__ import annotations

from uuid import UUID

from pixlake.enums import Role
from pixlake.errors import BadRequestError
from pixlake.schemas import WorkerPublic
from pixlake.sdk.base import SchemaField, SdkObject

__all__ = ["Worker", "worker_id_of"]


class Worker(SdkObject[WorkerPublic]):
    """A user working on a dataset; annotations belong to workers."""

    username = SchemaField[str]()
    user_id = SchemaField[UUID]()
    dataset_id = SchemaField[UUID]()
    role = SchemaField[Role]()
    """The user's role in the organization (what it may do: docs/roles.md)."""

    def __repr__(self) -> str:
        return f"Worker(username={self.username!r}, id={self.id})"


def worker_id_of(worker: object) -> str:
    """The id of a Worker, refusing anything else with a clear error."""
    if not isinstance(worker, Worker):
        raise BadRequestError(f"expected a Worker, got {worker!r}")
    return str(worker.id)
