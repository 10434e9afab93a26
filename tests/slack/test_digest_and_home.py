"""The daily digest and App Home through the real app: stored requests, the desk's clock
injected, ``app_home_opened`` and the Refresh buttons signed like Slack's, and what the fake
Slack received (``chat.postMessage``, the CSV upload, ``views.publish``)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.slack.ids import Action
from bot.store.models import RequestState
from tests.conftest import PORTING_CHANNEL, Bot
from tests.desk_clock import DeskClock, digests
from tests.desk_rows import DESK, OTHER, VIEWER, Row, seed
from tests.fakes.slack_requests import app_home_opened, block_actions

TUESDAY = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)  # the desk keeps UTC here
SATURDAY = datetime(2026, 11, 7, 9, 5, tzinfo=UTC)
HOME_VIEW = {"type": "home", "id": "VHOME", "state": {"values": {}}}  # as Slack sends it


def _digest_blocks(bot: Bot) -> str:
    (call,) = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == PORTING_CHANNEL and not c.args.get("thread_ts")
    ]
    return f"{call.args['text']}\n{call.args.get('blocks')}"


async def test_the_digest_counts_changes_needs_and_links_once_per_business_day(bot: Bot) -> None:
    clock = DeskClock(bot, TUESDAY - timedelta(hours=1))
    await seed(bot, *DESK)
    await seed(bot, Row("Quiet", "completed", VIEWER, channel="CQUIET"))  # nothing open there
    assert digests(await clock.tick()) == [], "not before PORTING_DIGEST_AT"

    posts = await clock.tick(TUESDAY)
    (digest,) = digests(posts)
    assert not [p for p in posts if p.channel == "CQUIET"], "no digest with nothing open"
    shown = _digest_blocks(bot)
    assert "Porting digest: 6 open requests" in digest.text
    for status in ("Action Required", "Waiting for Signature", "In Review", "In Progress"):
        assert status in shown
    assert "Needs a person" in shown and "Acme" in shown and "Iris" in shown
    assert "<@U123>" in shown, "who is on each row"
    assert "https://fake.slack/archives/" in shown, "a link to each thread"
    # The channel's first digest: no earlier one to cite. Dyna moved half a day ago.
    assert "Since yesterday" in shown and "last digest" not in shown

    assert digests(await clock.tick(TUESDAY + timedelta(hours=2))) == [], "once a day"
    assert digests(await clock.tick(SATURDAY)) == [], "no digest at the weekend"
    (monday,) = digests(await clock.tick(SATURDAY + timedelta(days=2)))
    assert "Porting digest" in monday.text


async def test_past_twenty_rows_the_digest_posts_every_row_as_a_csv_in_its_thread(
    bot: Bot,
) -> None:
    clock = DeskClock(bot, TUESDAY)
    rows = [Row(f"Customer {i:02d}", "action_required", OTHER, days_ago=3) for i in range(25)]
    sids = await seed(bot, *rows)
    posts = await clock.tick()
    (digest,) = digests(posts)
    assert "…and 5 more rows in the CSV below." in _digest_blocks(bot)
    (upload,) = bot.slack.uploaded_files
    assert upload.channel_id == PORTING_CHANNEL
    message = next(
        c for c in bot.slack.calls_to("chat.postMessage") if c.args["text"] == digest.text
    )
    assert upload.thread_ts == message.response_body["ts"], "posted with it, in its thread"
    table = list(csv.reader(io.StringIO(upload.content.decode())))
    sid = table[0].index("request_sid")
    assert {r[sid] for r in table[1:]} == set(sids.values())


def _published(bot: Bot, user: str) -> list[dict[str, Any]]:
    return [
        c.args["view"] for c in bot.slack.calls_to("views.publish") if c.args["user_id"] == user
    ]


def _text(view: Any) -> str:
    return str(view)


async def test_home_for_a_filer_shows_what_needs_them_and_their_requests(bot: Bot) -> None:
    clock = DeskClock(bot, TUESDAY)
    await seed(bot, *DESK)
    response = await bot.send(app_home_opened(VIEWER))
    assert response.status_code == 200
    await clock.tick()
    (view,) = _published(bot, VIEWER)
    text = _text(view)
    assert "'type': 'home'" in text
    needs_you = text.split("Needs you")[1].split("Needs someone")[0]
    assert "Acme" in needs_you and "Iris" not in needs_you  # Iris is U777's
    needs_someone = text.split("Needs someone")[1].split("Port dates this week")[0]
    assert "Iris" in needs_someone
    recent = text.split("Your recent requests")[1]
    assert "Acme" in recent and "Echo" in recent  # closed ones too: their own recent requests
    assert Action.HOME_REFRESH.value in text and Action.REFRESH.value in text


async def test_home_works_for_someone_who_filed_nothing(bot: Bot) -> None:
    clock = DeskClock(bot, TUESDAY)
    await seed(bot, *DESK)
    await bot.send(app_home_opened("UNEW"))
    await clock.tick()
    (view,) = _published(bot, "UNEW")
    text = _text(view)
    assert "Nothing you filed needs you right now." in text
    assert "You have not filed any port-ins yet" in text
    assert "Acme" in text.split("Needs someone")[1], "the team's work is still shown"


async def test_home_refresh_republishes_and_a_change_republishes_debounced(bot: Bot) -> None:
    clock = DeskClock(bot, TUESDAY)
    sids = await seed(bot, *DESK)
    await bot.send(app_home_opened(VIEWER))
    await clock.tick()
    assert len(_published(bot, VIEWER)) == 1
    await bot.send(block_actions(Action.HOME_REFRESH, value="home", user_id=VIEWER, view=HOME_VIEW))
    await clock.tick()
    assert len(_published(bot, VIEWER)) == 2

    # A request changes (the sync stored something): the Home is republished, at most every
    # home_interval seconds, however many changes come.
    bot.desk.day.home_interval = 0.0
    async with bot.runtime.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sids["Bolt"])  # type: ignore[arg-type]
            .values(status="action_required", updated_at=datetime.now(UTC))
        )
        await s.commit()
    await clock.tick()
    assert len(_published(bot, VIEWER)) == 3
    assert "Bolt" in _text(_published(bot, VIEWER)[-1]).split("Needs someone")[1]
    await clock.tick()
    assert len(_published(bot, VIEWER)) == 3, "nothing changed since: no republish"

    bot.desk.day.home_interval = 3600.0
    async with bot.runtime.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sids["Dyna"])  # type: ignore[arg-type]
            .values(updated_at=datetime.now(UTC))
        )
        await s.commit()
    await clock.tick()
    assert len(_published(bot, VIEWER)) == 3, "debounced: not again within the interval"
    # Someone who never opened Home gets nothing published.
    assert _published(bot, OTHER) == []


async def test_home_opened_again_while_its_publish_is_in_flight_is_published_again(
    bot: Bot,
) -> None:
    """The second open lands between Slack taking the first publish and the worker settling
    it: the worker's re-claim of the row must not pass for the first claim (lease tokens are
    per claim), or the first settling marks the second publish done unsent."""
    bot.runtime.pacer.interval = 0.5  # the re-claim waits for the user's slot meanwhile
    await bot.send(app_home_opened(VIEWER))
    await bot.slack.wait_until(lambda: len(_published(bot, VIEWER)) == 1, 10, "the publish")
    await bot.send(app_home_opened(VIEWER))  # at once: the first is not settled yet
    await bot.slack.wait_until(lambda: len(_published(bot, VIEWER)) == 2, 10, "the republish")
