"""The reconciler: requests are followed without webhooks, Twilio failures are retried, and
two pollers never fetch one request at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.reconcile import Reconciler
from bot.store import request_state
from bot.store.db import Database, create_tables
from bot.store.models import RequestSync
from tests.conftest import Bot
from tests.helpers import file_request
from tests.pg import fresh_database

OK = "+14155550101"
MOBILE = "+14155550205"


async def _no_delay(_: float) -> None:
    return None


class _Syncer:
    """A stand-in for the desk's ``Requests``: runs ``sync`` for each due request."""

    def __init__(self, sync: Callable[[str], Awaitable[None]]) -> None:
        self.sync = sync


async def test_requests_are_followed_by_polling_when_no_webhook_arrives(bot: Bot) -> None:
    bot.sandbox.state.webhook.port_in_target_url = None  # no public URL: Twilio cannot call us
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, MOBILE])
    assert not bot.sandbox.deliveries

    await bot.poll_now()  # discovery finds the request filed elsewhere and adopts it
    await bot.settle()
    roots = [c for c in bot.slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(roots) == 1 and request.request_sid in str(roots[0].args["blocks"])

    while (due := bot.sandbox.state.next_due()) is not None:
        await bot.sandbox.advance_to(due)
        await bot.poll_now()
        await bot.settle()

    state, numbers = await request_state.load_request(bot.runtime.db, request.request_sid)
    assert state is not None and state.status == "completed"
    assert {n.status for n in numbers} == {"completed"}
    replies = [c.args["text"] for c in bot.slack.calls_to("chat.postMessage")[1:]]
    assert any("Port Pending" in r for r in replies)
    assert any("ported to Twilio" in r for r in replies)
    assert not bot.sandbox.deliveries, "no webhook was involved"
    async with bot.runtime.db.session() as s:
        sync = await s.get(RequestSync, request.request_sid)
    assert sync is None, "a finished request is no longer polled"


async def test_twilio_errors_during_polling_are_retried_and_nothing_is_lost(bot: Bot) -> None:
    bot.runtime.twilio._sleep = _no_delay  # the client's own backoff, sped up
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=5))  # LOA sent: the webhook adopts it
    await bot.settle()
    bot.sandbox.state.webhook.port_in_target_url = None
    await bot.sandbox.advance(timedelta(hours=12))  # signed and submitted: no webhook told us

    # More failures than the client retries: the poll itself fails and backs off.
    bot.sandbox.inject_failures(3, status=503, match=request.request_sid)
    bot.sandbox.inject_failures(3, status=429, match=request.request_sid, retry_after=0)
    await bot.poll_now()
    await bot.settle()
    ready = (await bot.http.get("/readyz")).json()["twilio_sync"]
    assert ready["failing"] == 1 and "429" in ready["last_error"]
    async with bot.runtime.db.session() as s:
        sync = await s.get(RequestSync, request.request_sid)
    assert sync is not None and sync.failures == 1
    assert sync.due_at.replace(tzinfo=UTC) > datetime.now(UTC), "retried later, not hammered"

    await bot.poll_now()
    await bot.settle()
    assert (await bot.http.get("/readyz")).json()["twilio_sync"]["failing"] == 0
    texts = [c.args["text"] for c in bot.slack.calls_to("chat.postMessage")]
    assert sum("Submitted to the losing carrier" in t for t in texts) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_reconcilers_never_poll_one_request_twice(tmp_path, backend: str) -> None:  # type: ignore[no-untyped-def]
    async with AsyncExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path}/sync.db"
        else:
            url = await stack.enter_async_context(fresh_database())
        await _two_reconcilers(url)


async def _two_reconcilers(url: str) -> None:
    db, other = Database.from_url(url), Database.from_url(url)
    await create_tables(db.engine)
    sids = [f"KW{i:032x}" for i in range(40)]
    async with db.session() as s:
        for sid in sids:
            s.add(RequestSync(request_sid=sid, due_at=datetime.now(UTC) - timedelta(seconds=1)))
        await s.commit()
    polled: list[str] = []

    async def sync(sid: str) -> None:
        polled.append(sid)
        await asyncio.sleep(0.01)
        async with db.session() as s:
            row = await s.get(RequestSync, sid)
            assert row is not None
            row.due_at = datetime.now(UTC) + timedelta(hours=1)
            row.lease_owner = row.lease_until = None
            s.add(row)
            await s.commit()

    a = Reconciler(db, _Syncer(sync), interval=3600, concurrency=5)
    b = Reconciler(other, _Syncer(sync), interval=3600)
    for _ in range(100):  # bounded: a round that polls nothing must not spin forever
        if len(polled) >= len(sids):
            break
        await asyncio.gather(a.tick(), b.tick())
    assert sorted(polled) == sids, "each request fetched exactly once"
    async with db.session() as s:
        rows = (await s.exec(select(RequestSync))).all()
    assert all(r.lease_owner is None for r in rows)
    await db.close()
    await other.close()


async def test_a_request_adopted_after_its_numbers_were_rejected_gets_the_fix(bot: Bot) -> None:
    """First sight of a request already in Action Required: the root's board and a reply
    naming each rejected number, Twilio's reason and code, and the fix."""
    bot.sandbox.state.webhook.port_in_target_url = None  # filed and rejected while we were away
    rejected = "+14155550154"  # the carrier rejects it: INVALID_ADDRESS (22154)
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, rejected])
    while bot.sandbox.state.requests[request.request_sid].status != "action_required":
        due = bot.sandbox.state.next_due()
        assert due is not None, "the sandbox never rejected the number"
        await bot.sandbox.advance_to(due)

    await bot.poll_now()  # discovery adopts it
    await bot.settle()
    await bot.poll_now()  # and a later poll finds nothing new to say
    await bot.settle()
    posts = bot.slack.calls_to("chat.postMessage")
    roots = [c for c in posts if not c.args.get("thread_ts")]
    replies = [c for c in posts if c.args.get("thread_ts")]
    assert len(roots) == 1 and "Action Required" in roots[0].args["text"]
    assert len(replies) == 1, [r.args["text"] for r in replies]
    text = replies[0].args["text"]
    assert "+1 415-555-0154" in text and "22154" in text and "Fix:" in text
    assert "+1 415-555-0101" not in text, "numbers that need nothing are left to the board"
