"""Queries for filing and canceling: form drafts, action claims and the audit log.

Each function owns its transaction, like ``bot.store.queries``. Nothing stored here is secret:
callers hand over details and outcomes, never a PIN or an account number.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.store.db import Database
from bot.store.models import ActionClaim, AuditEntry, PortInDraft, RequestState, utcnow

# A claim still "in progress" after this long belongs to a process that died mid-action.
CLAIM_STALE_AFTER = timedelta(minutes=10)
CLAIM_DONE = "done"
CLAIM_IN_PROGRESS = "in_progress"


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- claims --------------------------------------------------------------------------------


async def claim(
    db: Database,
    key: str,
    action: str,
    user_id: str,
    request_sid: str | None = None,
    *,
    now: datetime | None = None,
) -> ActionClaim | None:
    """Take the claim on ``key``: None when it is ours now, else the claim someone else holds.

    The primary key makes this atomic across processes. A claim left "in progress" for longer
    than CLAIM_STALE_AFTER is taken over (compare-and-set on ``updated_at``).
    """
    now = now or utcnow()
    for _ in range(3):
        async with db.session() as s:
            s.add(
                ActionClaim(
                    key=key,
                    action=action,
                    user_id=user_id,
                    request_sid=request_sid,
                    created_at=now,
                    updated_at=now,
                )
            )
            try:
                await s.commit()
                return None
            except IntegrityError:
                await s.rollback()
        async with db.session() as s:
            held = await s.get(ActionClaim, key)
            if held is None:
                continue  # released in between: try again
            if (
                held.status != CLAIM_IN_PROGRESS
                or _aware(held.updated_at) > now - CLAIM_STALE_AFTER
            ):
                return held
            taken = await s.exec(
                update(ActionClaim)
                .where(col(ActionClaim.key) == key, col(ActionClaim.updated_at) == held.updated_at)
                .values(user_id=user_id, action=action, updated_at=now, request_sid=request_sid)
            )
            await s.commit()
            if taken.rowcount == 1:
                return None
    async with db.session() as s:
        held = await s.get(ActionClaim, key)
    return held


async def finish_claim(db: Database, key: str, request_sid: str | None = None) -> None:
    async with db.session() as s:
        values: dict[str, object] = {"status": CLAIM_DONE, "updated_at": utcnow()}
        if request_sid is not None:
            values["request_sid"] = request_sid
        await s.exec(update(ActionClaim).where(col(ActionClaim.key) == key).values(**values))
        await s.commit()


async def release_claim(db: Database, key: str) -> None:
    """Give a claim up (the action failed and may be tried again)."""
    async with db.session() as s:
        await s.exec(delete(ActionClaim).where(col(ActionClaim.key) == key))
        await s.commit()


async def get_claim(db: Database, key: str) -> ActionClaim | None:
    async with db.session() as s:
        return await s.get(ActionClaim, key)


# -- audit ---------------------------------------------------------------------------------


def audit_entry(
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


async def add_audit(db: Database, entry: AuditEntry) -> None:
    async with db.session() as s:
        s.add(entry)
        await s.commit()


async def audit_for(db: Database, request_sid: str) -> list[AuditEntry]:
    """A request's audit entries, oldest first."""
    async with db.session() as s:
        rows = await s.exec(
            select(AuditEntry)
            .where(AuditEntry.request_sid == request_sid)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
        return list(rows.all())


async def record_filed(
    db: Database, state: RequestState, entry: AuditEntry, claim_key: str
) -> None:
    """A request Twilio accepted: its state (with ``filed_by``), the audit entry and the
    finished claim, in one transaction, before any Slack call can fail."""
    async with db.session() as s:
        await s.merge(state)
        s.add(entry)
        await s.exec(
            update(ActionClaim)
            .where(col(ActionClaim.key) == claim_key)
            .values(status=CLAIM_DONE, request_sid=state.request_sid, updated_at=utcnow())
        )
        await s.commit()


# -- drafts --------------------------------------------------------------------------------


async def save_draft(db: Database, draft: PortInDraft) -> None:
    async with db.session() as s:
        await s.merge(draft)
        await s.commit()


async def get_draft(db: Database, draft_id: str) -> PortInDraft | None:
    async with db.session() as s:
        return await s.get(PortInDraft, draft_id)


async def set_draft_checks(db: Database, draft_id: str, checks: str) -> None:
    async with db.session() as s:
        await s.exec(
            update(PortInDraft).where(col(PortInDraft.id) == draft_id).values(checks=checks)
        )
        await s.commit()


async def delete_draft(db: Database, draft_id: str) -> None:
    async with db.session() as s:
        await s.exec(delete(PortInDraft).where(col(PortInDraft.id) == draft_id))
        await s.commit()


async def delete_drafts_before(db: Database, before: datetime) -> int:
    """Forget drafts nobody finished (a closed modal leaves one behind)."""
    async with db.session() as s:
        result = await s.exec(delete(PortInDraft).where(col(PortInDraft.created_at) < before))
        await s.commit()
        return result.rowcount or 0
