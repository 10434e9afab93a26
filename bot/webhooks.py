"""POST /twilio/porting: verify Twilio's signature, record the delivery durably, answer fast.

The 2xx means the delivery and the fetch of its request are committed (one transaction), so
nothing a webhook announced can be lost once Twilio stops retrying. If the database cannot
take it, the answer is 503 and Twilio delivers again; nothing is half-written. The fetch and
the Slack work it causes run later, in the reconciler and the outbox worker.

Deliveries arriving together share one transaction (group commit): under load the per-webhook
database cost falls instead of queueing, and an idle bot commits each one at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from bot import reconcile
from bot.porting.models import WebhookPayload
from bot.porting.signature import validate_json
from bot.store.db import Database
from bot.store.models import WebhookReceipt

log = logging.getLogger(__name__)
router = APIRouter()
RECEIPTS = WebhookReceipt.__table__
MAX_BATCH = 200


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


@functools.cache
def _receipt_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(RECEIPTS)
        .values(
            dedupe_key=bindparam("key"),
            request_sid=bindparam("sid"),
            event=bindparam("event"),
            payload=bindparam("body"),
            outcome="received",
            received_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(RECEIPTS.c.dedupe_key)
    )


@dataclass
class _Delivery:
    key: str
    request_sid: str
    event: str | None
    body: str
    done: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Inbox:
    """Commits webhook deliveries with the fetch they schedule, a batch per transaction."""

    def __init__(
        self, db: Database, *, window: float, on_nudge: Callable[[float], None] | None = None
    ) -> None:
        self.db = db
        self.window = window
        self._on_nudge = on_nudge
        self._queue: asyncio.Queue[_Delivery] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-inbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while not self._queue.empty():  # not committed: their senders get a 5xx and retry
            self._queue.get_nowait().done.cancel()

    async def record(self, key: str, request_sid: str, event: str | None, body: str) -> bool:
        """True once the delivery is committed, False for one recorded before; raises when
        the database did not take it."""
        delivery = _Delivery(key, request_sid, event, body)
        self._queue.put_nowait(delivery)
        return await delivery.done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                new = await self._write(batch)
            except asyncio.CancelledError:
                for d in batch:
                    d.done.cancel()
                raise
            except Exception as error:  # the whole batch rolled back: each sender answers 503
                for d in batch:
                    if not d.done.done():
                        d.done.set_exception(error)
                continue
            new_any = bool(new)
            for d in batch:
                if not d.done.done():
                    d.done.set_result(d.key in new)
                    new.discard(d.key)  # a second copy in the same batch is a duplicate
            if new_any and self._on_nudge is not None:
                self._on_nudge(self.window)

    async def _write(self, batch: list[_Delivery]) -> set[str]:
        now = datetime.now(UTC)
        async with self.db.engine.begin() as conn:
            dialect = conn.dialect.name
            rows = [
                {"key": d.key, "sid": d.request_sid, "event": d.event, "body": d.body, "now": now}
                for d in batch
            ]
            inserted = await conn.execute(_receipt_statement(dialect), rows)
            new = {row[0] for row in inserted}
            sids = [d.request_sid for d in batch if d.key in new]
            if sids:
                await conn.execute(
                    reconcile.nudge_statement(dialect),
                    reconcile.nudge_rows(sids, now, self.window),
                )
        return new


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
        payload = WebhookPayload.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        log.warning("porting webhook without a readable port_in_request_sid; ignored")
        return Response(status_code=400, content="unreadable body")

    key = dedupe_key(payload, body)
    text = body.decode("utf-8", "replace")
    try:
        stored = await state.inbox.record(key, payload.request_sid, payload.raw_status, text)
    except Exception as error:  # the database said no (or we are shutting down): retry later
        log.error(
            "porting webhook not stored (%s); answered 503 so Twilio retries",
            type(error).__name__,
            extra={"request_sid": payload.request_sid},
        )
        return Response(status_code=503, content="try again", headers={"Retry-After": "5"})
    if not stored:
        log.info("duplicate porting webhook", extra={"request_sid": payload.request_sid})
        return Response(status_code=200, content="duplicate")
    return Response(status_code=200, content="ok")
