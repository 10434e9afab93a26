"""A big port-in through its whole lifecycle: how many Slack messages, and nothing lost (the
driver behind ``tests/test_big_request.py`` and ``bench/lifecycle.py``).

The bot runs in this process (the real app, fake Slack on a local port, the stepped sandbox
delivering signed webhooks, some duplicated and out of order). Simulated time moves one due
step at a time with a real pause between steps, as hours pass between a carrier's answers.

Checks: every number's final status in the bot's database equals the sandbox's; every number
change is announced exactly once and never backwards; Slack never gets two writes to a
channel within one second.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlmodel import select

from bot.porting.statuses import NUMBER_RANK, NumberStatus, number_status
from bot.sandbox import SANDBOX_AUTH_TOKEN, Sandbox, SandboxConfig
from bot.server import PortingApp, create_app
from bot.settings import Settings
from bot.store.models import NumberState, OutboxItem
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET
from tests.helpers import file_request

CHANNEL = "CLIFECYCLE"
PUBLIC_URL = "http://bot.bench"
# Carrier rejections with four different reasons, so the thread shows grouped fixes.
REJECTED = ["+14155550153", "+14155550154", "+14155550155", "+14155550156"]


@dataclass
class Result:
    numbers: int
    webhooks: int
    duplicates: int
    messages: int  # thread root, replies and CSV files: what people see appear
    replies: int
    files: int
    board_edits: int
    seconds: float
    lost: list[str] = field(default_factory=list)  # numbers whose final status differs
    announced_twice: list[tuple[str, str]] = field(default_factory=list)
    unannounced: list[tuple[str, str]] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)
    busiest_second: int = 0  # most writes to one channel within any 1 s window
    min_gap: float = 0.0  # shortest time between two writes to one channel


def _numbers(count: int) -> list[str]:
    return REJECTED + [f"+1212555{i:04d}" for i in range(count - len(REJECTED))]


def _writes(slack: FakeSlack) -> dict[str, list[float]]:
    """Times of every message post, file share and edit, per channel."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for call in slack.calls:
        if call.method in ("chat.postMessage", "chat.update"):
            by_channel[str(call.args.get("channel"))].append(call.received_at)
        elif call.method == "files.completeUploadExternal":
            by_channel[str(call.args.get("channel_id"))].append(call.received_at)
    return by_channel


async def _wait_quiet(app: PortingApp, timeout: float = 600) -> None:  # noqa: ASYNC109
    runtime = app.runtime
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            await runtime.reconciler.settled(runtime.settings.porting_coalesce_seconds)
            and await runtime.outbox.settled()
            and not await runtime.outbox.pending()
        ):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot did not finish its Slack work")


async def run(
    numbers: int = 1000,
    *,
    duplicate: float = 0.1,
    out_of_order: float = 0.1,
    window: float = 2.0,
    board: float = 5.0,
    pace: float = 1.0,
    step_pause: float | None = None,
    seed: int = 11,
) -> Result:
    step_pause = window + 1.0 if step_pause is None else step_pause
    started = time.monotonic()
    async with FakeSlack() as slack:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                _env_file=None,
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=slack.url,
                porting_sandbox=True,
                porting_channel=CHANNEL,
                porting_admins="*",
                twilio_auth_token=SANDBOX_AUTH_TOKEN,  # the sandbox below
                public_url=PUBLIC_URL,
                database_url=f"sqlite:///{tmp}/lifecycle.db",
                porting_coalesce_seconds=window,
                porting_board_seconds=board,
                slack_channel_write_seconds=pace,
                log_level="WARNING",
            )
            holder: dict[str, Any] = {}

            async def to_bot(scope: Any, receive: Any, send: Any) -> None:
                await holder["app"](scope, receive, send)

            config = SandboxConfig(
                start_time=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
                seed=seed,
                webhook_seed=seed,
                webhook_duplicate_probability=duplicate,
                webhook_out_of_order_probability=out_of_order,
            )
            transport = httpx.ASGITransport(app=to_bot)
            async with httpx.AsyncClient(transport=transport, timeout=60) as http:
                sandbox = Sandbox(config, http_client=http)
                app = create_app(settings, sandbox=sandbox)
                holder["app"] = app
                async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
                    request = await file_request(app.runtime.twilio, sandbox, _numbers(numbers))
                    sid = request.request_sid
                    await app.runtime.desk.follow(sid)  # as /port-in does after filing
                    while (due := sandbox.state.next_due()) is not None:
                        await sandbox.advance_to(due)
                        await asyncio.sleep(step_pause)
                    await _wait_quiet(app)
                    result = await _measure(app, slack, sandbox, sid, numbers)
    result.seconds = time.monotonic() - started
    return result


