"""Labels, annotations and their shapes, in the SDK's one-kind-per-route form."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from pydantic import ValidationError

from pixlake.core.context import Actor, AppContext
from pixlake.core.services import annotations as annotation_service
from pixlake.enums import AnnotationStatus, ShapeKind
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.limits import MAX_NAME_LENGTH, MAX_SHAPES_PER_REQUEST
from pixlake.schemas import AnnotationQuery, LabelPublic, ShapeIn
from pixlake.server.compat.bodies import CompatModel, NameBody
from pixlake.server.compat.wire import annotation_json, label_json, page, shape_json
from pixlake.server.deps import ContextDep, CurrentActor

router = APIRouter(prefix="/api", include_in_schema=False)


# Labels


@router.get("/dataset/version/{version_id:uuid}/labels/find")
def find_label(
    version_id: UUID,
    name: Annotated[str, Query(max_length=MAX_NAME_LENGTH)],
    ctx: ContextDep,
    actor: CurrentActor,
) -> Any:
    found = [
        label
        for label in annotation_service.list_labels(ctx, actor, version_id)
        if label.name == name
    ]
    if not found:
        raise NotFoundError(f"label {name!r} not found", details={"name": name})
    return label_json(found[0])


@router.post("/dataset/version/{version_id:uuid}/labels")
def create_label(version_id: UUID, body: NameBody, ctx: ContextDep, actor: CurrentActor) -> Any:
    return label_json(annotation_service.create_label(ctx, actor, version_id, body.name))


@router.get("/dataset/version/{version_id:uuid}/labels")
def list_labels(version_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    labels = [label_json(lb) for lb in annotation_service.list_labels(ctx, actor, version_id)]
    return page(labels, len(labels))


# Annotations


class _AnnotationCreate(CompatModel):
    duration: float = 0.0


@router.post("/asset/{asset_id:uuid}/annotations")
def create_annotation(
    asset_id: UUID, body: _AnnotationCreate, ctx: ContextDep, actor: CurrentActor
) -> Any:
    if body.duration < 0:
        raise BadRequestError("duration must be >= 0", details={"duration": body.duration})
    created = annotation_service.create_annotation(ctx, actor, asset_id, body.duration, None)
    return annotation_json(created)


@router.get("/asset/{asset_id:uuid}/annotations/find")
def find_annotation(asset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return annotation_json(annotation_service.get_annotation(ctx, actor, asset_id, None))


@router.get("/asset/{asset_id:uuid}/annotations")
def list_asset_annotations(asset_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    found = annotation_service.list_annotations_of_asset(ctx, actor, asset_id)
    return page([annotation_json(a) for a in found], len(found))


@router.get("/dataset/version/{version_id:uuid}/annotations")
def list_version_annotations(
    version_id: UUID,
    ctx: ContextDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, lt=2**53)] = 0,
    status: AnnotationStatus | None = None,
) -> Any:
    # The offset protocol over keyset pages (see listing.py): walked in id order.
    items: list[Any] = []
    count = 0
    after: UUID | None = None
    while True:
        found = annotation_service.search_annotations(
            ctx, actor, version_id, AnnotationQuery(after=after, status=status)
        )
        for annotation in found.items:
            if offset <= count < offset + limit:
                items.append(annotation_json(annotation))
            count += 1
        if found.next_after is None:
            return page(items, count)
        after = found.next_after


@router.get("/annotation/{annotation_id:uuid}")
def get_annotation(annotation_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
    return annotation_json(annotation_service.get_annotation_by_id(ctx, actor, annotation_id))


class _AnnotationUpdate(CompatModel):
    duration: float | None = None
    status: AnnotationStatus | None = None


@router.patch("/annotation/{annotation_id:uuid}")
def update_annotation(
    annotation_id: UUID, body: _AnnotationUpdate, ctx: ContextDep, actor: CurrentActor
) -> Any:
    updated = annotation_service.update_annotation(
        ctx, actor, annotation_id, body.duration, body.status
    )
    return annotation_json(updated)


@router.delete("/annotation/{annotation_id:uuid}", status_code=204)
def delete_annotation(annotation_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    annotation_service.delete_annotation(ctx, actor, annotation_id)
    return Response(status_code=204)


# Shapes: one route per kind, as the SDK has them

SHAPE_KINDS = {
    "rectangles": ShapeKind.RECTANGLE,
    "polygons": ShapeKind.POLYGON,
    "lines": ShapeKind.LINE,
    "points": ShapeKind.POINT,
    "classifications": ShapeKind.CLASSIFICATION,
}
_COORDS = {ShapeKind.POLYGON: "polygon", ShapeKind.LINE: "line", ShapeKind.POINT: "point"}


def shape_in(kind: ShapeKind, item: Any, index: int) -> ShapeIn:
    """A shape of the SDK's (one kind per list) as pixlake's, or a 400 naming it."""
    if not isinstance(item, dict):
        raise BadRequestError(f"shape {index}: expected an object", details={"index": index})
    fields: dict[str, Any] = {"kind": kind, "label_id": item.get("label_id")}
    if kind is ShapeKind.RECTANGLE:
        fields.update({key: item.get(key) for key in ("x", "y", "w", "h")})
    elif kind in _COORDS:
        coords = item.get(_COORDS[kind])
        fields["coords"] = [coords] if kind is ShapeKind.POINT else coords
    if item.get("text") is not None:
        fields["text"] = item["text"]
    try:
        return ShapeIn.model_validate(fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise BadRequestError(
            f"shape {index}: {where}: {problem['msg']}", details={"index": index, "field": where}
        ) from None


def _add_shapes(kind_name: str) -> Any:
    kind = SHAPE_KINDS[kind_name]

    def add_shapes(
        annotation_id: UUID,
        body: Annotated[dict[str, Any], Body()],
        ctx: ContextDep,
        actor: CurrentActor,
    ) -> Any:
        items = body.get(kind_name)
        if not isinstance(items, list) or len(items) > MAX_SHAPES_PER_REQUEST:
            raise BadRequestError(
                f"{kind_name} must be a list of at most {MAX_SHAPES_PER_REQUEST} shapes"
            )
        shapes = [shape_in(kind, item, index) for index, item in enumerate(items)]
        created = annotation_service.add_shapes(ctx, actor, annotation_id, shapes)
        labels = _labels_of(ctx, actor, annotation_id)
        return {kind_name: [shape_json(shape, labels[shape.label_id]) for shape in created]}

    return add_shapes


def _list_shapes(kind_name: str) -> Any:
    kind = SHAPE_KINDS[kind_name]

    def list_shapes(annotation_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Any:
        found = annotation_service.list_shapes(ctx, actor, annotation_id, kind)
        labels = _labels_of(ctx, actor, annotation_id)
        return page([shape_json(s, labels[s.label_id]) for s in found], len(found))

    return list_shapes


for _name in SHAPE_KINDS:
    router.add_api_route(
        f"/annotation/{{annotation_id:uuid}}/bulk-{_name}", _add_shapes(_name), methods=["POST"]
    )
    router.add_api_route(
        f"/annotation/{{annotation_id:uuid}}/{_name}", _list_shapes(_name), methods=["GET"]
    )


def _labels_of(ctx: AppContext, actor: Actor, annotation_id: UUID) -> dict[UUID, LabelPublic]:
    annotation = annotation_service.get_annotation_by_id(ctx, actor, annotation_id)
    return {
        label.id: label
        for label in annotation_service.list_labels(ctx, actor, annotation.dataset_version_id)
    }
