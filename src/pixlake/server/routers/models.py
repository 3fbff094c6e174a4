"""Routes of the model registry: models and their versions (docs/models.md)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator

from pixlake.core.services import models as service
from pixlake.errors import ConflictError, LimitExceededError, NotFoundError
from pixlake.limits import MAX_TAGS_PER_REQUEST
from pixlake.schemas import (
    ModelCreate,
    ModelPublic,
    ModelUpdate,
    ModelVersionCreate,
    ModelVersionPublic,
    ModelVersionUpdate,
    Name,
)
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.openapi import errors
from pixlake.server.params import DecimalInt, DecimalOffset
from pixlake.validation import check_text

router = APIRouter(tags=["models"])


def _storable_names(values: list[str]) -> list[str]:
    for index, value in enumerate(values):
        check_text(value, f"tags[{index}]")
    return values


ModelTagsQuery = Annotated[
    list[Name],
    Query(
        description="Tag names (target MODEL): models having any of them.",
        max_length=MAX_TAGS_PER_REQUEST,
    ),
    AfterValidator(_storable_names),
]


@router.get("/models", responses=errors(NotFoundError))
def list_models(
    ctx: ContextDep,
    actor: CurrentActor,
    name: NameFilter = None,
    tags: ModelTagsQuery = [],  # noqa: B006 (FastAPI copies a query default)
    limit: DecimalInt | None = None,
    offset: DecimalOffset = 0,
) -> list[ModelPublic]:
    return service.list_models(ctx, actor, name=name, tag_names=tags, limit=limit, offset=offset)


@router.post("/models", status_code=201, responses=errors(ConflictError))
def create_model(body: ModelCreate, ctx: ContextDep, actor: CurrentActor) -> ModelPublic:
    return service.create_model(ctx, actor, body.name, body.description, body.type, body.framework)


@router.get("/models/{model_id:uuid}")
def get_model(model_id: UUID, ctx: ContextDep, actor: CurrentActor) -> ModelPublic:
    return service.get_model(ctx, actor, model_id)


@router.patch("/models/{model_id:uuid}", responses=errors(ConflictError))
def update_model(
    model_id: UUID, body: ModelUpdate, ctx: ContextDep, actor: CurrentActor
) -> ModelPublic:
    return service.update_model(ctx, actor, model_id, body.model_dump(exclude_none=True))


@router.delete("/models/{model_id:uuid}", status_code=204)
def delete_model(model_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    service.delete_model(ctx, actor, model_id)
    return Response(status_code=204)


@router.get("/models/{model_id:uuid}/versions")
def list_versions(
    model_id: UUID,
    ctx: ContextDep,
    actor: CurrentActor,
    name: NameFilter = None,
    version: DecimalInt | None = None,
) -> list[ModelVersionPublic]:
    return service.list_versions(ctx, actor, model_id, name=name, number=version)


@router.post(
    "/models/{model_id:uuid}/versions",
    status_code=201,
    responses=errors(ConflictError, LimitExceededError),
)
def create_version(
    model_id: UUID, body: ModelVersionCreate, ctx: ContextDep, actor: CurrentActor
) -> ModelVersionPublic:
    return service.create_version(
        ctx,
        actor,
        model_id,
        name=body.name,
        labels=body.labels,
        type=body.type,
        framework=body.framework,
        base_parameters=body.base_parameters,
        description=body.description,
    )


@router.get("/model-versions/{model_version_id:uuid}")
def get_version(model_version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> ModelVersionPublic:
    return service.get_version(ctx, actor, model_version_id)


@router.patch(
    "/model-versions/{model_version_id:uuid}", responses=errors(ConflictError, LimitExceededError)
)
def update_version(
    model_version_id: UUID, body: ModelVersionUpdate, ctx: ContextDep, actor: CurrentActor
) -> ModelVersionPublic:
    return service.update_version(ctx, actor, model_version_id, body.model_dump(exclude_none=True))


@router.delete("/model-versions/{model_version_id:uuid}", status_code=204)
def delete_version(model_version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    service.delete_version(ctx, actor, model_version_id)
    return Response(status_code=204)
