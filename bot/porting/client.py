"""Async httpx client for Twilio's Porting APIs (reference: shared/reference/twilio-porting.md).

One :class:`TwilioPortingClient` wraps an ``httpx.AsyncClient`` owned by the app. Its calls come
in groups, one module each: ``port_in_calls`` (requests and their numbers),
``portability_calls``, ``document_calls`` (the bill's upload) and ``webhook_calls``; the
account's own numbers and Messaging Services are ``numbers`` (``bot.porting.account``). Every
call goes through :class:`bot.porting.transport.TwilioTransport`, which adds basic auth and the
timeout, retries transient failures with exponential backoff (full jitter, ``Retry-After``
honoured) and turns non-2xx answers into :class:`~bot.porting.errors.TwilioError`.

Nothing here logs bodies, PINs, account numbers or auth headers: retries are logged with the
method, the URL path (never the query), the status and the attempt number only.
"""

from __future__ import annotations

import asyncio
import random

import httpx

from bot.porting.account import API_URL, MESSAGING_URL, AccountNumbers
from bot.porting.document_calls import DocumentCalls
from bot.porting.port_in_calls import PortInCalls
from bot.porting.portability_calls import PortabilityCalls
from bot.porting.sids import validate_sid
from bot.porting.transport import Sleep, TwilioTransport
from bot.porting.webhook_calls import WebhookCalls

NUMBERS_URL = "https://numbers.twilio.com"
UPLOAD_URL = "https://numbers-upload.twilio.com"
DEFAULT_TIMEOUT = httpx.Timeout(10.0)


class TwilioPortingClient(PortInCalls, PortabilityCalls, DocumentCalls, WebhookCalls):
    """Typed async calls to every Porting endpoint (reference §0), over one transport."""

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
        transport = TwilioTransport(
            http,
            httpx.BasicAuth(*credentials),
            timeout=httpx.Timeout(timeout),
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            sleep=sleep,
            rng=rng or random.Random(),
        )
        super().__init__(transport, numbers_url=numbers_url, upload_url=upload_url)
        # The account's own numbers and Messaging Services, through the same transport.
        self.numbers = AccountNumbers(
            transport, self.account_sid, api_url=api_url, messaging_url=messaging_url
        )
