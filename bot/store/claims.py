"""Action claims: one per mutating action (a filing, a cancel), keyed by ``bot.store.keys``,
so a double click, a replayed form or a second person's simultaneous click is a no-op that can
say who got there first. Each function taking a Database owns its transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import Database
from bot.store.models import ActionClaim, utcnow

# A claim still "in progress" after this long belongs to a process that died mid-action.
STALE_AFTER = timedelta(minutes=10)


class ClaimStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


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
    than STALE_AFTER is taken over (compare-and-set on ``updated_at``).
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
            if held.status != ClaimStatus.IN_PROGRESS or held.updated_at > now - STALE_AFTER:
                return held
            taken = await s.exec(
                update(ActionClaim)
                .where(col(ActionClaim.key) == key, col(ActionClaim.updated_at) == held.updated_at)
                .values(user_id=user_id, action=action, updated_at=now, request_sid=request_sid)
            )
            await s.commit()
            if taken.rowcount == 1:
                return None
    return await get(db, key)


async def finish(db: Database, key: str, request_sid: str | None = None) -> None:
    """The claimed action is done (the claim stays, saying who did it)."""
    async with db.session() as s:
        await finish_in(s, key, request_sid)
        await s.commit()


async def finish_in(session: AsyncSession, key: str, request_sid: str | None = None) -> None:
    values: dict[str, object] = {"status": ClaimStatus.DONE.value, "updated_at": utcnow()}
    if request_sid is not None:
        values["request_sid"] = request_sid
    await session.exec(update(ActionClaim).where(col(ActionClaim.key) == key).values(**values))


async def release(db: Database, key: str) -> None:
    """Give a claim up (the action failed and may be tried again)."""
    async with db.session() as s:
        await s.exec(delete(ActionClaim).where(col(ActionClaim.key) == key))
        await s.commit()


async def get(db: Database, key: str) -> ActionClaim | None:
    async with db.session() as s:
        return await s.get(ActionClaim, key)


async def holders_in(session: AsyncSession, claim_keys: Collection[str]) -> dict[str, str]:
    """Who holds which of ``claim_keys`` (key -> Slack user), in ``session``."""
    rows = await session.exec(select(ActionClaim).where(col(ActionClaim.key).in_(list(claim_keys))))
    return {c.key: c.user_id for c in rows.all()}
