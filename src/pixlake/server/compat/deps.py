"""Dependencies of the compatibility routes: the organization a path names must be the
caller's own, and the connector the caller's organization's.

Another organization's id answers 404 like any unknown id: the compatibility API says no
more about other organizations than pixlake's own API does.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from pixlake.core.context import Actor
from pixlake.errors import NotFoundError
from pixlake.server.compat.wire import organization_connector
from pixlake.server.deps import CurrentActor

__all__ = ["OwnConnector", "OwnOrganization"]


def _own_organization(org_id: UUID, actor: CurrentActor) -> Actor:
    if org_id != actor.organization_id:
        raise NotFoundError(f"organization {org_id} not found", details={"id": str(org_id)})
    return actor


def _own_connector(connector_id: UUID, actor: CurrentActor) -> Actor:
    if connector_id != organization_connector(actor.organization_id):
        raise NotFoundError(
            f"connector {connector_id} not found", details={"id": str(connector_id)}
        )
    return actor


OwnOrganization = Annotated[Actor, Depends(_own_organization)]
"""The caller, once the path's ``org_id`` is known to be its organization."""

OwnConnector = Annotated[Actor, Depends(_own_connector)]
"""The caller, once the path's ``connector_id`` is known to be its organization's."""
