"""TwilioPortingClient against a recording httpx.MockTransport (no network)."""

from __future__ import annotations

import base64
import json
import logging
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.porting.client import DocumentUploadEmpty, TwilioPortingClient
from bot.porting.errors import TwilioError, TwilioUnavailable
from bot.porting.models import PortInCreate
from bot.porting.statuses import ALL_PORT_IN_EVENTS, RequestStatus
from bot.porting.transport import backoff_delay, parse_retry_after
from tests import bodies
from tests.bodies import ACCOUNT_NUMBER, PIN

ACCOUNT = "AC" + "0" * 32
SUBACCOUNT = "AC" + "c" * 32
ADDRESS = "AD" + "d" * 32
KW = "KW" + "a" * 32
KW2 = "KW" + "b" * 32
KW3 = "KW" + "e" * 32
PU = "PU" + "f" * 32
RD = "RD" + "1" * 32
USERNAME = "SK" + "9" * 32
PASSWORD = "api-key-secret-value"
TIMEOUT = httpx.Timeout(7.0, connect=3.0)
SPEC = Path("/work/shared/reference/twilio_numbers_v1.json")

BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


# --------------------------------------------------------------------------- fakes


class FakeTwilio:
    """MockTransport handler: replays scripted answers and records every request.

    An answer is an httpx.Response, an httpx exception class (raised with the request), or a
    callable taking the request. The last answer repeats when the script runs out.
    """

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("simulated failure", request=request)
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


class MaxJitter(random.Random):
    """Makes full jitter deterministic: always the upper bound."""

    def uniform(self, a: float, b: float) -> float:
        return b


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def twilio_error(status: int, code: int, message: str = "Boom") -> httpx.Response:
    return reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def make(sleeps: list[float]) -> AsyncIterator[Callable[..., TwilioPortingClient]]:
    opened: list[httpx.AsyncClient] = []

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    def factory(fake: FakeTwilio, **kwargs: Any) -> TwilioPortingClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
        opened.append(http)
        options: dict[str, Any] = {
            "credentials": (USERNAME, PASSWORD),
            "account_sid": ACCOUNT,
            "timeout": TIMEOUT,
            "sleep": fake_sleep,
            "rng": MaxJitter(),
        }
        options.update(kwargs)
        return TwilioPortingClient(http, **options)

    yield factory
    for http in opened:
        await http.aclose()


def port_in_create() -> PortInCreate:
    return bodies.port_in_create(
        ACCOUNT,
        [RD],
        [{"phone_number": "+14155550100", "pin": PIN}, {"phone_number": "+14155550101"}],
        target="2026-12-01",
        target_port_in_time_range_start="10:00:00-08:00",
        target_port_in_time_range_end="16:00:00-08:00",
    )


PORT_IN_BODY = {
    "port_in_request_sid": KW,
    "url": f"https://numbers.twilio.com/v1/Porting/PortIn/{KW}",
    "account_sid": ACCOUNT,
    "port_in_request_status": "pending",
    "phone_numbers": [
        {
            "phone_number": "+14155550100",
            "port_in_phone_number_sid": PU,
            "port_in_phone_number_status": "In Review",
            "pin": PIN,  # Twilio has echoed PINs; the model must drop them
        }
    ],
    "documents": [RD],
}

NUMBER_BODY = {
    "port_in_request_sid": KW,
    "phone_number_sid": PU,
    "account_sid": ACCOUNT,
    "phone_number": "+14155550100",
    "phone_number_type": "LOCAL",
    "port_in_phone_number_status": "in_review",
    "port_out_pin": 1234,
    "rejection_reason_code": None,
}

WEBHOOK_BODY = {
    "url": "https://numbers.twilio.com/v1/Porting/Configuration/Webhook",
    "port_in_target_url": "https://bot.example/twilio/porting",
    "port_out_target_url": None,
    "notifications_of": list(ALL_PORT_IN_EVENTS),
    "port_in_target_date_created": "2024-05-14T13:49:04Z",
}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def assert_common(request: httpx.Request, method: str, host: str, path: str) -> None:
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.host == host
    assert request.url.path == path
    assert request.headers["Authorization"] == BASIC


# --------------------------------------------------------------------------- portability


