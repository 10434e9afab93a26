"""Baseline: the tables the bot had before migrations (threads, state, receipts, check runs).

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "check_run",
        sa.Column("id", _str(length=32), nullable=False),
        sa.Column("user_id", _str(length=32), nullable=False),
        sa.Column("channel_id", _str(length=32), nullable=True),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("invalid", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "number_state",
        sa.Column("number_sid", _str(length=34), nullable=False),
        sa.Column("request_sid", _str(length=34), nullable=False),
        sa.Column("phone_number", _str(length=20), nullable=False),
        sa.Column("status", _str(length=32), nullable=False),
        sa.Column("port_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", _str(), nullable=True),
        sa.Column("rejection_reason_code", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number_sid"),
    )
    op.create_index(
        op.f("ix_number_state_request_sid"), "number_state", ["request_sid"], unique=False
    )
    op.create_table(
        "request_state",
        sa.Column("request_sid", _str(length=34), nullable=False),
        sa.Column("status", _str(length=32), nullable=False),
        sa.Column("customer_name", _str(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("number_count", sa.Integer(), nullable=False),
        sa.Column("filed_by", _str(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_sid"),
    )
    op.create_table(
        "request_thread",
        sa.Column("request_sid", _str(length=34), nullable=False),
        sa.Column("channel_id", _str(length=32), nullable=False),
        sa.Column("thread_ts", _str(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_sid"),
    )
    op.create_table(
        "webhook_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", _str(length=64), nullable=False),
        sa.Column("request_sid", _str(length=34), nullable=False),
        sa.Column("event", _str(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("outcome", _str(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index(
        op.f("ix_webhook_receipt_request_sid"), "webhook_receipt", ["request_sid"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_receipt_request_sid"), table_name="webhook_receipt")
    op.drop_table("webhook_receipt")
    op.drop_table("request_thread")
    op.drop_table("request_state")
    op.drop_index(op.f("ix_number_state_request_sid"), table_name="number_state")
    op.drop_table("number_state")
    op.drop_table("check_run")
