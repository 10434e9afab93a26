"""A webhook's 2xx means it is stored with the work it causes; when the database cannot take
it, Twilio gets a 5xx, nothing is half-written, and the retry goes through."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot import reconcile
from bot.store.db import Database
from bot.store.models import OutboxItem, RequestSync, WebhookReceipt
from tests.conftest import Bot
from tests.helpers import file_request

OK = "+14155550101"


async def _rows(bot: Bot) -> tuple[list[WebhookReceipt], list[RequestSync], list[OutboxItem]]:
    async with bot.app.state.db.session() as s:
        return (
            list((await s.exec(select(WebhookReceipt))).all()),
            list(
                (
                    await s.exec(select(RequestSync).where(RequestSync.request_sid != "discover"))
                ).all()
            ),
            list((await s.exec(select(OutboxItem))).all()),
        )


async def test_failure_inside_the_transaction_answers_503_and_leaves_nothing(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        # Fails after the receipts were inserted, inside the same transaction.
        raise OperationalError("INSERT INTO request_sync", {}, Exception("disk I/O error"))

    monkeypatch.setattr(reconcile, "nudge_rows", broken)
    bot.sandbox.config.webhook_max_attempts = 1
    await file_request(bot.app.state.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=5))
    failed = [d for d in bot.sandbox.deliveries]
    assert failed and all(d.status_code == 503 for d in failed)
    assert await _rows(bot) == ([], [], []), "the receipt was rolled back with the rest"

    monkeypatch.undo()  # the database is back; Twilio delivers again
    for delivery in failed:
        response = await bot.http.post(
            delivery.url.replace(bot.settings.base_url, ""),
            content=delivery.body,
            headers={"X-Twilio-Signature": delivery.signature},
        )
        assert response.status_code == 200 and response.text == "ok"
    await bot.settle()
    receipts, _, items = await _rows(bot)
    assert len(receipts) == len(failed)
    assert [i.kind for i in items if i.status == "done"][:1] == ["root"]
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


async def test_database_unreachable_for_a_moment_then_twilio_retry_succeeds(bot: Bot) -> None:
    inbox = bot.app.state.inbox
    real = inbox.db
    inbox.db = Database.from_url("postgresql://postgres@127.0.0.1:9/nowhere")  # refused
    bot.sandbox.config.webhook_retry_backoff_seconds = 0.3
    await file_request(bot.app.state.twilio, bot.sandbox, [OK])

    async def recover() -> None:
        await asyncio.sleep(0.15)
        await inbox.db.close()
        inbox.db = real

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
