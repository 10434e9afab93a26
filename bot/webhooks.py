"""POST /twilio/porting: verify Twilio's signature, record the delivery, answer fast.

The Slack work a webhook causes runs after the response, in a tracked background task.
"""

from __future__ import annotations

import hashlib
import json
import logging

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from bot.porting.models import WebhookPayload
from bot.porting.signature import validate_json
from bot.store import queries

log = logging.getLogger(__name__)
router = APIRouter()


def dedupe_key(payload: WebhookPayload, body: bytes) -> str:
    """Same delivery → same key. Without a timestamp, only a byte-identical body matches."""
    if payload.last_date_updated is not None and payload.raw_status:
        raw = "|".join(
            [
                payload.request_sid,
                payload.number_sid or "",
                payload.raw_status.lower(),
                payload.last_date_updated.isoformat(),
            ]
        )
        return hashlib.sha256(raw.encode()).hexdigest()
    return hashlib.sha256(body).hexdigest()


@router.post("/twilio/porting")
async def receive(request: Request) -> Response:
    state = request.app.state
    body = await request.body()
    # Rebuild the URL Twilio signed from PUBLIC_URL: behind a proxy request.url is not it.
    url = state.settings.base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature")
    if not validate_json(state.webhook_tokens, url, body, signature):
        log.warning(
            "rejected porting webhook: %s signature",
            "missing" if not signature else "invalid",
            extra={"client": request.client.host if request.client else None},
        )
        return Response(status_code=403, content="invalid signature")
    try:
        data = json.loads(body)
        payload = WebhookPayload.model_validate(data)
    except (ValueError, ValidationError):
        log.warning("porting webhook without a readable port_in_request_sid; ignored")
        return Response(status_code=400, content="unreadable body")

    key = dedupe_key(payload, body)
    stored = await queries.record_receipt(
        state.db, key, payload.request_sid, payload.raw_status, json.dumps(data)
    )
    if not stored:
        log.info("duplicate porting webhook", extra={"request_sid": payload.request_sid})
        return Response(status_code=200, content="duplicate")
    state.tasks.spawn(_apply(state, payload, key), name=f"webhook:{payload.request_sid}")
    return Response(status_code=200, content="ok")


async def _apply(state, payload: WebhookPayload, key: str) -> None:  # type: ignore[no-untyped-def]
    try:
        update = await state.desk.handle_webhook(payload)
    except Exception:
        log.exception("applying webhook failed", extra={"request_sid": payload.request_sid})
        await queries.set_receipt_outcome(state.db, key, "error")
        return
    await queries.set_receipt_outcome(
        state.db, key, "applied" if update.has_changes else "no_change"
    )
