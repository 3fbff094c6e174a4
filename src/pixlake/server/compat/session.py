"""How the SDK connects: ping, its organization, and that organization's datalakes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from pixlake import __version__
from pixlake.core.services import accounts
from pixlake.core.services import datalakes as datalake_service
from pixlake.errors import NotFoundError
from pixlake.server.compat.deps import OwnOrganization
from pixlake.server.compat.wire import datalake_json, organization_connector, page
from pixlake.server.deps import ContextDep, CurrentActor

router = APIRouter(prefix="/api", include_in_schema=False)


@router.get("/home/ping")
def ping(ctx: ContextDep, actor: CurrentActor) -> dict[str, Any]:
    me = accounts.me(ctx, actor)
    # Not a semantic version on purpose: the SDK then skips its "outdated" warning.
    return {
        "sdk_version": f"pixlake-{__version__}",
        "username": me.user.username,
        "default_organization": str(me.organization.id),
    }


@router.get("/organizations/find")
def find_organization(name: str, ctx: ContextDep, actor: CurrentActor) -> dict[str, Any]:
    me = accounts.me(ctx, actor)
    if name != me.organization.name:
        raise NotFoundError(f"organization {name!r} not found", details={"name": name})
    return _organization(me.organization.id, me.organization.name)


@router.get("/organization/{org_id:uuid}")
def get_organization(org_id: UUID, ctx: ContextDep, actor: OwnOrganization) -> dict[str, Any]:
    me = accounts.me(ctx, actor)
    return _organization(me.organization.id, me.organization.name)


def _organization(org_id: UUID, name: str) -> dict[str, Any]:
    return {
        "id": str(org_id),
        "name": name,
        "default_connector_id": str(organization_connector(org_id)),
    }


@router.get("/organization/{org_id:uuid}/datalake")
def get_datalake(
    org_id: UUID,
    ctx: ContextDep,
    actor: OwnOrganization,
    id: UUID | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    lakes = datalake_service.list_datalakes(ctx, actor)
    if id is not None:
        found = [lake for lake in lakes if lake.id == id]
    elif name is not None:
        found = [lake for lake in lakes if lake.name == name]
    else:
        found = [lake for lake in lakes if lake.name == accounts.DEFAULT_DATALAKE_NAME]
        found = found or lakes[:1]
    if not found:
        raise NotFoundError("datalake not found", details={"id": str(id), "name": name})
    return datalake_json(found[0])


@router.get("/organization/{org_id:uuid}/datalakes")
def list_datalakes(org_id: UUID, ctx: ContextDep, actor: OwnOrganization) -> dict[str, Any]:
    lakes = [datalake_json(lake) for lake in datalake_service.list_datalakes(ctx, actor)]
    return page(lakes, len(lakes))


@router.get("/datalake/{datalake_id:uuid}")
def get_datalake_by_id(datalake_id: UUID, ctx: ContextDep, actor: CurrentActor) -> dict[str, Any]:
    return datalake_json(datalake_service.get_datalake(ctx, actor, datalake_id))
