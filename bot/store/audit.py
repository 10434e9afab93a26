"""The audit log: who filed or canceled what, when, and how it ended. Callers hand over
outcomes and details, never a PIN or an account number."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlmodel import col, select

from bot.store.db import Database
from bot.store.models import AuditEntry


def entry(
    user_id: str,
    action: str,
    outcome: str,
    *,
    request_sid: str | None = None,
    sids: Sequence[str] = (),
    numbers: Sequence[str] = (),
    detail: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        user_id=user_id,
        action=action,
        outcome=outcome,
        request_sid=request_sid,
        sids=json.dumps(list(sids)),
        numbers=json.dumps(list(numbers)),
        detail=detail[:500] if detail else None,
    )


async def add(db: Database, audit_entry: AuditEntry) -> None:
    async with db.session() as s:
        s.add(audit_entry)
        await s.commit()


async def for_request(db: Database, request_sid: str) -> list[AuditEntry]:
    """A request's audit entries, oldest first."""
    async with db.session() as s:
        rows = await s.exec(
            select(AuditEntry)
            .where(col(AuditEntry.request_sid) == request_sid)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
        return list(rows.all())
