"""What Twilio says that the status board shows: ``request_state.suggested_action`` (from the
request list), and the LOA's signing link scrubbed from the stored copies of requests.

``signature_request_url`` signs the LOA, so it is a credential: the bot fetches it from Twilio
when the person who filed the request asks for it and never stores it. Copies stored before
this revision held it in ``request_json``; the upgrade removes it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SECRET = "signature_request_url"


def upgrade() -> None:
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested_action", sa.Text(), nullable=True))
    _scrub_signing_links()


def _scrub_signing_links() -> None:
    states = sa.table(
        "request_state", sa.column("request_sid", sa.String), sa.column("request_json", sa.Text)
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(states.c.request_sid, states.c.request_json).where(
            states.c.request_json.like(f"%{_SECRET}%")
        )
    ).all()
    for sid, text in rows:
        try:
            body = json.loads(text)
        except ValueError:
            continue
        if not isinstance(body, dict) or _SECRET not in body:
            continue
        body.pop(_SECRET)
        conn.execute(
            sa.update(states)
            .where(states.c.request_sid == sid)
            .values(request_json=json.dumps(body, separators=(",", ":")))
        )


def downgrade() -> None:
    with op.batch_alter_table("request_state", schema=None) as batch_op:
        batch_op.drop_column("suggested_action")
