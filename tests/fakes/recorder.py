"""What the tests' Slack keeps of its traffic, and how tests script it: every Web API call,
download, upload and ``response_url`` post recorded; failures scripted per method, methods
replaced, outages simulated (the :class:`~bot.workspace.records.Traffic` hooks)."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from typing import Any

from bot.workspace.records import (
    Call,
    Download,
    Reply,
    ResponseUrlPost,
    UploadedFile,
    server_error,
)

Handler = Callable[[Call], "dict[str, Any] | Reply"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.downloads: list[Download] = []
        self.uploaded_files: list[UploadedFile] = []
        self.responses: list[ResponseUrlPost] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._outages: list[tuple[str, Callable[[], bool], Reply]] = []
        self._handlers: dict[str, Handler] = {}

    def reset(self) -> None:
        """Forget recorded traffic, scripts, outages and handlers (the workspace's data stays)."""
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

        ``method`` is a Web API method (``"chat.postMessage"``) or one of ``RESPONSE_URL``,
        ``FILE_UPLOAD``, ``FILE_DOWNLOAD``. A dict is an HTTP 200 JSON body.
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

    def set_handler(self, method: str, handler: Handler) -> None:
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
            if reply is not None and call is not None:
                call.scripted = True
            return reply
        handler = self._handlers.get(key)
        if handler is None:
            return None
        try:
            result = handler(call)
        except Exception as exc:  # a bug in a custom handler must not hang the client
            return Reply({"ok": False, "error": f"fake_handler_error: {exc!r}"}, status=500)
        return result if isinstance(result, Reply) else Reply(result)

    def on_call(self, call: Call) -> None:
        self.calls.append(call)

    def on_download(self, download: Download) -> None:
        self.downloads.append(download)

    def on_upload(self, upload: UploadedFile) -> None:
        self.uploaded_files.append(upload)

    def on_response(self, post: ResponseUrlPost) -> None:
        self.responses.append(post)

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

    def pending_uploads(self) -> list[bytes]:
        """Bytes uploaded but not completed yet (the fake overrides this)."""
        return []

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
        parts.extend(b.decode("utf-8", errors="replace") for b in self.pending_uploads())
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
