"""A fake Slack Web API served over real HTTP, for tests.

slack_sdk's ``AsyncWebClient`` talks aiohttp, so transport-level mocks would tie tests to
aiohttp internals. Instead :class:`FakeSlack` runs a tiny Starlette app under uvicorn on
``127.0.0.1`` (random free port) inside the test's own event loop::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        (call,) = await slack.wait_for("chat.postMessage")
        assert call.args["text"] == "hi"

Every Web API call is recorded as a :class:`Call` (method, decoded args, headers, the status we
answered with). Responses look like Slack's for the methods the bot uses; any other method
answers ``{"ok": true}``. Tests can script failures per method (:meth:`FakeSlack.script`,
:func:`ratelimited`, :func:`server_error`, :func:`slack_error`) or simulate an outage
(:meth:`FakeSlack.fail_until`).

Besides ``/api/<method>`` the server also serves:

* ``/files-pri/<team>-<file_id>/<name>``: private file downloads (``files.info`` →
  ``url_private_download``), registered with :meth:`FakeSlack.add_file`;
* ``/upload/v1/<upload_id>``: the upload URL handed out by ``files.getUploadURLExternal``
  (the ``files_upload_v2`` flow); completed uploads land in :attr:`FakeSlack.uploaded_files`;
* ``/response/<name>``: ``response_url`` receivers (:meth:`FakeSlack.response_url`), recorded in
  :attr:`FakeSlack.responses`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

__all__ = [
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

TEAM_ID = "T1"
"""Workspace id the fake answers with (``auth.test``); matches the request builders' default."""
BOT_USER_ID = "UBOT"
"""The bot's user id (``auth.test`` ``user_id``)."""
BOT_ID = "BBOT"
"""The bot id (``auth.test`` ``bot_id``)."""
APP_ID = "A1"
"""The app id echoed in views."""

# Script keys for the non-Web-API endpoints (use them with FakeSlack.script / fail_until).
RESPONSE_URL = "response_url"
"""Script key for POSTs to any ``response_url`` served by the fake."""
FILE_UPLOAD = "file_upload"
"""Script key for POSTs to the upload URLs issued by ``files.getUploadURLExternal``."""
FILE_DOWNLOAD = "file_download"
"""Script key for GETs of ``url_private`` / ``url_private_download``."""

# Args that slack_sdk (or a form post) sends as JSON-encoded strings.
_JSON_STRING_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "files",
        "metadata",
        "outputs",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)


