"""Async httpx client for Twilio's Porting APIs (reference: shared/reference/twilio-porting.md).

One :class:`TwilioPortingClient` wraps an ``httpx.AsyncClient`` owned by the app. Every call goes
through :class:`bot.porting.transport.TwilioTransport`, which adds basic auth and the timeout,
retries transient failures with exponential backoff (full jitter, ``Retry-After`` honoured) and
turns non-2xx answers into :class:`~bot.porting.errors.TwilioError`.

Nothing here logs bodies, PINs, account numbers or auth headers: retries are logged with the
method, the URL path (never the query), the status and the attempt number only.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from bot.porting.account import API_URL, MESSAGING_URL, AccountNumbers
from bot.porting.errors import TwilioError
from bot.porting.models import (
    MAX_DOCUMENT_BYTES,
    Document,
    Portability,
    PortInCreate,
    PortInNumber,
    PortInRequest,
    PortInSummary,
    WebhookConfiguration,
)
from bot.porting.phone import E164_PATTERN
from bot.porting.sids import validate_sid
from bot.porting.statuses import ALL_PORT_IN_EVENTS, RequestStatus
from bot.porting.transport import (
    Sleep,
    TwilioTransport,
    json_or_none,
    parse_model,
)

logger = logging.getLogger(__name__)

NUMBERS_URL = "https://numbers.twilio.com"
UPLOAD_URL = "https://numbers-upload.twilio.com"
DEFAULT_TIMEOUT = httpx.Timeout(10.0)
WEBHOOK_TYPES = ("PORT_IN", "PORT_OUT")

_E164 = re.compile(E164_PATTERN)

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


# --------------------------------------------------------------------------- response helpers


def _is_not_portable_answer(response: httpx.Response) -> bool:
    # Twilio's docs say not-portable results may come back as HTTP 4xx carrying the Portability
    # reason fields (reference §1). 429 and 5xx are failures, never answers.
    if not 400 <= response.status_code < 500 or response.status_code == 429:
        return False
    body = json_or_none(response)
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
        api_url: str = API_URL,
        messaging_url: str = MESSAGING_URL,
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
        self.account_sid = validate_sid(account_sid, "AC")
        self._numbers_url = numbers_url.rstrip("/")
        self._upload_url = upload_url.rstrip("/")
        self._transport = TwilioTransport(
            http,
            httpx.BasicAuth(*credentials),
            timeout=httpx.Timeout(timeout),
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            sleep=sleep,
            rng=rng or random.Random(),
        )
        self._request = self._transport.request
        # The account's own numbers and Messaging Services, through the same transport.
        self.numbers = AccountNumbers(
            self._transport, self.account_sid, api_url=api_url, messaging_url=messaging_url
        )

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
            return parse_model(Portability, response)
        body = dict(json_or_none(response))
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
        return parse_model(PortInRequest, response)

    async def fetch_port_in(self, request_sid: str) -> PortInRequest:
        response = await self._request("GET", self._port_in_url(request_sid))
        return parse_model(PortInRequest, response, request_sid=request_sid)

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
        params = _list_params(status, created_before, created_after, request_sids, size)
        if token is not None:
            params["Token"] = token
        response = await self._request(
            "GET", f"{self._numbers_url}/v1/Porting/PortIn/PortInRequests", params=params
        )
        body = json_or_none(response)
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

    async def fetch_number(self, request_sid: str, number_sid: str) -> PortInNumber:
        response = await self._request("GET", self._number_url(request_sid, number_sid))
        return parse_model(PortInNumber, response, number_sid=number_sid)

    async def cancel_number(self, request_sid: str, number_sid: str) -> None:
        """Cancel one phone number of a port-in request (HTTP 204)."""
        await self._request("DELETE", self._number_url(request_sid, number_sid))

    async def fetch_webhook_configuration(self) -> WebhookConfiguration | None:
        """The account's porting webhook configuration, or None when none is set (404)."""
        response = await self._request("GET", self._webhook_url(), tolerate=_is_404)
        if response.status_code == 404:
            return None
        return parse_model(WebhookConfiguration, response)

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
        return parse_model(WebhookConfiguration, response)

    async def delete_webhook_configuration(self, webhook_type: str = "PORT_IN") -> None:
        """Remove one webhook target, ``PORT_IN`` or ``PORT_OUT`` (HTTP 204)."""
        if webhook_type not in WEBHOOK_TYPES:
            raise ValueError(
                f"Invalid webhook type {webhook_type!r}: expected one of {WEBHOOK_TYPES}"
            )
        await self._request("DELETE", f"{self._webhook_url()}/{webhook_type}")

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
        document = parse_model(Document, response)
        if "mime_type" in document.model_fields_set and not document.mime_type:
            raise DocumentUploadEmpty(
                response.status_code,
                None,
                f"Twilio stored document {document.sid} without content (empty mime_type); "
                "upload the file again",
            )
        return document

    def _port_in_url(self, request_sid: str) -> str:
        return f"{self._numbers_url}/v1/Porting/PortIn/{validate_sid(request_sid, 'KW')}"

    def _number_url(self, request_sid: str, number_sid: str) -> str:
        number_sid = validate_sid(number_sid, "PU")
        return f"{self._port_in_url(request_sid)}/PhoneNumber/{number_sid}"

    def _webhook_url(self) -> str:
        return f"{self._numbers_url}/v1/Porting/Configuration/Webhook"
