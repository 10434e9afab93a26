"""Async httpx client for Twilio's Porting APIs (reference: shared/reference/twilio-porting.md).

One :class:`TwilioPortingClient` wraps an ``httpx.AsyncClient`` owned by the app. Every call goes
through :meth:`TwilioPortingClient._request`, which adds basic auth and the timeout, retries
transient failures with exponential backoff (full jitter, ``Retry-After`` honoured) and turns
non-2xx answers into :class:`~bot.porting.errors.TwilioError`.

Nothing here logs bodies, PINs, account numbers or auth headers: retries are logged with the
method, the URL path (never the query), the status and the attempt number only.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import AliasChoices, BaseModel, ValidationError

from bot.porting.errors import TwilioError, TwilioUnavailable
from bot.porting.models import (
    Document,
    Portability,
    PortInCreate,
    PortInNumber,
    PortInRequest,
    PortInSummary,
    WebhookConfiguration,
)
from bot.porting.sids import validate_sid
from bot.porting.statuses import ALL_PORT_IN_EVENTS, RequestStatus

logger = logging.getLogger(__name__)

NUMBERS_URL = "https://numbers.twilio.com"
UPLOAD_URL = "https://numbers-upload.twilio.com"
DEFAULT_TIMEOUT = httpx.Timeout(10.0)
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # Documents API limit (reference §5)
WEBHOOK_TYPES = ("PORT_IN", "PORT_OUT")

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

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")

Sleep = Callable[[float], Awaitable[None]]
ResponseFilter = Callable[[httpx.Response], bool]
M = TypeVar("M", bound=BaseModel)


class DocumentUploadEmpty(TwilioError):
    """Twilio stored the document without content (empty ``mime_type``); upload it again."""


# --------------------------------------------------------------------------- local validation


def _validate_e164(phone_number: str) -> str:
    if not isinstance(phone_number, str) or not _E164.match(phone_number):
        raise ValueError(
            f"Invalid phone number {phone_number!r}: expected E.164, e.g. +14155550100"
        )
    return phone_number


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


# --------------------------------------------------------------------------- response helpers


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:  # includes JSONDecodeError and bad encodings
        return None


def _parse(model: type[M], response: httpx.Response, **known: str) -> M:
    """The body as ``model``. ``known`` holds identifiers the URL already gives (the SID that
    was fetched): they stand in for ones a body of the model's shape lacks or leaves null
    (a body with none of the model's fields is not one of its resources at all)."""
    body = _json_or_none(response)
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


def _is_not_portable_answer(response: httpx.Response) -> bool:
    # Twilio's docs say not-portable results may come back as HTTP 4xx carrying the Portability
    # reason fields (reference §1). 429 and 5xx are failures, never answers.
    if not 400 <= response.status_code < 500 or response.status_code == 429:
        return False
    body = _json_or_none(response)
    return isinstance(body, dict) and body.get("not_portable_reason_code") is not None


def _is_404(response: httpx.Response) -> bool:
    return response.status_code == 404


def _date_param(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else value


def _status_param(value: RequestStatus | str | None) -> str | None:
    if value is None:
        return None
    return value.twilio_name if isinstance(value, RequestStatus) else value


# --------------------------------------------------------------------------- the client


class TwilioPortingClient:
    """Typed async calls to every Porting endpoint (reference §0)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        credentials: tuple[str, str],
        account_sid: str,
        numbers_url: str = NUMBERS_URL,
        upload_url: str = UPLOAD_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """``credentials`` is ``(username, password)`` for HTTP basic auth: an API key SID and
        secret, or the account SID and auth token. ``timeout`` applies to every request and
        overrides the shared client's own."""
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._http = http
        self._auth = httpx.BasicAuth(*credentials)
        self.account_sid = validate_sid(account_sid, "AC")
        self._numbers_url = numbers_url.rstrip("/")
        self._upload_url = upload_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout)
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._rng = rng or random.Random()

    # ------------------------------------------------------------------ portability

    async def check_portability(
        self,
        phone_number: str,
        *,
        target_account_sid: str | None = None,
        address_sid: str | None = None,
    ) -> Portability:
        """Portability of one E.164 number. Not-portable answers (HTTP 200 or 4xx) are returned
        as ``Portability(portable=False, ...)``; other errors raise TwilioError."""
        _validate_e164(phone_number)
        params: dict[str, str] = {}
        if target_account_sid is not None:
            params["TargetAccountSid"] = validate_sid(target_account_sid, "AC")
        if address_sid is not None:
            params["AddressSid"] = validate_sid(address_sid, "AD")
        # Literal "+" in the path, as the official SDK sends it (reference §1).
        response = await self._request(
            "GET",
            f"{self._numbers_url}/v1/Porting/Portability/PhoneNumber/{phone_number}",
            params=params,
            tolerate=_is_not_portable_answer,
        )
        if response.is_success:
            return _parse(Portability, response)
        body = dict(_json_or_none(response))
        body.setdefault("phone_number", phone_number)
        body["portable"] = False
        return Portability.model_validate(body)

    # ------------------------------------------------------------------ port-in requests

    async def create_port_in(self, request: PortInCreate) -> PortInRequest:
        """Submit a port-in request (expects HTTP 202). Not retried on 5xx or read timeouts."""
        validate_sid(request.account_sid, "AC")
        response = await self._request(
            "POST",
            f"{self._numbers_url}/v1/Porting/PortIn",
            json=request.to_twilio_json(),
            idempotent=False,
        )
        return _parse(PortInRequest, response)

    async def fetch_port_in(self, request_sid: str) -> PortInRequest:
        response = await self._request("GET", self._port_in_url(request_sid))
        return _parse(PortInRequest, response, request_sid=request_sid)

    async def cancel_port_in(self, request_sid: str) -> None:
        """Cancel a whole port-in request (HTTP 204)."""
        await self._request("DELETE", self._port_in_url(request_sid))

    async def list_port_ins_page(
        self,
        *,
        status: RequestStatus | str | None = None,
        created_before: date | str | None = None,
        created_after: date | str | None = None,
        request_sids: Sequence[str] | None = None,
        size: int = 100,
        token: str | None = None,
    ) -> tuple[list[PortInSummary], str | None]:
        """One page of the list endpoint: ``(items, next_token)``; next_token None on the last."""
        params = self._list_params(status, created_before, created_after, request_sids, size)
        if token is not None:
            params["Token"] = token
        response = await self._request(
            "GET", f"{self._numbers_url}/v1/Porting/PortIn/PortInRequests", params=params
        )
        body = _json_or_none(response)
        if not isinstance(body, dict):
            raise TwilioError(response.status_code, None, "Twilio returned a non-JSON list page")
        rows = body.get("port_in_requests") or []
        if not isinstance(rows, list):
            raise TwilioError(
                response.status_code,
                None,
                "Twilio returned a port-in list page without a list of requests",
            )
        items = []
        for row in rows:
            try:
                items.append(PortInSummary.model_validate(row))
            except ValidationError:
                # A row without a SID names no request; the rest of the page still counts.
                logger.warning("skipped a port-in list row Twilio sent without a request SID")
        meta = body.get("meta") or {}
        return items, meta.get("next_token") or None

    async def list_port_ins(
        self,
        *,
        status: RequestStatus | str | None = None,
        created_before: date | str | None = None,
        created_after: date | str | None = None,
        request_sids: Sequence[str] | None = None,
        size: int = 100,
    ) -> AsyncIterator[PortInSummary]:
        """Every matching port-in request, following ``meta.next_token`` until it is null."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            items, next_token = await self.list_port_ins_page(
                status=status,
                created_before=created_before,
                created_after=created_after,
                request_sids=request_sids,
                size=size,
                token=token,
            )
            for item in items:
                yield item
            if next_token is None or next_token in seen:  # guard against a token loop
                return
            seen.add(next_token)
            token = next_token

    # ------------------------------------------------------------------ phone numbers

    async def fetch_number(self, request_sid: str, number_sid: str) -> PortInNumber:
        response = await self._request("GET", self._number_url(request_sid, number_sid))
        return _parse(PortInNumber, response, number_sid=number_sid)

    async def cancel_number(self, request_sid: str, number_sid: str) -> None:
        """Cancel one phone number of a port-in request (HTTP 204)."""
        await self._request("DELETE", self._number_url(request_sid, number_sid))

    # ------------------------------------------------------------------ webhook configuration

    async def fetch_webhook_configuration(self) -> WebhookConfiguration | None:
        """The account's porting webhook configuration, or None when none is set (404)."""
        response = await self._request("GET", self._webhook_url(), tolerate=_is_404)
        if response.status_code == 404:
            return None
        return _parse(WebhookConfiguration, response)

    async def set_webhook_configuration(
        self,
        port_in_target_url: str,
        notifications_of: Iterable[str] = ALL_PORT_IN_EVENTS,
        port_out_target_url: str | None = None,
    ) -> WebhookConfiguration:
        """Create or overwrite the webhook configuration (JSON body, HTTP 201)."""
        body: dict[str, Any] = {
            "port_in_target_url": port_in_target_url,
            "notifications_of": list(notifications_of),
        }
        if port_out_target_url is not None:
            body["port_out_target_url"] = port_out_target_url
        # An overwrite of the single per-account configuration, hence safe to retry.
        response = await self._request("POST", self._webhook_url(), json=body)
        return _parse(WebhookConfiguration, response)

    async def delete_webhook_configuration(self, webhook_type: str = "PORT_IN") -> None:
        """Remove one webhook target, ``PORT_IN`` or ``PORT_OUT`` (HTTP 204)."""
        if webhook_type not in WEBHOOK_TYPES:
            raise ValueError(
                f"Invalid webhook type {webhook_type!r}: expected one of {WEBHOOK_TYPES}"
            )
        await self._request("DELETE", f"{self._webhook_url()}/{webhook_type}")

    # ------------------------------------------------------------------ documents

    async def upload_document(
        self,
        *,
        content: bytes,
        filename: str,
        content_type: str,
        document_type: str = "utility_bill",
        friendly_name: str | None = None,
    ) -> Document:
        """Upload a document (utility bill) to the upload host as multipart (part ``File``).

        Raises DocumentUploadEmpty when Twilio answers with an empty ``mime_type``.
        """
        if not content:
            raise ValueError("Document content is empty")
        if len(content) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"Document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        data = {"document_type": document_type}
        if friendly_name is not None:
            data["friendly_name"] = friendly_name
        # A retried upload at worst leaves an unused duplicate document, so it is retried like
        # an idempotent call.
        response = await self._request(
            "POST",
            f"{self._upload_url}/v1/Documents",
            data=data,
            files={"File": (filename, content, content_type)},
        )
        document = _parse(Document, response)
        if "mime_type" in document.model_fields_set and not document.mime_type:
            raise DocumentUploadEmpty(
                response.status_code,
                None,
                f"Twilio stored document {document.sid} without content (empty mime_type); "
                "upload the file again",
            )
        return document

    # ------------------------------------------------------------------ internals

    def _port_in_url(self, request_sid: str) -> str:
        return f"{self._numbers_url}/v1/Porting/PortIn/{validate_sid(request_sid, 'KW')}"

    def _number_url(self, request_sid: str, number_sid: str) -> str:
        number_sid = validate_sid(number_sid, "PU")
        return f"{self._port_in_url(request_sid)}/PhoneNumber/{number_sid}"

    def _webhook_url(self) -> str:
        return f"{self._numbers_url}/v1/Porting/Configuration/Webhook"

    @staticmethod
    def _list_params(
        status: RequestStatus | str | None,
        created_before: date | str | None,
        created_after: date | str | None,
        request_sids: Sequence[str] | None,
        size: int,
    ) -> dict[str, str]:
        if not 1 <= size <= 100:
            raise ValueError(f"Invalid page size {size}: expected 1..100")
        params = {"Size": str(size)}
        optional = {
            "PortInRequestStatus": _status_param(status),
            "CreatedBefore": _date_param(created_before),
            "CreatedAfter": _date_param(created_after),
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        if request_sids:
            params["PortInRequestSid"] = ",".join(validate_sid(s, "KW") for s in request_sids)
        return params

    async def _request(
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
            request = self._http.build_request(
                method, url, params=params, json=json, data=data, files=files, timeout=self._timeout
            )
            try:
                response = await self._http.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                if not isinstance(exc, retryable_errors) or retry >= self._max_retries:
                    raise _unavailable(request, exc, retry, idempotent) from exc
                await self._backoff(request, type(exc).__name__, retry, None)
                retry += 1
                continue
            if response.is_success or (tolerate is not None and tolerate(response)):
                return response
            if self._should_retry_status(response.status_code, idempotent, retry):
                await self._backoff(
                    request, str(response.status_code), retry, response.headers.get("Retry-After")
                )
                retry += 1
                continue
            raise TwilioError.from_response(response.status_code, _json_or_none(response))

    def _should_retry_status(self, status: int, idempotent: bool, retry: int) -> bool:
        if retry >= self._max_retries or status not in RETRY_STATUSES:
            return False
        return status == 429 or idempotent

    async def _backoff(
        self, request: httpx.Request, reason: str, retry: int, retry_after: str | None
    ) -> None:
        delay = parse_retry_after(retry_after)
        if delay is None:
            delay = backoff_delay(retry, self._backoff_base, self._backoff_max, self._rng)
        delay = min(delay, self._backoff_max)
        logger.warning(
            "Twilio %s %s -> %s; retry %d/%d in %.2fs",
            request.method,
            request.url.path,
            reason,
            retry + 1,
            self._max_retries,
            delay,
        )
        await self._sleep(delay)


def _unavailable(
    request: httpx.Request, exc: Exception, retries: int, idempotent: bool
) -> TwilioUnavailable:
    unsure = not idempotent and not isinstance(exc, _NOT_SENT_ERRORS)
    outcome = " (it may have reached Twilio: check before resubmitting)" if unsure else ""
    return TwilioUnavailable(
        f"Twilio unreachable: {request.method} {request.url.path} failed with "
        f"{type(exc).__name__} after {retries + 1} attempt(s){outcome}"
    )
