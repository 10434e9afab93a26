"""The sync schedule (webhook nudges and reconciler polls) and the durable Slack outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("request_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("maybe_sent", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["status", "request_sid", "id"], unique=False)

    op.create_table(
        "request_sync",
        sa.Column("request_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.PrimaryKeyConstraint("request_sid"),
    )
    with op.batch_alter_table("request_sync", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_sync_due_at"), ["due_at"], unique=False)

    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("twilio_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.drop_column("request_json")

    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.drop_column("twilio_updated_at")

    with op.batch_alter_table("request_sync", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_sync_due_at"))

    op.drop_table("request_sync")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
