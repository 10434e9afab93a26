"""The bot's runtime: every long-lived object of one process, built once at start-up by
:func:`open_runtime` (the server's lifespan) and handed explicitly to routes and workers.

Who calls whom is fixed here, at construction (no setters, nothing assigned afterwards): the
webhook inbox wakes the reconciler, the reconciler syncs through the desk's ``Requests``, the
desk fills the outbox (through its ``OutboxDoor``), the outbox delivers through the
``SlackDeliverer`` (``bot.slack.delivery``). Each hand-off is a typed protocol defined next to
its consumer (``webhooks.Poller``, ``reconcile.Syncer``/``Discoverer``, ``outbox.Deliverer``),
so following a webhook to Slack is go-to-definition all the way.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.background import Tasks
from bot.desk import Desk, SyncPolicy
from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy
from bot.looplag import LoopLag
from bot.outbox import Outbox, OutboxDoor
from bot.porting.client import TwilioPortingClient
from bot.reconcile import Reconciler
from bot.settings import Settings
from bot.slack.app import build_bolt_app
from bot.slack.counted import CountedWebClient, retry_handlers
from bot.slack.delivery.deliverer import SlackDeliverer
from bot.slack.delivery.poster import Poster
from bot.slack.delivery.sources import Sources
from bot.slack.deps import Downloader, SlackDeps
from bot.slack.files import FileHosts, file_downloader
from bot.slack.inbound import SlackDoor
from bot.slack.pacing import ChannelPacer
from bot.store.db import Database, check_schema, migrate
from bot.store.models import utcnow
from bot.store.pace import shared_pace
from bot.store.peek import Peeker
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
    twilio_http, twilio = _twilio(settings, http, sandbox)
    slack_session = aiohttp.ClientSession()
    slack = slack_client(settings, slack_session)
    download = _downloader(settings, http)  # Slack files, with the bot token
    door = OutboxDoor(db)  # the desk queues and waits through it; the worker shares its wakeup
    desk = _desk(settings, twilio, db, door, sandbox, own_sandbox=own_sandbox, local=workspace)
    # The webhook writer's own driver connection; it also answers the polling workers' idle
    # peeks (bot.store.peek). Closed last of the three (_stop).
    receipts = receipt_writer(db.url)
    pacer, deliverer, slack_outbox = _slack_outbox(
        settings, db, door, slack_session, desk, download, receipts
    )
    reconciler = Reconciler(
        db,
        desk.requests,
        interval=settings.porting_reconcile_seconds,
        window=settings.porting_coalesce_seconds,
        discoverer=desk.requests,
        peeker=receipts,
    )
    bolt = _bolt(settings, slack, desk, download, tasks)
    slack_handler = SlackDoor(bolt, settings.slack_signing_secret)
    socket = await _socket(settings, bolt)
    if sandbox is not None:
        await twilio.set_webhook_configuration(settings.webhook_url)
        if own_sandbox:
            sandbox.start()  # a real-time demo: at a person's pace, or on a fast clock
    inbox = Inbox(
        receipts,
        db,
        window=settings.porting_coalesce_seconds,
        poller=reconciler,
    )
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


def _slack_outbox(
    settings: Settings,
    db: Database,
    door: OutboxDoor,
    slack_session: aiohttp.ClientSession,
    desk: Desk,
    download: Downloader,
    peeker: Peeker,
) -> tuple[ChannelPacer, SlackDeliverer, Outbox]:
    """The outbox's worker: one pacer, one poster (no retries of its own: the outbox retries),
    the sources its handlers read."""
    pacer = ChannelPacer(
        settings.slack_channel_write_seconds,
        # Several processes share a PostgreSQL (SQLite serves one): share the slots.
        shared=shared_pace(db),
    )
    deliverer = SlackDeliverer(
        Poster(slack_client(settings, slack_session, retries=False), pacer),
        Sources(
            db,
            # Timed work and a manual port's thread are decided on the desk's clock; a manual
            # port's documents are copied from Slack into its thread.
            desk_day=desk.day,
            manual=desk.manual,
            download=download,
        ),
    )
    slack_outbox = Outbox(
        db,
        deliverer,
        wakeup=door.wakeup,
        lease_seconds=settings.slack_outbox_lease_seconds,
        peeker=peeker,
    )
    return pacer, deliverer, slack_outbox


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


def _twilio(
    settings: Settings, http: httpx.AsyncClient, sandbox: Sandbox | None
) -> tuple[httpx.AsyncClient, TwilioPortingClient]:
    twilio_http = http
    numbers_url, upload_url = settings.twilio_numbers_url, settings.twilio_upload_url
    api_url, messaging_url = settings.twilio_api_url, settings.twilio_messaging_url
    if sandbox is not None:
        from bot.sandbox import create_sandbox_app

        # The bot talks HTTP to the simulator in-process; the sandbox reaches the bot's
        # webhook route over loopback like Twilio would over the internet.
        twilio_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)),
            timeout=settings.twilio_timeout_seconds,
        )
        numbers_url = upload_url = api_url = messaging_url = "http://sandbox.local"
    client = TwilioPortingClient(
        twilio_http,
        numbers_url=numbers_url,
        upload_url=upload_url,
        api_url=api_url,
        messaging_url=messaging_url,
        credentials=settings.twilio_credentials,
        timeout=settings.twilio_timeout_seconds,
        account_sid=settings.account_sid,
    )
    return twilio_http, client


def _desk(
    settings: Settings,
    twilio: TwilioPortingClient,
    db: Database,
    door: OutboxDoor,
    sandbox: Sandbox | None,
    *,
    own_sandbox: bool,
    local: LocalWorkspace | None,
) -> Desk:
    day_seconds = settings.porting_desk_day_seconds
    fast = own_sandbox and not settings.sandbox_person_paced
    rate = 1.0  # the desk's clock's seconds per real second
    if fast and settings.porting_desk_clock is None:
        # The demo's clock runs PORTING_SANDBOX_SPEED times faster: look about every
        # simulated half hour, or whole working days would pass between two looks.
        day_seconds = max(0.2, min(day_seconds, 1800 / settings.sandbox_speed))
        rate = settings.sandbox_speed
    desk = Desk(
        twilio,
        db,
        porting_channel=settings.porting_channel or "",
        check_concurrency=settings.porting_check_concurrency,
        slack_outbox=door,
        policy=SyncPolicy(
            poll_seconds=settings.porting_reconcile_seconds,
            window_seconds=settings.porting_coalesce_seconds,
            board_seconds=settings.porting_board_seconds,
        ),
        desk_policy=DeskPolicy.from_settings(settings),
        calendar=BusinessCalendar(settings.desk_timezone),
        clock=_desk_clock(settings, sandbox),
        day_poll_seconds=day_seconds,
        # A person reads the local workspace's channel: one digest a real day, more on demand.
        one_digest_a_real_day=local is not None,
        profiles=settings.profiles(),
        golive_retry=timedelta(seconds=settings.porting_golive_retry_seconds),
        inventory_seconds=settings.porting_inventory_seconds,
    )
    desk.day.rate = rate  # outbox waits for a moment on the desk's clock, in real seconds
    return desk


def _desk_clock(settings: Settings, sandbox: Sandbox | None) -> Callable[[], datetime]:
    """The desk's clock: PORTING_DESK_CLOCK's moment running on, else the sandbox's (its day
    runs at sandbox speed), else the system's."""
    start = settings.porting_desk_clock
    if start is not None:
        offset = start - utcnow()
        return lambda: utcnow() + offset
    if sandbox is not None:
        return lambda: sandbox.now
    return utcnow


