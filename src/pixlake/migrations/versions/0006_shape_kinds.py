"""Shapes indexed by version and kind: an export checks which kinds a version holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:10:00.000000
"""

from __future__ import annotations

from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shapes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shapes_version_kind", ["dataset_version_id", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("shapes", schema=None) as batch_op:
        batch_op.drop_index("ix_shapes_version_kind")