@dataclass(frozen=True)
class Reply:
    """A scripted answer: JSON (dict) or raw (str/bytes) body, HTTP status and extra headers."""

    body: dict[str, Any] | str | bytes = field(default_factory=lambda: {"ok": True})
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def ratelimited(retry_after: int = 1) -> Reply:
    """Slack's rate-limit answer: HTTP 429, ``Retry-After`` header, ``error: ratelimited``.

    slack_sdk's ``AsyncRateLimitErrorRetryHandler`` sleeps ``Retry-After + random()`` seconds
    before retrying; tests should stub that sleep rather than wait.
    """
    return Reply(
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


def server_error(status: int = 500, error: str = "internal_error") -> Reply:
    """An HTTP 5xx answer (slack_sdk's ``AsyncServerErrorRetryHandler`` retries 500/503)."""
    return Reply({"ok": False, "error": error}, status=status)


def slack_error(error: str, **extra: Any) -> Reply:
    """A normal HTTP 200 ``{"ok": false, "error": ...}`` answer, e.g. ``channel_not_found``."""
    return Reply({"ok": False, "error": error, **extra})


@dataclass
class Call:
    """One recorded request to the fake's Web API (``/api/<method>``).

    ``args`` merges query string, form/multipart and JSON body (body wins). JSON-string fields
    such as ``blocks``, ``view``, ``attachments``, ``files`` are decoded to Python objects.
    ``headers`` has lower-cased names. ``response_status``/``response_body`` are what the fake
    answered; ``scripted`` is True when the answer came from a script or an outage.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    http_method: str = "POST"
    response_status: int = 200
    response_body: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    scripted: bool = False
    received_at: float = field(default_factory=time.monotonic)

    @property
    def token(self) -> str | None:
        """The token used: ``Authorization: Bearer …`` or a ``token`` arg."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.args.get("token")
        return token if isinstance(token, str) else None

    @property
    def ok(self) -> bool:
        """Whether the fake answered HTTP 200 with ``ok: true``."""
        body = self.response_body
        return self.response_status == 200 and isinstance(body, dict) and bool(body.get("ok"))


@dataclass
class Download:
    """One GET of a private file URL; ``authorized`` is True when a ``Bearer xoxb-`` token came."""

    file_id: str
    headers: dict[str, str]
    authorized: bool
    response_status: int


@dataclass
class UploadedFile:
    """A file completed through ``files.getUploadURLExternal`` → upload → ``completeUpload``."""

    file_id: str
    filename: str
    title: str | None
    content: bytes
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    channels: str | None = None
    alt_txt: str | None = None
    snippet_type: str | None = None


@dataclass
class ResponseUrlPost:
    """One POST to a ``response_url`` served by the fake (``body`` is decoded JSON if possible)."""

    name: str
    body: Any
    headers: dict[str, str]
    response_status: int = 200
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class _StoredFile:
    file_id: str
    name: str
    content: bytes
    mimetype: str
    filetype: str
    title: str
    user: str


@dataclass
class _PendingUpload:
    upload_id: str
    file_id: str
    filename: str
    length: int | None
    alt_txt: str | None
    snippet_type: str | None
    content: bytes | None = None


_Handler = Callable[["Call"], "dict[str, Any] | Reply"]


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


class FakeSlack:
    """Fake Slack Web API + file/upload/response_url endpoints on a random local port.

    Use ``async with FakeSlack() as slack:`` or ``await slack.start()`` / ``await slack.stop()``
    from a running event loop. Point clients at :attr:`api_url`.
    """

    def __init__(self, *, host: str = "127.0.0.1", bot_token_prefix: str = "xoxb-") -> None:
        self.host = host
        self.port: int | None = None
        self.bot_token_prefix = bot_token_prefix
        self.calls: list[Call] = []
        self.downloads: list[Download] = []
        self.uploaded_files: list[UploadedFile] = []
        self.responses: list[ResponseUrlPost] = []
        self.messages: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.files: dict[str, _StoredFile] = {}
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._outages: list[tuple[str, Callable[[], bool], Reply]] = []
        self._handlers: dict[str, _Handler] = {}
        self._pending_uploads: dict[str, _PendingUpload] = {}
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/api/{method:path}", self._api, methods=["GET", "POST"]),
                Route("/files-pri/{team_file}/{name:path}", self._download, methods=["GET"]),
                Route("/upload/v1/{upload_id}", self._upload, methods=["POST", "PUT"]),
                Route("/response/{name:path}", self._response_url, methods=["POST"]),
                Route("/{rest:path}", self._unknown_path, methods=["GET", "POST", "PUT"]),
            ]
        )
        self._defaults: dict[str, Callable[[Call], dict[str, Any] | Reply]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.info": self._files_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self.port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``base_url`` for ``AsyncWebClient`` (``<url>/api/``; the trailing slash matters)."""
        return self.url + "/api/"

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
        """Forget recorded traffic, scripts, outages and handlers (registered data stays)."""
        self.calls.clear()
        self.downloads.clear()
        self.uploaded_files.clear()
        self.responses.clear()
        self._scripts.clear()
        self._outages.clear()
        self._handlers.clear()

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
        """Replace the default answer for a Web API method with ``handler(call)``."""
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

    # ------------------------------------------------------------------ test data

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Register a user for ``users.info``; ``fields`` override the generated defaults
        (e.g. ``real_name``, ``tz``, ``is_admin``, ``profile={...}``)."""
        user = self._default_user(user_id)
        profile = {**user["profile"], **fields.pop("profile", {})}
        user.update(fields)
        user["profile"] = profile
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str | None = None, **fields: Any) -> None:
        """Register a channel for ``conversations.info`` (e.g. ``is_private=True``,
        ``is_member=False``). Unregistered channels get public defaults."""
        channel = self._default_channel(channel_id)
        if name is not None:
            channel["name"] = name
        channel.update(fields)
        self.channels[channel_id] = channel

    def set_usergroup(self, usergroup_id: str, user_ids: Iterable[str]) -> None:
        """Set the members returned by ``usergroups.users.list`` for ``usergroup_id``."""
        self.usergroups[usergroup_id] = list(user_ids)

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
        if filetype is None:
            filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        stored = _StoredFile(file_id, name, content, mimetype, filetype, title or name, user)
        self.files[file_id] = stored
        return self._file_object(stored)

    def response_url(self, name: str = "default") -> str:
        """A ``response_url`` on the fake; POSTs to it are recorded in :attr:`responses`."""
        return f"{self.url}/response/{name}"

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one Web API method, in arrival order."""
        return [c for c in self.calls if c.method == method]

    def responses_to(self, name: str = "default") -> list[ResponseUrlPost]:
        """Recorded POSTs to ``response_url(name)``."""
        return [r for r in self.responses if r.name == name]

    def response_count(self, name: str = "default") -> int:
        """How many times ``response_url(name)`` was used (Slack allows 5; not enforced)."""
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
        for pending in self._pending_uploads.values():
            if pending.content is not None:
                parts.append(pending.content.decode("utf-8", errors="replace"))
        return "\n".join(parts)

    # ------------------------------------------------------------------ HTTP endpoints

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"].strip("/")
        args = await _decode_args(request)
        call = Call(
            method=method,
            args=args,
            headers={k.lower(): v for k, v in request.headers.items()},
            http_method=request.method,
        )
        self.calls.append(call)
        reply = self._take_scripted(method)
        if reply is not None:
            call.scripted = True
        else:
            handler = self._handlers.get(method) or self._defaults.get(method)
            try:
                result = handler(call) if handler else {"ok": True}
            except Exception as exc:  # a bug in a custom handler must not hang the client
                result = Reply({"ok": False, "error": f"fake_handler_error: {exc!r}"}, status=500)
            reply = result if isinstance(result, Reply) else Reply(result)
        call.response_status = reply.status
        call.response_body = reply.body
        call.response_headers = dict(reply.headers)
        return _to_response(reply)

    async def _unknown_path(self, request: Request) -> Response:
        # Typically base_url without "/api/": slack_sdk then posts to "/<method>".
        hint = "Web API lives under /api/: AsyncWebClient(base_url=slack.api_url)"
        body = {"ok": False, "error": "fake_slack_unknown_path", "path": request.url.path}
        return JSONResponse({**body, "hint": hint}, status_code=404)

    async def _download(self, request: Request) -> Response:
        file_id = request.path_params["team_file"].split("-", 1)[-1]
        headers = {k.lower(): v for k, v in request.headers.items()}
        auth = headers.get("authorization", "")
        authorized = auth.startswith("Bearer " + self.bot_token_prefix)
        reply = self._take_scripted(FILE_DOWNLOAD)
        stored = self.files.get(file_id)
        response: Response
        if reply is not None:
            response = _to_response(reply)
        elif not authorized:
            # Like real Slack: no/invalid token → 200 with the HTML sign-in page, not a 401.
            response = Response(
                "<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
                media_type="text/html",
            )
        elif stored is None:
            response = PlainTextResponse("file_not_found", status_code=404)
        else:
            response = Response(stored.content, media_type=stored.mimetype)
        self.downloads.append(Download(file_id, headers, authorized, response.status_code))
        return response

    async def _upload(self, request: Request) -> Response:
        pending = self._pending_uploads.get(request.path_params["upload_id"])
        reply = self._take_scripted(FILE_UPLOAD)
        content = await _read_upload_body(request)
        if pending is not None and reply is None:
            pending.content = content
        if reply is not None:
            return _to_response(reply)
        if pending is None:
            return PlainTextResponse("invalid upload url", status_code=404)
        return PlainTextResponse(f"OK - {len(content)}")

    async def _response_url(self, request: Request) -> Response:
        raw = await request.body()
        body: Any
        try:
            body = json.loads(raw)
        except ValueError:
            form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
            body = json.loads(form["payload"]) if "payload" in form else form
        reply = self._take_scripted(RESPONSE_URL) or Reply({"ok": True})
        self.responses.append(
            ResponseUrlPost(
                name=request.path_params["name"],
                body=body,
                headers={k.lower(): v for k, v in request.headers.items()},
                response_status=reply.status,
            )
        )
        return _to_response(reply)

    # ------------------------------------------------------------------ default answers

    def _next_ts(self) -> str:
        n = next(self._ts_counter) * 100
        return f"{1_700_000_000 + n // 1_000_000}.{n % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    def _auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack/",
            "team": "Fake Workspace",
            "user": "porting-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, call: Call) -> dict[str, Any]:
        args = call.args
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key) is not None:
                message[key] = args[key]
        self.messages.append({**message, "channel": channel})
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _find_message(self, channel: Any, ts: Any) -> dict[str, Any] | None:
        for msg in self.messages:
            if msg["channel"] == channel and msg["ts"] == ts:
                return msg
        return None

    def _chat_update(self, call: Call) -> dict[str, Any]:
        channel, ts = call.args.get("channel"), call.args.get("ts")
        msg = self._find_message(channel, ts)
        if msg is not None:
            for key in ("text", "blocks", "attachments", "metadata"):
                if key in call.args:
                    msg[key] = call.args[key]
            msg["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        message = {k: v for k, v in (msg or {}).items() if k != "channel"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": call.args.get("text", ""),
            "message": message or {"text": call.args.get("text", "")},
        }

    def _chat_delete(self, call: Call) -> dict[str, Any]:
        channel, ts = call.args.get("channel"), call.args.get("ts")
        msg = self._find_message(channel, ts)
        if msg is not None:
            self.messages.remove(msg)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_get_permalink(self, call: Call) -> dict[str, Any]:
        channel = call.args.get("channel", "C")
        ts = str(call.args.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://fake.slack/archives/{channel}/p{ts}",
        }

    def _conversations_history(self, call: Call) -> dict[str, Any]:
        channel = call.args.get("channel")
        msgs = [
            {k: v for k, v in m.items() if k != "channel"}
            for m in self.messages
            if m["channel"] == channel and m.get("thread_ts") in (None, m["ts"])
        ]
        return {"ok": True, "messages": list(reversed(msgs)), "has_more": False}

    def _conversations_replies(self, call: Call) -> dict[str, Any]:
        channel, ts = call.args.get("channel"), call.args.get("ts")
        msgs = [
            {k: v for k, v in m.items() if k != "channel"}
            for m in self.messages
            if m["channel"] == channel and (m["ts"] == ts or m.get("thread_ts") == ts)
        ]
        if not msgs:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": msgs, "has_more": False}

    @staticmethod
    def _default_channel(channel_id: str) -> dict[str, Any]:
        return {
            "id": channel_id,
            "name": f"channel-{channel_id.lower()}",
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": True,
            "is_im": False,
        }

    def _conversations_info(self, call: Call) -> dict[str, Any]:
        channel_id = str(call.args.get("channel", ""))
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        channel = self.channels.get(channel_id) or self._default_channel(channel_id)
        return {"ok": True, "channel": channel}

    def _conversations_open(self, call: Call) -> dict[str, Any]:
        users = str(call.args.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users.replace(",", "").upper()
        return {"ok": True, "channel": {"id": channel_id, "is_im": True}}

    def _conversations_join(self, call: Call) -> dict[str, Any]:
        channel_id = str(call.args.get("channel", ""))
        channel = self.channels.setdefault(channel_id, self._default_channel(channel_id))
        channel["is_member"] = True
        return {"ok": True, "channel": channel}

    @staticmethod
    def _default_user(user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "tz": "UTC",
            "tz_offset": 0,
            "profile": {
                "real_name": f"User {user_id}",
                "display_name": user_id.lower(),
                "email": f"{user_id.lower()}@example.com",
            },
        }

    def _users_info(self, call: Call) -> dict[str, Any]:
        user_id = str(call.args.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self.users.get(user_id) or self._default_user(user_id)}

    def _usergroups_users_list(self, call: Call) -> dict[str, Any]:
        group = str(call.args.get("usergroup", ""))
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}

    def _echo_view(self, view: Any, view_id: str, **extra: Any) -> dict[str, Any]:
        view = dict(view) if isinstance(view, dict) else {}
        view.update(
            {
                "id": view_id,
                "team_id": TEAM_ID,
                "hash": f"{int(time.time())}.{next(self._id_counter):08d}",
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "state": {"values": {}},
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                **extra,
            }
        )
        self.views[view_id] = view
        return view

    def _views_open(self, call: Call) -> dict[str, Any]:
        if not call.args.get("trigger_id") and not call.args.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = self._next_id("V")
        return {"ok": True, "view": self._echo_view(call.args.get("view"), view_id)}

    def _views_update(self, call: Call) -> dict[str, Any]:
        view_id = call.args.get("view_id")
        external_id = call.args.get("external_id")
        if not view_id and external_id:
            view_id = next(
                (vid for vid, v in self.views.items() if v.get("external_id") == external_id),
                None,
            )
        if not view_id:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._echo_view(call.args.get("view"), str(view_id))}

    def _views_publish(self, call: Call) -> dict[str, Any]:
        user_id = str(call.args.get("user_id", ""))
        view_id = next(
            (vid for vid, v in self.views.items() if v.get("_home_user") == user_id),
            None,
        ) or self._next_id("V")
        view = self._echo_view(call.args.get("view"), view_id, _home_user=user_id)
        return {"ok": True, "view": {k: v for k, v in view.items() if k != "_home_user"}}

    def _file_object(self, stored: _StoredFile) -> dict[str, Any]:
        base = f"{self.url}/files-pri/{TEAM_ID}-{stored.file_id}/"
        return {
            "id": stored.file_id,
            "created": 1_700_000_000,
            "timestamp": 1_700_000_000,
            "name": stored.name,
            "title": stored.title,
            "mimetype": stored.mimetype,
            "filetype": stored.filetype,
            "pretty_type": stored.filetype.upper(),
            "user": stored.user,
            "size": len(stored.content),
            "mode": "hosted",
            "is_external": False,
            "url_private": base + stored.name,
            "url_private_download": base + "download/" + stored.name,
            "permalink": f"https://fake.slack/files/{stored.user}/{stored.file_id}/{stored.name}",
        }

    def _files_info(self, call: Call) -> dict[str, Any]:
        stored = self.files.get(str(call.args.get("file", "")))
        if stored is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file_object(stored), "comments": []}

    def _files_get_upload_url(self, call: Call) -> dict[str, Any]:
        filename = call.args.get("filename")
        length = call.args.get("length")
        if not filename or length is None:
            return {"ok": False, "error": "invalid_arguments"}
        upload_id = self._next_id("u")
        file_id = self._next_id("F")
        self._pending_uploads[upload_id] = _PendingUpload(
            upload_id=upload_id,
            file_id=file_id,
            filename=str(filename),
            length=int(length),
            alt_txt=call.args.get("alt_txt"),
            snippet_type=call.args.get("snippet_type"),
        )
        return {"ok": True, "upload_url": f"{self.url}/upload/v1/{upload_id}", "file_id": file_id}

    def _files_complete_upload(self, call: Call) -> dict[str, Any]:
        requested = call.args.get("files")
        if not isinstance(requested, list) or not requested:
            return {"ok": False, "error": "invalid_arguments"}
        by_file_id = {p.file_id: p for p in self._pending_uploads.values()}
        done: list[dict[str, Any]] = []
        for item in requested:
            pending = by_file_id.get(item.get("id"))
            if pending is None or pending.content is None:
                return {"ok": False, "error": "file_not_found"}
            title = item.get("title") or pending.filename
            self.uploaded_files.append(
                UploadedFile(
                    file_id=pending.file_id,
                    filename=pending.filename,
                    title=item.get("title"),
                    content=pending.content,
                    channel_id=call.args.get("channel_id"),
                    thread_ts=call.args.get("thread_ts"),
                    initial_comment=call.args.get("initial_comment"),
                    channels=call.args.get("channels"),
                    alt_txt=pending.alt_txt,
                    snippet_type=pending.snippet_type,
                )
            )
            del self._pending_uploads[pending.upload_id]
            stored = _StoredFile(
                pending.file_id,
                pending.filename,
                pending.content,
                "application/octet-stream",
                pending.filename.rsplit(".", 1)[-1] if "." in pending.filename else "binary",
                title,
                BOT_USER_ID,
            )
            self.files[pending.file_id] = stored
            done.append({"id": pending.file_id, "title": title})
        channel = call.args.get("channel_id")
        if channel:
            # Like Slack: sharing files posts a message (in the thread, when thread_ts is set).
            message: dict[str, Any] = {
                "type": "message",
                "user": BOT_USER_ID,
                "text": call.args.get("initial_comment") or "",
                "ts": self._next_ts(),
                "files": [self._file_object(self.files[f["id"]]) for f in done],
                "channel": channel,
            }
            if call.args.get("thread_ts"):
                message["thread_ts"] = call.args["thread_ts"]
            self.messages.append(message)
        return {"ok": True, "files": done}


# ---------------------------------------------------------------------- helpers


def _to_response(reply: Reply) -> Response:
    if isinstance(reply.body, dict):
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)
    return Response(
        reply.body,
        status_code=reply.status,
        headers=reply.headers,
        media_type="text/plain",
    )


async def _decode_args(request: Request) -> dict[str, Any]:
    """Merge query string and body (form, multipart or JSON) into one args dict."""
    args: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                args[key] = {"filename": value.filename, "content": await value.read()}
            else:
                args[key] = value
    else:
        raw = await request.body()
        if raw:
            if content_type == "application/json":
                decoded = json.loads(raw)
                if isinstance(decoded, dict):
                    args.update(decoded)
            else:
                args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_STRING_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


async def _read_upload_body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        for _key, value in form.multi_items():
            if isinstance(value, UploadFile):
                return await value.read()
        return b""
    return await request.body()


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