async def test_portability_portable_request_shape(make: Callable[..., TwilioPortingClient]) -> None:
    body = {
        "phone_number": "+14155550100",
        "account_sid": None,
        "portable": True,
        "pin_and_account_number_required": False,
        "not_portable_reason": None,
        "not_portable_reason_code": None,
        "number_type": "LOCAL",
        "country": "US",
        "url": "https://numbers.twilio.com/v1/Porting/Portability/PhoneNumber/+14155550100",
    }
    fake = FakeTwilio(reply(200, body))
    client = make(fake)

    result = await client.check_portability(
        "+14155550100", target_account_sid=SUBACCOUNT, address_sid=ADDRESS
    )

    assert result.portable is True
    assert result.number_type == "LOCAL"
    request = fake.last
    assert_common(
        request, "GET", "numbers.twilio.com", "/v1/Porting/Portability/PhoneNumber/+14155550100"
    )
    assert request.url.raw_path.split(b"?")[0] in (
        b"/v1/Porting/Portability/PhoneNumber/+14155550100",
        b"/v1/Porting/Portability/PhoneNumber/%2B14155550100",
    )
    assert query(request) == {"TargetAccountSid": SUBACCOUNT, "AddressSid": ADDRESS}


async def test_portability_without_options_sends_no_query(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(200, {"phone_number": "+14155550100", "portable": True}))
    await make(fake).check_portability("+14155550100")
    assert fake.last.url.query == b""


async def test_portability_not_portable_as_200(make: Callable[..., TwilioPortingClient]) -> None:
    body = {
        "phone_number": "+18001234567",
        "portable": False,
        "pin_and_account_number_required": False,
        "not_portable_reason": "MANUAL_PORTING_AVAILABLE",
        "not_portable_reason_code": 22133,
        "number_type": "TOLL-FREE",
        "country": "US",
    }
    client = make(FakeTwilio(reply(200, body)))

    result = await client.check_portability("+18001234567")

    assert result.portable is False
    assert result.not_portable_reason == "MANUAL_PORTING_AVAILABLE"
    assert result.not_portable_reason_code == 22133
    assert result.number_type == "TOLL-FREE"


@pytest.mark.parametrize("status", [400, 403, 404, 422])
async def test_portability_not_portable_as_4xx(
    make: Callable[..., TwilioPortingClient], sleeps: list[float], status: int
) -> None:
    body = {"not_portable_reason": "ALREADY_IN_TWILIO_DIFFERENT_OWNER"}
    body["not_portable_reason_code"] = "22132"  # type: ignore[assignment]  # string on purpose
    fake = FakeTwilio(reply(status, body))

    result = await make(fake).check_portability("+14155550100")

    assert result.portable is False
    assert result.phone_number == "+14155550100"  # filled from the argument
    assert result.not_portable_reason == "ALREADY_IN_TWILIO_DIFFERENT_OWNER"
    assert result.not_portable_reason_code == 22132
    assert len(fake.requests) == 1
    assert sleeps == []


async def test_portability_4xx_with_portable_true_in_body_still_not_portable(
    make: Callable[..., TwilioPortingClient],
) -> None:
    body = {"phone_number": "+14155550100", "portable": True, "not_portable_reason_code": 22102}
    result = await make(FakeTwilio(reply(400, body))).check_portability("+14155550100")
    assert result.portable is False
    assert result.not_portable_reason_code == 22102


async def test_portability_standard_error_body_raises(
    make: Callable[..., TwilioPortingClient],
) -> None:
    client = make(FakeTwilio(twilio_error(400, 22102, "Invalid phone number")))
    with pytest.raises(TwilioError) as info:
        await client.check_portability("+14155550100")
    assert info.value.status == 400
    assert info.value.code == 22102
    assert info.value.message == "Invalid phone number"


async def test_portability_5xx_with_reason_code_is_an_error_not_an_answer(
    make: Callable[..., TwilioPortingClient],
) -> None:
    body = {"not_portable_reason": "ERROR_INTERNAL_SERVER_ERROR", "not_portable_reason_code": 22135}
    fake = FakeTwilio(reply(500, body))
    with pytest.raises(TwilioError) as info:
        await make(fake, max_retries=1).check_portability("+14155550100")
    assert info.value.status == 500
    assert info.value.code == 22135
    assert len(fake.requests) == 2  # retried once: GET is idempotent


# --------------------------------------------------------------------------- port-in requests


