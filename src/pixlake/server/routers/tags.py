from uuid import UUID

from fastapi import APIRouter, Response

from pixlake.core.services import tags as tag_service
from pixlake.enums import Target
from pixlake.errors import ConflictError, LockedError, NotFoundError, WrongTargetError
from pixlake.schemas import TagCreate, TagLinks, TagPublic, TagsOfObject, TagUpdate
from pixlake.server.deps import ContextDep, CurrentActor, NameFilter
from pixlake.server.idempotency import KeyedRequestDep
from pixlake.server.openapi import errors

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("")
def list_tags(
    ctx: ContextDep, actor: CurrentActor, target: Target | None = None, name: NameFilter = None
) -> list[TagPublic]:
    return tag_service.list_tags(ctx, actor, target, name)


@router.post("", status_code=201, responses=errors(ConflictError))
def create_tag(body: TagCreate, ctx: ContextDep, actor: CurrentActor) -> TagPublic:
    return tag_service.create_tag(ctx, actor, body.name, body.target)


@router.post(
    "/attach", status_code=204, responses=errors(NotFoundError, WrongTargetError, LockedError)
)
def attach(
    body: TagLinks, ctx: ContextDep, actor: CurrentActor, keyed: KeyedRequestDep
) -> Response:
    answer = keyed.expect(204, lambda _none: b"")
    tag_service.attach_tags(
        ctx, actor, body.target, body.object_ids, body.tag_ids, body.tags, answer=answer
    )
    return keyed.respond(None)


@router.post(
    "/detach", status_code=204, responses=errors(NotFoundError, WrongTargetError, LockedError)
)
def detach(
    body: TagLinks, ctx: ContextDep, actor: CurrentActor, keyed: KeyedRequestDep
) -> Response:
    answer = keyed.expect(204, lambda _none: b"")
    tag_service.detach_tags(
        ctx, actor, body.target, body.object_ids, body.tag_ids, body.tags, answer=answer
    )
    return keyed.respond(None)


@router.post("/of", responses=errors(NotFoundError))
def tags_of(body: TagsOfObject, ctx: ContextDep, actor: CurrentActor) -> list[TagPublic]:
    return tag_service.tags_of(ctx, actor, body.target, body.object_id)


@router.get("/{tag_id:uuid}")
def get_tag(tag_id: UUID, ctx: ContextDep, actor: CurrentActor) -> TagPublic:
    return tag_service.get_tag(ctx, actor, tag_id)


@router.patch("/{tag_id:uuid}", responses=errors(ConflictError))
def update_tag(tag_id: UUID, body: TagUpdate, ctx: ContextDep, actor: CurrentActor) -> TagPublic:
    return tag_service.update_tag(ctx, actor, tag_id, body.name)


@router.delete("/{tag_id:uuid}", status_code=204)
def delete_tag(tag_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    tag_service.delete_tag(ctx, actor, tag_id)
    return Response(status_code=204)
