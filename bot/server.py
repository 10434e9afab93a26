"""The HTTP app: Slack events, Twilio webhooks, health checks; every long-lived object is
built in the lifespan and closed on shutdown (nothing at import time)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
from fastapi import FastAPI, Request, Response
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.types import Receive, Scope, Send

from bot import webhooks
from bot.desk import Desk, SyncPolicy
from bot.looplag import LoopLag
from bot.outbox import Outbox
from bot.porting.client import TwilioPortingClient
from bot.reconcile import Reconciler
from bot.settings import Settings
from bot.slack.app import build_bolt_app
from bot.slack.context import SlackDeps
from bot.slack.inbound import SlackDoor
from bot.slack.notifier import ChannelPacer, SlackNotifier
from bot.store.db import Database, check_schema, migrate, ping
from bot.store.pace import SharedPace
from bot.store.receipts import receipt_writer
from bot.tasks import Tasks

log = logging.getLogger(__name__)

SANDBOX_PREFIX = "/sandbox"


def slack_client(
    settings: Settings, session: aiohttp.ClientSession, *, retries: bool = True
) -> AsyncWebClient:
    """The Web API client. ``retries=False`` for the outbox: it retries itself, after checking
    whether a failed-looking post reached Slack (a blind retry could post twice)."""
    base_url = f"{settings.slack_api_url}/api/" if settings.slack_api_url else None
    kwargs: dict[str, Any] = {"base_url": base_url} if base_url else {}
    handlers = (
        [
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
            AsyncRateLimitErrorRetryHandler(max_retry_count=8),
            AsyncServerErrorRetryHandler(max_retry_count=3),
        ]
        if retries
        else []
    )
    return AsyncWebClient(
        token=settings.slack_bot_token,
        session=session,
        timeout=30,
        retry_handlers=handlers,
        **kwargs,
    )


def make_downloader(http: httpx.AsyncClient, token: str):  # type: ignore[no-untyped-def]
    async def download(url: str, limit: int) -> bytes:
        async with http.stream(
            "GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as response:
            response.raise_for_status()
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ValueError(f"The file is larger than {limit // 1024 // 1024} MB.")
                chunks.append(chunk)
            return b"".join(chunks)

    return download


class PortingApp(FastAPI):
    """The bot's ASGI app: FastAPI, except that Twilio's webhooks (the busiest route, up to
    thousands a minute for a big port) are served before FastAPI's middleware, telemetry
    checks and routing, which cost as much CPU per webhook as storing it. The webhook
    handler answers every error itself; an unexpected exception still becomes uvicorn's 500.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == webhooks.PATH:
            await webhooks.serve(self.state, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, sandbox: Any = None) -> FastAPI:
    """Build the ASGI app. Tests pass their own stepped ``sandbox``; otherwise one is made
    when PORTING_SANDBOX is true."""
    settings.check()

    own_sandbox = settings.porting_sandbox and sandbox is None
    if own_sandbox:
        from bot.sandbox import Sandbox, SandboxConfig

        sandbox = Sandbox(
            SandboxConfig(
                account_sid=settings.twilio_account_sid,
                auth_token=settings.twilio_auth_token,
                speed=settings.porting_sandbox_speed,
                latency_seconds=settings.porting_sandbox_latency_ms / 1000,
                public_url=settings.base_url + SANDBOX_PREFIX,  # the LOA signing page link
            )
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = app.state
        state.settings = settings
        state.tasks = Tasks()
        state.webhook_tokens = [settings.twilio_auth_token or ""]
        state.db = Database.from_url(settings.database_url)
        if settings.migrate_on_start:
            await migrate(state.db.engine)
        else:
            await check_schema(state.db.engine)
        state.http = httpx.AsyncClient(timeout=settings.twilio_timeout_seconds)
        twilio_http = state.http
        numbers_url, upload_url = settings.twilio_numbers_url, settings.twilio_upload_url
        if sandbox is not None:
            # The bot talks HTTP to the simulator in-process; the sandbox reaches the bot's
            # webhook route over loopback like Twilio would over the internet.
            twilio_http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=sandbox.app),
                timeout=settings.twilio_timeout_seconds,
            )
            numbers_url = upload_url = "http://sandbox.local"
        state.twilio_http = twilio_http
        state.twilio = TwilioPortingClient(
            twilio_http,
            numbers_url=numbers_url,
            upload_url=upload_url,
            credentials=settings.twilio_credentials,
            timeout=settings.twilio_timeout_seconds,
            account_sid=settings.twilio_account_sid,
        )
        state.slack_session = aiohttp.ClientSession()
        state.slack = slack_client(settings, state.slack_session)
        state.notifier = SlackNotifier(
            slack_client(settings, state.slack_session, retries=False),
            state.db,
            ChannelPacer(
                settings.slack_channel_write_seconds,
                # Several processes share a PostgreSQL (SQLite serves one): share the slots.
                shared=SharedPace(state.db)
                if state.db.engine.dialect.name == "postgresql"
                else None,
            ),
        )
        state.outbox = Outbox(
            state.db,
            state.notifier,
            board_interval=settings.porting_board_seconds,
            lease_seconds=settings.slack_outbox_lease_seconds,
        )
        state.desk = Desk(
            state.twilio,
            state.db,
            state.notifier,
            porting_channel=settings.porting_channel or "",
            check_concurrency=settings.porting_check_concurrency,
            slack_outbox=state.outbox,
            policy=SyncPolicy(
                poll_seconds=settings.porting_reconcile_seconds,
                window_seconds=settings.porting_coalesce_seconds,
                board_seconds=settings.porting_board_seconds,
            ),
        )
        state.reconciler = Reconciler(
            state.db,
            state.desk.sync,
            interval=settings.porting_reconcile_seconds,
            window=settings.porting_coalesce_seconds,
            discover=state.desk.discover,
        )
        deps = SlackDeps(
            desk=state.desk,
            download=make_downloader(state.http, settings.slack_bot_token),
            porting_channel=settings.porting_channel or "",
            tasks=state.tasks,
            admins=settings.admin_ids,
        )
        state.bolt = build_bolt_app(state.slack, settings.slack_signing_secret, deps)
        state.slack_handler = SlackDoor(state.bolt, settings.slack_signing_secret)
        state.socket = None
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            state.socket = AsyncSocketModeHandler(state.bolt, settings.slack_app_token)
            await state.socket.connect_async()
        state.sandbox = sandbox
        if sandbox is not None:
            await state.twilio.set_webhook_configuration(settings.webhook_url)
            if own_sandbox:
                sandbox.start()  # a real-time demo: the simulated clock runs fast
        state.inbox = webhooks.Inbox(
            receipt_writer(settings.database_url),
            state.db,
            window=settings.porting_coalesce_seconds,
            on_nudge=state.reconciler.wake_in,
        )
        await state.reconciler.start()
        state.outbox.start()
        state.inbox.start()
        if not settings.public_url and not settings.porting_sandbox:
            log.warning(
                "PUBLIC_URL is not set: Twilio cannot deliver porting webhooks; requests are "
                "followed by polling every %.0f s",
                settings.porting_reconcile_seconds,
            )
        # Everything built so far lives as long as the process: move it out of the garbage
        # collector's reach, or each full collection walks it all (100+ ms pauses of the
        # loop under load, seen in bench/webhook_ingest.py's burst). No collection first: it
        # would cost every test that starts an app; the little startup garbage stays.
        gc.freeze()
        state.loop_lag = LoopLag()  # from here on the loop serves: it must never block
        state.loop_lag.start()
        log.info(
            "porting bot ready (sandbox=%s, socket_mode=%s)",
            sandbox is not None,
            settings.socket_mode,
        )
        try:
            yield
        finally:
            if own_sandbox:
                await sandbox.stop()
            if state.socket is not None:
                await state.socket.close_async()
            await state.inbox.stop()
            await state.reconciler.stop()
            await state.tasks.drain()
            await state.outbox.stop()
            await state.slack_session.close()
            if twilio_http is not state.http:
                await twilio_http.aclose()
            await state.http.aclose()
            await state.db.close()
            await state.loop_lag.stop()
            gc.unfreeze()  # tests build many apps in one process

    app = PortingApp(title="Porting bot", lifespan=lifespan, docs_url=None, redoc_url=None)
    if sandbox is not None:
        app.mount(SANDBOX_PREFIX, sandbox.app)

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        return await request.app.state.slack_handler.handle(request)

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/readyz")
    async def readyz(request: Request) -> Response:
        """503 only when the database does not answer. Slack work that keeps failing and
        requests that cannot be fetched are reported (and retried) but do not take the
        instance out of rotation: another instance would fail the same way."""
        state = request.app.state
        try:
            await asyncio.wait_for(ping(state.db.engine), timeout=2)
            slack = await asyncio.wait_for(state.outbox.health(), timeout=2)
            twilio = await asyncio.wait_for(state.reconciler.health(), timeout=2)
        except Exception as error:
            body = {"ok": False, "database": type(error).__name__}
            return Response(
                status_code=503, media_type="application/json", content=json.dumps(body)
            )
        body = {
            "ok": True,
            "database": "ok",
            "slack_outbox": slack.as_dict(),
            "twilio_sync": twilio.as_dict(),
            "event_loop": state.loop_lag.stats(),
        }
        return Response(media_type="application/json", content=json.dumps(body))

    return app
