"""/port-check results kept so their owner can share them later (no secrets inside)."""

from __future__ import annotations

from bot.store.db import Database
from bot.store.models import CheckRun


async def save(db: Database, run: CheckRun) -> None:
    async with db.session() as s:
        s.add(run)
        await s.commit()


async def get(db: Database, check_id: str) -> CheckRun | None:
    async with db.session() as s:
        return await s.get(CheckRun, check_id)
