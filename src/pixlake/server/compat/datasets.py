"""Datasets, versions, their asset tags, adding data (a job done at once) and statistics."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body
from pydantic import Field

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import assets as asset_service
from pixlake.core.services import datasets as dataset_service
from pixlake.core.services import tags as tag_service
from pixlake.enums import InferenceType, Target
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from pixlake.schemas import Name, VersionPublic
from pixlake.server.compat.bodies import AssetsAdd, CompatModel, DatasetCreate, NameBody
from pixlake.server.compat.datalake import find_tag
from pixlake.server.compat.deps import OwnOrganization
from pixlake.server.compat.lookup import FindName, find_by_name_or_id
from pixlake.server.compat.wire import dataset_json, page, tag_json, version_json
from pixlake.server.deps import ContextDep, CurrentActor

router = APIRouter(prefix="/api", include_in_schema=False)


@router.post("/organization/{org_id:uuid}/datasets")
def create_dataset(
    org_id: UUID, body: DatasetCreate, ctx: ContextDep, actor: OwnOrganization
) -> Any:
    return dataset_json(dataset_service.create_dataset(ctx, actor, body.name, body.description))


@router.get("/organization/{org_id:uuid}/datasets/find")
def find_dataset(
    org_id: UUID,
    ctx: ContextDep,
    actor: OwnOrganization,
    name: FindName = None,
    id: UUID | None = None,
) -> Any:
    found = find_by_name_or_id(
        "dataset",
        name,
        id,
        by_id=lambda dataset_id: dataset_service.get_dataset(ctx, actor, dataset_id),
        by_name=lambda name: dataset_service.list_datasets(ctx, actor, name),
    )
    return dataset_json(found)


@router.get("/organization/{org_id:uuid}/datasets")
def list_datasets(org_id: UUID, ctx: ContextDep, actor: OwnOrganization) -> Any:
    found = [dataset_json(d) for d in dataset_service.list_datasets(ctx, actor)]
    return page(found, len(found))


@router.get("/dataset/{dataset_id:uuid}")
def get_dataset(dataset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return dataset_json(dataset_service.get_dataset(ctx, actor, dataset_id))


class _VersionCreate(CompatModel):
    version: str = ""
    description: str = ""
    type: InferenceType = InferenceType.NOT_CONFIGURED


@router.post("/dataset/{dataset_id:uuid}/versions")
def create_version(
    dataset_id: UUID,
    body: Annotated[dict[str, Any], Body()],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    fields = _VersionCreate.model_validate(body)
    if not fields.version.strip() or len(fields.version) > MAX_NAME_LENGTH:
        raise BadRequestError("a version needs a name of 1 to 255 characters")
    if len(fields.description) > MAX_TEXT_LENGTH:
        raise BadRequestError(f"a description holds at most {MAX_TEXT_LENGTH} characters")
    version = dataset_service.create_version(
        ctx, actor, dataset_id, fields.version, fields.description, fields.type
    )
    return _version_json(ctx, actor, version)


def _version_json(ctx: AppContext, actor: Actor, version: VersionPublic) -> Any:
    dataset = dataset_service.get_dataset(ctx, actor, version.dataset_id)
    tags = tag_service.tags_of(ctx, actor, Target.DATASET_VERSION, version.id)
    return version_json(version, dataset, tags)


@router.get("/dataset/{dataset_id:uuid}/versions/find")
def find_version(
    dataset_id: UUID,
    ctx: ContextDep,
    actor: CurrentActor,
    version: FindName = None,
    id: UUID | None = None,
) -> Any:

    def by_id(version_id: UUID) -> VersionPublic:
        found = dataset_service.get_version(ctx, actor, version_id)
        if found.dataset_id != dataset_id:
            raise NotFoundError(
                f"dataset version {version_id} not found", details={"id": str(version_id)}
            )
        return found

    found = find_by_name_or_id(
        "dataset version",
        version,
        id,
        by_id=by_id,
        by_name=lambda name: dataset_service.list_versions(ctx, actor, dataset_id, name),
        name_param="version",
    )
    return _version_json(ctx, actor, found)


@router.get("/dataset/{dataset_id:uuid}/versions")
def list_versions(dataset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    versions = dataset_service.list_versions(ctx, actor, dataset_id)
    return page([_version_json(ctx, actor, v) for v in versions], len(versions))


@router.get("/dataset/version/{version_id:uuid}")
def get_version(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _version_json(ctx, actor, dataset_service.get_version(ctx, actor, version_id))


class _VersionUpdate(CompatModel):
    version: Name | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    type: InferenceType | None = None


@router.patch("/dataset/version/{version_id:uuid}")
def update_version(
    version_id: UUID, body: _VersionUpdate, ctx: ContextDep, actor: CurrentActor
) -> Any:
    updated = dataset_service.update_version(
        ctx, actor, version_id, body.version, body.description, body.type
    )
    return _version_json(ctx, actor, updated)


@router.delete("/dataset/version/{version_id:uuid}", status_code=204)
def delete_version(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> None:
    dataset_service.delete_version(ctx, actor, version_id)


@router.post("/dataset/version/{version_id:uuid}/lock")
def lock(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _version_json(ctx, actor, dataset_service.set_locked(ctx, actor, version_id, True))


@router.post("/dataset/version/{version_id:uuid}/unlock")
def unlock(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _version_json(ctx, actor, dataset_service.set_locked(ctx, actor, version_id, False))


@router.get("/dataset/version/{version_id:uuid}/stats")
def stats(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    found = dataset_service.version_stats(ctx, actor, version_id)
    return {
        "label_repartition": found.label_repartition,
        "nb_objects": found.nb_objects,
        "nb_annotations": found.nb_annotations,
    }


# Asset tags: one namespace per organization, like data tags


@router.get("/dataset/version/{version_id:uuid}/tags/find")
def find_asset_tag(version_id: UUID, name: str, ctx: ContextDep, actor: CurrentActor) -> Any:
    dataset_service.get_version(ctx, actor, version_id)
    return find_tag(ctx, actor, Target.ASSET, name)


@router.post("/dataset/version/{version_id:uuid}/tags")
def create_asset_tag(version_id: UUID, body: NameBody, ctx: ContextDep, actor: CurrentActor) -> Any:
    dataset_service.get_version(ctx, actor, version_id)
    return tag_json(tag_service.create_tag(ctx, actor, body.name, Target.ASSET))


@router.get("/dataset/version/{version_id:uuid}/tags")
def list_asset_tags(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    dataset_service.get_version(ctx, actor, version_id)
    tags = [tag_json(tag) for tag in tag_service.list_tags(ctx, actor, Target.ASSET)]
    return page(tags, len(tags))


# Adding data: done within the request, so its job is answered as finished at once


@router.post("/dataset/version/{version_id:uuid}/assets")
def add_data(version_id: UUID, body: AssetsAdd, ctx: ContextDep, actor: CurrentActor) -> Any:
    asset_service.add_data(ctx, actor, version_id, body.data_ids, tag_ids=body.asset_tag_ids)
    return {"job": _job(version_id)}


class _Fork(CompatModel):
    version: str
    description: str = ""
    with_annotations: bool = False
    asset_ids: list[UUID] | None = None


@router.post("/dataset/{dataset_id:uuid}/fork")
def fork(
    dataset_id: UUID,
    body: Annotated[dict[str, Any], Body()],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    fields = _Fork.model_validate(body)
    parent = body.get("parent_id")
    try:
        parent_id = UUID(str(parent))
    except ValueError:
        raise BadRequestError("fork needs the parent_id of a version") from None
    if fields.asset_ids:
        raise BadRequestError("forking a part of a version's assets is not supported here")
    if len(fields.version) > MAX_NAME_LENGTH or not fields.version.strip():
        raise BadRequestError("a version needs a name of 1 to 255 characters")
    parent_version = dataset_service.get_version(ctx, actor, parent_id)
    if parent_version.dataset_id != dataset_id:
        raise NotFoundError(f"dataset version {parent_id} not found", details={"id": str(parent)})
    forked = dataset_service.fork_version(
        ctx, actor, parent_id, fields.version, fields.description, fields.with_annotations
    )
    return {"dataset_version": _version_json(ctx, actor, forked), "job": _job(forked.id)}


def _job(version_id: UUID) -> dict[str, Any]:
    # A job is named after the version it worked on: that is how GET /job/{id} knows it
    # (and answers 404 to another organization).
    return {"id": str(version_id), "status": "SUCCESS"}


@router.get("/job/{job_id:uuid}")
def get_job(job_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    try:
        dataset_service.get_version(ctx, actor, job_id)
    except NotFoundError:
        raise NotFoundError(f"job {job_id} not found", details={"id": str(job_id)}) from None
    return _job(job_id)


@router.get("/access/dataset/{dataset_id:uuid}/users")
def list_dataset_users(dataset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    # The SDK's workers of a dataset are its users: pixlake's workers (who annotated).
    workers = dataset_service.list_workers(ctx, actor, dataset_id)
    return {"users": [{"id": str(w.user_id), "username": w.username} for w in workers]}
