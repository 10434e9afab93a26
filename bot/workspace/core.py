"""The :class:`Workspace`: a stand-in for the part of Slack the bot uses. It holds a
workspace's data (:mod:`~bot.workspace.state`), answers the Web API methods the bot calls with
the checks real Slack makes (:mod:`~bot.workspace.api_chat`, :mod:`~bot.workspace.api_views`,
:mod:`~bot.workspace.api_files`) and serves them over HTTP (:mod:`~bot.workspace.http`).

The tests' fake Slack (``tests/fakes/slack_api.py``) is this class plus a recorder; local mode
(``python -m bot`` with no Slack app) adds the page people use it through
(:mod:`~bot.workspace.page`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from bot.workspace import api_chat, api_files, api_views
from bot.workspace.http import api_routes, unknown_path
from bot.workspace.identity import Identity
from bot.workspace.manifest import default_scopes
from bot.workspace.records import JSON, Call, Reply, Traffic, Unobserved, slack_error
from bot.workspace.state import WorkspaceState

log = logging.getLogger(__name__)

Handler = Callable[["Workspace", Call], "JSON | Reply"]
METHODS: dict[str, Handler] = {**api_chat.METHODS, **api_views.METHODS, **api_files.METHODS}


class Workspace:
    """One Slack workspace with the bot installed.

    ``url`` is where the workspace is reached (file, upload and response URLs start with it);
    ``bot_token`` the token it accepts (None: any ``xoxb-`` token, as tests use several).
    """

    def __init__(
        self,
        *,
        url: str = "",
        identity: Identity | None = None,
        bot_token: str | None = None,
        traffic: Traffic | None = None,
    ) -> None:
        self.identity = identity or Identity()
        self.state = WorkspaceState(self.identity)
        self.url = url.rstrip("/")
        self.bot_token = bot_token
        self.traffic: Traffic = traffic or Unobserved()
        self.methods: dict[str, Handler] = dict(METHODS)
        # What the bot token was granted (Slack answers them in ``x-oauth-scopes``): the
        # manifest's bot scopes unless a test takes some away.
        self.scopes: tuple[str, ...] = default_scopes()

    def token_accepted(self, token: str) -> bool:
        if self.bot_token is not None:
            return token == self.bot_token
        return token.startswith("xoxb-")

    def answer(self, call: Call) -> Reply:
        """The workspace's own answer to a Web API call."""
        token = call.token
        if not token:
            return slack_error("not_authed")
        if not self.token_accepted(token):
            return slack_error("invalid_auth")
        handler = self.methods.get(call.method)
        if handler is None:
            return Reply({"ok": True})  # a method the bot does not use: nothing to keep
        try:
            result = handler(self, call)
        except Exception:
            log.exception("workspace: %s failed", call.method)
            return Reply({"ok": False, "error": "internal_error"}, status=500)
        return result if isinstance(result, Reply) else Reply(result)

    async def ordered(self, call: Call) -> None:
        """Hold a views.update/push until the app's answer to the submission of that view is
        applied (see :class:`~bot.workspace.state.Answering`)."""
        state = self.state
        record = None
        if call.method == "views.update":
            record = state.views.get(str(call.args.get("view_id") or ""))
        elif call.method == "views.push":
            issued = state.triggers.get(str(call.args.get("trigger_id") or ""))
            stack = state.stack(issued[0]) if issued else []
            record = state.views[stack[-1]] if stack else None
        if record is not None and record.answering is not None:
            await record.answering.wait()

    def routes(self) -> list[BaseRoute]:
        """Every route of the workspace (the page's too, when it has one)."""
        return [*api_routes(self), *self.extra_routes()]

    def extra_routes(self) -> list[BaseRoute]:
        return []

    def asgi(self) -> Starlette:
        routes = [
            *self.routes(),
            Route("/{rest:path}", unknown_path, methods=["GET", "POST", "PUT"]),
        ]
        return Starlette(routes=routes)
