"""POST /twilio/port-out: Twilio's port-out webhooks (``PortOutPhoneNumberCompleted``, sent
where Twilio supports port-out notices; ``register-webhook`` points the ``PORT_OUT`` target
here). Verified with X-Twilio-Signature like the port-in ones, bounded, then fed to the same
alert as a number the inventory sweep finds gone (``bot.desk.inventory.Inventory.port_out``):
announced once however often Twilio delivers it."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response

from bot.porting.signature import validate_json

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

PATH = "/twilio/port-out"
MAX_BODY = 64 * 1024
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_NUMBER_KEYS = ("phone_number", "port_out_phone_number", "PhoneNumber")


def _answer(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain")


def phone_number_of(body: Any) -> str | None:
    """The E.164 number a port-out webhook names (top level, or in ``data``)."""
    for where in (body, body.get("data") if isinstance(body, dict) else None):
        if not isinstance(where, dict):
            continue
        for key in _NUMBER_KEYS:
            value = where.get(key)
            if isinstance(value, str) and _E164.match(value.strip()):
                return value.strip()
    return None


async def receive(runtime: Runtime, request: Request) -> Response:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _answer(413, "body too large")
    url = runtime.settings.base_url + PATH + (f"?{request.url.query}" if request.url.query else "")
    signature = request.headers.get("x-twilio-signature")
    if not validate_json(runtime.webhook_tokens, url, body, signature):
        log.warning("rejected port-out webhook: %s signature", "invalid" if signature else "no")
        return _answer(403, "invalid signature")
    try:
        parsed = json.loads(body)
    except ValueError:
        return _answer(400, "unreadable body")
    number = phone_number_of(parsed)
    if number is None:
        log.warning("port-out webhook without a phone number; nothing stored")
        return _answer(400, "no phone_number")
    try:
        new = await runtime.desk.inventory.port_out(number)
    except Exception as error:  # the database said no: Twilio delivers again
        log.error("port-out webhook not stored (%s); answered 503", type(error).__name__)
        return Response("try again", status_code=503, headers={"retry-after": "5"})
    return _answer(200, "ok" if new else "duplicate")
