"""A webhook's 2xx means it is stored with the work it causes; when the database cannot take
it, Twilio gets a 5xx, nothing is half-written, and the retry goes through."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from sqlmodel import select

from bot.store.models import OutboxItem, RequestSync, WebhookReceipt
from bot.store.receipts import PostgresReceipts, SqliteReceipts
from tests.conftest import Bot
from tests.helpers import allow_schedule_rows, file_request, refuse_schedule_rows
from tests.pg import PG_URL, fresh_database

OK = "+14155550101"


async def _rows(bot: Bot) -> tuple[list[WebhookReceipt], list[RequestSync], list[OutboxItem]]:
    async with bot.runtime.db.session() as s:
        return (
            list((await s.exec(select(WebhookReceipt))).all()),
            list(
                (
                    await s.exec(select(RequestSync).where(RequestSync.request_sid != "discover"))
                ).all()
            ),
            list((await s.exec(select(OutboxItem))).all()),
        )


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot_settings(request: pytest.FixtureRequest) -> AsyncIterator[dict]:
    """Every test here runs on SQLite and on PostgreSQL (skipped when none answers)."""
    if request.param == "sqlite":
        yield {}
        return
    async with fresh_database() as url:
        yield {"database_url": url}


async def _redeliver(bot: Bot, deliveries: list) -> None:  # type: ignore[type-arg]
    """Twilio delivering again what it was refused."""
    for delivery in deliveries:
        response = await bot.http.post(
            delivery.url.replace(bot.settings.base_url, ""),
            content=delivery.body,
            headers={"X-Twilio-Signature": delivery.signature},
        )
        assert response.status_code == 200 and response.text == "ok"


async def test_failure_inside_the_transaction_answers_503_and_leaves_nothing(bot: Bot) -> None:
    await refuse_schedule_rows(bot.runtime.db.engine)
    bot.sandbox.config.webhook_max_attempts = 1
    await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=5))
    failed = list(bot.sandbox.deliveries)
    assert failed and all(d.status_code == 503 for d in failed)
    assert await _rows(bot) == ([], [], []), "the receipt was rolled back with the rest"

    await allow_schedule_rows(bot.runtime.db.engine)  # the database is back
    await _redeliver(bot, failed)
    await bot.settle()
    receipts, _, items = await _rows(bot)
    assert len(receipts) == len(failed)
    assert [i.kind for i in items if i.status == "done"][:1] == ["root"]
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


async def test_database_unreachable_for_a_moment_then_twilio_retry_succeeds(bot: Bot) -> None:
    inbox = bot.runtime.inbox
    real = inbox.writer
    inbox.writer = PostgresReceipts("postgresql://postgres@127.0.0.1:9/nowhere")  # refused
    bot.sandbox.config.webhook_retry_backoff_seconds = 0.3
    await file_request(bot.runtime.twilio, bot.sandbox, [OK])

    async def recover() -> None:
        await asyncio.sleep(0.15)
        await inbox.writer.close()
        inbox.writer = real

    recovery = asyncio.create_task(recover())
    await bot.sandbox.advance(timedelta(hours=5))
    await recovery
    await bot.settle()
    delivery = bot.sandbox.deliveries[0]
    assert [a.status_code for a in delivery.attempts] == [503, 200]
    receipts, _, _ = await _rows(bot)
    assert len(receipts) == len(bot.sandbox.deliveries)
    roots = bot.slack.calls_to("chat.postMessage")
    assert len(roots) == 1 and roots[0].ok


async def test_database_busy_or_connection_lost_answers_503_then_recovers(bot: Bot) -> None:
    """SQLite: another connection holds the write lock past the busy timeout. PostgreSQL:
    the server drops every connection of the bot and refuses new ones for a moment. Either
    way Twilio gets 503, and its retry is stored once the database is available again."""
    bot.sandbox.config.webhook_retry_backoff_seconds = 0.5
    await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    engine = bot.runtime.db.engine
    await bot.sandbox.advance(timedelta(hours=5))  # opens the writer's connection
    await bot.settle()
    first = len(bot.sandbox.deliveries)
    if engine.dialect.name == "sqlite":
        inbox = bot.runtime.inbox
        await inbox.writer.close()
        inbox.writer = SqliteReceipts(engine.url.database, timeout=0.2)  # 503 sooner
        blocker = sqlite3.connect(engine.url.database, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")

        async def recover() -> None:
            await asyncio.sleep(0.3)
            blocker.execute("ROLLBACK")
            blocker.close()

    else:
        name = engine.url.database
        admin = await asyncpg.connect(PG_URL)
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )

        async def recover() -> None:
            await asyncio.sleep(0.3)
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await admin.close()

    recovery = asyncio.create_task(recover())
    await bot.sandbox.advance(timedelta(days=3))  # the carrier answers: more webhooks
    await recovery
    await bot.settle()
    later = list(bot.sandbox.deliveries)[first:]
    assert later, "the carrier's answer was delivered"
    assert later[0].attempts[0].status_code == 503
    assert all(d.attempts[-1].status_code == 200 for d in later)
    receipts, _, _ = await _rows(bot)
    assert len(receipts) == len(bot.sandbox.deliveries)
