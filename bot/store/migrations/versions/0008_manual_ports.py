"""Manual ports: numbers the Porting API cannot file (22133), tracked step by step in their
own thread (``manual_port``), and their numbers for "which port holds this number?"
(``manual_port_number``).

Revision ID: 0008
Revises: 0007 (re-chained at merge)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manual_port",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("customer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("number_count", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("filed_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ticket", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("quote_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quote_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("port_date", sa.Date(), nullable=True),
        sa.Column("rejection", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("rejection_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("manual_port", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manual_port_filed_by"), ["filed_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_manual_port_step"), ["step"], unique=False)

    op.create_table(
        "manual_port_number",
        sa.Column("manual_id", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("phone_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.PrimaryKeyConstraint("manual_id", "phone_number"),
    )
    with op.batch_alter_table("manual_port_number", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manual_port_number_phone_number"), ["phone_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("manual_port_number", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manual_port_number_phone_number"))

    op.drop_table("manual_port_number")
    with op.batch_alter_table("manual_port", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manual_port_step"))
        batch_op.drop_index(batch_op.f("ix_manual_port_filed_by"))

    op.drop_table("manual_port")
