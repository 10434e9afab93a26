"""How every call to Twilio travels: basic auth, the timeout, retries of transient failures
with full-jitter backoff (``Retry-After`` honoured), and Twilio's errors as typed exceptions.

Nothing here logs bodies, PINs, account numbers or auth headers: retries are logged with the
method, the URL path (never the query), the status and the attempt number only.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import AliasChoices, BaseModel, ValidationError

from bot import metrics
from bot.porting.errors import TwilioError, TwilioUnavailable

logger = logging.getLogger("bot.porting.client")

Sleep = Callable[[float], Awaitable[None]]
ResponseFilter = Callable[[httpx.Response], bool]
M = TypeVar("M", bound=BaseModel)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures where the request may or may not have reached Twilio: safe to retry for idempotent
# calls only.
_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# Failures where the request certainly never reached Twilio (no connection, or none free in the
# pool): safe to retry even for non-idempotent calls.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

# --------------------------------------------------------------------------- retry timing


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**retry)]."""
    return rng.uniform(0.0, min(cap, base * (2**retry)))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:  # includes JSONDecodeError and bad encodings
        return None


def parse_model(model: type[M], response: httpx.Response, **known: str) -> M:
    """The body as ``model``. ``known`` holds identifiers the URL already gives (the SID that
    was fetched): they stand in for ones a body of the model's shape lacks or leaves null
    (a body with none of the model's fields is not one of its resources at all)."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        raise TwilioError(response.status_code, None, "Twilio returned a non-JSON response body")
    missing: dict[str, str] = {}
    if not _field_names(model).isdisjoint(body):
        missing = {k: v for k, v in known.items() if not any(body.get(a) for a in _ALIASES[k])}
    try:
        return model.model_validate({**body, **missing})
    except ValidationError as exc:
        raise TwilioError(
            response.status_code,
            None,
            f"Unexpected {model.__name__} response from Twilio ({exc.error_count()} errors)",
        ) from exc


# The spellings Twilio uses for the identifiers ``_parse`` may be given.
_ALIASES = {
    "request_sid": ("request_sid", "port_in_request_sid"),
    "number_sid": ("number_sid", "port_in_phone_number_sid", "phone_number_sid"),
}


@functools.cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every key a body may use for one of ``model``'s fields (names and aliases)."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(a for a in alias.choices if isinstance(a, str))
        elif isinstance(alias, str):
            names.add(alias)
    return frozenset(names)


class TwilioTransport:
    """Sends one logical request to Twilio, however many attempts it takes."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        timeout: httpx.Timeout,
        max_retries: int,
        backoff_base: float,
        backoff_max: float,
        sleep: Sleep,
        rng: random.Random,
    ) -> None:
        self.http = http
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.rng = rng

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        idempotent: bool = True,
        tolerate: ResponseFilter | None = None,
    ) -> httpx.Response:
        """Send with auth and timeout, retry transient failures, map errors.

        Returns 2xx responses and non-2xx ones accepted by ``tolerate``; raises TwilioError for
        other answers and TwilioUnavailable when Twilio cannot be reached.

        Retry policy: 429 is always retried (Twilio did not process the request). 5xx, read/write
        timeouts and dropped connections are retried only when ``idempotent``: for a
        non-idempotent POST (creating a port-in) the request may already have been processed,
        and a blind retry could file a duplicate port-in (and a second LOA e-mail to the
        customer). Connect errors/timeouts are always retried: nothing reached Twilio.
        """
        retryable_errors = _TRANSIENT_ERRORS if idempotent else _NOT_SENT_ERRORS
        retry = 0
        while True:
            # Built afresh each attempt: a multipart body stream cannot be replayed.
            request = self.http.build_request(
                method, url, params=params, json=json, data=data, files=files, timeout=self.timeout
            )
            started = time.perf_counter()
            try:
                response = await self.http.send(request, auth=self.auth)
            except httpx.TransportError as exc:
                _count(request, "unreachable", started)
                if not isinstance(exc, retryable_errors) or retry >= self.max_retries:
                    raise _unavailable(request, exc, retry, idempotent) from exc
                await self._backoff(request, type(exc).__name__, retry, None)
                retry += 1
                continue
            _count(request, response.status_code, started)
            if response.is_success or (tolerate is not None and tolerate(response)):
                return response
            if self._should_retry_status(response.status_code, idempotent, retry):
                await self._backoff(
                    request, str(response.status_code), retry, response.headers.get("Retry-After")
                )
                retry += 1
                continue
            raise TwilioError.from_response(response.status_code, json_or_none(response))

    def _should_retry_status(self, status: int, idempotent: bool, retry: int) -> bool:
        if retry >= self.max_retries or status not in RETRY_STATUSES:
            return False
        return status == 429 or idempotent

    async def _backoff(
        self, request: httpx.Request, reason: str, retry: int, retry_after: str | None
    ) -> None:
        delay = parse_retry_after(retry_after)
        if delay is None:
            delay = backoff_delay(retry, self.backoff_base, self.backoff_max, self.rng)
        delay = min(delay, self.backoff_max)
        logger.warning(
            "Twilio %s %s -> %s; retry %d/%d in %.2fs",
            request.method,
            request.url.path,
            reason,
            retry + 1,
            self.max_retries,
            delay,
        )
        await self.sleep(delay)


def _count(request: httpx.Request, code: int | str, started: float) -> None:
    """One attempt, by templated path (``bot.metrics``: never a SID or a number)."""
    metrics.twilio_request(request.method, request.url.path, code, time.perf_counter() - started)


def _unavailable(
    request: httpx.Request, exc: Exception, retries: int, idempotent: bool
) -> TwilioUnavailable:
    unsure = not idempotent and not isinstance(exc, _NOT_SENT_ERRORS)
    outcome = " (it may have reached Twilio: check before resubmitting)" if unsure else ""
    return TwilioUnavailable(
        f"Twilio unreachable: {request.method} {request.url.path} failed with "
        f"{type(exc).__name__} after {retries + 1} attempt(s){outcome}"
    )
