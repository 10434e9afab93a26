"""What a /port-in filing left behind, for the port-in tests to read: rows in the database and
requests in the sandbox."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel, select

from tests.conftest import Bot


async def _rows(bot: Bot, model: type[SQLModel]) -> list[Any]:
    async with bot.runtime.db.session() as s:
        return list((await s.exec(select(model))).all())


def _sandbox_requests(bot: Bot) -> list[Any]:
    return list(bot.sandbox.state.requests.values())
