"""The bot's runtime: every long-lived object of one process, built once at start-up by
:func:`open_runtime` (the server's lifespan), handed explicitly to routes and workers, and
stopped in order when the process ends.

Who calls whom is fixed at construction (``bot.wiring``: no setters, nothing assigned
afterwards): the webhook inbox wakes the reconciler, the reconciler syncs through the desk's
``Requests``, the desk fills the outbox (through its ``OutboxDoor``), the outbox delivers
through the ``SlackDeliverer`` (``bot.slack.delivery``). Each hand-off is a typed protocol
defined next to its consumer (``webhooks.Poller``, ``reconcile.Syncer``/``Discoverer``,
``outbox.Deliverer``), so following a webhook to Slack is go-to-definition all the way. This
module opens what needs opening (the database, Socket Mode), starts the background loops and
stops everything again.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics, wiring
from bot.background import Tasks
from bot.desk import Desk
from bot.looplag import LoopLag
from bot.outbox import Outbox, OutboxDoor
from bot.porting.client import TwilioPortingClient
from bot.reconcile import Reconciler
from bot.settings import Settings
from bot.slack.delivery.deliverer import SlackDeliverer
from bot.slack.inbound import SlackDoor
from bot.slack.pacing import ChannelPacer
from bot.store.db import Database, check_schema, migrate
from bot.store.receipts import receipt_writer
from bot.webhooks import Inbox

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.sandbox import Sandbox
    from bot.workspace.local import LocalWorkspace

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """One process's long-lived objects, in the order :func:`open_runtime` builds them."""

    settings: Settings
    webhook_tokens: list[str]  # Twilio auth tokens a webhook signature may be made with
    tasks: Tasks  # post-ack work of the Slack listeners
    db: Database
    http: httpx.AsyncClient  # Slack file downloads (and Twilio's, unless sandboxed)
    twilio_http: httpx.AsyncClient  # ``http``, or an in-process transport to the sandbox
    twilio: TwilioPortingClient
    slack_session: aiohttp.ClientSession
    slack: AsyncWebClient  # listeners' client: retries rate limits, 5xx, connection errors
    desk: Desk
    pacer: ChannelPacer  # one write per channel per SLACK_CHANNEL_WRITE_SECONDS
    deliverer: SlackDeliverer  # the outbox's; its poster's client never retries blindly
    outbox: Outbox
    reconciler: Reconciler
    bolt: AsyncApp
    slack_handler: SlackDoor  # POST /slack/events
    socket: AsyncSocketModeHandler | None  # Socket Mode, when SLACK_APP_TOKEN is set
    sandbox: Sandbox | None
    inbox: Inbox  # POST /twilio/porting commits here
    loop_lag: LoopLag
    workspace: LocalWorkspace | None = None  # local mode: the Slack the bot talks to


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    sandbox: Sandbox | None = None,
    *,
    own_sandbox: bool = False,
    workspace: LocalWorkspace | None = None,
) -> AsyncIterator[Runtime]:
    """Build and start everything, yield it while the process serves, then shut it down.
    ``own_sandbox``: the sandbox is this process's demo, started and stopped with it.
    ``workspace``: local mode's stand-in for Slack (``settings.slack_api_url`` points at it)."""
    runtime = await _start(settings, sandbox, own_sandbox=own_sandbox, workspace=workspace)
    try:
        yield runtime
    finally:
        await _stop(runtime, own_sandbox=own_sandbox)