async def _measure(
    app: PortingApp, slack: FakeSlack, sandbox: Sandbox, sid: str, count: int
) -> Result:
    posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    files = [c for c in slack.calls_to("files.completeUploadExternal") if c.ok]
    edits = [c for c in slack.calls_to("chat.update") if c.ok]
    deliveries = list(sandbox.deliveries)
    result = Result(
        numbers=count,
        webhooks=len(deliveries),
        duplicates=sum(d.duplicate for d in deliveries),
        messages=len(posts) + len(files),
        replies=sum(1 for c in posts if c.args.get("thread_ts")),
        files=len(files),
        board_edits=len(edits),
        seconds=0.0,
    )
    async with app.runtime.db.session() as s:
        stored = {n.number_sid: n for n in (await s.exec(select(NumberState))).all()}
        replies = (
            await s.exec(
                select(OutboxItem)
                .where(OutboxItem.request_sid == sid, OutboxItem.kind == "reply")
                .order_by(OutboxItem.id)
            )
        ).all()
    truth = sandbox.request(sid).numbers
    result.lost = [n.phone_number for n in truth if stored[n.sid].status != n.status.value]

    # Every number change the sandbox made after filing, against every change announced.
    real = Counter(
        (e.number_sid, number_status(e.event.value).value)
        for e in sandbox.events
        if e.request_sid == sid and e.number_sid
    )
    announced: Counter[tuple[str, str]] = Counter()
    seen: dict[str, list[NumberStatus]] = defaultdict(list)
    for row in replies:
        for n in json.loads(row.payload)["numbers"]:
            status = n["port_in_phone_number_status"]
            announced[(n["number_sid"], status)] += 1
            seen[n["number_sid"]].append(NumberStatus(status))
    result.announced_twice = [k for k, v in announced.items() if v > 1]
    result.unannounced = [k for k in real if k not in announced]
    result.regressions = [
        sid_
        for sid_, statuses in seen.items()
        if any(NUMBER_RANK[b] < NUMBER_RANK[a] for a, b in itertools.pairwise(statuses))
    ]
    for times in _writes(slack).values():
        times.sort()
        gaps = [b - a for a, b in itertools.pairwise(times)]
        result.min_gap = min([result.min_gap or 1e9, *gaps])
        j = 0
        for i, t in enumerate(times):
            while t - times[j] >= 1.0:
                j += 1
            result.busiest_second = max(result.busiest_second, i - j + 1)
    return result


def report(r: Result) -> str:
    return (
        f"{r.numbers:,} numbers, {r.webhooks:,} webhooks ({r.duplicates} duplicates): "
        f"{r.messages} Slack messages ({r.replies} replies, {r.files} CSV files, 1 root), "
        f"{r.board_edits} board edits; lost {len(r.lost)}, announced twice "
        f"{len(r.announced_twice)}, unannounced {len(r.unannounced)}, regressions "
        f"{len(r.regressions)}; busiest second per channel {r.busiest_second} write(s), "
        f"shortest gap {r.min_gap:.2f} s; {r.seconds:.0f} s wall"
    )
