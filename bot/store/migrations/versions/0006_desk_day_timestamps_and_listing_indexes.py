"""Twilio's timestamps on request_state, and the indexes the desk's listings use.

``created_at`` (Twilio's ``date_created``) and ``status_changed_at`` (when the request entered
its status, from Twilio's timestamps) let deadlines and reminders hold for a request the bot
first saw late; ``synced_at`` says how fresh a listing is. Listings filter by status, filer and
phone number (/port-list, the digest, App Home).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_request_state_status", ["status"], unique=False)
        batch_op.create_index("ix_request_state_filed_by", ["filed_by"], unique=False)
    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.create_index("ix_number_state_phone_number", ["phone_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.drop_index("ix_number_state_phone_number")
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.drop_index("ix_request_state_filed_by")
        batch_op.drop_index("ix_request_state_status")
        batch_op.drop_column("synced_at")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("created_at")
