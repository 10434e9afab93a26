"""Porting webhook payloads (reference §4.3) and the signed, retrying, loggable sender."""

from __future__ import annotations

import asyncio
import json
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from bot.porting.signature import sign_json
from bot.porting.statuses import WebhookEvent

from .config import SandboxConfig

if TYPE_CHECKING:
    from .data import SimNumber

Sleep = Callable[[float], Awaitable[None]]


def webhook_timestamp(when: datetime) -> str:
    """``2024-05-20T22:42:01.000Z`` — the millisecond form third-party handlers show."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# The two payload builders are the one place the (unconfirmed) §4.3 shape lives.
def request_payload(request_sid: str, event: WebhookEvent, when: datetime) -> dict[str, Any]:
    return {
        "port_in_request_sid": request_sid,
        "status": event.value,
        "last_date_updated": webhook_timestamp(when),
    }


def number_payload(number: SimNumber, event: WebhookEvent, when: datetime) -> dict[str, Any]:
    return {
        "port_in_request_sid": number.request_sid,
        "port_in_phone_number_sid": number.sid,
        "phone_number": number.phone_number,
        "status": event.value,
        "portable": number.portable,
        "not_portable_reason": number.not_portability_reason,
        "not_portable_reason_code": number.not_portability_reason_code,
        "rejection_reason": number.rejection_reason,
        "rejection_reason_code": number.rejection_reason_code,
        "last_date_updated": webhook_timestamp(when),
    }


@dataclass
class SimEvent:
    """A transition the sandbox announced (whether or not a webhook was configured)."""

    event: WebhookEvent
    payload: dict[str, Any]
    at: datetime

    @property
    def request_sid(self) -> str:
        sid: str = self.payload["port_in_request_sid"]
        return sid

    @property
    def number_sid(self) -> str | None:
        return self.payload.get("port_in_phone_number_sid")


@dataclass
class Attempt:
    status_code: int | None
    error: str | None


@dataclass
class Delivery:
    """One webhook POST (with its retries) and how it ended."""

    event: str
    payload: dict[str, Any]
    body: bytes
    url: str  # the full URL POSTed to, including bodySHA256
    signature: str
    duplicate: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].error is None

    @property
    def status_code(self) -> int | None:
        return self.attempts[-1].status_code if self.attempts else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "payload": self.payload,
            "url": self.url,
            "signature": self.signature,
            "duplicate": self.duplicate,
            "ok": self.ok,
            "attempts": [{"status_code": a.status_code, "error": a.error} for a in self.attempts],
        }


@dataclass
class _Outgoing:
    event: SimEvent
    target_url: str


class WebhookSender:
    """Delivers events in order from one background worker, so the clock never waits on HTTP.

    ``flush()`` waits until everything queued so far has been delivered (or given up on);
    the stepped clock calls it so tests see every delivery deterministically.
    """

    def __init__(
        self,
        config: SandboxConfig,
        client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._config = config
        self._client = client
        self._owns_client = client is None
        self._sleep = sleep
        self._queue: deque[_Outgoing] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._rng = random.Random(config.webhook_seed)
        self.deliveries: deque[Delivery] = deque(maxlen=config.max_log_entries)

    def enqueue(self, event: SimEvent, target_url: str) -> None:
        self._queue.append(_Outgoing(event, target_url))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self) -> None:
        while self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)

    async def aclose(self) -> None:
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
        self._queue.clear()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._config.webhook_timeout_seconds)
        return self._client

    async def _drain(self) -> None:
        while self._queue:
            item = self._queue.popleft()
            # Out-of-order mode: let the next event overtake this one.
            if self._queue and self._chance(self._config.webhook_out_of_order_probability):
                overtaking = self._queue.popleft()
                self._queue.appendleft(item)
                item = overtaking
            delivery = self._build(item)
            await self._deliver(delivery)
            if self._chance(self._config.webhook_duplicate_probability):
                duplicate = Delivery(
                    delivery.event,
                    delivery.payload,
                    delivery.body,
                    delivery.url,
                    delivery.signature,
                    duplicate=True,
                )
                await self._deliver(duplicate)

    def _chance(self, probability: float) -> bool:
        return probability > 0 and self._rng.random() < probability

    def _build(self, item: _Outgoing) -> Delivery:
        body = json.dumps(item.event.payload, separators=(",", ":")).encode()
        url, signature = sign_json(self._config.auth_token, item.target_url, body)
        return Delivery(item.event.event.value, item.event.payload, body, url, signature)

    async def _deliver(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        headers = {"Content-Type": "application/json", "X-Twilio-Signature": delivery.signature}
        backoff = self._config.webhook_retry_backoff_seconds
        for attempt in range(self._config.webhook_max_attempts):
            if attempt:
                await self._sleep(backoff * 2 ** (attempt - 1))
            try:
                response = await self._http().post(
                    delivery.url,
                    content=delivery.body,
                    headers=headers,
                    timeout=self._config.webhook_timeout_seconds,
                )
            except Exception as exc:  # any failure of the receiver must not kill the worker
                delivery.attempts.append(Attempt(None, f"{type(exc).__name__}: {exc}"))
                continue
            if 200 <= response.status_code < 300:
                delivery.attempts.append(Attempt(response.status_code, None))
                return
            delivery.attempts.append(Attempt(response.status_code, f"HTTP {response.status_code}"))
