"""Routes of lineage: the dataset versions a model version was trained or evaluated on."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from pixlake.core.services import lineage as service
from pixlake.schemas import AttachedDatasetVersion, DatasetVersionAttach, ModelVersionPublic
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.params import Flag

router = APIRouter(tags=["models"])

ForceQuery = Annotated[
    Flag,
    Query(
        description="Delete even when a model version is attached to the dataset version "
        "(the attachment stays, hidden while the dataset version is in the trash)."
    ),
]


@router.get("/model-versions/{model_version_id:uuid}/dataset-versions")
def list_attached(
    model_version_id: UUID, ctx: ContextDep, actor: CurrentActor, name: NameFilter = None
) -> list[AttachedDatasetVersion]:
    return service.list_attached(ctx, actor, model_version_id, name)


@router.post("/model-versions/{model_version_id:uuid}/dataset-versions", status_code=201)
def attach(
    model_version_id: UUID, body: DatasetVersionAttach, ctx: ContextDep, actor: CurrentActor
) -> AttachedDatasetVersion:
    return service.attach(ctx, actor, model_version_id, body.dataset_version_id, body.name)


@router.delete(
    "/model-versions/{model_version_id:uuid}/dataset-versions/{dataset_version_id:uuid}",
    status_code=204,
)
def detach(
    model_version_id: UUID,
    dataset_version_id: UUID,
    ctx: ContextDep,
    actor: CurrentActor,
    name: NameFilter = None,
) -> Response:
    service.detach(ctx, actor, model_version_id, dataset_version_id, name)
    return Response(status_code=204)


@router.get("/versions/{version_id:uuid}/model-versions")
def model_versions_of(
    version_id: UUID, ctx: ContextDep, actor: CurrentActor
) -> list[ModelVersionPublic]:
    return service.list_model_versions_of(ctx, actor, version_id)
