"""Datasets, versions, assets, workers, labels, annotations, shapes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 16:14:08.667374
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(
            "uq_datasets_org_name_alive",
            ["organization_id", "name"],
            unique=True,
            sqlite_where=sa.text("datasets.deleted_at IS NULL"),
            postgresql_where=sa.text("datasets.deleted_at IS NULL"),
        )

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_versions_dataset_version_alive",
            ["dataset_id", "version"],
            unique=True,
            sqlite_where=sa.text("dataset_versions.deleted_at IS NULL"),
            postgresql_where=sa.text("dataset_versions.deleted_at IS NULL"),
        )

    op.create_table(
        "workers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "user_id", name="uq_workers_dataset_user"),
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("data_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_id"],
            ["data.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index("ix_assets_data_id", ["data_id"], unique=False)
        batch_op.create_index("ix_assets_version_id", ["dataset_version_id", "id"], unique=False)
        batch_op.create_index(
            "uq_assets_version_data_alive",
            ["dataset_version_id", "data_id"],
            unique=True,
            sqlite_where=sa.text("assets.deleted_at IS NULL"),
            postgresql_where=sa.text("assets.deleted_at IS NULL"),
        )

    op.create_table(
        "labels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_version_id", "name", name="uq_labels_version_name"),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotations_version_id", ["dataset_version_id", "id"], unique=False
        )
        batch_op.create_index(
            "uq_annotations_asset_worker_alive",
            ["asset_id", "worker_id"],
            unique=True,
            sqlite_where=sa.text("annotations.deleted_at IS NULL"),
            postgresql_where=sa.text("annotations.deleted_at IS NULL"),
        )

    op.create_table(
        "shapes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("annotation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label_id", sa.Uuid(), nullable=False),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("w", sa.Float(), nullable=True),
        sa.Column("h", sa.Float(), nullable=True),
        sa.Column("coords", sa.JSON(), nullable=True),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shapes", schema=None) as batch_op:
        batch_op.create_index("ix_shapes_annotation_id", ["annotation_id", "id"], unique=False)
        batch_op.create_index("ix_shapes_label_id", ["label_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shapes", schema=None) as batch_op:
        batch_op.drop_index("ix_shapes_label_id")
        batch_op.drop_index("ix_shapes_annotation_id")

    op.drop_table("shapes")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_annotations_asset_worker_alive",
            sqlite_where=sa.text("annotations.deleted_at IS NULL"),
            postgresql_where=sa.text("annotations.deleted_at IS NULL"),
        )
        batch_op.drop_index("ix_annotations_version_id")

    op.drop_table("annotations")
    op.drop_table("labels")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assets_version_data_alive",
            sqlite_where=sa.text("assets.deleted_at IS NULL"),
            postgresql_where=sa.text("assets.deleted_at IS NULL"),
        )
        batch_op.drop_index("ix_assets_version_id")
        batch_op.drop_index("ix_assets_data_id")

    op.drop_table("assets")
    op.drop_table("workers")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_versions_dataset_version_alive",
            sqlite_where=sa.text("dataset_versions.deleted_at IS NULL"),
            postgresql_where=sa.text("dataset_versions.deleted_at IS NULL"),
        )

    op.drop_table("dataset_versions")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_datasets_org_name_alive",
            sqlite_where=sa.text("datasets.deleted_at IS NULL"),
            postgresql_where=sa.text("datasets.deleted_at IS NULL"),
        )

    op.drop_table("datasets")
