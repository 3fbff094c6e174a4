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
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    event,
    text,
)
from sqlalchemy.sql.elements import TextClause


class UTCDateTime(TypeDecorator[datetime]):
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
    # A pixlake.enums.Role. Every insert names it; the default only decides what a row
    # written without one gets, and the least privilege is the safe answer.
    Column("role", String(16), nullable=False, server_default="member"),
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


def _alive(table_name: str) -> TextClause:
    """The WHERE of partial indexes that ignore rows in the trash."""
    return text(f"{table_name}.deleted_at IS NULL")


# Unique indexes over the rows not in the trash. Their WHERE is an option of each dialect
# (``sqlite_where``, ``postgresql_where``), and SQLAlchemy imports a dialect's whole package
# to check an option that names it: PostgreSQL's costs an embedded workspace about 25 ms
# of its start-up for nothing. So an index gets the WHERE of a dialect just before the
# tables are first created in a database of it (``_before_create``, at the end): the WHERE
# is needed for the DDL only, as every ON CONFLICT names its index's condition itself.
_UNIQUE_AMONG_LIVE: list[Index] = []


def _unique_among_live(name: str, *columns: str) -> Index:
    index = Index(name, *columns, unique=True)
    _UNIQUE_AMONG_LIVE.append(index)
    return index


def _with_live_predicates(dialect_name: str) -> None:
    """Give the unique indexes over live rows their WHERE in ``dialect_name`` (once)."""
    for index in _UNIQUE_AMONG_LIVE:
        options = index.dialect_options[dialect_name]
        if options["where"] is None:
            assert index.table is not None  # every one is declared inside its table
            options["where"] = _alive(index.table.name)


datasets = Table(
    "datasets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", String, nullable=False),
    Column("created_by", Uuid, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # Set while the dataset is in the trash; rows there are invisible but restorable.
    Column("deleted_at", UTCDateTime()),
    _unique_among_live("uq_datasets_org_name_alive", "organization_id", "name"),
)

dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("dataset_id", Uuid, ForeignKey("datasets.id"), nullable=False),
    Column("version", String(255), nullable=False),
    Column("description", String, nullable=False),
    Column("type", String(32), nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    _unique_among_live("uq_versions_dataset_version_alive", "dataset_id", "version"),
)

