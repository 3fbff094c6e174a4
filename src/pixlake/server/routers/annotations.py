from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from pixlake.core.services import annotations as service
from pixlake.enums import ShapeKind
from pixlake.errors import ConflictError, InvalidQueryError, LockedError, NotFoundError
from pixlake.schemas import (
    AnnotationCreate,
    AnnotationPage,
    AnnotationPublic,
    AnnotationQuery,
    AnnotationsDelete,
    AnnotationUpdate,
    LabelCreate,
    LabelPublic,
    ShapePublic,
    ShapesCreate,
    ShapeUpdate,
    TrashResult,
)
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.fastjson import fast_json, json_bytes
from pixlake.server.idempotency import KeyedRequestDep
from pixlake.server.openapi import errors, json_body
from pixlake.server.params import QueryText

router = APIRouter(tags=["annotations"])


@router.get("/versions/{version_id:uuid}/labels")
def list_labels(
    version_id: UUID, ctx: ContextDep, actor: CurrentActor, name: NameFilter = None
) -> list[LabelPublic]:
    return service.list_labels(ctx, actor, version_id, name)


@router.post(
    "/versions/{version_id:uuid}/labels",
    status_code=201,
    responses=errors(ConflictError, LockedError),
)
def create_label(
    version_id: UUID, body: LabelCreate, ctx: ContextDep, actor: CurrentActor
) -> LabelPublic:
    return service.create_label(ctx, actor, version_id, body.name)


@router.patch("/labels/{label_id:uuid}", responses=errors(ConflictError, LockedError))
def update_label(
    label_id: UUID, body: LabelCreate, ctx: ContextDep, actor: CurrentActor
) -> LabelPublic:
    return service.update_label(ctx, actor, label_id, body.name)


@router.delete(
    "/labels/{label_id:uuid}", status_code=204, responses=errors(ConflictError, LockedError)
)
def delete_label(label_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    service.delete_label(ctx, actor, label_id)
    return Response(status_code=204)


@router.post(
    "/versions/{version_id:uuid}/annotations/search",
    response_model=AnnotationPage,
    responses=errors(InvalidQueryError),
)
def search_annotations(
    version_id: UUID,
    query: AnnotationQuery,
    ctx: ContextDep,
    actor: CurrentActor,
    q: QueryText = None,
) -> Response:
    return fast_json(service.search_annotations(ctx, actor, version_id, query, q))


@router.get("/assets/{asset_id:uuid}/annotations")
def list_annotations(
    asset_id: UUID, ctx: ContextDep, actor: CurrentActor
) -> list[AnnotationPublic]:
    return service.list_annotations_of_asset(ctx, actor, asset_id)


@router.get("/assets/{asset_id:uuid}/annotation")
def find_annotation(
    asset_id: UUID, ctx: ContextDep, actor: CurrentActor, worker_id: UUID | None = None
) -> AnnotationPublic:
    """The annotation of one worker (the caller when none is named)."""
    return service.get_annotation(ctx, actor, asset_id, worker_id)


@router.post(
    "/assets/{asset_id:uuid}/annotations",
    status_code=201,
    responses=errors(ConflictError, LockedError),
)
def create_annotation(
    asset_id: UUID, body: AnnotationCreate, ctx: ContextDep, actor: CurrentActor
) -> AnnotationPublic:
    return service.create_annotation(ctx, actor, asset_id, body.duration, body.worker_id)


@router.post("/annotations/delete", responses=errors(NotFoundError, LockedError))
def delete_annotations(
    body: AnnotationsDelete, ctx: ContextDep, actor: CurrentActor
) -> TrashResult:
    return TrashResult(
        count=service.delete_annotations(ctx, actor, body.asset_ids, body.worker_ids)
    )


@router.get("/annotations/{annotation_id:uuid}")
def get_annotation(annotation_id: UUID, ctx: ContextDep, actor: CurrentActor) -> AnnotationPublic:
    return service.get_annotation_by_id(ctx, actor, annotation_id)


@router.patch("/annotations/{annotation_id:uuid}", responses=errors(LockedError))
def update_annotation(
    annotation_id: UUID, body: AnnotationUpdate, ctx: ContextDep, actor: CurrentActor
) -> AnnotationPublic:
    return service.update_annotation(ctx, actor, annotation_id, body.duration, body.status)


@router.delete("/annotations/{annotation_id:uuid}", status_code=204, responses=errors(LockedError))
def delete_annotation(annotation_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    service.delete_annotation(ctx, actor, annotation_id)
    return Response(status_code=204)


@router.get("/annotations/{annotation_id:uuid}/shapes", response_model=list[ShapePublic])
def list_shapes(
    annotation_id: UUID, ctx: ContextDep, actor: CurrentActor, kind: ShapeKind | None = None
) -> Response:
    return fast_json(service.list_shapes(ctx, actor, annotation_id, kind))


@router.post(
    "/annotations/{annotation_id:uuid}/shapes",
    status_code=201,
    response_model=list[ShapePublic],
    openapi_extra=json_body(ShapesCreate),
    responses=errors(LockedError),
)
async def add_shapes(
    annotation_id: UUID,
    request: Request,
    ctx: ContextDep,
    actor: CurrentActor,
    keyed: KeyedRequestDep,
) -> Response:
    """Add shapes (or replace them all): the body is a ShapesCreate. A retry with the same
    Idempotency-Key gets the first answer.

    The body is validated straight from its bytes, which for 100,000 shapes is several
    times faster than validating the decoded JSON.
    """
    try:
        body = ShapesCreate.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    answer = keyed.expect(201, json_bytes)
    shapes = await run_in_threadpool(
        service.add_shapes, ctx, actor, annotation_id, body.shapes, body.replace, answer
    )
    return keyed.respond(shapes)


@router.patch("/shapes/{shape_id:uuid}", responses=errors(LockedError))
def update_shape(
    shape_id: UUID, body: ShapeUpdate, ctx: ContextDep, actor: CurrentActor
) -> ShapePublic:
    return service.update_shape(ctx, actor, shape_id, body)


@router.delete("/shapes/{shape_id:uuid}", status_code=204, responses=errors(LockedError))
def delete_shape(shape_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    service.delete_shape(ctx, actor, shape_id)
    return Response(status_code=204)
