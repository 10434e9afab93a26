"""Webhook receipts lose their unused ``request_sid`` index.

Nothing reads receipts by request: they are inserted (deduplicated by ``dedupe_key``, which
keeps its unique index) and pruned by age. The index was written on every webhook, the bot's
hottest write: on SQLite one more page in the WAL per commit (about a fifth of the receipt
transaction's CPU, ``bench/webhook_ingest.py``), on PostgreSQL one more index entry.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_receipt_request_sid")


def downgrade() -> None:
    with op.batch_alter_table("webhook_receipt", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_receipt_request_sid", ["request_sid"], unique=False)
