"""Splits of a version into parts, and differences between two versions."""

from uuid import UUID

from fastapi import APIRouter, Response

from pixlake.core.services import diffs as diff_service
from pixlake.core.services import splits as split_service
from pixlake.errors import LockedError
from pixlake.schemas import SplitRequest, SplitResult, VersionDiffPublic
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.fastjson import fast_json
from pixlake.server.openapi import errors

router = APIRouter(tags=["curation"])


@router.post(
    "/versions/{version_id:uuid}/split",
    response_model=SplitResult,
    responses=errors(LockedError),
)
def split(version_id: UUID, body: SplitRequest, ctx: ContextDep, actor: CurrentActor) -> Response:
    """Cut the version's assets into parts (ids and counts per label); with ``tag_names``,
    tag each part's assets (refused on a locked version)."""
    return fast_json(split_service.split_version(ctx, actor, version_id, body))


@router.get("/versions/{version_id:uuid}/diff/{other_id:uuid}", response_model=VersionDiffPublic)
def diff(version_id: UUID, other_id: UUID, ctx: ContextDep, actor: CurrentActor) -> Response:
    """How the other version differs from this one: assets, shapes per worker, labels."""
    return fast_json(diff_service.diff_versions(ctx, actor, version_id, other_id))
