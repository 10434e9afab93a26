"""The digest tells the truth about "since": what changed since the digest actually posted
before it in that channel (none: since yesterday, never a digest that did not exist), no
change counted twice from the same base, and a digest with nothing new is one line (or not
posted, with PORTING_DIGEST_WHEN_QUIET=skip). Through the real app, the desk's clock injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.store.models import RequestState
from tests.conftest import PORTING_CHANNEL, Bot
from tests.desk_clock import DeskClock, Post, digests
from tests.desk_rows import VIEWER, Row, seed

TUESDAY = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)  # the desk keeps UTC here
DAY = timedelta(days=1)


def _blocks(bot: Bot, post: Post) -> str:
    (call,) = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == PORTING_CHANNEL
        and not c.args.get("thread_ts")
        and c.args["text"] == post.text
    ]
    return f"{call.args['text']}\n{call.args.get('blocks')}"


async def _moved(bot: Bot, sid: str, status: str) -> None:
    """The sync stores a change to the request now (the process's clock, as it does)."""
    async with bot.runtime.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sid)  # type: ignore[arg-type]
            .values(status=status, updated_at=datetime.now(UTC))
        )
        await s.commit()


async def _one_digest(bot: Bot, clock: DeskClock, at: datetime) -> str:
    (digest,) = digests(await clock.tick(at))
    return _blocks(bot, digest)


async def test_since_is_the_digest_actually_posted_before_and_a_quiet_one_is_one_line(
    bot: Bot,
) -> None:
    clock = DeskClock(bot, TUESDAY)
    sids = await seed(
        bot,
        Row("Acme", "in_review", VIEWER, days_ago=5),
        Row("Bolt", "in_progress", VIEWER, days_ago=5),
    )
    first = await _one_digest(bot, clock, TUESDAY)
    # No digest before it in the channel: none is cited (the old code named Monday's).
    assert "last digest" not in first and "No changes since yesterday" in first

    await _moved(bot, sids["Acme"], "action_required")
    second = await _one_digest(bot, clock, TUESDAY + DAY)
    assert "Since the last digest (" in second and "1 now Action Required" in second
    assert "In Progress" in second  # the full digest: counts by status, needs, …

    third = await _one_digest(bot, clock, TUESDAY + 2 * DAY)
    # Nothing moved since the second: the same change is not told again, in one line.
    assert "Action Required" not in third.split("\n")[0]
    assert "now Action Required" not in third
    assert "nothing new since the last digest" in third and "2 open requests" in third
    assert third.count("'type': 'section'") == 1, third

    await _moved(bot, sids["Bolt"], "completed")
    fourth = await _one_digest(bot, clock, TUESDAY + 3 * DAY)
    assert "1 now Completed" in fourth and "now Action Required" not in fourth


async def test_send_digest_now_twice_tells_each_change_once(bot: Bot) -> None:
    clock = DeskClock(bot, TUESDAY)
    sids = await seed(bot, Row("Acme", "in_review", VIEWER, days_ago=5))
    assert len(digests(await clock.tick(TUESDAY))) == 1
    await _moved(bot, sids["Acme"], "action_required")
    assert await bot.desk.day.send_digest_now() == 1
    await bot.wait_delivered()
    (asked,) = digests(clock._collect())
    shown = _blocks(bot, asked)
    assert "Since the last digest (" in shown and "1 now Action Required" in shown
    await bot.desk.day.send_digest_now()
    await bot.wait_delivered()
    (again,) = digests(clock._collect())
    said = _blocks(bot, again)
    assert "nothing new since the last digest" in said and "now Action Required" not in said


class TestWhenQuietSkip:
    @pytest.fixture
    def bot_settings(self) -> dict:
        return {"porting_digest_when_quiet": "skip"}

    async def test_a_quiet_digest_is_skipped_when_set_so(self, bot: Bot) -> None:
        clock = DeskClock(bot, TUESDAY)
        sids = await seed(bot, Row("Acme", "in_review", VIEWER, days_ago=5))
        assert len(digests(await clock.tick(TUESDAY))) == 1  # the first one always goes
        assert digests(await clock.tick(TUESDAY + DAY)) == [], "nothing new: not posted"
        await _moved(bot, sids["Acme"], "in_progress")
        later = await _one_digest(bot, clock, TUESDAY + 2 * DAY)
        assert "Since the last digest (" in later and "1 now In Progress" in later
