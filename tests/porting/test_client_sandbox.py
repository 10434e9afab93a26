"""The real Twilio client against the sandbox: the contract both sides claim, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)
from tests.helpers import file_request


@pytest.fixture
async def pair() -> AsyncIterator[tuple[TwilioPortingClient, Sandbox, list[float]]]:
    sandbox = Sandbox(SandboxConfig(start_time=datetime(2026, 11, 2, tzinfo=UTC), seed=3))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_sandbox_app(sandbox))
    ) as http:
        client = TwilioPortingClient(
            http,
            numbers_url="http://sandbox",
            upload_url="http://sandbox",
            credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            account_sid=SANDBOX_ACCOUNT_SID,
            sleep=sleep,
        )
        yield client, sandbox, slept


async def test_portability_answers(pair) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = pair
    ok = await client.check_portability("+14155550100")
    assert ok.portable and ok.number_type == "LOCAL"
    mobile = await client.check_portability("+14155550201")
    assert mobile.pin_and_account_number_required
    toll_free = await client.check_portability("+18005550100")
    assert not toll_free.portable and toll_free.not_portable_reason_code == 22133
    with pytest.raises(TwilioError) as invalid:
        await client.check_portability("+14155550134")
    assert invalid.value.code == 22102 and invalid.value.status == 400


async def test_429_is_retried_honouring_retry_after(pair) -> None:  # type: ignore[no-untyped-def]
    client, sandbox, slept = pair
    sandbox.inject_failures(2, 429, 20429, retry_after=3)
    result = await client.check_portability("+14155550100")
    assert result.portable
    assert slept == [3, 3]


async def test_5xx_exhausts_retries_with_twilio_code(pair) -> None:  # type: ignore[no-untyped-def]
    client, sandbox, slept = pair
    sandbox.inject_failures(10, 503, 20500, message="down for maintenance")
    with pytest.raises(TwilioError) as error:
        await client.fetch_webhook_configuration()
    assert error.value.status == 503 and error.value.code == 20500
    assert "down for maintenance" in error.value.message
    assert error.value.more_info.endswith("/20500")
    assert len(slept) == 4


async def test_file_fetch_list_cancel(pair) -> None:  # type: ignore[no-untyped-def]
    client, sandbox, _ = pair
    request = await file_request(client, sandbox, ["+14155550100", "+14155550201"])
    assert request.status == RequestStatus.IN_REVIEW
    fetched = await client.fetch_port_in(request.request_sid)
    assert {n.phone_number for n in fetched.phone_numbers} == {"+14155550100", "+14155550201"}
    assert all(n.status == NumberStatus.IN_REVIEW for n in fetched.phone_numbers)
    listed = [r.request_sid async for r in client.list_port_ins()]
    assert listed == [request.request_sid]
    number = fetched.phone_numbers[0]
    one = await client.fetch_number(request.request_sid, number.number_sid)
    assert one.phone_number == number.phone_number
    await client.cancel_number(request.request_sid, number.number_sid)
    after = await client.fetch_port_in(request.request_sid)
    assert after.number(number.number_sid).status == NumberStatus.CANCELED
    await client.cancel_port_in(request.request_sid)
    assert (await client.fetch_port_in(request.request_sid)).status == RequestStatus.CANCELED


async def test_webhook_configuration_round_trip(pair) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = pair
    assert await client.fetch_webhook_configuration() is None
    await client.set_webhook_configuration("https://bot.example.com/twilio/porting")
    config = await client.fetch_webhook_configuration()
    assert config is not None and config.port_in_target_url.endswith("/twilio/porting")
    assert "PortInPhoneNumberRejected" in config.notifications_of
    await client.delete_webhook_configuration()
