"""TwilioPortingClient's other endpoints against a recording httpx.MockTransport (no network):
portability, the webhook configuration, document uploads."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.porting.client import TwilioPortingClient
from bot.porting.document_calls import DocumentUploadEmpty
from bot.porting.errors import TwilioError
from bot.porting.statuses import ALL_PORT_IN_EVENTS
from tests.porting.client_bodies import WEBHOOK_BODY, document_body
from tests.porting.client_fakes import (
    ADDRESS,
    RD,
    SUBACCOUNT,
    FakeTwilio,
    assert_common,
    query,
    reply,
    twilio_error,
)

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
