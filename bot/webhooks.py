"""POST /twilio/porting: verify Twilio's signature, record the delivery durably, answer fast.

The 2xx means the delivery and the fetch of its request are committed (one transaction), so
nothing a webhook announced can be lost once Twilio stops retrying. If the database cannot
take it, the answer is 503 and Twilio delivers again; nothing is half-written. The fetch and
the Slack work it causes run later, in the reconciler and the outbox worker.

Deliveries arriving together share one transaction (group commit): under load the per-webhook
database cost falls instead of queueing, and an idle bot commits each one at once. The write
goes straight through the database driver (``bot.store.receipts``), and the route is plain
ASGI served ahead of FastAPI's middleware and routing: it is the bot's busiest route, and
FastAPI's request machinery plus the ORM cost more CPU per webhook than everything else
together.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from bot import metrics
from bot.porting.signature import validate_json
from bot.porting.webhook import WebhookPayload, oddities, read_webhook
from bot.store.db import Database
from bot.store.receipts import Receipt, ReceiptWriter, delete_receipts_before

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
PATH = "/twilio/porting"
MAX_BATCH = 200
# Receipts are kept this long to recognise redeliveries (Twilio retries within hours; an
# older duplicate would only schedule a fetch that finds nothing new), then pruned hourly.
KEEP_RECEIPTS = timedelta(days=30)
PRUNE_EVERY = 3600.0


# Twilio's header on its webhooks: the same value on every redelivery of one delivery.
IDEMPOTENCY_HEADER = "i-twilio-idempotency-token"
# The only headers a delivery is judged by (the others are not even decoded).
_READ_HEADERS = frozenset({b"x-twilio-signature", IDEMPOTENCY_HEADER.encode()})


def dedupe_key(payload: WebhookPayload, body: bytes, idempotency_token: str | None = None) -> str:
    """Same delivery → same key: its request, number, event and timestamp. Without a
    timestamp or an event name to go by, Twilio's idempotency token (repeated on every
    redelivery), and without that, the body's bytes."""
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
    if idempotency_token:
        return hashlib.sha256(f"idempotency-token|{idempotency_token}".encode()).hexdigest()
    return hashlib.sha256(body).hexdigest()


def refusal(error: ValidationError) -> tuple[str, str]:
    """The short answer and the log detail for a signed body that cannot be stored: one
    without a request SID (or not JSON at all) is unreadable; a malformed SID is named
    (every other field is read leniently, see WebhookPayload)."""
    for problem in error.errors(include_url=False):
        where = problem["loc"]
        if problem["type"] != "missing" and where:
            return f"invalid {where[0]}", problem["msg"].removeprefix("Value error, ")
    return "unreadable body", "no readable port_in_request_sid"


class Poller(Protocol):
    """Told when deliveries scheduled fetches ``seconds`` from now, so this process is awake
    for them: ``bot.reconcile.Reconciler.wake_in``."""

    def wake_in(self, seconds: float) -> None: ...


@dataclass
class _Delivery:
    receipt: Receipt
    done: asyncio.Future[bool]


