"""Every door reads a bounded body, with a deadline.

The bot's ASGI app (:class:`bot.server.PortingApp`) passes every HTTP request through
:func:`bounded` before any route sees it: a body larger than its door's limit is refused with
413 by ``Content-Length`` before a byte is read, or by counting bytes while a chunked body
arrives; a body that has not finished arriving :data:`BODY_SECONDS` after the request began is
dropped with 408. Either way the connection is closed, one warning line names the door and the
caller, and the route never sees the request. uvicorn reads no further than a small buffer
ahead of the app, so memory stays flat whatever the client sends.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import errors

log = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB

# A body that has not fully arrived this long after its request began is dropped (408): the
# largest legitimate one (a 25 MiB attachment on the local page, over loopback) takes well
# under a second; a client that stops half-way would otherwise hold its connection for ever.
BODY_SECONDS = 15.0

# Slack's largest legitimate payloads (a view_submission carrying a big modal's state, a
# block_actions on a 50-block message) are a few hundred KiB; 1 MiB leaves room to spare.
SLACK_MAX_BODY = 1 * MIB
# Twilio's porting webhooks are a few hundred bytes of JSON.
TWILIO_MAX_BODY = 64 * KIB
# The sandbox's largest request is a document upload: its 10 MiB limit plus the form around it
# (it answers a larger document with Twilio's own 400 below this).
SANDBOX_MAX_BODY = 16 * MIB
# The local workspace's largest request is an attachment from the page (25 MiB) as a form.
WORKSPACE_MAX_BODY = 26 * MIB
# Everything else (health checks, redirects) takes no body worth the name.
OTHER_MAX_BODY = 64 * KIB

# The limit of each door: a path, or a prefix ending in / for a mounted app.
LIMITS: tuple[tuple[str, int], ...] = (
    ("/slack/events", SLACK_MAX_BODY),
    ("/twilio/porting", TWILIO_MAX_BODY),
    ("/twilio/port-out", TWILIO_MAX_BODY),
    ("/sandbox/", SANDBOX_MAX_BODY),
    ("/workspace/", WORKSPACE_MAX_BODY),
)

# uvicorn, set deliberately. At most this many connections and requests at once; the next
# is answered 503 at once instead of queueing until memory runs out. A bot's traffic (Slack's
# requests, Twilio's webhooks, a few hundred a second at the busiest) needs a few dozen.
LIMIT_CONCURRENCY = 500
# An idle keep-alive connection is closed after this long: longer than Slack's and Twilio's
# pauses between requests of one burst, short enough that idle connections do not pile up
# against LIMIT_CONCURRENCY. (Behind a proxy with a longer idle timeout, the proxy reconnects.)
KEEP_ALIVE_SECONDS = 20


def limit_for(path: str) -> int:
    for door, limit in LIMITS:  # "/x/": the path /x and everything under it; else exactly
        if path == door.rstrip("/") or (door.endswith("/") and path.startswith(door)):
            return limit
    return OTHER_MAX_BODY


class Refused(errors.Refused):
    """The request's body broke its door's rule: answered ``status`` and closed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None


class BodyDeadlines:
    """The requests of one event loop waiting for their body, each with its deadline, under
    one timer (armed for the earliest): a request pays a dict entry, not a timer of its own
    (``asyncio.timeout`` made and cancelled one per request: a tenth of a webhook's own CPU).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._waiting: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[Any], deadline: float) -> None:
        self._waiting[task] = deadline
        if self._timer is None or deadline < self._timer.when():
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self.loop.call_at(deadline, self._expire)

    def forget(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; True when its deadline passed while it waited (its
        cancellation was this watcher's)."""
        self._waiting.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def _expire(self) -> None:
        self._timer = None
        now = self.loop.time()
        later = [deadline for deadline in self._waiting.values() if deadline > now]
        for task in [t for t, deadline in self._waiting.items() if deadline <= now]:
            del self._waiting[task]
            self._expired.add(task)
            task.cancel()
        if later:
            self._timer = self.loop.call_at(min(later), self._expire)


