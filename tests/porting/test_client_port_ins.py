"""TwilioPortingClient's port-in requests and their phone numbers against a recording
httpx.MockTransport (no network): create, fetch, cancel, list."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError, TwilioUnavailable
from bot.porting.statuses import RequestStatus
from tests.bodies import ACCOUNT_NUMBER, PIN
from tests.porting.client_bodies import NUMBER_BODY, PORT_IN_BODY, port_in_create
from tests.porting.client_fakes import (
    KW,
    KW2,
    KW3,
    PU,
    FakeTwilio,
    assert_common,
    query,
    reply,
    twilio_error,
)
from tests.porting.spec_examples import create_body_validator

# --------------------------------------------------------------------------- port-in requests


async def test_create_port_in_sends_twilio_json_with_secrets(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    caplog.set_level(logging.DEBUG)
    create = port_in_create()
    fake = FakeTwilio(reply(202, PORT_IN_BODY))

    result = await make(fake).create_port_in(create)

    request = fake.last
    assert_common(request, "POST", "numbers.twilio.com", "/v1/Porting/PortIn")
    assert request.headers["Content-Type"] == "application/json"
    sent = json.loads(request.content)
    assert sent == create.to_twilio_json()
    assert sent["phone_numbers"][0]["pin"] == PIN
    assert "pin" not in sent["phone_numbers"][1]
    assert sent["losing_carrier_information"]["account_number"] == ACCOUNT_NUMBER
    # The secrets live only in the body sent to Twilio.
    assert PIN not in str(request.url) and PIN not in str(request.headers)
    assert PIN not in repr(create) and ACCOUNT_NUMBER not in repr(create)
    assert PIN not in result.model_dump_json()
    assert PIN not in caplog.text and ACCOUNT_NUMBER not in caplog.text

    assert result.request_sid == KW
    assert result.status is RequestStatus.IN_REVIEW
    assert result.phone_numbers[0].number_sid == PU


def test_create_body_matches_openapi_schema() -> None:
    validator = create_body_validator()
    body = port_in_create().to_twilio_json()

    errors = [e.message for e in validator.iter_errors(body)]
    assert errors == []

    # The validator really follows the $refs: a broken nested body must fail.
    broken = json.loads(json.dumps(body))
    del broken["losing_carrier_information"]["authorized_representative_email"]
    broken["losing_carrier_information"]["customer_type"] = "Company"
    del broken["losing_carrier_information"]["address"]["zip"]
    messages = " ".join(e.message for e in validator.iter_errors(broken))
    assert "authorized_representative_email" in messages
    assert "'Company' is not one of" in messages
    assert "'zip' is a required property" in messages


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_create_port_in_not_retried_on_5xx(
    make: Callable[..., TwilioPortingClient], sleeps: list[float], status: int
) -> None:
    fake = FakeTwilio(twilio_error(status, 20500, "Internal error"), reply(202, PORT_IN_BODY))
    with pytest.raises(TwilioError) as info:
        await make(fake).create_port_in(port_in_create())
    assert info.value.status == status
    assert len(fake.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError])
async def test_create_port_in_not_retried_when_request_may_have_arrived(
    make: Callable[..., TwilioPortingClient], sleeps: list[float], error: type[Exception]
) -> None:
    fake = FakeTwilio(error, reply(202, PORT_IN_BODY))
    with pytest.raises(TwilioUnavailable) as info:
        await make(fake).create_port_in(port_in_create())
    assert "may have reached Twilio" in str(info.value)
    assert len(fake.requests) == 1
    assert sleeps == []


async def test_create_port_in_retried_on_429_and_connect_errors(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        twilio_error(429, 20429, "Too Many Requests"),
        httpx.ConnectError,
        httpx.ConnectTimeout,
        reply(202, PORT_IN_BODY),
    )
    result = await make(fake).create_port_in(port_in_create())
    assert result.request_sid == KW
    assert len(fake.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]
    bodies = {r.content for r in fake.requests}
    assert len(bodies) == 1  # the same body every attempt


async def test_fetch_and_cancel_port_in(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(reply(200, {**PORT_IN_BODY, "port_in_request_status": "In progress"}))
    client = make(fake)

    result = await client.fetch_port_in(KW)
    assert_common(fake.last, "GET", "numbers.twilio.com", f"/v1/Porting/PortIn/{KW}")
    assert result.status is RequestStatus.IN_PROGRESS

    fake.answers = [reply(204)]
    assert await client.cancel_port_in(KW) is None
    assert_common(fake.last, "DELETE", "numbers.twilio.com", f"/v1/Porting/PortIn/{KW}")
    assert fake.last.content == b""


async def test_list_page_query_parameters(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(
        reply(
            200,
            {
                "port_in_requests": [
                    {
                        "port_in_request_sid": KW,
                        "port_in_request_status": "Completed",
                        "status_last_updated_timestamp": "2025-04-30",
                        "phone_numbers_requested": 1,
                        "phone_numbers_ported": 1,
                        "suggested_action": None,
                    }
                ],
                "meta": {"next_token": KW2, "previous_token": None},
            },
        )
    )
    items, token = await make(fake).list_port_ins_page(
        status=RequestStatus.COMPLETED,
        created_before=date(2025, 5, 1),
        created_after="2025-01-01",
        request_sids=[KW, KW2],
        size=50,
    )

    assert token == KW2
    assert [i.request_sid for i in items] == [KW]
    assert items[0].status is RequestStatus.COMPLETED
    assert_common(fake.last, "GET", "numbers.twilio.com", "/v1/Porting/PortIn/PortInRequests")
    assert query(fake.last) == {
        "Size": "50",
        "PortInRequestStatus": "Completed",
        "CreatedBefore": "2025-05-01",
        "CreatedAfter": "2025-01-01",
        "PortInRequestSid": f"{KW},{KW2}",
    }


async def test_list_port_ins_follows_tokens_across_three_pages(
    make: Callable[..., TwilioPortingClient],
) -> None:
    def row(sid: str) -> dict[str, Any]:
        return {"port_in_request_sid": sid, "port_in_request_status": "In Review"}

    pages = {
        None: ([row(KW)], "token-2"),
        "token-2": ([row(KW2)], "token-3"),
        "token-3": ([row(KW3)], None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        items, next_token = pages[request.url.params.get("Token")]
        meta = {"next_token": next_token, "previous_token": None}
        return reply(200, {"port_in_requests": items, "meta": meta})

    fake = FakeTwilio(handler)
    sids = [item.request_sid async for item in make(fake).list_port_ins(status="In Review")]

    assert sids == [KW, KW2, KW3]
    assert [r.url.params.get("Token") for r in fake.requests] == [None, "token-2", "token-3"]
    assert all(r.url.params["Size"] == "100" for r in fake.requests)
    assert all(r.url.params["PortInRequestStatus"] == "In Review" for r in fake.requests)


async def test_list_port_ins_empty_and_token_loop(
    make: Callable[..., TwilioPortingClient],
) -> None:
    empty = {"port_in_requests": [], "meta": {"next_token": None, "previous_token": None}}
    assert [i async for i in make(FakeTwilio(reply(200, empty))).list_port_ins()] == []

    looping = {
        "port_in_requests": [{"port_in_request_sid": KW}],
        "meta": {"next_token": "same", "previous_token": None},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert len(fake.requests) <= 3, "token loop not detected"
        return reply(200, looping)

    fake = FakeTwilio(handler)
    items = [i async for i in make(fake).list_port_ins()]
    assert len(fake.requests) == 2  # stops once a token comes back a second time
    assert len(items) == 2


@pytest.mark.parametrize("size", [0, 101])
async def test_list_rejects_bad_size(make: Callable[..., TwilioPortingClient], size: int) -> None:
    fake = FakeTwilio(reply(200, {}))
    with pytest.raises(ValueError, match="page size"):
        await make(fake).list_port_ins_page(size=size)
    assert fake.requests == []


# --------------------------------------------------------------------------- phone numbers


async def test_fetch_and_cancel_number(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(reply(200, NUMBER_BODY))
    client = make(fake)
    path = f"/v1/Porting/PortIn/{KW}/PhoneNumber/{PU}"

    number = await client.fetch_number(KW, PU)
    assert_common(fake.last, "GET", "numbers.twilio.com", path)
    assert number.number_sid == PU
    assert number.number_type == "LOCAL"
    assert "port_out_pin" not in number.model_dump()

    fake.answers = [reply(204)]
    assert await client.cancel_number(KW, PU) is None
    assert_common(fake.last, "DELETE", "numbers.twilio.com", path)
