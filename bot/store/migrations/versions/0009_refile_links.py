"""Re-filing a rejection: what the bot filed, and which request a request re-files.

``request_state.filed_details`` keeps the non-secret details the bot filed a request with (so
its rejected numbers can be re-filed prefilled), ``request_state.refile_of`` the request whose
rejected numbers it re-files, ``port_in_draft.refile_of`` the same for a form between its steps.

Revision ID: 0007
Revises: 0008 (renumbered from 0007 at merge)
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filed_details", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("refile_of", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True)
        )
        batch_op.create_index("ix_request_state_refile_of", ["refile_of"], unique=False)
    with op.batch_alter_table("port_in_draft", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refile_of", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("port_in_draft", schema=None) as batch_op:
        batch_op.drop_column("refile_of")
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.drop_index("ix_request_state_refile_of")
        batch_op.drop_column("refile_of")
        batch_op.drop_column("filed_details")
