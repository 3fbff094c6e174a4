"""Models, their versions and their stored files, on pixlake's model registry.

A file is stored the SDK's way: an object name announced for the version
(``generate_object_name`` of type ``MODEL_FILE``, datalake.py), the bytes sent to the
presigned URL (uploads.py), then ``POST /model/version/{id}/modelfiles`` naming that object,
which stores the bytes through the registry's own rules (content addressed, name checks,
limits, the trash for what is replaced).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import compat_uploads
from pixlake.core.services import model_files as file_service
from pixlake.core.services import models as model_service
from pixlake.core.services import tags as tag_service
from pixlake.enums import Framework, InferenceType, Target
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from pixlake.schemas import BaseParameters, ClassLabels, ModelFilePublic, ModelVersionPublic, Name
from pixlake.server.compat.bodies import CompatModel
from pixlake.server.compat.deps import OwnConnector, OwnOrganization
from pixlake.server.compat.lookup import FindName, find_by_name_or_id
from pixlake.server.compat.wire import model_file_json, model_json, model_version_json, page
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.routers.data import object_url

router = APIRouter(prefix="/api", include_in_schema=False)

_MODEL_LIST_LIMIT = 10_000


# Models


class _ModelCreate(CompatModel):
    name: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)


class _ModelUpdate(CompatModel):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    type: InferenceType | None = None
    framework: Framework | None = None


def _model_json(ctx: AppContext, actor: Actor, model_id: UUID) -> Any:
    model = model_service.get_model(ctx, actor, model_id)
    return model_json(model, tag_service.tags_of(ctx, actor, Target.MODEL, model_id))


@router.post("/organization/{org_id:uuid}/models")
def create_model(org_id: UUID, body: _ModelCreate, ctx: ContextDep, actor: OwnOrganization) -> Any:
    created = model_service.create_model(
        ctx,
        actor,
        body.name,
        body.description,
        InferenceType.NOT_CONFIGURED,
        Framework.NOT_CONFIGURED,
    )
    return model_json(created)


@router.get("/organization/{org_id:uuid}/models/find")
def find_model(
    org_id: UUID,
    ctx: ContextDep,
    actor: OwnOrganization,
    name: FindName = None,
    id: UUID | None = None,
) -> Any:
    model_id = find_by_name_or_id(
        "model",
        name,
        id,
        by_id=lambda model_id: model_id,
        by_name=lambda name: [m.id for m in model_service.list_models(ctx, actor, name=name)],
    )
    return _model_json(ctx, actor, model_id)


@router.get("/organization/{org_id:uuid}/models")
def list_models(
    org_id: UUID,
    ctx: ContextDep,
    actor: OwnOrganization,
    limit: Annotated[int, Query(ge=1, le=_MODEL_LIST_LIMIT)] = _MODEL_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0, lt=2**53)] = 0,
) -> Any:
    found = model_service.list_models(ctx, actor, limit=limit, offset=offset)
    return page([model_json(model) for model in found], len(found))


@router.get("/model/{model_id:uuid}")
def get_model(model_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _model_json(ctx, actor, model_id)


@router.patch("/model/{model_id:uuid}")
def update_model(model_id: UUID, body: _ModelUpdate, ctx: ContextDep, actor: CurrentActor) -> Any:
    model_service.update_model(ctx, actor, model_id, body.model_dump(exclude_none=True))
    return _model_json(ctx, actor, model_id)


@router.delete("/model/{model_id:uuid}", status_code=204)
def delete_model(model_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    model_service.delete_model(ctx, actor, model_id)
    return Response(status_code=204)


# Versions. The SDK sends docker and notebook fields pixlake has no notion of: ignored.


class _VersionFields(CompatModel):
    name: Name | None = None
    labels: ClassLabels | None = None
    type: InferenceType | None = None
    framework: Framework | None = None
    parameters: BaseParameters | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


def _version_json(ctx: AppContext, actor: Actor, version: ModelVersionPublic) -> Any:
    return model_version_json(version, model_service.get_model(ctx, actor, version.model_id))


@router.post("/model/{model_id:uuid}/versions")
def create_version(
    model_id: UUID, body: _VersionFields, ctx: ContextDep, actor: CurrentActor
) -> Any:
    created = model_service.create_version(
        ctx,
        actor,
        model_id,
        name=body.name,
        labels=body.labels or {},
        type=body.type,
        framework=body.framework,
        base_parameters=body.parameters or {},
        description=body.description or "",
    )
    return _version_json(ctx, actor, created)


@router.get("/model/{model_id:uuid}/versions/find")
def find_version(
    model_id: UUID,
    ctx: ContextDep,
    actor: CurrentActor,
    name: Annotated[str | None, Query(max_length=MAX_NAME_LENGTH)] = None,
    version: Annotated[int | None, Query(ge=0, lt=2**31)] = None,
) -> Any:
    if name is None and version is None:
        raise BadRequestError("find a model version by name or by version number")
    found = model_service.list_versions(ctx, actor, model_id, name=name, number=version)
    if not found:
        raise NotFoundError("model version not found", details={"name": name, "version": version})
    return _version_json(ctx, actor, found[0])


@router.get("/model/{model_id:uuid}/versions")
def list_versions(model_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    model = model_service.get_model(ctx, actor, model_id)
    found = model_service.list_versions(ctx, actor, model_id)
    return page([model_version_json(version, model) for version in found], len(found))


@router.get("/organization/{org_id:uuid}/modelversions/find")
def find_version_by_id(org_id: UUID, id: UUID, ctx: ContextDep, actor: OwnOrganization) -> Any:
    return _version_json(ctx, actor, model_service.get_version(ctx, actor, id))


@router.get("/model/version/{version_id:uuid}")
def get_version(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _version_json(ctx, actor, model_service.get_version(ctx, actor, version_id))


@router.patch("/model/version/{version_id:uuid}")
def update_version(
    version_id: UUID, body: _VersionFields, ctx: ContextDep, actor: CurrentActor
) -> Any:
    changes = body.model_dump(exclude_none=True)
    if "parameters" in changes:
        changes["base_parameters"] = changes.pop("parameters")
    updated = model_service.update_version(ctx, actor, version_id, changes)
    return _version_json(ctx, actor, updated)


@router.delete("/model/version/{version_id:uuid}", status_code=204)
def delete_version(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    model_service.delete_version(ctx, actor, version_id)
    return Response(status_code=204)


# Files


class _FileCreate(CompatModel):
    name: Name
    object_name: str = Field(min_length=1, max_length=1024)


def _file_json(request: Request, ctx: AppContext, found: ModelFilePublic) -> Any:
    url = object_url(request, ctx, found.object_name, "application/octet-stream").url
    return model_file_json(found, url)


@router.post("/model/version/{version_id:uuid}/modelfiles")
def store_file(
    version_id: UUID, body: _FileCreate, request: Request, ctx: ContextDep, actor: CurrentActor
) -> Any:
    stored = compat_uploads.consume_model_file(ctx, actor, version_id, body.object_name, body.name)
    return _file_json(request, ctx, stored)


@router.get("/model/version/{version_id:uuid}/modelfiles")
def list_files(version_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> Any:
    found = file_service.list_files(ctx, actor, version_id)
    return page([_file_json(request, ctx, file) for file in found], len(found))


@router.get("/model/version/{version_id:uuid}/modelfiles/find")
def find_file(
    version_id: UUID,
    name: Annotated[str, Query(max_length=MAX_NAME_LENGTH)],
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    found = [file for file in file_service.list_files(ctx, actor, version_id) if file.name == name]
    if not found:
        raise NotFoundError(f"model file {name!r} not found", details={"name": name})
    return _file_json(request, ctx, found[0])


@router.get("/model/file/{file_id:uuid}")
def get_file(file_id: UUID, request: Request, ctx: ContextDep, actor: CurrentActor) -> Any:
    return _file_json(request, ctx, file_service.get_file(ctx, actor, file_id))


@router.delete("/model/file/{file_id:uuid}", status_code=204)
def delete_file(file_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    file_service.delete_file(ctx, actor, file_id)
    return Response(status_code=204)


class _ObjectName(CompatModel):
    object_name: str = Field(min_length=1, max_length=1024)


@router.post("/object-storage/{connector_id:uuid}/retrieve_presigned_url")
def retrieve_presigned_url(
    connector_id: UUID, body: _ObjectName, request: Request, ctx: ContextDep, actor: OwnConnector
) -> Any:
    # The SDK asks by object name for a model file's URL (ModelFile.reset_url): only the
    # objects of the caller's own model files are answered.
    if not file_service.holds_object(ctx, actor, body.object_name):
        raise NotFoundError(
            f"no file of yours is stored as {body.object_name[:200]!r}",
            details={"object_name": body.object_name[:200]},
        )
    url = object_url(request, ctx, body.object_name, "application/octet-stream").url
    return {"presigned_url": url}
