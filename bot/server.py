"""The HTTP app: Slack events, Twilio webhooks, health checks. Every long-lived object is in
the :class:`~bot.runtime.Runtime` the lifespan opens and closes (nothing at import time)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.types import Receive, Scope, Send

from bot import doors, port_out, scrape, webhooks
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from bot.store.db import ping

if TYPE_CHECKING:
    from bot.sandbox import Sandbox
    from bot.workspace.local import LocalWorkspace

log = logging.getLogger(__name__)

SANDBOX_PREFIX = "/sandbox"


class PortingApp(FastAPI):
    """The bot's ASGI app: FastAPI, except that Twilio's webhooks (the busiest route, up to
    thousands a minute for a big port) are served before FastAPI's middleware, telemetry
    checks and routing, which cost as much CPU per webhook as storing it. The webhook
    handler answers every error itself; an unexpected exception still becomes uvicorn's 500.
    """

    runtime: Runtime  # set by the lifespan once everything is built
    _deadlines: doors.BodyDeadlines | None = None  # the serving loop's body deadlines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Every door: a bounded body with a deadline, before any route reads it.
            limit = doors.limit_for(scope["path"])
            if self._deadlines is None:  # the app serves one loop: its first request's
                self._deadlines = doors.BodyDeadlines(asyncio.get_running_loop())
            await doors.bounded(
                self._route, scope, receive, send, limit=limit, deadlines=self._deadlines
            )
            return
        await super().__call__(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == webhooks.PATH:
            await webhooks.serve(self.runtime, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, sandbox: Sandbox | None = None) -> PortingApp:
    """Build the ASGI app. Tests pass their own stepped ``sandbox``; otherwise one is made
    when PORTING_SANDBOX is true."""
    settings.check()

    own_sandbox = settings.porting_sandbox and sandbox is None
    if own_sandbox:
        sandbox = _own_sandbox(settings)

    workspace = _local_workspace(settings, sandbox)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(
            settings, sandbox, own_sandbox=own_sandbox, workspace=workspace
        ) as runtime:
            app.runtime = runtime
            if workspace is not None:
                # The page's clicks reach /slack/events as Slack's requests would.
                to_app = httpx.ASGITransport(app=app)
                workspace.connect(httpx.AsyncClient(transport=to_app, base_url="http://bot"))
                workspace.send_digest = runtime.desk.day.send_digest_now
            log.info(
                "porting bot ready (sandbox=%s, socket_mode=%s)",
                sandbox is not None,
                settings.socket_mode,
            )
            yield

    app = PortingApp(title="Porting bot", lifespan=lifespan, docs_url=None, redoc_url=None)
    _mount_local(app, settings, sandbox, workspace)

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        return await app.runtime.slack_handler.handle(request)

    @app.post(port_out.PATH)
    async def twilio_port_out(request: Request) -> Response:
        return await port_out.receive(app.runtime, request)

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        return await scrape.serve(app.runtime, request)

    @app.get("/readyz")
    async def readyz() -> Response:
        """503 only when the database does not answer. Slack work that keeps failing and
        requests that cannot be fetched are reported (and retried) but do not take the
        instance out of rotation: another instance would fail the same way."""
        runtime = app.runtime
        try:
            await asyncio.wait_for(ping(runtime.db.engine), timeout=2)
            slack = await asyncio.wait_for(runtime.outbox.health(), timeout=2)
            twilio = await asyncio.wait_for(runtime.reconciler.health(), timeout=2)
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
            "event_loop": runtime.loop_lag.stats(),
        }
        return Response(media_type="application/json", content=json.dumps(body))

    return app


def _mount_local(
    app: PortingApp, settings: Settings, sandbox: Sandbox | None, workspace: LocalWorkspace | None
) -> None:
    """The doors only this machine uses: the sandbox's and the local workspace's."""
    if sandbox is not None:
        from bot.sandbox import create_sandbox_app

        # This machine only; the simulator only in local mode (the page's panel uses it).
        door = doors.SandboxDoor(create_sandbox_app(sandbox), simulator=settings.local_mode)
        app.mount(SANDBOX_PREFIX, door)
    if workspace is not None:
        from bot.workspace.defaults import MOUNT

        app.mount(MOUNT, workspace.asgi())

        @app.get("/", include_in_schema=False)
        async def local_workspace() -> RedirectResponse:
            return RedirectResponse(MOUNT + "/")


def _own_sandbox(settings: Settings) -> Sandbox:
    """A real-time sandbox for PORTING_SANDBOX=true: in local mode at a person's pace (today's
    calendar, each step seconds apart), else (or with PORTING_SANDBOX_SPEED) on a fast clock."""
    from bot.sandbox import Sandbox, SandboxConfig, Timings

    person = settings.sandbox_person_paced
    return Sandbox(
        SandboxConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            pace="person" if person else "clock",
            timings=Timings.person() if person else Timings(),
            speed=settings.sandbox_speed,
            latency_seconds=settings.porting_sandbox_latency_ms / 1000,
            public_url=settings.base_url + SANDBOX_PREFIX,  # the LOA signing page link
            webhook_targets=(settings.webhook_url,),  # its webhooks go to this bot only
        )
    )


def _local_workspace(settings: Settings, sandbox: Sandbox | None) -> LocalWorkspace | None:
    """Local mode's workspace (Slack's stand-in, with the page), or None with a Slack app."""
    if not settings.local_mode:
        return None
    from bot.workspace.local import SandboxLink, from_settings

    link = None
    if sandbox is not None:
        link = SandboxLink(SANDBOX_PREFIX, sandbox.config.account_sid, sandbox.config.auth_token)
    return from_settings(settings, sandbox=link)
