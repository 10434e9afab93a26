"""How each long-lived object of a process is built from the settings (nothing here starts,
connects or opens anything: :mod:`bot.runtime` does, in order).

It is the one place that says which object fills each protocol: the desk's ``Requests`` is the
reconciler's ``Syncer`` and ``Discoverer``, the ``SlackDeliverer`` the outbox's ``Deliverer``,
the desk's services the Slack listeners' ``SlackDeps``; everything is handed over in
constructors.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Tasks
from bot.desk import Desk, SyncPolicy
from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy
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
from bot.slack.pacing import ChannelPacer
from bot.store.db import Database
from bot.store.models import utcnow
from bot.store.pace import shared_pace
from bot.store.peek import Peeker
from bot.store.receipts import ReceiptWriter
from bot.webhooks import Inbox

if TYPE_CHECKING:
    from bot.sandbox import Sandbox
    from bot.workspace.local import LocalWorkspace


def twilio_client(
    settings: Settings, http: httpx.AsyncClient, sandbox: Sandbox | None
) -> tuple[httpx.AsyncClient, TwilioPortingClient]:
    """The Twilio client and the httpx client it calls through: ``http``, or with a sandbox
    an in-process transport to it."""
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


def porting_desk(
    settings: Settings,
    twilio: TwilioPortingClient,
    db: Database,
    door: OutboxDoor,
    sandbox: Sandbox | None,
    *,
    own_sandbox: bool,
    local: LocalWorkspace | None,
) -> Desk:
    """The desk's services over the Twilio client and the database, on the desk's clock."""
    day_seconds = settings.porting_desk_day_seconds
    fast = own_sandbox and not settings.sandbox_person_paced
    rate = 1.0  # the desk's clock's seconds per real second
    if fast and settings.porting_desk_clock is None:
        # The demo's clock runs PORTING_SANDBOX_SPEED times faster: look about every
        # simulated half hour, or whole working days would pass between two looks.
        day_seconds = max(0.2, min(day_seconds, 1800 / settings.sandbox_speed))
        rate = settings.sandbox_speed
    return Desk(
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
        clock=desk_clock(settings, sandbox),
        day_poll_seconds=day_seconds,
        # A person reads the local workspace's channel: one digest a real day, more on demand.
        one_digest_a_real_day=local is not None,
        profiles=settings.profiles(),
        golive_retry=timedelta(seconds=settings.porting_golive_retry_seconds),
        inventory_seconds=settings.porting_inventory_seconds,
        clock_rate=rate,  # outbox waits for a moment on the desk's clock, in real seconds
    )


def desk_clock(settings: Settings, sandbox: Sandbox | None) -> Callable[[], datetime]:
    """The desk's clock: PORTING_DESK_CLOCK's moment running on, else the sandbox's (its day
    runs at sandbox speed), else the system's."""
    start = settings.porting_desk_clock
    if start is not None:
        offset = start - utcnow()
        return lambda: utcnow() + offset
    if sandbox is not None:
        return lambda: sandbox.now
    return utcnow


def reconciler(settings: Settings, db: Database, desk: Desk, peeker: Peeker) -> Reconciler:
    """The reconciler: it fetches due requests through the desk's ``Requests`` (its ``Syncer``
    and ``Discoverer``), peeking through the webhook writer's connection when idle."""
    return Reconciler(
        db,
        desk.requests,
        interval=settings.porting_reconcile_seconds,
        window=settings.porting_coalesce_seconds,
        discoverer=desk.requests,
        peeker=peeker,
    )


def inbox(
    settings: Settings, db: Database, reconciler: Reconciler, receipts: ReceiptWriter
) -> Inbox:
    """The webhook inbox: receipts written straight through the driver (``receipts``), the
    reconciler woken (its ``Poller``)."""
    return Inbox(
        receipts,
        db,
        window=settings.porting_coalesce_seconds,
        poller=reconciler,
    )


def slack_outbox(
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


def downloader(settings: Settings, http: httpx.AsyncClient) -> Downloader:
    """Slack files with the bot token, only from Slack's file host or SLACK_API_URL's."""
    return file_downloader(http, settings.slack_bot_token, FileHosts(settings.slack_api_url))


def bolt_app(
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