class Inbox:
    """Commits webhook deliveries with the fetch they schedule, a batch per transaction."""

    def __init__(
        self,
        writer: ReceiptWriter,
        db: Database,
        *,
        window: float,
        poller: Poller | None = None,
    ) -> None:
        self.writer = writer
        self.db = db  # for housekeeping, off the writer's connection
        self.window = window
        self._poller = poller
        self._queue: asyncio.Queue[_Delivery] = asyncio.Queue()
        self._ready = asyncio.Event()  # deliveries are queued and nothing is being written
        self._writing = False  # a write (one delivery, or a batch) is in flight
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [
            asyncio.create_task(self._run(), name="webhook-inbox"),
            asyncio.create_task(self._prune_hourly(), name="webhook-receipts-prune"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():  # not committed: their senders get a 5xx and retry
            self._queue.get_nowait().done.cancel()
        # The writer is closed by its owner (bot.runtime): the polling workers peek through it.

    async def record(self, receipt: Receipt) -> bool:
        """True once the delivery is committed, False for one recorded before; raises when
        the database did not take it.

        With nothing being written, the delivery is written at once from its own task (an
        idle bot's usual case: no hand-off to the batching task and back, a fifth of a
        webhook's CPU); otherwise it joins the next batch."""
        if not self._writing:
            self._writing = True
            try:
                return receipt.key in await self._write([receipt])
            finally:
                self._writing = False
                if not self._queue.empty():
                    self._ready.set()  # arrivals meanwhile: the batching task takes them
        # The loop the inbox started on, not asyncio.get_running_loop(): that asks the OS for
        # the process id on every call, a system call per webhook.
        loop = self._loop or asyncio.get_running_loop()
        delivery = _Delivery(receipt, loop.create_future())
        self._queue.put_nowait(delivery)
        return await delivery.done

    async def prune(self) -> int:
        """Forget receipts older than KEEP_RECEIPTS; returns how many went."""
        pruned = await delete_receipts_before(self.db, datetime.now(UTC) - KEEP_RECEIPTS)
        if pruned:
            log.info("pruned %d webhook receipts older than %s", pruned, KEEP_RECEIPTS)
        return pruned

    async def _prune_hourly(self) -> None:
        while True:
            try:
                await self.prune()
            except Exception as error:  # retried next hour; dedupe still works meanwhile
                log.warning("pruning webhook receipts failed (%s)", type(error).__name__)
            await asyncio.sleep(PRUNE_EVERY)

    async def _write(self, receipts: list[Receipt]) -> set[str]:
        """Commit ``receipts`` with their fetches; the keys that were new."""
        now = datetime.now(UTC)
        new = await self.writer.write(receipts, now, now + timedelta(seconds=self.window))
        if new and self._poller is not None:
            self._poller.wake_in(self.window)
        return new

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while not self._writing and not self._queue.empty():
                await self._write_batch()

    async def _write_batch(self) -> None:
        batch = [self._queue.get_nowait()]
        while len(batch) < MAX_BATCH and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        self._writing = True
        try:
            new = await self._write([d.receipt for d in batch])
        except asyncio.CancelledError:
            for d in batch:
                d.done.cancel()
            raise
        except Exception as error:  # the whole batch rolled back: each sender answers 503
            for d in batch:
                if not d.done.done():
                    d.done.set_exception(error)
            return
        finally:
            self._writing = False
        for d in batch:
            if not d.done.done():
                d.done.set_result(d.receipt.key in new)
                new.discard(d.receipt.key)  # a second copy in the same batch is a duplicate


def _context(payload: WebhookPayload) -> dict[str, str | None]:
    """A webhook line's context (``bot.logs``), built only when a line is logged: the
    route's hot path sets no context variable."""
    return {"request_sid": payload.request_sid, "number_sid": payload.number_sid}


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    result: str = "refused"  # what bot.metrics counts it as


async def handle(
    runtime: Runtime,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    client: str | None = None,
) -> Answer:
    """One delivery: verify, parse, record (in ``runtime.inbox``)."""
    # Rebuild the URL Twilio signed from PUBLIC_URL: behind a proxy the request's is not it.
    url = runtime.settings.base_url + path + (f"?{query}" if query else "")
    signature = headers.get("x-twilio-signature")
    if not validate_json(runtime.webhook_tokens, url, body, signature):
        log.warning(
            "rejected porting webhook: %s signature",
            "missing" if not signature else "invalid",
            extra={"client": client},
        )
        return Answer(403, "invalid signature")
    try:
        payload, unreadable = read_webhook(body)
    except ValidationError as error:
        # Stored, it would be fetched (and fail) every reconcile interval: refuse it whole.
        answer, detail = refusal(error)
        log.warning("refused porting webhook (%s); nothing stored", detail)
        return Answer(400, answer)

    receipt = Receipt(
        dedupe_key(payload, body, headers.get(IDEMPOTENCY_HEADER)),
        payload.request_sid,
        payload.raw_status,
        body.decode("utf-8", "replace"),
    )
    try:
        stored = await runtime.inbox.record(receipt)
    except Exception as error:  # the database said no (or we are shutting down): retry later
        log.error(
            "porting webhook not stored (%s); answered 503 so Twilio retries",
            type(error).__name__,
            extra=_context(payload),
        )
        return Answer(503, "try again", ((b"retry-after", b"5"),), result="unavailable")
    if not stored:
        log.info("duplicate porting webhook", extra=_context(payload))
        return Answer(200, "duplicate", result="duplicate")
    if odd := oddities(payload, unreadable):
        # Still a nudge: the fetch it scheduled reads the request from Twilio.
        log.warning(
            "porting webhook for %s accepted despite %s; its request will be fetched",
            payload.request_sid,
            "; ".join(odd),
            extra=_context(payload),
        )
    return Answer(200, "ok", result="accepted")


async def serve(runtime: Runtime, scope: Scope, receive_: Receive, send: Send) -> None:
    """The ASGI endpoint for ``PATH`` (``bot.server.PortingApp`` routes it here before any of
    FastAPI's request machinery): read, answer, and always a plain-text response."""
    started = time.perf_counter()
    if scope["method"] != "POST":
        answer = Answer(405, "POST only", ((b"allow", b"POST"),))
    else:
        body = await _read_body(receive_)
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _READ_HEADERS
        }
        client = scope.get("client")
        answer = await handle(
            runtime,
            scope["path"],
            scope["query_string"].decode("latin-1"),
            headers,
            body,
            client[0] if client else None,
        )
    content = answer.text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(content)).encode()),
                *answer.headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
    metrics.webhook_answered(answer.result, time.perf_counter() - started)


async def _read_body(receive_: Receive) -> bytes:
    """The request body (``bot.doors`` bounds it to TWILIO_MAX_BODY, with a deadline)."""
    chunks: list[bytes] = []
    while True:
        message: Message = await receive_()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
