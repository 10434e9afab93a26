"""What passes through the workspace's Web API: one :class:`Call` per request, the
:class:`Reply` it got, and the other traffic (file downloads, uploads, ``response_url`` posts).

The product keeps none of it; a :class:`Traffic` observer (the tests' recorder) can.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

JSON = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """An answer: JSON (dict) or raw (str/bytes) body, HTTP status and extra headers."""

    body: JSON | str | bytes = field(default_factory=lambda: {"ok": True})
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def ratelimited(retry_after: int = 1) -> Reply:
    """Slack's rate-limit answer: HTTP 429, ``Retry-After`` header, ``error: ratelimited``."""
    return Reply(
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


def server_error(status: int = 500, error: str = "internal_error") -> Reply:
    """An HTTP 5xx answer."""
    return Reply({"ok": False, "error": error}, status=status)


def slack_error(error: str, **extra: Any) -> Reply:
    """A normal HTTP 200 ``{"ok": false, "error": ...}`` answer, e.g. ``channel_not_found``."""
    return Reply({"ok": False, "error": error, **extra})


def refused(error: str, *messages: str) -> Reply:
    """``ok: false`` with Slack's ``response_metadata.messages`` explaining each problem."""
    return slack_error(error, response_metadata={"messages": list(messages)})


@dataclass
class Call:
    """One request to the Web API (``/api/<method>``).

    ``args`` merges query string, form/multipart and JSON body (body wins); JSON-string fields
    such as ``blocks`` or ``view`` are decoded. ``headers`` has lower-cased names.
    ``response_*`` is what the workspace answered; ``scripted`` when a test scripted it.
    """

    method: str
    args: JSON
    headers: dict[str, str] = field(default_factory=dict)
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
        """Whether the answer was HTTP 200 with ``ok: true``."""
        body = self.response_body
        return self.response_status == 200 and isinstance(body, dict) and bool(body.get("ok"))


@dataclass
class Download:
    """One GET of a private file URL; ``authorized`` when a bot token came with it."""

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
    """One POST to a ``response_url`` (``body`` is decoded JSON when it is JSON)."""

    name: str
    body: Any
    headers: dict[str, str]
    response_status: int = 200
    received_at: float = field(default_factory=time.perf_counter)  # benchmarks time answers


# Keys for the traffic that is not a Web API method (scripts and outages use them too).
RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"
FILE_DOWNLOAD = "file_download"


class Traffic(Protocol):
    """Watches (and, in tests, scripts) the workspace's traffic. ``intercept`` may answer a
    request instead of the workspace (marking the ``call`` scripted when it scripted the
    answer); the ``on_*`` hooks see what was answered."""

    def intercept(self, key: str, call: Call | None = None) -> Reply | None: ...

    def on_call(self, call: Call) -> None: ...

    def on_download(self, download: Download) -> None: ...

    def on_upload(self, upload: UploadedFile) -> None: ...

    def on_response(self, post: ResponseUrlPost) -> None: ...


class Unobserved:
    """The product's traffic observer: nothing scripted, nothing kept."""

    def intercept(self, key: str, call: Call | None = None) -> Reply | None:
        return None

    def on_call(self, call: Call) -> None:
        return None

    def on_download(self, download: Download) -> None:
        return None

    def on_upload(self, upload: UploadedFile) -> None:
        return None

    def on_response(self, post: ResponseUrlPost) -> None:
        return None