async def test_create_port_in_sends_twilio_json_with_secrets(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture
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


def create_body_validator() -> jsonschema.Draft202012Validator:
    """Validates a create body against Twilio's OpenAPI schema (``$ref``s followed)."""
    spec = json.loads(SPEC.read_text())
    registry = Registry().with_resource(
        "urn:twilio-numbers-v1", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    schema = {"$ref": "urn:twilio-numbers-v1#/components/schemas/numbers.v1.porting_port_in_create"}
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.FormatChecker()
    )


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


# --------------------------------------------------------------------------- webhooks


async def test_fetch_webhook_configuration(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(reply(200, WEBHOOK_BODY))
    config = await make(fake).fetch_webhook_configuration()
    assert config is not None
    assert config.port_in_target_url == "https://bot.example/twilio/porting"
    assert config.notifications_of == list(ALL_PORT_IN_EVENTS)
    assert_common(fake.last, "GET", "numbers.twilio.com", "/v1/Porting/Configuration/Webhook")


async def test_fetch_webhook_configuration_none_on_404(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(twilio_error(404, 20404, "Not found"))
    assert await make(fake).fetch_webhook_configuration() is None
    assert len(fake.requests) == 1


async def test_fetch_webhook_configuration_other_errors_raise(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(twilio_error(401, 20003, "Authenticate"))
    with pytest.raises(TwilioError) as info:
        await make(fake).fetch_webhook_configuration()
    assert info.value.code == 20003


async def test_set_webhook_configuration_defaults(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(201, WEBHOOK_BODY))
    config = await make(fake).set_webhook_configuration("https://bot.example/twilio/porting")

    assert config.url == WEBHOOK_BODY["url"]
    assert_common(fake.last, "POST", "numbers.twilio.com", "/v1/Porting/Configuration/Webhook")
    assert fake.last.headers["Content-Type"] == "application/json"
    assert json.loads(fake.last.content) == {
        "port_in_target_url": "https://bot.example/twilio/porting",
        "notifications_of": list(ALL_PORT_IN_EVENTS),
    }


async def test_set_webhook_configuration_explicit(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(201, WEBHOOK_BODY))
    await make(fake).set_webhook_configuration(
        "https://a.example/in", ["PortInCompleted"], port_out_target_url="https://a.example/out"
    )
    assert json.loads(fake.last.content) == {
        "port_in_target_url": "https://a.example/in",
        "notifications_of": ["PortInCompleted"],
        "port_out_target_url": "https://a.example/out",
    }


@pytest.mark.parametrize("webhook_type", ["PORT_IN", "PORT_OUT"])
async def test_delete_webhook_configuration(
    make: Callable[..., TwilioPortingClient], webhook_type: str
) -> None:
    fake = FakeTwilio(reply(204))
    assert await make(fake).delete_webhook_configuration(webhook_type) is None
    path = f"/v1/Porting/Configuration/Webhook/{webhook_type}"
    assert_common(fake.last, "DELETE", "numbers.twilio.com", path)


async def test_delete_webhook_configuration_default_and_bad_type(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(204))
    client = make(fake)
    await client.delete_webhook_configuration()
    assert fake.last.url.path.endswith("/Webhook/PORT_IN")
    with pytest.raises(ValueError, match="webhook type"):
        await client.delete_webhook_configuration("port_in")
    assert len(fake.requests) == 1


# --------------------------------------------------------------------------- documents


def document_body(mime_type: str | None = "application/pdf") -> dict[str, Any]:
    return {
        "sid": RD,
        "account_sid": ACCOUNT,
        "document_type": "utility_bill",
        "friendly_name": "March bill",
        "mime_type": mime_type,
        "status": "uploaded",
        "version": 1,
    }


async def test_upload_document_multipart_to_upload_host(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(201, document_body()))
    content = b"%PDF-1.4 fake bill\x00\xff"

    document = await make(fake).upload_document(
        content=content,
        filename="bill.pdf",
        content_type="application/pdf",
        friendly_name="March bill",
    )

    assert document.sid == RD
    assert document.mime_type == "application/pdf"
    request = fake.last
    assert_common(request, "POST", "numbers-upload.twilio.com", "/v1/Documents")
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    parts = {}
    for raw in request.content.split(b"--" + boundary)[1:-1]:
        head, _, data = raw.strip(b"\r\n").partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        parts[name] = (head, data)
    assert set(parts) == {"document_type", "friendly_name", "File"}
    assert parts["document_type"][1] == b"utility_bill"
    assert parts["friendly_name"][1] == b"March bill"
    file_head, file_data = parts["File"]
    assert b'filename="bill.pdf"' in file_head
    assert b"Content-Type: application/pdf" in file_head
    assert file_data == content


async def test_upload_document_uses_configured_upload_host(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(201, document_body()))
    client = make(fake, upload_url="http://sim.local:8080/upload/", numbers_url="http://x.local")
    await client.upload_document(content=b"x", filename="a.png", content_type="image/png")
    assert str(fake.last.url) == "http://sim.local:8080/upload/v1/Documents"
    assert b'name="friendly_name"' not in fake.last.content


@pytest.mark.parametrize("mime_type", ["", None])
async def test_upload_document_empty_mime_type_is_an_error(
    make: Callable[..., TwilioPortingClient], mime_type: str | None
) -> None:
    fake = FakeTwilio(reply(201, document_body(mime_type)))
    with pytest.raises(DocumentUploadEmpty) as info:
        await make(fake).upload_document(
            content=b"data", filename="bill.pdf", content_type="application/pdf"
        )
    assert isinstance(info.value, TwilioError)
    assert "mime_type" in str(info.value) and "upload" in str(info.value)


async def test_upload_document_rejects_empty_content_locally(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(201, document_body()))
    with pytest.raises(ValueError, match="empty"):
        await make(fake).upload_document(content=b"", filename="a.pdf", content_type="x/y")
    assert fake.requests == []


# --------------------------------------------------------------------------- error mapping


async def test_classic_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(twilio_error(404, 20404, f"The requested resource {KW} was not found"))
    with pytest.raises(TwilioError) as info:
        await make(fake).fetch_port_in(KW)
    error = info.value
    assert not isinstance(error, TwilioUnavailable)
    assert error.status == 404
    assert error.code == 20404
    assert error.message == f"The requested resource {KW} was not found"
    assert error.more_info == "https://www.twilio.com/docs/errors/20404"


async def test_rfc9457_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    problem = {
        "type": "https://www.twilio.com/docs/api/errors/22137",
        "title": "Port in progress",
        "status": 409,
        "code": 22137,
        "detail": "Port is already in progress with one of your Twilio accounts",
        "instance": "/v1/Porting/PortIn",
    }
    fake = FakeTwilio(
        httpx.Response(
            409, content=json.dumps(problem), headers={"Content-Type": "application/problem+json"}
        )
    )
    with pytest.raises(TwilioError) as info:
        await make(fake).create_port_in(port_in_create())
    error = info.value
    assert error.status == 409
    assert error.code == 22137
    assert error.message == "Port is already in progress with one of your Twilio accounts"
    assert error.more_info == "https://www.twilio.com/docs/api/errors/22137"


async def test_html_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    html = httpx.Response(
        502, text="<html><body>Bad Gateway</body></html>", headers={"Content-Type": "text/html"}
    )
    fake = FakeTwilio(html)
    with pytest.raises(TwilioError) as info:
        await make(fake, max_retries=2).fetch_port_in(KW)
    assert info.value.status == 502
    assert info.value.code is None
    assert "502" in info.value.message
    assert len(fake.requests) == 3  # retried: 502 on a GET


async def test_success_with_non_json_body_is_an_error(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(httpx.Response(200, text="oops"))
    with pytest.raises(TwilioError, match="non-JSON"):
        await make(fake).fetch_port_in(KW)


async def test_success_with_wrong_shape_is_an_error(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(200, {"unexpected": True}))
    with pytest.raises(TwilioError, match="Unexpected PortInRequest"):
        await make(fake).fetch_port_in(KW)


# --------------------------------------------------------------------------- retries


async def test_429_retry_after_seconds_honoured(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        reply(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "3"}),
        reply(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "1.5"}),
        reply(200, PORT_IN_BODY),
    )
    result = await make(fake).fetch_port_in(KW)
    assert result.request_sid == KW
    assert sleeps == [3.0, 1.5]
    assert len(fake.requests) == 3


async def test_retry_after_http_date_capped_at_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    fake = FakeTwilio(reply(503, None, {"Retry-After": later}), reply(200, PORT_IN_BODY))
    await make(fake, backoff_max=7.5).fetch_port_in(KW)
    assert sleeps == [7.5]


async def test_retry_after_seconds_capped_at_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(reply(429, None, {"Retry-After": "3600"}), reply(200, PORT_IN_BODY))
    await make(fake).fetch_port_in(KW)
    assert sleeps == [20.0]


async def test_503_retried_with_exponential_backoff_then_success(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        twilio_error(503, 20503, "Service unavailable"),
        twilio_error(500, 20500, "Internal"),
        reply(504),
        reply(200, PORT_IN_BODY),
    )
    result = await make(fake).fetch_port_in(KW)
    assert result.request_sid == KW
    assert sleeps == [0.5, 1.0, 2.0]


async def test_backoff_capped_by_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(reply(503))
    with pytest.raises(TwilioError):
        await make(fake, max_retries=6, backoff_base=1.0, backoff_max=5.0).fetch_port_in(KW)
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


async def test_retries_exhausted_raises_last_error(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(twilio_error(503, 20503, "Service unavailable"))
    with pytest.raises(TwilioError) as info:
        await make(fake).fetch_port_in(KW)
    assert info.value.status == 503 and info.value.code == 20503
    assert len(fake.requests) == 5  # 1 + max_retries (default 4)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 501])
async def test_non_retryable_statuses(
    make: Callable[..., TwilioPortingClient], sleeps: list[float], status: int
) -> None:
    fake = FakeTwilio(twilio_error(status, 20001))
    with pytest.raises(TwilioError):
        await make(fake).fetch_port_in(KW)
    assert len(fake.requests) == 1
    assert sleeps == []


async def test_connection_errors_retried_then_unavailable(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(httpx.ConnectError)
    with pytest.raises(TwilioUnavailable) as info:
        await make(fake).fetch_port_in(KW)
    assert len(fake.requests) == 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert info.value.status == 0
    assert "ConnectError" in str(info.value) and "5 attempt" in str(info.value)


async def test_timeouts_on_get_retried_then_success(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ConnectTimeout, reply(200, NUMBER_BODY)
    )
    number = await make(fake).fetch_number(KW, PU)
    assert number.number_sid == PU
    assert len(fake.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


async def test_zero_retries(make: Callable[..., TwilioPortingClient], sleeps: list[float]) -> None:
    fake = FakeTwilio(httpx.ConnectError)
    with pytest.raises(TwilioUnavailable):
        await make(fake, max_retries=0).fetch_port_in(KW)
    assert len(fake.requests) == 1 and sleeps == []


async def test_retry_logging_is_safe(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.porting.client")
    fake = FakeTwilio(reply(429, {"code": 20429}), httpx.ConnectError, reply(202, PORT_IN_BODY))
    await make(fake).create_port_in(port_in_create())

    records = [r for r in caplog.records if r.name == "bot.porting.client"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    first, second = (r.getMessage() for r in records)
    assert "POST /v1/Porting/PortIn" in first and "429" in first and "retry 1/4" in first
    assert "ConnectError" in second and "retry 2/4" in second
    for secret in (PIN, ACCOUNT_NUMBER, PASSWORD, BASIC, "Jane Doe", "jane@acme.example"):
        assert secret not in caplog.text


async def test_retry_log_has_no_query_string(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.porting.client")
    fake = FakeTwilio(reply(503), reply(200, {"port_in_requests": [], "meta": {}}))
    await make(fake).list_port_ins_page(token="secret-token", request_sids=[KW])
    assert "/v1/Porting/PortIn/PortInRequests" in caplog.text
    assert "secret-token" not in caplog.text and KW not in caplog.text


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


# --------------------------------------------------------------------------- pure helpers


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("5", now) == 5.0
    assert parse_retry_after(" 0.25 ", now) == 0.25
    assert parse_retry_after("-3", now) == 0.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


@given(
    retry=st.integers(min_value=0, max_value=60),
    base=st.floats(min_value=0.01, max_value=5),
    cap=st.floats(min_value=0.01, max_value=60),
    seed=st.integers(),
)
def test_backoff_delay_full_jitter_bounds(retry: int, base: float, cap: float, seed: int) -> None:
    delay = backoff_delay(retry, base, cap, random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2**retry)
