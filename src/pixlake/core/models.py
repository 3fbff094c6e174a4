"""The database tables, written with SQLAlchemy Core.

Core rather than the ORM: every bulk path here is a single multi-row statement, and rows go
straight into wire models without an identity map in between.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite would return naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData()

organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("username", String(255), nullable=False, unique=True),
    # sha256 of the API token; the token itself is shown once and never stored.
    # NULL for the embedded workspace's owner, who is never reached over the network.
    Column("token_hash", String(64), unique=True),
    Column("revoked_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
)

datalakes = Table(
    "datalakes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("organization_id", "name", name="uq_datalakes_org_name"),
)

data = Table(
    "data",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Denormalised from the datalake so that organization scoping is one indexed column.
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("datalake_id", Uuid, ForeignKey("datalakes.id"), nullable=False),
    Column("object_name", String(255), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("type", String(16), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("duration", Float),
    Column("metadata", JSON, nullable=False),
    Column("custom_metadata", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # Content addressing: the same bytes are held once per datalake.
    UniqueConstraint("datalake_id", "checksum", name="uq_data_datalake_checksum"),
    Index("ix_data_datalake_filename", "datalake_id", "filename"),
    Index("ix_data_organization_id", "organization_id", "id"),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("target", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("organization_id", "target", "name", name="uq_tags_org_target_name"),
)

# One table links tags to objects of every kind: the tag's target says which table
# `object_id` points into, so later kinds of taggable object need no new link table.
tag_links = Table(
    "tag_links",
    metadata,
    Column("tag_id", Uuid, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("object_id", Uuid, primary_key=True),
    Index("ix_tag_links_object_id", "object_id", "tag_id"),
)
