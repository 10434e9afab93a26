"""Outbox leases between workers (SQLite, and PostgreSQL when one answers): a delivery that
waits for its channel's turn keeps its item while its worker lives, and one whose lease
changed hands meanwhile sends nothing; the new holder sends it, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update
from sqlmodel import select

from bot import work
from bot.outbox import Outbox
from bot.slack.delivery.deliverer import SlackDeliverer
from bot.slack.delivery.poster import Poster
from bot.slack.delivery.sources import Sources
from bot.slack.pacing import ChannelPacer
from bot.store import outbox as queue
from bot.store.db import Database
from bot.store.models import OutboxItem, RequestState
from bot.store.outbox import OUTBOX
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN
from tests.pg import migrated_database

SID = "KW" + "7" * 32
CHANNEL = "CLEASES"
KEY = f"root:{SID}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    async with migrated_database(request.param, tmp_path) as database:
        async with database.session() as s:
            s.add(RequestState(request_sid=SID, status="in_progress", number_count=0))
            await queue.add(s, work.Root(request_sid=SID, channel=CHANNEL))
            await s.commit()
        yield database


class Turn:
    """A channel pacer's wait that ends when the test says so (the slot came up)."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()
        self.free = asyncio.Event()

    async def sleep(self, _seconds: float) -> None:
        self.waiting.set()
        await self.free.wait()


def worker(db: Database, slack: FakeSlack, turn: Turn | None = None) -> Outbox:
    pacer = ChannelPacer(0.0)
    if turn is not None:
        pacer = ChannelPacer(1.0, sleep=turn.sleep)
        pacer.hold(CHANNEL, 60.0)  # this worker's next write to the channel must wait
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])
    deliverer = SlackDeliverer(Poster(client, pacer), Sources(db))
    return Outbox(db, deliverer, lease_seconds=30)


async def _run_out(db: Database) -> None:
    """The lease runs out (its worker was stalled, or could not reach the database)."""
    async with db.session() as s:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await s.exec(update(OUTBOX).values(lease_until=past))
        await s.commit()


async def _drain(box: Outbox) -> None:
    await asyncio.gather(*list(box._in_flight))


def _posts(slack: FakeSlack) -> list[str]:
    return [
        c.args["metadata"]["event_payload"]["key"]
        for c in slack.calls_to("chat.postMessage")
        if c.ok
    ]


async def test_a_post_whose_lease_changed_hands_while_it_waited_is_sent_once(
    db: Database, fake_slack: FakeSlack
) -> None:
    turn = Turn()
    first, second = worker(db, fake_slack, turn), worker(db, fake_slack)
    assert await first.tick() == 1
    await turn.waiting.wait()  # claimed, and waiting for the channel's turn
    await _run_out(db)

    assert await second.tick() == 1, "the other worker takes the item over"
    await _drain(second)
    assert _posts(fake_slack) == [KEY]

    turn.free.set()  # the first worker's turn comes, long after its lease ran out
    await _drain(first)
    assert _posts(fake_slack) == [KEY], "the first worker did not post it again"
    async with db.session() as s:
        row = (await s.exec(select(OutboxItem).where(OutboxItem.key == KEY))).one()
    assert row.status == "done" and row.result == fake_slack.messages[0]["ts"]


async def test_a_living_worker_keeps_what_it_holds_however_long_it_waits(
    db: Database, fake_slack: FakeSlack
) -> None:
    turn = Turn()
    first, second = worker(db, fake_slack, turn), worker(db, fake_slack)
    assert await first.tick() == 1
    await turn.waiting.wait()
    await _run_out(db)
    assert await first.renew() == 1, "the worker renews the lease of what it holds"

    assert await second.tick() == 0, "so nobody else takes it"
    turn.free.set()
    await _drain(first)
    assert _posts(fake_slack) == [KEY]
    assert await first.renew() == 0, "nothing held once delivered"
