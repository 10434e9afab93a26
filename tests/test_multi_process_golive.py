"""Two real `python -m bot` processes on one PostgreSQL and one sandbox, every Twilio webhook
delivered to both, both go-live loops and both inventory sweeps running: the numbers of a
request go live once (each set up once, one thread reply), and a number that leaves the
account is announced once (one alert in the channel, one in its thread) however many sweeps
both processes run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlmodel import col, select

from bot.sandbox import Sandbox, SandboxConfig, create_sandbox_app
from bot.store.db import Database
from bot.store.models import AccountNumber, NumberLive, RequestState, WorkerLease
from tests.conftest import SANDBOX_START
from tests.fakes.slack_api import FakeSlack
from tests.helpers import file_request, sandbox_twilio
from tests.pg import fresh_database
from tests.test_multi_process import CHANNEL, PUBLIC_URL, BothInstances, _settle, two_processes

EXAMPLE = Path(__file__).resolve().parent.parent / "bot" / "workspace" / "profiles.yml"
NUMBERS = ["+14155550101", "+14155550102", "+12125550103"]
LEAVING = "+14155550102"


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(1200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def test_two_processes_go_live_once_and_announce_a_departure_once(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    both = BothInstances()
    to_bots = httpx.AsyncClient(transport=both, timeout=30)
    sandbox = Sandbox(SandboxConfig(start_time=SANDBOX_START, seed=23), http_client=to_bots)
    async with fresh_database() as url, AsyncExitStack() as stack:
        stack.push_async_callback(to_bots.aclose)
        stack.push_async_callback(sandbox.aclose)
        both.bases = await stack.enter_async_context(
            two_processes(
                fake_slack,
                sandbox,
                url,
                str(tmp_path),
                PORTING_PROFILES=str(EXAMPLE),
                PORTING_INVENTORY_SECONDS="5",
            )
        )
        db = Database.from_url(url)
        stack.push_async_callback(db.close)
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), timeout=30
            )
        )
        twilio = sandbox_twilio(http)
        sid = (await file_request(twilio, sandbox, NUMBERS)).request_sid
        await twilio.set_webhook_configuration(f"{PUBLIC_URL}/twilio/porting")
        await sandbox.advance(timedelta(hours=10))  # signed: both bots adopt it
        await _settle(db)
        async with db.session() as s:  # the board's choice of profile
            await s.exec(
                update(RequestState)
                .where(RequestState.request_sid == sid)  # type: ignore[arg-type]
                .values(golive_profile="standard")
            )
            await s.commit()

        await sandbox.run_until_settled()  # ported: both hear it
        await _settle(db)

        async def all_live() -> bool:
            async with db.session() as s:
                rows = (await s.exec(select(NumberLive.state))).all()
            return sorted(rows) == ["live"] * len(NUMBERS) and await _quiet(db)

        await _until(all_live, "every number live")

        async def swept_in() -> bool:
            async with db.session() as s:
                rows = (await s.exec(select(AccountNumber.phone_number))).all()
            return len(rows) == len(NUMBERS)

        await _until(swept_in, "a sweep found the numbers")
        sandbox.port_away(LEAVING)

        async def announced() -> bool:
            alerts = [m for m in fake_slack.messages if "has left the account" in m["text"]]
            return len(alerts) >= 2 and await _quiet(db)

        await _until(announced, "the departure announced")
        async with db.session() as s:
            seen = (await s.exec(select(WorkerLease.done_at))).one()

        async def two_more_sweeps() -> bool:
            async with db.session() as s:
                done = (await s.exec(select(WorkerLease.done_at))).one()
            return done is not None and seen is not None and done >= seen + timedelta(seconds=9)

        await _until(two_more_sweeps, "two more sweeps")
        await _settle(db)

    inventory = sandbox.state.inventory
    assert inventory.updates == len(NUMBERS), "each number set up once"
    live = [m for m in fake_slack.messages if "numbers live" in m["text"]]
    assert len(live) == 1 and live[0]["text"].startswith("✅ 3 numbers live")
    alerts = [m for m in fake_slack.messages if "has left the account" in m["text"]]
    in_channel = [m for m in alerts if m.get("thread_ts", m["ts"]) == m["ts"]]
    in_thread = [m for m in alerts if m.get("thread_ts", m["ts"]) != m["ts"]]
    assert len(in_channel) == 1 and len(in_thread) == 1, "announced once, in both places"
    assert all(m["channel"] == CHANNEL for m in alerts)


async def _quiet(db: Database) -> bool:
    from bot.store.models import GoLiveRun, OutboxItem

    async with db.session() as s:
        pending = (
            await s.exec(select(OutboxItem.id).where(OutboxItem.status == "pending"))
        ).first()
        running = (
            await s.exec(
                select(GoLiveRun.request_sid).where(
                    col(GoLiveRun.due_at).is_not(None) | col(GoLiveRun.lease_owner).is_not(None)
                )
            )
        ).first()
    return pending is None and running is None
