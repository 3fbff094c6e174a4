"""Roles inside an organization: every user gets one; existing users become admins.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The column's default is the least privilege (as in the models), but everyone who
    # could do everything before this revision keeps doing so: nothing breaks on upgrade.
    op.add_column(
        "users", sa.Column("role", sa.String(length=16), nullable=False, server_default="member")
    )
    op.execute("UPDATE users SET role = 'admin'")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("role")
