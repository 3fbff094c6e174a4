"""What the domain services need to run: the database, the object store and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pixlake.core.db import Database
from pixlake.enums import Role
from pixlake.settings import Settings
from pixlake.storage import ObjectStorage

__all__ = ["Actor", "AppContext", "utcnow"]


@dataclass(frozen=True)
class AppContext:
    db: Database
    storage: ObjectStorage
    settings: Settings


@dataclass(frozen=True)
class Actor:
    """The authenticated user on whose behalf a service runs; scopes every query."""

    user_id: UUID
    organization_id: UUID
    username: str
    role: Role


def utcnow() -> datetime:
    return datetime.now(UTC)
