"""The tests' Slack: the product's own stand-in (:class:`bot.workspace.Workspace`, the same one
local mode shows in the browser) served over real HTTP, plus a recorder and scripting.

slack_sdk's ``AsyncWebClient`` talks aiohttp, so transport-level mocks would tie tests to
aiohttp internals. Instead :class:`FakeSlack` serves the workspace under uvicorn on
``127.0.0.1`` (random free port) inside the test's own event loop::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        (call,) = await slack.wait_for("chat.postMessage")
        assert call.args["text"] == "hi"

Every Web API call is recorded as a :class:`Call` (method, decoded args, headers, the status
answered). The workspace answers as Slack would, and refuses what Slack refuses (bad blocks,
a modal title over 24 characters, a thread_ts that is not a string, a sixth post to a
response_url, …); any method it does not implement answers ``{"ok": true}``. Tests can script
failures per method (:meth:`FakeSlack.script`, :func:`ratelimited`, :func:`server_error`,
:func:`slack_error`), replace a method (:meth:`FakeSlack.set_handler`) or simulate an outage
(:meth:`FakeSlack.fail_until`).

Besides ``/api/<method>`` the server serves ``/files-pri/<team>-<file_id>/<name>`` (private
downloads, registered with :meth:`FakeSlack.add_file`), ``/upload/v1/<upload_id>`` (the
``files_upload_v2`` flow; completed uploads land in :attr:`FakeSlack.uploaded_files`) and
``/response/<name>`` (``response_url`` receivers, :meth:`FakeSlack.response_url`, recorded in
:attr:`FakeSlack.responses`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import uvicorn

from bot.workspace import Workspace, api_chat, api_files, responses
from bot.workspace.identity import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID
from bot.workspace.records import (
    FILE_DOWNLOAD,
    FILE_UPLOAD,
    RESPONSE_URL,
    Call,
    Download,
    Reply,
    ResponseUrlPost,
    UploadedFile,
    ratelimited,
    server_error,
    slack_error,
)
from bot.workspace.state import ResponseTarget, StoredFile, default_channel

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "FILE_DOWNLOAD",
    "FILE_UPLOAD",
    "RESPONSE_URL",
    "TEAM_ID",
    "Call",
    "Download",
    "FakeSlack",
    "Reply",
    "ResponseUrlPost",
    "UploadedFile",
    "ratelimited",
    "server_error",
    "slack_error",
]

_Handler = Callable[[Call], "dict[str, Any] | Reply"]


class _Server(uvicorn.Server):
    """uvicorn server that leaves signal handlers alone and stops immediately on request."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn would replace pytest's SIGINT handler; tests don't need signals.
        yield

    async def main_loop(self) -> None:
        # uvicorn's loop polls should_exit every 100 ms; an event makes stop() instant.
        await self.stop_requested.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Same steps as uvicorn's shutdown minus its fixed 100 ms sleeps (lifespan is off).
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 2)
        while self.server_state.connections or self.server_state.tasks:
            if loop.time() >= deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.002)
        for server in self.servers:
            await server.wait_closed()


