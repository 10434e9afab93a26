"""number_state.rejection_reason_code holds the code as Twilio wrote it (text, not an integer).

Twilio types ``rejection_reason_code`` as a string inside ``PortIn.phone_numbers`` (an integer
on the PhoneNumber sub-resource); a code that is not a number was lost when it was read as one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.alter_column(
            "rejection_reason_code",
            existing_type=sa.Integer(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=64),
            existing_nullable=True,
            postgresql_using="rejection_reason_code::text",
        )


def downgrade() -> None:
    # A code that is not a number has no integer form: it is dropped.
    with op.batch_alter_table("number_state", schema=None) as batch_op:
        batch_op.alter_column(
            "rejection_reason_code",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            type_=sa.Integer(),
            existing_nullable=True,
            postgresql_using=(
                "CASE WHEN rejection_reason_code ~ '^-?[0-9]+$' "
                "THEN rejection_reason_code::integer END"
            ),
        )