async def bounded(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    limit: int,
    seconds: float = BODY_SECONDS,
    deadlines: BodyDeadlines | None = None,
) -> None:
    """Run ``app`` for one HTTP request whose body may hold at most ``limit`` bytes and must
    have arrived ``seconds`` after the request began. ``deadlines``: the loop's watcher (the
    app keeps one; without it, one for this request)."""
    if deadlines is None:
        deadlines = BodyDeadlines(asyncio.get_running_loop())
    loop = deadlines.loop
    deadline = loop.time() + seconds
    refused: Refused | None = None
    started = False
    received = 0
    complete = False

    declared = _declared_length(scope)
    if declared is not None and (declared < 0 or declared > limit):
        shown = "not a number" if declared < 0 else f"{declared} bytes"
        refused = Refused(413, f"Content-Length {shown}, over {_size(limit)}")
        await _answer(scope, send, refused)
        return

    async def bounded_receive() -> Message:
        nonlocal refused, received, complete
        if refused is not None:
            raise refused
        if complete:  # the body is in: what follows (a disconnect) has no deadline
            return await receive()
        task = asyncio.current_task(loop)  # with its loop: no look-up of the running loop
        assert task is not None
        cancelling = task.cancelling()
        deadlines.watch(task, deadline)
        try:
            message = await receive()
        except asyncio.CancelledError:
            if deadlines.forget(task) and task.uncancel() <= cancelling:
                refused = Refused(408, f"body not received within {seconds:.0f} s")
                raise refused from None
            raise
        finally:
            deadlines.forget(task)  # whatever ended the wait: never cancelled later
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                refused = Refused(413, f"body over {_size(limit)}")
                raise refused
            complete = not message.get("more_body", False)
        else:
            complete = True
        return message

    async def tracked_send(message: Message) -> None:
        nonlocal started
        if refused is not None:
            return  # the route's own answer to a refused body goes nowhere
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, bounded_receive, tracked_send)
    except Exception:
        if refused is None:
            raise
    if refused is not None:
        if started:  # the route answered before reading on: just log it
            _warn(scope, refused)
        else:
            await _answer(scope, send, refused)


def _warn(scope: Scope, refused: Refused) -> None:
    client: Any = scope.get("client")
    log.warning(
        "refused %s %s from %s: %s",
        scope.get("method", "?"),
        scope["path"],
        client[0] if client else "?",
        refused.reason,
    )


async def _answer(scope: Scope, send: Send, refused: Refused) -> None:
    _warn(scope, refused)
    text = b"body too large" if refused.status == 413 else b"body too slow"
    # Closed after the answer: the rest of the body is never read.
    await _plain(send, refused.status, text, close=True)


def from_this_machine(scope: Scope) -> bool:
    """The caller's address (as uvicorn reports it, after believing only FORWARDED_ALLOW_IPS'
    proxies) is a loopback one. An in-process call (httpx's ASGITransport) reports 127.0.0.1."""
    client: Any = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(str(client[0]).split("%")[0]).is_loopback
    except ValueError:
        return False


class SandboxDoor:
    """What reaches the mounted sandbox: its Twilio API from this machine only (the bot calls
    it in-process), and its simulator (``/_sim/…``: the clock, LOA and carrier actions, the
    LOA page) only in local mode, also from this machine only. Anything else is answered
    without the sandbox seeing it."""

    def __init__(self, app: ASGIApp, *, simulator: bool) -> None:
        self.app = app
        self.simulator = simulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Mounted, Starlette keeps the full path and sets root_path.
        path = str(scope["path"]).removeprefix(scope.get("root_path", ""))
        if path == "/_sim" or path.startswith("/_sim/"):
            if not self.simulator:
                await _plain(send, 404, b"not found")
                return
        if not from_this_machine(scope):
            _warn(scope, Refused(403, "the sandbox answers this machine only"))
            await _plain(send, 403, b"the sandbox answers this machine only")
            return
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, text: bytes, *, close: bool = False) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(text)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})
