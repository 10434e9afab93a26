"""Two real `python -m bot` processes on one PostgreSQL and one sandbox, every Twilio webhook
delivered to both within milliseconds (as Twilio's retry after a slow first answer lands on the
other instance), both reconcilers and both outbox workers running: each request gets exactly
one thread root (its one status board) and each change one reply.

Slack pacing is real and the Slack lease (2 s) is shorter than the channel's queue, so
deliveries wait for their turn longer than their lease, as in production behind a long queue, a
Slack ``Retry-After`` or a stalled process: a race that is rare there happens in every run here.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import or_, select

from bot.porting.client import TwilioPortingClient
from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)
from bot.store.db import Database
from bot.store.models import OutboxItem, RequestSync
from bot.store.poll_schedule import DISCOVERY
from tests.conftest import SANDBOX_START
from tests.fakes.slack_api import FakeSlack
from tests.helpers import file_request
from tests.pg import fresh_database
from tests.procs import bot_env, free_port, served, start_bots

CHANNEL = "CMULTIPROC"
PUBLIC_URL = "http://bot.multiproc.test"  # both instances sit behind it; Twilio signs it


class BothInstances(httpx.AsyncBaseTransport):
    """Delivers each request to every instance at once and answers with the first's answer."""

    def __init__(self) -> None:
        self.bases: list[str] = []
        self.http = httpx.AsyncClient(timeout=30)
        self.answers: Counter[tuple[str, int]] = Counter()  # (instance, HTTP status)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        path = request.url.raw_path.decode()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        answers = await asyncio.gather(
            *(self.http.post(base + path, content=body, headers=headers) for base in self.bases)
        )
        self.answers.update(zip(self.bases, (a.status_code for a in answers), strict=True))
        first = answers[0]
        return httpx.Response(first.status_code, content=first.content)

    async def aclose(self) -> None:
        await self.http.aclose()


async def _settled(db: Database) -> bool:
    """Nothing due to be fetched soon, no fetch in flight, no Slack work pending."""
    soon = datetime.now(UTC) + timedelta(seconds=1)
    async with db.session() as s:
        fetching = (
            await s.exec(
                select(RequestSync.request_sid).where(
                    RequestSync.request_sid != DISCOVERY,
                    or_(RequestSync.due_at <= soon, RequestSync.lease_owner.is_not(None)),
                )
            )
        ).first()
        sending = (
            await s.exec(select(OutboxItem.id).where(OutboxItem.status == "pending"))
        ).first()
    return fetching is None and sending is None


async def _settle(db: Database) -> None:
    for _ in range(1200):
        if await _settled(db) and await _settled(db):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the two processes did not settle")


@asynccontextmanager
async def two_processes(
    slack: FakeSlack, sandbox: Sandbox, database_url: str, cwd: str, **extra: str
) -> AsyncIterator[list[str]]:
    """Two bots against one sandbox (served here over HTTP) and one database (``extra``: more
    settings for both)."""
    async with AsyncExitStack() as stack:
        twilio_url = await stack.enter_async_context(served(create_sandbox_app(sandbox)))
        ports = [free_port(), free_port()]
        env = {
            "PORTING_SANDBOX": "false",
            "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
            "TWILIO_NUMBERS_URL": twilio_url,
            "TWILIO_UPLOAD_URL": twilio_url,
            "TWILIO_API_URL": twilio_url,
            "TWILIO_MESSAGING_URL": twilio_url,
            "PUBLIC_URL": PUBLIC_URL,
            "DATABASE_URL": database_url,
            "PORTING_CHANNEL": CHANNEL,
            "PORTING_RECONCILE_SECONDS": "10",
            "PORTING_COALESCE_SECONDS": "0.2",
            "PORTING_BOARD_SECONDS": "0.3",
            "SLACK_CHANNEL_WRITE_SECONDS": "0.25",
            "SLACK_OUTBOX_LEASE_SECONDS": "2",
            **extra,
        }
        # Both start at once: one migrates, the other waits for it (advisory lock).
        yield await start_bots(stack, [bot_env(slack, port, **env) for port in ports], Path(cwd))


def _key(message: dict[str, Any]) -> str | None:
    return ((message.get("metadata") or {}).get("event_payload") or {}).get("key")


async def test_two_processes_receiving_every_webhook_post_each_root_and_change_once(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    both = BothInstances()
    to_bots = httpx.AsyncClient(transport=both, timeout=30)
    sandbox = Sandbox(SandboxConfig(start_time=SANDBOX_START, seed=17), http_client=to_bots)
    async with fresh_database() as url, AsyncExitStack() as stack:
        stack.push_async_callback(to_bots.aclose)
        stack.push_async_callback(sandbox.aclose)
        both.bases = await stack.enter_async_context(
            two_processes(fake_slack, sandbox, url, str(tmp_path))
        )
        db = Database.from_url(url)
        stack.push_async_callback(db.close)

        # Filed elsewhere (the Console): the bots hear of them first from Twilio's webhooks.
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), timeout=30
            )
        )
        twilio = TwilioPortingClient(
            http,
            numbers_url="http://sandbox.local",
            upload_url="http://sandbox.local",
            credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            account_sid=SANDBOX_ACCOUNT_SID,
        )
        sids = []
        for k in range(6):
            numbers = [f"+1212555{k:02d}{j:02d}" for j in range(3)] + [f"+141555501{50 + k}"]
            sids.append((await file_request(twilio, sandbox, numbers)).request_sid)
        await twilio.set_webhook_configuration(f"{PUBLIC_URL}/twilio/porting")

        await sandbox.advance(timedelta(hours=10))  # LOA signed: PortInInProgress, to both
        await _settle(db)
        await sandbox.advance(timedelta(days=2))  # the carriers answer: pending, rejected
        await _settle(db)
        await sandbox.run_until_settled()  # ported
        await _settle(db)

        async with db.session() as s:
            items = (await s.exec(select(OutboxItem))).scalars().all()

    assert set(both.answers) == {(base, 200) for base in both.bases}, "both took every webhook"
    assert min(both.answers.values()) > 50
    channel = [m for m in fake_slack.messages if m["channel"] == CHANNEL]
    # As in Slack, a thread's parent carries thread_ts too (its own ts) once it has replies.
    roots = [m for m in channel if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert Counter(_key(m) for m in roots) == {f"root:{sid}": 1 for sid in sids}, (
        "one root (the request's status board) per request"
    )
    board = {_key(m)[len("root:") :]: m for m in roots}  # type: ignore[index]
    edited = {c.args["ts"] for c in fake_slack.calls_to("chat.update") if c.ok}
    assert edited == {m["ts"] for m in roots}, "board edits went to the roots, and only there"
    for sid, message in board.items():
        assert message["text"].endswith(sandbox.request(sid).status.label), "board up to date"

    keys = [_key(m) for m in channel]
    assert len(keys) == len(set(keys)), "no message posted twice"
    assert sorted(keys) == sorted(i.key for i in items if i.kind in ("root", "reply"))
    assert all(i.status == "done" for i in items)
    announced = Counter(
        (n["number_sid"], n["port_in_phone_number_status"])
        for i in items
        if i.kind == "reply"
        for n in json.loads(i.payload)["numbers"]
    )
    assert announced and max(announced.values()) == 1, "each change announced once"
    replies = [m for m in channel if m.get("thread_ts", m["ts"]) != m["ts"]]
    assert {m["thread_ts"] for m in replies} <= set(edited), "replies went into the threads"
