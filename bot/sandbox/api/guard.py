"""ASGI middleware: Basic auth for every API (``/v1``, ``/2010-04-01``) and ``/_sim`` call
(but the LOA page and reading the clock); injected latency, the concurrency cap and scripted
failures for API calls only."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import SandboxConfig
from ..errors import SandboxError

if TYPE_CHECKING:
    from ..core import Sandbox


def route_path(scope: Scope) -> str:
    # When mounted under a prefix, Starlette keeps the full path and sets root_path.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def authorized(scope: Scope, cfg: SandboxConfig) -> bool:
    """The call carries Basic auth with the account SID and token, or the API key pair."""
    header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        username, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    if hmac.compare_digest(username, cfg.account_sid):
        return hmac.compare_digest(password, cfg.auth_token)
    if cfg.api_key_sid and cfg.api_key_secret and hmac.compare_digest(username, cfg.api_key_sid):
        return hmac.compare_digest(password, cfg.api_key_secret)
    return False


def _public(path: str, method: str | None) -> bool:
    """What needs no credentials: the LOA page (its link's token guards it) and reading the
    clock (``curl …/sandbox/_sim/clock`` from this machine: what time the sandbox thinks it
    is, and what it does next; nothing secret)."""
    return path.startswith("/_sim/loa/") or (path == "/_sim/clock" and method in ("GET", "HEAD"))


_UNAUTHORIZED = SandboxError(
    401, 20003, "Authenticate", headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
)


class Guard:
    """Auth for every API/admin call; latency, concurrency cap and scripted faults for /v1."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        api = path.startswith(("/v1/", "/2010-04-01/"))
        admin = path.startswith("/_sim/") and not _public(path, scope.get("method"))
        if not (api or admin):
            await self.app(scope, receive, send)
        elif not authorized(scope, self.sandbox.config):
            await _UNAUTHORIZED.response()(scope, receive, send)
        elif admin:
            await self.app(scope, receive, send)
        else:
            await self._api_call(path, scope, receive, send)

    async def _api_call(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.sandbox.faults
        refused = faults.enter()
        if refused is not None:
            await refused.response()(scope, receive, send)
            return
        try:
            if self.sandbox.config.latency_seconds:
                await self.sandbox.sleep(self.sandbox.config.latency_seconds)
            fault = faults.take(path, scope.get("method"))
            if fault is not None:
                await fault.error().response()(scope, receive, send)
                return
            await self.app(scope, receive, send)
        finally:
            faults.leave()