class FakeSlack(Workspace):
    """The workspace on a random local port, recording its traffic (it is its own
    :class:`~bot.workspace.records.Traffic` observer).

    Use ``async with FakeSlack() as slack:`` or ``await slack.start()`` / ``await slack.stop()``
    from a running event loop. Point clients at :attr:`api_url`.
    """

    def __init__(self, *, host: str = "127.0.0.1", bot_token_prefix: str = "xoxb-") -> None:
        self.host = host
        self.port: int | None = None
        self.bot_token_prefix = bot_token_prefix
        super().__init__(traffic=self)
        self.calls: list[Call] = []
        self.downloads: list[Download] = []
        self.uploaded_files: list[UploadedFile] = []
        self.responses: list[ResponseUrlPost] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._outages: list[tuple[str, Callable[[], bool], Reply]] = []
        self._handlers: dict[str, _Handler] = {}
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.app = self.asgi()

    # ------------------------------------------------------------------ lifecycle

    @property  # type: ignore[override]
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self.port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @url.setter
    def url(self, value: str) -> None:  # the workspace's own default; the port decides
        return None

    @property
    def api_url(self) -> str:
        """``base_url`` for ``AsyncWebClient`` (``<url>/api/``; the trailing slash matters)."""
        return self.url + "/api/"

    def token_accepted(self, token: str) -> bool:
        return token.startswith(self.bot_token_prefix)

    async def start(self) -> FakeSlack:
        """Bind a free port and serve in the current event loop until :meth:`stop`."""
        if self._task is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,  # don't reconfigure logging (keeps caplog and friends intact)
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                self._task.result()  # re-raise the startup error
                raise RuntimeError("uvicorn exited during startup")
            await asyncio.sleep(0.005)
        return self

    async def stop(self) -> None:
        """Shut the server down (idempotent)."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        self._server.stop_requested.set()
        try:
            await self._task
        finally:
            self._server = None
            self._task = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget recorded traffic, scripts, outages and handlers (the workspace's data stays)."""
        self.calls.clear()
        self.downloads.clear()
        self.uploaded_files.clear()
        self.responses.clear()
        self._scripts.clear()
        self._outages.clear()
        self._handlers.clear()

    # ------------------------------------------------------------------ the workspace's data

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message in the workspace, in posting order, each with its ``channel``."""
        return self.state.messages

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        return {view_id: record.view for view_id, record in self.state.views.items()}

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.state.users

    @property
    def channels(self) -> dict[str, dict[str, Any]]:
        return self.state.channels

    @property
    def usergroups(self) -> dict[str, list[str]]:
        return self.state.usergroups

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.state.files

    def _chat_post_message(self, call: Call) -> dict[str, Any] | Reply:
        """The workspace's own chat.postMessage (for handlers that wrap it)."""
        return api_chat.chat_post_message(self, call)

    # ------------------------------------------------------------------ scripting

    def script(self, method: str, *replies: Reply | dict[str, Any]) -> None:
        """Queue answers for ``method``, consumed one per call before the default behaviour.

        ``method`` is a Web API method (``"chat.postMessage"``) or one of :data:`RESPONSE_URL`,
        :data:`FILE_UPLOAD`, :data:`FILE_DOWNLOAD`. A dict is an HTTP 200 JSON body.
        """
        for reply in replies:
            self._scripts[method].append(reply if isinstance(reply, Reply) else Reply(reply))

    def fail_until(
        self,
        method: str,
        predicate: Callable[[], bool],
        reply: Reply | dict[str, Any] | None = None,
    ) -> None:
        """Answer ``reply`` (default :func:`server_error`) to ``method`` while ``predicate()``
        is False ("Slack is down for a while"). ``method="*"`` matches every Web API method.
        The outage is dropped once the predicate turns True."""
        if reply is None:
            reply = server_error()
        self._outages.append(
            (method, predicate, reply if isinstance(reply, Reply) else Reply(reply))
        )

    def set_handler(self, method: str, handler: _Handler) -> None:
        """Replace the workspace's answer for a Web API method with ``handler(call)``."""
        self._handlers[method] = handler

    def _take_scripted(self, method: str) -> Reply | None:
        queue = self._scripts.get(method)
        if queue:
            return queue.popleft()
        for outage in list(self._outages):
            pattern, predicate, reply = outage
            if pattern not in (method, "*") or (pattern == "*" and "." not in method):
                continue
            if predicate():
                self._outages.remove(outage)
                continue
            return reply
        return None

    # -- Traffic (the workspace asks before answering and tells what it answered)

    def intercept(self, key: str, call: Call | None = None) -> Reply | None:
        reply = self._take_scripted(key)
        if reply is not None or call is None:
            return reply
        handler = self._handlers.get(key)
        if handler is None:
            return None
        try:
            result = handler(call)
        except Exception as exc:  # a bug in a custom handler must not hang the client
            return Reply({"ok": False, "error": f"fake_handler_error: {exc!r}"}, status=500)
        call.scripted = False
        return result if isinstance(result, Reply) else Reply(result)

    def on_call(self, call: Call) -> None:
        self.calls.append(call)

    def on_download(self, download: Download) -> None:
        self.downloads.append(download)

    def on_upload(self, upload: UploadedFile) -> None:
        self.uploaded_files.append(upload)

    def on_response(self, post: ResponseUrlPost) -> None:
        self.responses.append(post)

    # ------------------------------------------------------------------ test data

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Register a user for ``users.info``; ``fields`` override the generated defaults
        (e.g. ``real_name``, ``tz``, ``is_admin``, ``profile={...}``)."""
        user = self.state.user(user_id)
        profile = {**user["profile"], **fields.pop("profile", {})}
        user.update(fields)
        user["profile"] = profile
        self.state.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str | None = None, **fields: Any) -> None:
        """Register a channel (e.g. ``is_private=True``, ``is_member=False``). Channels never
        registered get public defaults the first time they are named."""
        channel = default_channel(channel_id)
        if name is not None:
            channel["name"] = name
        channel.update(fields)
        self.state.channels[channel_id] = channel

    def set_usergroup(self, usergroup_id: str, user_ids: Iterable[str]) -> None:
        """Set the members returned by ``usergroups.users.list`` for ``usergroup_id``."""
        self.state.usergroups[usergroup_id] = list(user_ids)

    def add_file(
        self,
        file_id: str,
        name: str,
        content: bytes,
        mimetype: str = "application/octet-stream",
        filetype: str | None = None,
        *,
        title: str | None = None,
        user: str = "U123",
    ) -> dict[str, Any]:
        """Register a file (as if a user uploaded it) for ``files.info`` and download.

        Returns the Slack file object (with ``url_private_download`` pointing at the fake).
        """
        stored = api_files.add_file(
            self,
            name,
            content,
            user=user,
            file_id=file_id,
            mimetype=mimetype,
            filetype=filetype,
            title=title,
        )
        return api_files.file_object(self, stored)

    def response_url(self, name: str = "default") -> str:
        """A ``response_url`` on the fake; POSTs to it are recorded in :attr:`responses`.
        Like Slack's, it takes five posts."""
        return responses.issue(self, ResponseTarget(user="", channel=None), name)

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one Web API method, in arrival order."""
        return [c for c in self.calls if c.method == method]

    def responses_to(self, name: str = "default") -> list[ResponseUrlPost]:
        """Recorded POSTs to ``response_url(name)``."""
        return [r for r in self.responses if r.name == name]

    def response_count(self, name: str = "default") -> int:
        """How many times ``response_url(name)`` was used."""
        return len(self.responses_to(name))

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, not a cancel scope
        what: str = "condition",
    ) -> None:
        """Poll ``condition()`` every 10 ms until it holds; ``AssertionError`` on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() >= deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; calls={seen}")
            await asyncio.sleep(0.01)

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ≥``count`` calls to ``method`` (matching ``predicate``) were recorded.

        Bolt listeners keep running after the HTTP ack, so assert on their Slack calls with
        this rather than right after dispatch. Returns the matching calls.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if predicate is None or predicate(c)]

        await self.wait_until(
            lambda: len(matching()) >= count, timeout, f"{count} call(s) to {method}"
        )
        return matching()

    async def wait_for_response(
        self,
        name: str = "default",
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ResponseUrlPost]:
        """Wait until ≥``count`` POSTs reached ``response_url(name)``; returns them."""
        await self.wait_until(
            lambda: self.response_count(name) >= count, timeout, f"{count} response_url post(s)"
        )
        return self.responses_to(name)

    def all_text(self, *, include_headers: bool = False) -> str:
        """Every string the bot sent anywhere (args, response_url bodies, uploaded file
        content, chat messages), newline-joined: ``assert secret not in slack.all_text()``.

        Headers (which carry the bot token) are left out unless ``include_headers``.
        """
        parts: list[str] = []
        for call in self.calls:
            parts.extend(_strings(call.args))
            if include_headers:
                parts.extend(_strings(call.headers))
        for resp in self.responses:
            parts.extend(_strings(resp.body))
            if include_headers:
                parts.extend(_strings(resp.headers))
        for up in self.uploaded_files:
            parts.append(up.filename)
            parts.append(up.content.decode("utf-8", errors="replace"))
        for pending in self.state.pending_uploads.values():
            if pending.content is not None:
                parts.append(pending.content.decode("utf-8", errors="replace"))
        return "\n".join(parts)


def _strings(value: Any) -> Iterator[str]:
    """Every string (keys included) inside nested dicts/lists; bytes decoded leniently."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", errors="replace")
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield k
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