async def _start(
    settings: Settings,
    sandbox: Sandbox | None,
    *,
    own_sandbox: bool,
    workspace: LocalWorkspace | None,
) -> Runtime:
    tasks = Tasks()
    db = await _database(settings)
    http = httpx.AsyncClient(timeout=settings.twilio_timeout_seconds)
    twilio_http, twilio = wiring.twilio_client(settings, http, sandbox)
    slack_session = aiohttp.ClientSession()
    slack = wiring.slack_client(settings, slack_session)
    download = wiring.downloader(settings, http)  # Slack files, with the bot token
    door = OutboxDoor(db)  # the desk queues and waits through it; the worker shares its wakeup
    desk = wiring.porting_desk(
        settings, twilio, db, door, sandbox, own_sandbox=own_sandbox, local=workspace
    )
    # The webhook writer's own driver connection; it also answers the polling workers' idle
    # peeks (bot.store.peek). Closed last of the three (_stop).
    receipts = receipt_writer(db.url)
    pacer, deliverer, slack_outbox = wiring.slack_outbox(
        settings, db, door, slack_session, desk, download, receipts
    )
    reconciler = wiring.reconciler(settings, db, desk, receipts)
    bolt = wiring.bolt_app(settings, slack, desk, download, tasks)
    slack_handler = SlackDoor(bolt, settings.slack_signing_secret)
    socket = await _socket(settings, bolt)
    if sandbox is not None:
        await twilio.set_webhook_configuration(settings.webhook_url)
        if own_sandbox:
            sandbox.start()  # a real-time demo: at a person's pace, or on a fast clock
    inbox = wiring.inbox(settings, db, reconciler, receipts)
    await _begin(settings, reconciler, slack_outbox, desk, inbox)
    # Everything built so far lives as long as the process: move it out of the garbage
    # collector's reach, or each full collection walks it all (100+ ms pauses of the
    # loop under load, seen in bench/webhook_ingest.py's burst). No collection first: it
    # would cost every test that starts an app; the little startup garbage stays.
    gc.freeze()
    metrics.RECONCILE_INTERVAL.set(settings.porting_reconcile_seconds)
    loop_lag = LoopLag()  # from here on the loop serves: it must never block
    loop_lag.start()
    return Runtime(
        settings=settings,
        webhook_tokens=[settings.twilio_auth_token or ""],
        tasks=tasks,
        db=db,
        http=http,
        twilio_http=twilio_http,
        twilio=twilio,
        slack_session=slack_session,
        slack=slack,
        pacer=pacer,
        deliverer=deliverer,
        outbox=slack_outbox,
        desk=desk,
        reconciler=reconciler,
        bolt=bolt,
        slack_handler=slack_handler,
        socket=socket,
        sandbox=sandbox,
        inbox=inbox,
        loop_lag=loop_lag,
        workspace=workspace,
    )


async def _database(settings: Settings) -> Database:
    db = Database.from_url(settings.database_url)
    if settings.migrate_on_start:
        await migrate(db.engine)
    else:
        await check_schema(db.engine)
    return db


async def _begin(
    settings: Settings, reconciler: Reconciler, slack_outbox: Outbox, desk: Desk, inbox: Inbox
) -> None:
    """Start what runs in the background: polling, delivery, the desk's day, the inbox."""
    await reconciler.start()
    slack_outbox.start()
    if settings.porting_desk_day_seconds > 0:
        desk.day.start()
    desk.golive.start()
    desk.inventory.start()
    inbox.start()
    if not settings.public_url and not settings.porting_sandbox:
        log.warning(
            "PUBLIC_URL is not set: Twilio cannot deliver porting webhooks; requests are "
            "followed by polling every %.0f s",
            settings.porting_reconcile_seconds,
        )


async def _stop(runtime: Runtime, *, own_sandbox: bool) -> None:
    """Not quite the reverse of start-up: listeners' post-ack work drains while the outbox
    still delivers (a filing waits for its thread's root), and the database closes last but
    for the loop-lag monitor."""
    if runtime.workspace is not None:
        await runtime.workspace.aclose()  # ends the page's push streams
    if own_sandbox and runtime.sandbox is not None:
        await runtime.sandbox.stop()
    if runtime.socket is not None:
        await runtime.socket.close_async()  # type: ignore[no-untyped-call]  # slack_bolt
    await runtime.inbox.stop()
    await runtime.desk.day.stop()
    await runtime.desk.golive.stop()
    await runtime.desk.inventory.stop()
    await runtime.reconciler.stop()
    await runtime.tasks.drain()
    await runtime.outbox.stop()
    await runtime.inbox.writer.close()  # after the workers that peek through it
    await runtime.slack_session.close()
    if runtime.twilio_http is not runtime.http:
        await runtime.twilio_http.aclose()
    await runtime.http.aclose()
    await runtime.db.close()
    await runtime.loop_lag.stop()
    gc.unfreeze()  # tests build many apps in one process


async def _socket(settings: Settings, bolt: AsyncApp) -> AsyncSocketModeHandler | None:
    if not settings.socket_mode:
        return None
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
    await socket.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt
    return socket