assets = Table(
    "assets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("dataset_version_id", Uuid, ForeignKey("dataset_versions.id"), nullable=False),
    Column("data_id", Uuid, ForeignKey("data.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    # One asset per data per version (among those not in the trash).
    _unique_among_live("uq_assets_version_data_alive", "dataset_version_id", "data_id"),
    Index("ix_assets_version_id", "dataset_version_id", "id"),
    Index("ix_assets_data_id", "data_id"),
)

workers = Table(
    "workers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("dataset_id", Uuid, ForeignKey("datasets.id"), nullable=False),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("dataset_id", "user_id", name="uq_workers_dataset_user"),
)

labels = Table(
    "labels",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("dataset_version_id", Uuid, ForeignKey("dataset_versions.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("dataset_version_id", "name", name="uq_labels_version_name"),
)

annotations_table = Table(
    "annotations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    # Denormalised from the asset so that version-wide operations need no join.
    Column("dataset_version_id", Uuid, ForeignKey("dataset_versions.id"), nullable=False),
    Column("asset_id", Uuid, ForeignKey("assets.id"), nullable=False),
    Column("worker_id", Uuid, ForeignKey("workers.id"), nullable=False),
    Column("duration", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    # One annotation per worker per asset (among those not in the trash).
    _unique_among_live("uq_annotations_asset_worker_alive", "asset_id", "worker_id"),
    Index("ix_annotations_version_id", "dataset_version_id", "id"),
    # A query on shapes' labels goes from shapes to their annotations' assets through this
    # index alone, never reading an annotation row (migration 0009).
    Index("ix_annotations_id_alive_asset", "id", "deleted_at", "asset_id"),
)

# Every kind of shape in one table: rectangles use x, y, w, h; polygons, lines and points
# use coords; classifications only a label. One table keeps bulk writes to one statement.
shapes = Table(
    "shapes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("dataset_version_id", Uuid, ForeignKey("dataset_versions.id"), nullable=False),
    Column("annotation_id", Uuid, ForeignKey("annotations.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("label_id", Uuid, ForeignKey("labels.id"), nullable=False),
    Column("x", Float),
    Column("y", Float),
    Column("w", Float),
    Column("h", Float),
    Column("coords", JSON(none_as_null=True)),
    Column("text", String),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_shapes_annotation_id", "annotation_id", "id"),
    # The shapes of a label (of one kind), with their annotation: what a query on labels
    # reads, from the index alone (migration 0009).
    Index("ix_shapes_label_kind", "label_id", "kind", "annotation_id"),
    # Which kinds a version holds, read from the index alone: an export refuses the
    # shapes its format cannot hold before it starts.
    Index("ix_shapes_version_kind", "dataset_version_id", "kind"),
)

# The answers of requests sent with an Idempotency-Key, so that a retry gets the first
# answer instead of doing the work again. A row is written in the same transaction as the
# work it answers: `status_code` NULL means the first request still runs (its `attempt`
# holds the key until `lease_until`). See docs/retries.md.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("organization_id", Uuid, ForeignKey("organizations.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    # sha256 of the request (method, path, query, user, body): one key, one request.
    Column("fingerprint", String(64), nullable=False),
    Column("attempt", String(32), nullable=False),
    Column("lease_until", UTCDateTime(), nullable=False),
    Column("status_code", Integer),
    Column("media_type", String(128)),
    Column("body", LargeBinary),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)

# The model registry: models, their numbered versions, the files of each version and the
# dataset versions each was trained or evaluated on (docs/models.md).

models = Table(
    "models",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", String, nullable=False),
    Column("type", String(32), nullable=False),
    Column("framework", String(32), nullable=False),
    # The number of the model's newest version, kept on the model so that two versions
    # created at once still get different numbers (the UPDATE takes the row's lock), and a
    # number is never given twice, even after its version was purged.
    Column("last_version", Integer, nullable=False, server_default="0"),
    Column("created_by", Uuid, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    _unique_among_live("uq_models_org_name_alive", "organization_id", "name"),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("model_id", Uuid, ForeignKey("models.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    # Class index (as text) -> label name, as the model predicts them: {"0": "cat"}.
    Column("labels", JSON, nullable=False),
    Column("type", String(32), nullable=False),
    Column("framework", String(32), nullable=False),
    Column("base_parameters", JSON, nullable=False),
    Column("description", String, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    # Numbers are unique whatever the trash holds; names only among live versions.
    UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),
    _unique_among_live("uq_model_versions_model_name_alive", "model_id", "name"),
)

model_files = Table(
    "model_files",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("model_version_id", Uuid, ForeignKey("model_versions.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("filename", String(255), nullable=False),
    # Content addressing, as for data: the object is named after its checksum, so the same
    # bytes stored twice are held once; purging a file removes the object only when no
    # other row names it.
    Column("object_name", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("large", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
    _unique_among_live("uq_model_files_version_name_alive", "model_version_id", "name"),
    Index("ix_model_files_object_name", "object_name"),
)

# Lineage: which dataset versions a model version was trained or evaluated on, one row per
# attachment name ("train", "val", "test"...).
model_version_datasets = Table(
    "model_version_datasets",
    metadata,
    Column("model_version_id", Uuid, ForeignKey("model_versions.id"), primary_key=True),
    Column("dataset_version_id", Uuid, ForeignKey("dataset_versions.id"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_model_version_datasets_dataset_version_id", "dataset_version_id"),
)

compat_uploads = Table(
    "compat_uploads",
    metadata,
    # An upload announced through the Picsellia-compatible API: the name handed out, then
    # the bytes received (held as an object of their own until a data is made of them).
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id"), nullable=False),
    # The name handed to the SDK, not an object's: the bytes live under stored_object,
    # which the orphan sweep removes once orphan_grace_hours have passed unconsumed.
    Column("announced_name", String(1024), nullable=False, unique=True),
    Column("filename", String(255), nullable=False),
    Column("max_size", BigInteger, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime()),
    Column("size", BigInteger),
    Column("stored_object", String(1024)),
    Column("consumed_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_compat_uploads_expires_at", "expires_at"),
)


@event.listens_for(metadata, "before_create")
def _before_create(target: MetaData, connection: Any, **kw: Any) -> None:
    _with_live_predicates(connection.dialect.name)
