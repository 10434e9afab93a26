"""What the sandbox's routes share: the :class:`Sandbox` dependency, JSON bodies, date query
parameters and path SIDs that answer 404/20404 when they do not match their pattern."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request

from ..core import Sandbox
from ..data import SimNumber, SimRequest
from ..errors import bad_request, not_found
from ..validation import is_sid


async def _sandbox(request: Request) -> Sandbox:
    # create_sandbox_app puts it there; a mounted app still sees its own ``app``.
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(_sandbox)]


async def json_object(request: Request) -> dict[str, Any]:
    # Twilio's porting endpoints take JSON, unlike most of its API (reference §8.2).
    if "application/json" not in request.headers.get("content-type", ""):
        raise bad_request("Content-Type must be application/json")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def date_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"Invalid parameter {name}: {raw!r} is not YYYY-MM-DD") from None


def port_in_or_404(sandbox: Sandbox, request: Request, sid: str) -> SimRequest:
    if not is_sid("KW", sid):
        raise not_found(request.url.path)
    return sandbox.state.get_request(sid, request.url.path)


def number_or_404(
    sandbox: Sandbox, request: Request, sid: str, number_sid: str
) -> tuple[SimRequest, SimNumber]:
    port_in = port_in_or_404(sandbox, request, sid)
    number = port_in.number(number_sid) if is_sid("PU", number_sid) else None
    if number is None:
        raise not_found(request.url.path)
    return port_in, number
