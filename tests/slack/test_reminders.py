"""Reminders and digests through the real app: a request filed through the /port-in form in the
sandbox, the desk's clock stepped hour by hour (injected, never slept), and what the fake Slack
received at each moment. The desk keeps New York's business days (Thanksgiving 2026 is
Thursday, Nov 26)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot import work
from bot.sandbox import SandboxConfig
from bot.store.models import OutboxItem
from tests.conftest import PORTING_CHANNEL, SANDBOX_START, Bot
from tests.desk_clock import DeskClock, Post, digests
from tests.desk_rows import Row, seed
from tests.fakes.slack_api import Call, Reply, slack_error
from tests.port_in_forms import LANDLINE, file_through_form

NY = "America/New_York"
FILER = "U123"
REJECTED_PIN = "+14155550155"  # the carrier rejects it with 22155 INVALID_PIN


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # The representative signs when the test says so: the LOA stays unsigned.
    return SandboxConfig(start_time=SANDBOX_START, seed=7, auto_sign_loa=False)


@pytest.fixture
def bot_settings() -> dict:
    # 6 days before the Dec 2 deadline is Thanksgiving; 3 days before is a Sunday.
    return {"porting_timezone": NY, "porting_loa_remind_days": "6,3,1"}


async def _waiting_for_signature(bot: Bot) -> DeskClock:
    """File one number as FILER; Twilio's review passes and the LOA goes out on Nov 2 at
    19:00 UTC (14:00 in New York), so Twilio cancels the request on Dec 2 at 19:00 UTC."""
    await file_through_form(bot, LANDLINE)
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.settle()
    clock = DeskClock(bot, datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    clock.skip_seen()
    return clock


def _loa(posts: list[Post]) -> list[Post]:
    return [p for p in posts if p.thread_ts and "LOA is still unsigned" in p.text]


def _local(post: Post) -> tuple[date, int]:
    from zoneinfo import ZoneInfo

    local = post.at.astimezone(ZoneInfo(NY))
    return local.date(), local.hour


async def test_loa_reminders_fire_once_each_on_business_mornings_and_digests_skip_holidays(
    bot: Bot,
) -> None:
    clock = await _waiting_for_signature(bot)
    posts = await clock.run(datetime(2026, 12, 2, 18, 0, tzinfo=UTC))

    loa = _loa(posts)
    # 6 days before Dec 2 is Thanksgiving → the Wednesday before; 3 days before is a Sunday →
    # the Friday before; 1 day before is Tuesday Dec 1. Each at 09:00 New York time, once.
    assert [_local(p) for p in loa] == [
        (date(2026, 11, 25), 9),
        (date(2026, 11, 27), 9),
        (date(2026, 12, 1), 9),
    ]
    assert all(f"<@{FILER}>" in p.text for p in loa), "the filer is mentioned"
    assert "Dec 2" in loa[0].text or "<!date^" in loa[0].text, "the deadline as a Slack date"
    assert all(p.channel == PORTING_CHANNEL for p in loa)
    # No stale nudges for a request waiting for signature: its LOA reminders are the nudge.
    assert [p for p in posts if p.thread_ts and "No movement" in p.text] == []

    # One digest per business day at 09:00 in New York: weekends and Thanksgiving have none.
    days = [_local(p) for p in digests(posts)]
    assert all(hour == 9 for _, hour in days)
    sent = [d for d, _ in days]
    assert len(sent) == len(set(sent)), "one digest per day"
    assert date(2026, 11, 26) not in sent  # Thanksgiving
    assert not any(d.weekday() >= 5 for d in sent)
    assert date(2026, 11, 3) in sent and date(2026, 12, 2) in sent
    first = digests(posts)[0].text
    assert "1 open request" in first

    # Planning again at the same moments (a restart, a second process) sends nothing more.
    again = await clock.tick(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    assert again == []


async def test_a_reminder_whose_reason_went_away_before_delivery_is_dropped(bot: Bot) -> None:
    clock = await _waiting_for_signature(bot)
    outbox = bot.runtime.outbox
    await outbox.stop()  # a delayed worker: the reminder is queued, not yet sent
    await bot.desk.day.tick()
    clock.now = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # Dec 1, 09:30 in New York
    await bot.desk.day.tick()
    assert await outbox.pending(["reminder"]) == 1
    (request,) = bot.sandbox.state.requests.values()
    await bot.sandbox.sign_loa(request.sid)  # signed before the worker got to it
    await bot.desk.sync(request.sid)  # the bot learns it (a webhook or a poll)
    outbox.start()
    await bot.wait_delivered()
    posts = clock._collect()
    assert _loa(posts) == [], "the LOA got signed: the queued reminder is dropped, not sent"
    assert any("signed" in p.text.lower() for p in posts), "the signing itself is told"
    # And nothing more for that request's LOA afterwards.
    assert _loa(await clock.run(datetime(2026, 12, 2, 18, 0, tzinfo=UTC), timedelta(hours=6))) == []


async def test_action_required_left_for_two_business_days_gets_one_reminder(bot: Bot) -> None:
    await file_through_form(bot, f"{LANDLINE} {REJECTED_PIN}")
    await bot.sandbox.advance(timedelta(hours=12))  # reviewed: the LOA goes out
    (request,) = bot.sandbox.state.requests.values()
    await bot.sandbox.sign_loa(request.sid)
    while request.status != "action_required":  # the carrier rejects the mobile's PIN
        due = bot.sandbox.state.next_due()
        assert due is not None, request.status
        await bot.sandbox.advance_to(due)
    await bot.settle()
    clock = DeskClock(bot, bot.sandbox.now)
    clock.skip_seen()
    posts = await clock.run(bot.sandbox.now + timedelta(days=21))
    reminders = [p for p in posts if p.thread_ts and "waited for an answer" in p.text]
    assert len(reminders) == 1, [p.text for p in posts if p.thread_ts]
    (reminder,) = reminders
    assert f"<@{FILER}>" in reminder.text
    assert "INVALID_PIN" in reminder.text or "22155" in reminder.text
    day, hour = _local(reminder)
    assert 9 <= hour < 17 and day.weekday() < 5, "in working hours on a business day"


async def test_closed_requests_get_no_reminders_and_no_digest(bot: Bot) -> None:
    clock = await _waiting_for_signature(bot)
    (request,) = bot.sandbox.state.requests.values()
    await bot.desk.cancel_request(request.sid, FILER)
    await bot.run_lifecycle()
    await bot.wait_delivered()
    clock.skip_seen()
    posts = await clock.run(datetime(2026, 12, 2, 18, 0, tzinfo=UTC), timedelta(hours=3))
    assert posts == [], [p.text for p in posts]


# -- port dates and stale requests, from stored rows ---------------------------------------


async def test_port_tomorrow_on_the_business_day_before_and_port_today_that_morning(
    bot: Bot,
) -> None:
    clock = DeskClock(bot, datetime(2026, 11, 4, 12, 0, tzinfo=UTC))  # a Wednesday
    await seed(
        bot,
        Row(
            "Porty",
            "in_progress",
            FILER,
            days_ago=1,
            numbers=("+14155550301", "+14155550302"),
            port_date=date(2026, 11, 9),
        ),  # a Monday
    )
    posts = [p for p in await clock.run(datetime(2026, 11, 9, 22, 0, tzinfo=UTC)) if p.thread_ts]
    tomorrow = [p for p in posts if "port tomorrow" in p.text or "port on" in p.text]
    today = [p for p in posts if "Port day" in p.text]
    # The business day before a Monday is the Friday: "tomorrow" is said on Friday morning.
    assert [_local(p) for p in tomorrow] == [(date(2026, 11, 6), 9)]
    assert "2 numbers" in tomorrow[0].text and "Keep the old service active" in tomorrow[0].text
    assert f"<@{FILER}>" in tomorrow[0].text
    assert [_local(p) for p in today] == [(date(2026, 11, 9), 9)]
    assert [p for p in posts if "No movement" in p.text] == [], "waiting for its port date"


async def test_a_stale_request_is_nudged_once_a_week_at_most(bot: Bot) -> None:
    clock = DeskClock(bot, datetime(2026, 11, 4, 12, 0, tzinfo=UTC))
    await seed(bot, Row("Slow", "in_progress", FILER, days_ago=3))  # moved on Sunday, Nov 1
    posts = await clock.run(datetime(2026, 11, 28, 0, 0, tzinfo=UTC))
    nudges = [p for p in posts if p.thread_ts and "No movement" in p.text]
    # Five business days after Sunday Nov 1 (counted from Monday) is Monday Nov 9 … then weekly.
    days = [_local(p)[0] for p in nudges]
    assert days[0] == date(2026, 11, 9), days
    assert all((b - a).days >= 7 for a, b in itertools.pairwise(days)), days
    assert len(days) == 3, days
    assert all(9 <= _local(p)[1] < 17 for p in nudges)
    assert "waiting on the losing carrier" in nudges[0].text


# -- a thread never goes quiet behind timed work (issue 18 §2) ---------------------------------
# A reminder Slack keeps refusing, or one waiting for working hours, holds back none of its
# request's replies; every wait the outbox takes is on the real clock, however fast the desk's
# clock runs (a demo's runs at the sandbox's speed).

UNSIGNED = "LOA is still unsigned"


def _replies(bot: Bot) -> list[str]:
    calls = bot.slack.calls_to("chat.postMessage")
    return [c.args["text"] for c in calls if c.ok and c.args.get("thread_ts")]


async def _reminder_row(bot: Bot) -> OutboxItem:
    async with bot.runtime.db.session() as s:
        found = await s.exec(select(OutboxItem).where(OutboxItem.kind == work.Reminder.KIND))
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
