"""The desk on its own: a stepped sandbox behind the real Twilio client, a fresh migrated SQLite
database, and an outbox that is never
started (so the Slack work the desk queues stays in the outbox table for the test to read).

No Slack, no Bolt app, no reconciler: each test calls ``Desk``'s methods and looks at what they
return, the tables, the outbox rows and the sandbox.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlmodel import SQLModel, col, select
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.desk import Desk, SyncPolicy
from bot.outbox import Delivered, Item, Outbox
from bot.porting.client import TwilioPortingClient
from bot.porting.models import PortInRequest
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox, SandboxConfig
from bot.store.db import Database, migrate
from bot.store.models import OutboxItem
from tests.bodies import ACCOUNT_NUMBER, PIN
from tests.helpers import file_request

PORTING_CHANNEL = "CPORTING"
START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # a Monday
M = TypeVar("M", bound=SQLModel)


@dataclass
class Call:
    method: str
    path: str


class RecordingApp:
    """The sandbox's ASGI app, noting every Twilio API call it is sent (what Twilio saw)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: list[Call] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            self.calls.append(Call(scope["method"], scope["path"]))
        await self.app(scope, receive, send)


class NeverDelivers:
    """The outbox's deliverer; the outbox is never started, so nothing reaches it."""

    async def deliver(self, item: Item) -> Delivered:
        raise AssertionError(f"the desk tests deliver nothing ({item.key})")


@dataclass
class Harness:
    desk: Desk
    sandbox: Sandbox
    twilio: TwilioPortingClient
    db: Database
    twilio_calls: list[Call]
    desk_sleeps: list[float]  # the waits the desk asked for (none is real)
    client_sleeps: list[float]  # the client's own retry waits (none is real)

    def another_desk(self) -> Desk:
        """A second desk on the same database and Twilio account: another bot process."""
        return make_desk(self.twilio, self.db, self.desk_sleeps)

    async def rows(self, model: type[M], *where: Any) -> list[M]:
        async with self.db.session() as s:
            return list((await s.exec(select(model).where(*where))).all())

    async def outbox(self, *kinds: str) -> list[OutboxItem]:
        """The queued Slack work, oldest first (``kinds`` to pick some)."""
        where = [col(OutboxItem.kind).in_(kinds)] if kinds else []
        async with self.db.session() as s:
            found = await s.exec(select(OutboxItem).where(*where).order_by(col(OutboxItem.id)))
            return list(found.all())

    async def file_in_sandbox(self, numbers: list[str]) -> PortInRequest:
        """A request filed straight at Twilio (the Console, say): the desk knows nothing of it."""
        return await file_request(self.twilio, self.sandbox, numbers)

    async def step(self) -> None:
        """Run the sandbox to its next scheduled change (review, carrier answer, port date)."""
        due = self.sandbox.state.next_due()
        assert due is not None, "the sandbox has nothing left to do"
        await self.sandbox.advance_to(due)

    async def table_text(self) -> str:
        """Every row of every table, as text (to look for secrets)."""
        out: list[str] = []
        async with self.db.engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                for row in (await conn.execute(table.select())).all():
                    out.append(json.dumps([str(v) for v in row]))
        return "\n".join(out)


def payload(item: OutboxItem) -> dict[str, Any]:
    return json.loads(item.payload)


def changed(item: OutboxItem) -> dict[str, str]:
    """A reply's changed numbers: E.164 → new status."""
    return {n["phone_number"]: n["port_in_phone_number_status"] for n in payload(item)["numbers"]}


SECRETS = (PIN, ACCOUNT_NUMBER)


def make_desk(
    twilio: TwilioPortingClient,
    db: Database,
    sleeps: list[float],
    **options: Any,
) -> Desk:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    return Desk(
        twilio,
        db,
        porting_channel=PORTING_CHANNEL,
        sleep=sleep,
        slack_outbox=Outbox(db, NeverDelivers()),
        # Nobody delivers the root a filing queues: do not wait for Slack to confirm it.
        policy=SyncPolicy(thread_wait_seconds=0.0),
        **options,
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head; each test gets a copy (migrating costs ~0.1 s)."""
    path = tmp_path_factory.mktemp("desk-template") / "desk.db"

    async def build() -> None:
        db = Database.from_url(f"sqlite:///{path}")
        await migrate(db.engine)
        await db.close()

    asyncio.run(build())
    return path


async def _yield(seconds: float) -> None:
    await asyncio.sleep(0)


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness(migrated_template: Path, tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    """Builds harnesses: ``await make_harness(config, **desk_options)``."""
    async with AsyncExitStack() as stack:

        async def make(config: SandboxConfig | None = None, **desk_options: Any) -> Harness:
            # The sandbox's injected latency only lets other calls run: no real waiting.
            sandbox = Sandbox(config or SandboxConfig(start_time=START, seed=11), sleep=_yield)
            stack.push_async_callback(sandbox.aclose)
            app = RecordingApp(sandbox.app)
            client_sleeps: list[float] = []

            async def client_sleep(seconds: float) -> None:
                client_sleeps.append(seconds)
                await asyncio.sleep(0)

            path = tmp_path / f"desk-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(migrated_template, path)
            db = Database.from_url(f"sqlite:///{path}")
            stack.push_async_callback(db.close)
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=30)
            stack.push_async_callback(http.aclose)
            # Wired as bot/runtime.py wires the sandboxed client.
            twilio = TwilioPortingClient(
                http,
                numbers_url="http://sandbox.local",
                upload_url="http://sandbox.local",
                credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
                account_sid=SANDBOX_ACCOUNT_SID,
                sleep=client_sleep,
            )
            desk_sleeps: list[float] = []
            desk = make_desk(twilio, db, desk_sleeps, **desk_options)
            return Harness(desk, sandbox, twilio, db, app.calls, desk_sleeps, client_sleeps)

        yield make


@pytest.fixture
async def harness(make_harness: HarnessFactory) -> Harness:
    return await make_harness()
