"""Local mode's workspace: the :class:`~bot.workspace.core.Workspace` with people, a porting
channel, a DM with the bot, and the page (:mod:`bot.workspace.page`) to use it from a browser.

``python -m bot`` builds one when no Slack app is configured (:func:`from_settings`); the
server mounts it at :data:`MOUNT` and connects it to its own ``/slack/events``.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import BaseRoute

from bot.workspace.core import Workspace
from bot.workspace.defaults import (
    GENERAL_CHANNEL,
    LOCAL_DATABASE,
    LOCAL_HOSTS,
    MOUNT,
    PERSON,
    PORTING_CHANNEL,
)
from bot.workspace.identity import Identity
from bot.workspace.interactions import Conversations
from bot.workspace.manifest import Manifest
from bot.workspace.modals import Modals
from bot.workspace.push import Hub

if TYPE_CHECKING:
    from bot.settings import Settings


def fresh_database(url: str) -> None:
    """Empty local mode's own database file (never one DATABASE_URL named)."""
    path = Path(url.removeprefix("sqlite:///"))
    if path.name != LOCAL_DATABASE:
        return
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@dataclass(frozen=True)
class SandboxLink:
    """Where the page's sandbox panel reaches the simulator's admin routes."""

    prefix: str
    account_sid: str
    auth_token: str


class LocalWorkspace(Workspace):
    def __init__(
        self,
        *,
        url: str,
        bot_token: str,
        signing_secret: str,
        manifest: Manifest,
        porting_channel: str = PORTING_CHANNEL,
        sandbox: SandboxLink | None = None,
        person_name: str = "you",
    ) -> None:
        identity = Identity(
            team_id="TLOCAL",
            team_domain="local",
            team_name="Local workspace",
            bot_display_name=manifest.bot_name,
            web_url=url,
        )
        super().__init__(url=url, identity=identity, bot_token=bot_token)
        self.signing_secret = signing_secret
        self.manifest = manifest
        self.sandbox = sandbox
        self.person = PERSON
        self.porting_channel = porting_channel
        self.hub = Hub()
        self.state.listeners.append(self.hub.publish)
        self._client: httpx.AsyncClient | None = None
        # The sandbox panel's Send digest now: the bot queues today's digest for every channel
        # with request threads and says how many (set once the bot runs; server.py).
        self.send_digest: Callable[[], Awaitable[int]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.conversations: Conversations | None = None
        self.modals: Modals | None = None
        self._seed(person_name)

    def _seed(self, person_name: str) -> None:
        state = self.state
        me = self.identity
        state.users[self.person] = {
            **state.user(self.person),
            "name": person_name,
            "real_name": person_name,
            "profile": {"real_name": person_name, "display_name": person_name},
        }
        state.users[me.bot_user_id] = {
            **state.user(me.bot_user_id),
            "name": me.bot_name,
            "real_name": me.bot_display_name,
            "is_bot": True,
            "profile": {"real_name": me.bot_display_name, "display_name": me.bot_display_name},
        }
        porting = state.channel(self.porting_channel)
        porting.update(
            name="porting", is_member=True, topic={"value": "Port-ins and their threads"}
        )
        general = state.channel(GENERAL_CHANNEL)
        general.update(name="general", is_member=False)
        state.im_with(self.person)

    def connect(self, client: httpx.AsyncClient) -> None:
        """Send the page's interactions through ``client`` (it reaches ``/slack/events``)."""
        self._loop = asyncio.get_running_loop()
        self._client = client
        self.conversations = Conversations(self, self.signing_secret, client)
        self.modals = Modals(self, self.signing_secret, client)

    def end_streams(self) -> None:
        """End the page's push streams now (from a signal handler too): they never end by
        themselves, and the server waits for every open response before it stops."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.hub.close)

    async def aclose(self) -> None:
        self.hub.close()
        if self._client is not None:
            await self._client.aclose()

    def user_name(self, user: str) -> str:
        return str(self.state.user(user).get("name") or user.lower())

    def extra_routes(self) -> list[BaseRoute]:
        from bot.workspace import page

        return page.routes(self)

    def asgi(self) -> Starlette:
        """The workspace over HTTP, answering only for this machine's names: a page another
        site rebinds to 127.0.0.1 sends its own Host, and gets a 400 before any route runs."""
        app = super().asgi()
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(LOCAL_HOSTS))
        return app


class Server(uvicorn.Server):
    """uvicorn for local mode: told to stop, it first ends the page's push streams (a tab
    left open would otherwise hold the shutdown)."""

    def handle_exit(self, sig: int, frame: object) -> None:
        super().handle_exit(sig, frame)  # type: ignore[arg-type]
        workspace = getattr(getattr(self.config.app, "runtime", None), "workspace", None)
        if isinstance(workspace, LocalWorkspace):
            workspace.end_streams()


def from_settings(settings: Settings, *, sandbox: SandboxLink | None) -> LocalWorkspace:
    """The workspace local mode runs (``settings`` already carry its token and secret)."""
    from bot.workspace import manifest

    try:
        person = getpass.getuser()
    except Exception:  # no login name (a container): a generic one
        person = "you"
    return LocalWorkspace(
        url=f"http://127.0.0.1:{settings.port}{MOUNT}",
        bot_token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        manifest=manifest.load(),
        porting_channel=settings.porting_channel or PORTING_CHANNEL,
        sandbox=sandbox,
        person_name=person,
    )
