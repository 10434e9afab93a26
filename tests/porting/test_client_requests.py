"""What every TwilioPortingClient request carries and checks first (recording
httpx.MockTransport, no network): its timeout and auth, SIDs validated before any request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.porting.client import TwilioPortingClient
from tests.porting.client_bodies import (
    NUMBER_BODY,
    PORT_IN_BODY,
    WEBHOOK_BODY,
    document_body,
    port_in_create,
)
from tests.porting.client_fakes import (
    ACCOUNT,
    BASIC,
    KW,
    PASSWORD,
    PU,
    TIMEOUT,
    USERNAME,
    FakeTwilio,
    reply,
)

# --------------------------------------------------------------------------- cross-cutting


async def test_every_request_has_timeout_and_auth(
    make: Callable[..., TwilioPortingClient],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "DELETE":
            return reply(204)
        if path.startswith("/v1/Porting/Portability"):
            return reply(200, {"phone_number": "+14155550100", "portable": True})
        if path == "/v1/Documents":
            return reply(201, document_body())
        if path.startswith("/v1/Porting/Configuration"):
            return reply(201, WEBHOOK_BODY)
        if path.endswith("/PortInRequests"):
            return reply(200, {"port_in_requests": [], "meta": {"next_token": None}})
        if "/PhoneNumber/" in path:
            return reply(200, NUMBER_BODY)
        return reply(202, PORT_IN_BODY)

    fake = FakeTwilio(handler)
    # A shared client with its own auth and timeout: ours must win on every request.
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), auth=("other", "creds"), timeout=99.0
    )
    client = TwilioPortingClient(
        http, credentials=(USERNAME, PASSWORD), account_sid=ACCOUNT, timeout=TIMEOUT
    )
    async with http:
        await client.check_portability("+14155550100")
        await client.create_port_in(port_in_create())
        await client.fetch_port_in(KW)
        await client.cancel_port_in(KW)
        await client.list_port_ins_page()
        _ = [i async for i in client.list_port_ins()]
        await client.fetch_number(KW, PU)
        await client.cancel_number(KW, PU)
        await client.fetch_webhook_configuration()
        await client.set_webhook_configuration("https://bot.example/hook")
        await client.delete_webhook_configuration()
        await client.upload_document(content=b"x", filename="a.pdf", content_type="application/pdf")

    assert len(fake.requests) == 12
    for request in fake.requests:
        assert request.extensions["timeout"] == TIMEOUT.as_dict(), request.url
        assert request.headers["Authorization"] == BASIC, request.url


async def test_default_and_float_timeouts() -> None:
    fake = FakeTwilio(reply(200, PORT_IN_BODY))
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake), timeout=None)
    async with http:
        client = TwilioPortingClient(http, credentials=("u", "p"), account_sid=ACCOUNT)
        await client.fetch_port_in(KW)
        assert fake.last.extensions["timeout"] == httpx.Timeout(10.0).as_dict()
        client = TwilioPortingClient(http, credentials=("u", "p"), account_sid=ACCOUNT, timeout=2.5)
        await client.fetch_port_in(KW)
        assert fake.last.extensions["timeout"] == httpx.Timeout(2.5).as_dict()


BAD_SID_CALLS: list[tuple[str, Callable[[TwilioPortingClient], Any]]] = [
    ("port-in request SID", lambda c: c.fetch_port_in("KW123")),
    ("port-in request SID", lambda c: c.cancel_port_in(PU)),
    ("port-in request SID", lambda c: c.fetch_number("kw" + "a" * 32, PU)),
    ("port-in phone number SID", lambda c: c.fetch_number(KW, "PU" + "g" * 32)),
    ("port-in phone number SID", lambda c: c.cancel_number(KW, KW)),
    ("port-in request SID", lambda c: c.list_port_ins_page(request_sids=[KW, "KW../x"])),
    ("account SID", lambda c: c.check_portability("+14155550100", target_account_sid="AC1")),
    ("address SID", lambda c: c.check_portability("+14155550100", address_sid=ACCOUNT)),
    ("phone number", lambda c: c.check_portability("14155550100")),
    ("phone number", lambda c: c.check_portability("+1415/../x")),
    (
        "account SID",
        lambda c: c.create_port_in(port_in_create().model_copy(update={"account_sid": "AC0"})),
    ),
]


@pytest.mark.parametrize(("what", "call"), BAD_SID_CALLS)
async def test_local_validation_before_any_request(
    make: Callable[..., TwilioPortingClient], what: str, call: Callable[..., Any]
) -> None:
    fake = FakeTwilio(reply(200, {}))
    with pytest.raises(ValueError, match=f"Invalid {what}"):
        await call(make(fake))
    assert fake.requests == []


async def test_constructor_validates_account_sid() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match="account SID"):
            TwilioPortingClient(http, credentials=("u", "p"), account_sid="SK" + "0" * 32)
