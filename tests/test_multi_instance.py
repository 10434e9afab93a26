"""Two bot processes on one PostgreSQL behind one webhook URL: every change is fetched,
stored and posted exactly once, whichever instance got the webhook."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlmodel import select

from bot.sandbox import Sandbox, SandboxConfig
from bot.server import PortingApp, create_app
from bot.store.models import NumberState, OutboxItem
from tests.conftest import SANDBOX_START, make_settings
from tests.fakes.slack_api import FakeSlack
from tests.helpers import file_request
from tests.pg import fresh_database

NUMBERS = [f"+1212555{i:04d}" for i in range(60)] + ["+14155550155", "+14155550153"]


class Balancer:
    """Sends each webhook to one of the instances at random, like a load balancer."""

    def __init__(self) -> None:
        self.apps: list[PortingApp] = []
        self.rng = random.Random(3)
        self.hits: Counter[int] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        index = self.rng.randrange(len(self.apps))
        self.hits[index] += 1
        await self.apps[index](scope, receive, send)


async def _settled(apps: list[PortingApp]) -> bool:
    for app in apps:
        runtime = app.runtime
        if not (await runtime.reconciler.settled() and await runtime.outbox.settled()):
            return False
    return True


async def _settle(apps: list[PortingApp]) -> None:
    for _ in range(3000):
        for app in apps:
            app.runtime.reconciler.wakeup.set()
            app.runtime.outbox.wakeup.set()
        await asyncio.sleep(0.01)
        if await _settled(apps) and await _settled(apps):
            return
    raise AssertionError("the instances did not settle")


@asynccontextmanager
async def two_instances(
    fake_slack: FakeSlack, tmp_path: Any, url: str, **settings: Any
) -> AsyncIterator[tuple[Balancer, Sandbox]]:
    """Two bot instances on one PostgreSQL, the sandbox's webhooks balanced between them."""
    async with AsyncExitStack() as stack:
        balancer = Balancer()
        to_bots = httpx.AsyncClient(transport=httpx.ASGITransport(app=balancer), timeout=30)
        stack.push_async_callback(to_bots.aclose)
        config = SandboxConfig(
            start_time=SANDBOX_START,
            seed=5,
            webhook_duplicate_probability=0.3,
            webhook_out_of_order_probability=0.3,
        )
        sandbox = Sandbox(config, http_client=to_bots)
        for _ in range(2):
            app = create_app(
                make_settings(fake_slack, tmp_path, database_url=url, **settings), sandbox=sandbox
            )
            balancer.apps.append(app)
        # Both start at once: one migrates, the other waits for it (advisory lock).
        await asyncio.gather(
            *(stack.enter_async_context(LifespanManager(a)) for a in balancer.apps)
        )
        yield balancer, sandbox


async def test_two_instances_on_postgresql_deliver_each_change_once(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    async with (
        fresh_database() as url,
        two_instances(fake_slack, tmp_path, url) as (
            balancer,
            sandbox,
        ),
    ):
        delivered: list[Counter[str]] = []
        for app in balancer.apps:
            counts: Counter[str] = Counter()
            delivered.append(counts)
            real = app.runtime.deliverer.deliver

            async def counting(item: Any, real: Any = real, counts: Counter[str] = counts) -> Any:
                counts[item.kind] += 1
                return await real(item)

            app.runtime.outbox.deliverer = counting_deliverer(counting)
        first = balancer.apps[0]
        assert all(a.runtime.pacer.shared for a in balancer.apps), "slots are shared"
        request = await file_request(first.runtime.twilio, sandbox, NUMBERS)
        await first.runtime.desk.follow(request.request_sid)
        while (due := sandbox.state.next_due()) is not None:
            await sandbox.advance_to(due)
            await _settle(balancer.apps)

        assert min(balancer.hits.values()) > 50, "both instances took webhooks"
        assert all(sum(c.values()) for c in delivered), "both instances delivered Slack work"
        posts = [c for c in fake_slack.calls_to("chat.postMessage") if c.ok]
        keys = [c.args["metadata"]["event_payload"]["key"] for c in posts]
        assert len(keys) == len(set(keys)), "no message posted twice"
        async with first.runtime.db.session() as s:
            items = (await s.exec(select(OutboxItem))).all()
            stored = {n.number_sid: n.status for n in (await s.exec(select(NumberState))).all()}
        assert all(i.status == "done" for i in items)
        assert sorted(keys) == sorted(i.key for i in items if i.kind in ("root", "reply"))
        truth = {n.sid: n.status.value for n in sandbox.request(request.request_sid).numbers}
        assert stored == truth
        announced = Counter(
            (n["number_sid"], n["port_in_phone_number_status"])
            for i in items
            if i.kind == "reply"
            for n in json.loads(i.payload)["numbers"]
        )
        assert announced and max(announced.values()) == 1, "each change announced once"


class counting_deliverer:
    def __init__(self, deliver: Any) -> None:
        self.deliver = deliver
