"""``/v1/Porting/Configuration/Webhook``: where and which porting webhooks the sandbox sends."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.porting.statuses import ALL_PORT_IN_EVENTS

from ..data import WEBHOOK_TYPES
from ..errors import bad_request, not_found
from ..resources import webhook_json
from .params import SandboxDep, json_object

router = APIRouter()

_URL = re.compile(r"^https?://[^\s/]+\S*$")
_EVENTS = {*ALL_PORT_IN_EVENTS, "PortOutPhoneNumberCompleted"}
_TARGETS = ("port_in_target_url", "port_out_target_url")


def _target_urls(body: dict[str, Any], allowed: tuple[str, ...] | None) -> dict[str, str | None]:
    urls: dict[str, str | None] = {}
    for key in _TARGETS:
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or not _URL.match(value)):
            raise bad_request(f"Invalid parameter {key}: {value!r} is not an http(s) URL")
        if value is not None and allowed is not None and value not in allowed:
            raise bad_request(
                f"Invalid parameter {key}: this sandbox sends webhooks only to {', '.join(allowed)}"
            )
        urls[key] = value
    return urls


def _events(body: dict[str, Any]) -> list[str]:
    events = body.get("notifications_of") or []
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise bad_request("Invalid parameter notifications_of: expected a list of event names")
    unknown = sorted(set(events) - _EVENTS)
    if unknown:
        raise bad_request(f"Invalid parameter notifications_of: unknown {', '.join(unknown)}")
    return events


@router.post("/v1/Porting/Configuration/Webhook")
async def configure_webhook(request: Request, sandbox: SandboxDep) -> JSONResponse:
    body = await json_object(request)
    urls = _target_urls(body, sandbox.config.webhook_targets)
    events = _events(body)
    if not any(urls.values()):
        # GUESS: at least one target is required.
        raise bad_request("Missing required parameter port_in_target_url or port_out_target_url")
    state = sandbox.state
    state.webhook = state.webhook.replaced(
        urls["port_in_target_url"], urls["port_out_target_url"], events, sandbox.clock.now()
    )
    return JSONResponse(webhook_json(sandbox.config, state.webhook, fetch=False), 201)


@router.get("/v1/Porting/Configuration/Webhook")
async def fetch_webhook(request: Request, sandbox: SandboxDep) -> JSONResponse:
    if sandbox.state.webhook.empty:
        # GUESS: 404/20404 when nothing is configured.
        raise not_found(request.url.path)
    return JSONResponse(webhook_json(sandbox.config, sandbox.state.webhook, fetch=True))


@router.delete("/v1/Porting/Configuration/Webhook/{webhook_type}")
async def delete_webhook(webhook_type: str, sandbox: SandboxDep) -> Response:
    for known in WEBHOOK_TYPES:
        if webhook_type == known:
            sandbox.state.webhook.remove(known)
            return Response(status_code=204)
    raise bad_request(f"Invalid parameter WebhookType: {webhook_type!r} (PORT_IN, PORT_OUT)")