def _downloader(settings: Settings, http: httpx.AsyncClient) -> Downloader:
    """Slack files with the bot token, only from Slack's file host or SLACK_API_URL's."""
    return file_downloader(http, settings.slack_bot_token, FileHosts(settings.slack_api_url))


def _bolt(
    settings: Settings, slack: AsyncWebClient, desk: Desk, download: Downloader, tasks: Tasks
) -> AsyncApp:
    deps = SlackDeps(
        requests=desk.requests,
        checks=desk.checks,
        filing=desk.filing,
        cancels=desk.cancels,
        signing=desk.signing,
        refiles=desk.refiles,
        listings=desk.listings,
        manual=desk.manual,
        day=desk.day,
        golive=desk.golive,
        profiles=desk.profiles,
        inventory=desk.inventory,
        liveness=desk.liveness,
        calendar=desk.calendar,
        clock=desk.clock,
        download=download,
        porting_channel=settings.porting_channel or "",
        tasks=tasks,
        admins=settings.admin_ids,
        files=FileHosts(settings.slack_api_url),
    )
    return build_bolt_app(slack, settings.slack_signing_secret, deps)


async def _socket(settings: Settings, bolt: AsyncApp) -> AsyncSocketModeHandler | None:
    if not settings.socket_mode:
        return None
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
    await socket.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt
    return socket


def slack_client(
    settings: Settings, session: aiohttp.ClientSession, *, retries: bool = True
) -> AsyncWebClient:
    """The Web API client. ``retries=False`` for the outbox: it retries itself, after checking
    whether a failed-looking post reached Slack (a blind retry could post twice)."""
    base_url = f"{settings.slack_api_url}/api/" if settings.slack_api_url else None
    kwargs: dict[str, Any] = {"base_url": base_url} if base_url else {}
    return CountedWebClient(
        token=settings.slack_bot_token,
        session=session,
        timeout=30,
        retry_handlers=retry_handlers() if retries else [],
        **kwargs,
    )
