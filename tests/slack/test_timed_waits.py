"""A thread never goes quiet behind timed work: a reminder Slack keeps refusing, or one
waiting for working hours, holds back none of its request's change replies, and every wait
the outbox takes is on the real clock, however fast the desk's clock runs (a demo's runs at the
sandbox's speed). The desk's clock is injected (``DeskClock``); nothing sleeps to a deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.sandbox import SandboxConfig
from bot.store.items import OutboxKind
from bot.store.models import OutboxItem
from tests.conftest import SANDBOX_START, Bot
from tests.desk_clock import DeskClock
from tests.fakes.slack_api import Call, Reply, slack_error
from tests.port_in_forms import LANDLINE, file_through_form

NY = "America/New_York"
UNSIGNED = "LOA is still unsigned"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(start_time=SANDBOX_START, seed=7, auto_sign_loa=False)


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_timezone": NY, "porting_loa_remind_days": "6,3,1"}


async def _waiting_for_signature(bot: Bot) -> DeskClock:
    await file_through_form(bot, LANDLINE)
    await bot.sandbox.advance(timedelta(hours=12))  # reviewed: the LOA goes out
    await bot.settle()
    clock = DeskClock(bot, datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    clock.skip_seen()
    return clock


def _replies(bot: Bot) -> list[str]:
    calls = bot.slack.calls_to("chat.postMessage")
    return [c.args["text"] for c in calls if c.ok and c.args.get("thread_ts")]


async def _reminder_row(bot: Bot) -> OutboxItem:
    async with bot.runtime.db.session() as s:
        found = await s.exec(select(OutboxItem).where(OutboxItem.kind == OutboxKind.REMINDER))
        return found.one()


async def test_a_reminder_slack_keeps_refusing_holds_back_no_reply(bot: Bot) -> None:
    clock = await _waiting_for_signature(bot)
    refused: list[str] = []

    def post(call: Call) -> dict | Reply:
        if UNSIGNED in call.args.get("text", ""):
            refused.append(call.args["text"])
            return slack_error("invalid_blocks")  # refused every time it is tried
        return bot.slack._chat_post_message(call)

    bot.slack.set_handler("chat.postMessage", post)
    bot.runtime.outbox.backoff_base = 600.0  # its next try is minutes away (real time)
    clock.now = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # Dec 1, 09:30 in New York
    await bot.desk.day.tick()
    await bot.settle()
    assert len(refused) == 1, "the reminder was tried, and refused"

    before = len(_replies(bot))
    (request,) = bot.sandbox.state.requests.values()
    await bot.sandbox.sign_loa(request.sid)  # a status change for the same request
    await bot.desk.sync(request.sid)
    await bot.settle()  # ready work only: nothing waits for the reminder's retry

    signed = _replies(bot)[before:]
    assert len(signed) == 1 and "signed" in signed[0].lower(), signed
    row = await _reminder_row(bot)
    assert row.status == "pending", "the refused reminder is kept, to be tried again"


async def test_a_reminder_waiting_for_working_hours_is_asked_again_in_real_time(
    bot: Bot,
) -> None:
    clock = await _waiting_for_signature(bot)
    outbox = bot.runtime.outbox
    await outbox.stop()  # queued at 09:30, delivered after hours
    clock.now = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    await bot.desk.day.tick()
    clock.now = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 20:00 in New York: wait till 09:00
    bot.desk.day.rate = 3600.0  # the desk's clock runs an hour per real second
    outbox.start()
    await bot.settle()

    row = await _reminder_row(bot)
    assert row.status == "pending" and row.attempts == 1
    wait = (row.next_attempt_at.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()
    # 13 desk hours at 3600x are 13 real seconds (not 600 s, nor 13 hours).
    assert 5 < wait <= 14, wait
