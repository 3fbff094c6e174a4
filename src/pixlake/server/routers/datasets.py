from uuid import UUID

from fastapi import APIRouter, Response

from pixlake.core.services import datasets as service
from pixlake.errors import ConflictError, InvalidQueryError, LockedError
from pixlake.schemas import (
    DatasetCreate,
    DatasetPublic,
    DatasetUpdate,
    VersionCreate,
    VersionFork,
    VersionPublic,
    VersionStats,
    VersionUpdate,
    WorkerAdd,
    WorkerPublic,
)
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.idempotency import KeyedRequestDep
from pixlake.server.openapi import errors
from pixlake.server.params import QueryText
from pixlake.server.routers.lineage import ForceQuery

router = APIRouter(tags=["datasets"])


@router.get("/datasets")
def list_datasets(
    ctx: ContextDep, actor: CurrentActor, name: NameFilter = None
) -> list[DatasetPublic]:
    return service.list_datasets(ctx, actor, name)


@router.post("/datasets", status_code=201, responses=errors(ConflictError))
def create_dataset(body: DatasetCreate, ctx: ContextDep, actor: CurrentActor) -> DatasetPublic:
    return service.create_dataset(ctx, actor, body.name, body.description)


@router.get("/datasets/{dataset_id:uuid}")
def get_dataset(dataset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> DatasetPublic:
    return service.get_dataset(ctx, actor, dataset_id)


@router.patch("/datasets/{dataset_id:uuid}", responses=errors(ConflictError))
def update_dataset(
    dataset_id: UUID, body: DatasetUpdate, ctx: ContextDep, actor: CurrentActor
) -> DatasetPublic:
    return service.update_dataset(ctx, actor, dataset_id, body.name, body.description)


@router.delete(
    "/datasets/{dataset_id:uuid}", status_code=204, responses=errors(ConflictError, LockedError)
)
def delete_dataset(
    dataset_id: UUID, ctx: ContextDep, actor: CurrentActor, force: ForceQuery = False
) -> Response:
    service.delete_dataset(ctx, actor, dataset_id, force)
    return Response(status_code=204)


@router.get("/datasets/{dataset_id:uuid}/versions")
def list_versions(
    dataset_id: UUID, ctx: ContextDep, actor: CurrentActor, version: NameFilter = None
) -> list[VersionPublic]:
    return service.list_versions(ctx, actor, dataset_id, version)


@router.post(
    "/datasets/{dataset_id:uuid}/versions", status_code=201, responses=errors(ConflictError)
)
def create_version(
    dataset_id: UUID, body: VersionCreate, ctx: ContextDep, actor: CurrentActor
) -> VersionPublic:
    return service.create_version(ctx, actor, dataset_id, body.version, body.description, body.type)


@router.get("/datasets/{dataset_id:uuid}/workers")
def list_workers(
    dataset_id: UUID, ctx: ContextDep, actor: CurrentActor, username: NameFilter = None
) -> list[WorkerPublic]:
    return service.list_workers(ctx, actor, dataset_id, username)


@router.post("/datasets/{dataset_id:uuid}/workers", status_code=201)
def add_worker(
    dataset_id: UUID, body: WorkerAdd, ctx: ContextDep, actor: CurrentActor
) -> WorkerPublic:
    return service.add_worker(ctx, actor, dataset_id, body.username)


@router.get("/versions/{version_id:uuid}")
def get_version(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> VersionPublic:
    return service.get_version(ctx, actor, version_id)


@router.patch("/versions/{version_id:uuid}", responses=errors(ConflictError, LockedError))
def update_version(
    version_id: UUID, body: VersionUpdate, ctx: ContextDep, actor: CurrentActor
) -> VersionPublic:
    return service.update_version(ctx, actor, version_id, body.version, body.description, body.type)


@router.delete(
    "/versions/{version_id:uuid}", status_code=204, responses=errors(ConflictError, LockedError)
)
def delete_version(
    version_id: UUID, ctx: ContextDep, actor: CurrentActor, force: ForceQuery = False
) -> Response:
    service.delete_version(ctx, actor, version_id, force)
    return Response(status_code=204)


@router.post("/versions/{version_id:uuid}/lock")
def lock(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> VersionPublic:
    return service.set_locked(ctx, actor, version_id, True)


@router.post("/versions/{version_id:uuid}/unlock")
def unlock(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> VersionPublic:
    return service.set_locked(ctx, actor, version_id, False)


@router.post(
    "/versions/{version_id:uuid}/fork",
    status_code=201,
    response_model=VersionPublic,
    responses=errors(ConflictError),
)
def fork(
    version_id: UUID,
    body: VersionFork,
    ctx: ContextDep,
    actor: CurrentActor,
    keyed: KeyedRequestDep,
) -> Response:
    answer = keyed.expect(201, lambda version: version.model_dump_json().encode())
    return keyed.respond(
        service.fork_version(
            ctx,
            actor,
            version_id,
            body.version,
            body.description,
            body.with_annotations,
            answer=answer,
        )
    )


@router.get("/versions/{version_id:uuid}/stats", responses=errors(InvalidQueryError))
def stats(
    version_id: UUID, ctx: ContextDep, actor: CurrentActor, q: QueryText = None
) -> VersionStats:
    """Counts over the version's live assets matching ``q`` (all of them without it)."""
    return service.version_stats(ctx, actor, version_id, q)
