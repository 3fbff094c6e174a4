"""Galleries of versions and datalakes, and their sidebar counts (the web app's JSON).

Reads sent as POST, like the other searches: a filter of many tags or labels does not fit
a URL. Their answers are the caller organization's only, like every read.
"""

from uuid import UUID

from fastapi import APIRouter, Response

from pixlake.core.services import gallery as service
from pixlake.errors import NotFoundError
from pixlake.gallery_schemas import (
    DatalakeGalleryCounts,
    DatalakeGalleryFilter,
    DatalakeGalleryPage,
    DatalakeGalleryQuery,
    GalleryCounts,
    GalleryFilter,
    GalleryPage,
    GalleryQuery,
)
from pixlake.server.deps import ContextDep, CurrentActor
from pixlake.server.fastjson import fast_json
from pixlake.server.openapi import errors

router = APIRouter(tags=["gallery"])


@router.post(
    "/versions/{version_id:uuid}/gallery",
    response_model=GalleryPage,
    responses=errors(NotFoundError),
)
def version_gallery(
    version_id: UUID, body: GalleryQuery, ctx: ContextDep, actor: CurrentActor
) -> Response:
    """One page (at most 100) of a version's assets under the filter, each with its live
    annotations and their shapes, in asset id order; pass ``next_after`` as ``after`` for
    the next. Unknown tag or label names answer 404."""
    return fast_json(service.version_gallery(ctx, actor, version_id, body))


@router.post(
    "/versions/{version_id:uuid}/gallery/counts",
    response_model=GalleryCounts,
    responses=errors(NotFoundError),
)
def version_gallery_counts(
    version_id: UUID, body: GalleryFilter, ctx: ContextDep, actor: CurrentActor
) -> Response:
    """Images and shapes under the filter, per label (every label of the version) and
    images per asset tag."""
    return fast_json(service.version_gallery_counts(ctx, actor, version_id, body))


@router.post(
    "/datalakes/{datalake_id:uuid}/gallery",
    response_model=DatalakeGalleryPage,
    responses=errors(NotFoundError),
)
def datalake_gallery(
    datalake_id: UUID, body: DatalakeGalleryQuery, ctx: ContextDep, actor: CurrentActor
) -> Response:
    """One page (at most 100) of a datalake's data under the filter, in data id order."""
    return fast_json(service.datalake_gallery(ctx, actor, datalake_id, body))


@router.post(
    "/datalakes/{datalake_id:uuid}/gallery/counts",
    response_model=DatalakeGalleryCounts,
    responses=errors(NotFoundError),
)
def datalake_gallery_counts(
    datalake_id: UUID, body: DatalakeGalleryFilter, ctx: ContextDep, actor: CurrentActor
) -> Response:
    """Data under the filter, in all and per data tag."""
    return fast_json(service.datalake_gallery_counts(ctx, actor, datalake_id, body))
