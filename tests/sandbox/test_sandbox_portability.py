"""Portability check: every class of test number, encodings, query validation, 200/400 modes."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_FOREIGN_ACCOUNT_SID,
    SANDBOX_SUBACCOUNT_SID,
    Sandbox,
)

from .helpers import SandboxFactory, assert_twilio_error, client_for, create

PATH = "/v1/Porting/Portability/PhoneNumber/"
OTHER_ACCOUNT = "AC" + "c" * 32


async def check(client: httpx.AsyncClient, number: str, **params: str) -> httpx.Response:
    return await client.get(PATH + number, params=params)


@pytest.mark.parametrize(
    ("number", "number_type", "pin"),
    [
        ("+14155550100", "LOCAL", False),
        ("+14155550129", "LOCAL", False),
        ("+14155550153", "LOCAL", False),  # portable; the carrier rejects it later
        ("+14155550200", "MOBILE", True),
        ("+14155550299", "MOBILE", True),
        ("+12025550123", "LOCAL", False),
    ],
)
async def test_portable(client: httpx.AsyncClient, number: str, number_type: str, pin: bool):
    response = await check(client, number)
    assert response.status_code == 200
    assert response.json() == {
        "phone_number": number,
        "account_sid": None,
        "portable": True,
        "pin_and_account_number_required": pin,
        "not_portable_reason": None,
        "not_portable_reason_code": None,
        "number_type": number_type,
        "country": "US",
        "url": f"https://numbers.twilio.com/v1/Porting/Portability/PhoneNumber/{number}",
    }


@pytest.mark.parametrize(
    ("number", "code", "reason", "number_type", "country", "account_sid"),
    [
        ("+14155550130", 22130, "UNSUPPORTED", "UNKNOWN", "US", None),
        (
            "+14155550131",
            22131,
            "ALREADY_IN_THE_TARGET_ACCOUNT",
            "LOCAL",
            "US",
            SANDBOX_ACCOUNT_SID,
        ),
        ("+14155550132", 22132, "ALREADY_IN_TWILIO_DIFFERENT_OWNER", "LOCAL", "US", None),
        ("+14155550133", 22133, "MANUAL_PORTING_AVAILABLE", "LOCAL", "US", None),
        (
            "+14155550136",
            22136,
            "ALREADY_IN_ONE_OF_YOUR_TWILIO_ACCOUNTS",
            "LOCAL",
            "US",
            SANDBOX_SUBACCOUNT_SID,
        ),
        ("+18005551212", 22133, "MANUAL_PORTING_AVAILABLE", "TOLL-FREE", "US", None),
        ("+18001234567", 22133, "MANUAL_PORTING_AVAILABLE", "TOLL-FREE", "US", None),  # spec
        ("+18885550100", 22133, "MANUAL_PORTING_AVAILABLE", "TOLL-FREE", "US", None),
        ("+442071838750", 22133, "MANUAL_PORTING_AVAILABLE", "LOCAL", "GB", None),
        ("+33612345678", 22133, "MANUAL_PORTING_AVAILABLE", "MOBILE", "FR", None),
        ("+16045550100", 22133, "MANUAL_PORTING_AVAILABLE", "LOCAL", "CA", None),
    ],
)
async def test_not_portable(
    client: httpx.AsyncClient,
    number: str,
    code: int,
    reason: str,
    number_type: str,
    country: str,
    account_sid: str | None,
):
    response = await check(client, number)
    assert response.status_code == 200
    body = response.json()
    assert body["portable"] is False
    assert body["not_portable_reason_code"] == code
    assert body["not_portable_reason"] == reason
    assert body["number_type"] == number_type
    assert body["country"] == country
    assert body["account_sid"] == account_sid
    assert "code" not in body  # a 200 answer is not an error body


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        ("+14155550134", 400, 22102),
        ("+14155550135", 500, 22135),
        ("+14155550137", 400, 22171),
        ("14155550100", 400, 22102),  # no plus: not E.164
        ("+1415555", 400, 22102),
        ("+10005550100", 400, 22102),  # E.164-shaped but not a valid number
        ("not-a-number", 400, 22102),
    ],
)
async def test_errors(client: httpx.AsyncClient, number: str, status: int, code: int):
    assert_twilio_error(await check(client, number), status, code)


async def test_plus_literal_and_percent_encoded(client: httpx.AsyncClient, sandbox: Sandbox):
    assert sandbox.state.portability_checks == 0
    plain = await client.get(PATH + "+14155550100")
    encoded = await client.get(PATH + "%2B14155550100")
    assert plain.status_code == encoded.status_code == 200
    assert plain.json() == encoded.json()
    assert sandbox.state.portability_checks == 2


async def test_query_validation(client: httpx.AsyncClient):
    assert_twilio_error(await check(client, "+14155550100", TargetAccountSid="AC123"), 400, 20001)
    assert_twilio_error(await check(client, "+14155550100", AddressSid="XX" + "0" * 32), 400, 20001)
    assert_twilio_error(
        await check(client, "+14155550100", TargetAccountSid=SANDBOX_FOREIGN_ACCOUNT_SID),
        403,
        20003,
    )
    ok = await check(client, "+14155550100", AddressSid="AD" + "0" * 32)
    assert ok.json()["portable"] is True


async def test_target_account_decides_22131_vs_22136(client: httpx.AsyncClient):
    here = (await check(client, "+14155550131", TargetAccountSid=OTHER_ACCOUNT)).json()
    assert here["not_portable_reason_code"] == 22131
    assert here["account_sid"] == OTHER_ACCOUNT


async def test_number_in_active_request(client: httpx.AsyncClient):
    await create(client, ["+14155550105"])
    same = (await check(client, "+14155550105")).json()
    assert (same["portable"], same["not_portable_reason_code"]) == (False, 22131)
    other = (await check(client, "+14155550105", TargetAccountSid=OTHER_ACCOUNT)).json()
    assert other["not_portable_reason_code"] == 22136
    assert other["not_portable_reason"] == "ALREADY_IN_ONE_OF_YOUR_TWILIO_ACCOUNTS"


async def test_not_portable_as_http_400(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(not_portable_status_code=400)
    async with client_for(sandbox) as client:
        response = await check(client, "+14155550132")
        body = assert_twilio_error(response, 400, 22132)
        # Both shapes: the portability fields and the classic error fields.
        assert body["not_portable_reason_code"] == 22132
        assert body["not_portable_reason"] == "ALREADY_IN_TWILIO_DIFFERENT_OWNER"
        assert body["portable"] is False
        assert (await check(client, "+14155550100")).status_code == 200
