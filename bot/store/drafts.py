"""/port-in form drafts between the form's steps (details people typed, never a PIN or an
account number, and the portability re-check). Each function owns its transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col

from bot.store.db import Database
from bot.store.models import PortInDraft


async def save(db: Database, draft: PortInDraft) -> None:
    async with db.session() as s:
        await s.merge(draft)
        await s.commit()


async def get(db: Database, draft_id: str) -> PortInDraft | None:
    async with db.session() as s:
        return await s.get(PortInDraft, draft_id)


async def set_checks(db: Database, draft_id: str, checks: str) -> None:
    async with db.session() as s:
        await s.exec(
            update(PortInDraft).where(col(PortInDraft.id) == draft_id).values(checks=checks)
        )
        await s.commit()


async def set_details(db: Database, draft_id: str, details: str) -> None:
    """The draft's details changed while filing (the bill went up to Twilio)."""
    async with db.session() as s:
        await s.exec(
            update(PortInDraft).where(col(PortInDraft.id) == draft_id).values(details=details)
        )
        await s.commit()


async def delete_draft(db: Database, draft_id: str) -> None:
    async with db.session() as s:
        await s.exec(delete(PortInDraft).where(col(PortInDraft.id) == draft_id))
        await s.commit()


async def delete_before(db: Database, before: datetime) -> int:
    """Forget drafts nobody finished (a closed modal leaves one behind)."""
    async with db.session() as s:
        result = await s.exec(delete(PortInDraft).where(col(PortInDraft.created_at) < before))
        await s.commit()
        return result.rowcount or 0
