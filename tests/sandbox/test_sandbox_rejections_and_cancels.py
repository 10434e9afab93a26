"""Carrier rejections (Action Required), cancel rules for requests and numbers, LOA expiry."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.sandbox import Sandbox

from .helpers import (
    Receiver,
    SandboxFactory,
    assert_twilio_error,
    client_for,
    configure_hook,
    create,
    fetch,
    statuses,
)

OK, NAME = "+14155550100", "+14155550153"
PORT_IN = "/v1/Porting/PortIn"


async def to_submitted(sandbox: Sandbox) -> None:
    timings = sandbox.config.timings
    await sandbox.advance(timings.review + timings.auto_sign_after)


async def to_pending(sandbox: Sandbox) -> None:
    await to_submitted(sandbox)
    await sandbox.advance(sandbox.config.timings.carrier_response + timedelta(hours=2))


def number_sid(port_in: dict, phone: str) -> str:
    return next(
        n["port_in_phone_number_sid"]
        for n in port_in["phone_numbers"]
        if n["phone_number"] == phone
    )


async def test_rejection_then_cancel_completes(
    client: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
):
    await configure_hook(client)
    created = await create(client, [OK, NAME])
    kw = created["port_in_request_sid"]
    await to_pending(sandbox)
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Action Required"
    assert statuses(port_in) == {OK: "Port Pending", NAME: "Port Rejected"}
    rejected = next(n for n in port_in["phone_numbers"] if n["phone_number"] == NAME)
    assert rejected["rejection_reason"] == "INVALID_END_USER_NAME"
    assert rejected["rejection_reason_code"] == "22153"  # a string inside PortIn (spec)
    assert rejected["port_date"] is None
    pu = number_sid(port_in, NAME)
    sub = (await client.get(f"{PORT_IN}/{kw}/PhoneNumber/{pu}")).json()
    assert (sub["port_in_phone_number_status"], sub["rejection_reason_code"]) == (
        "port_rejected",
        22153,
    )
    hook = next(c.json for c in receiver.calls if c.json["status"] == "PortInPhoneNumberRejected")
    assert hook["rejection_reason"] == "INVALID_END_USER_NAME"
    assert hook["rejection_reason_code"] == 22153
    assert hook["port_in_phone_number_sid"] == pu
    assert receiver.events.index("PortInPhoneNumberRejected") < receiver.events.index(
        "PortInActionRequired"
    )
    summary = (await client.get(f"{PORT_IN}/PortInRequests")).json()["port_in_requests"][0]
    assert summary["port_in_request_status"] == "Action Required"
    assert summary["suggested_action"]

    # The good number still ports; the request stays Action Required until the reject is gone.
    await sandbox.advance(timedelta(days=10))
    port_in = await fetch(client, kw)
    assert statuses(port_in) == {OK: "Completed", NAME: "Port Rejected"}
    assert port_in["port_in_request_status"] == "Action Required"

    assert (await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{pu}")).status_code == 204
    await sandbox.flush_webhooks()
    port_in = await fetch(client, kw)
    assert statuses(port_in) == {OK: "Completed", NAME: "Canceled"}
    assert port_in["port_in_request_status"] == "Completed"
    assert receiver.events[-2:] == ["PortInPhoneNumberCanceled", "PortInCompleted"]


@pytest.mark.parametrize(
    ("phone", "pin", "code", "reason"),
    [
        ("+14155550150", None, 22150, "CONTACT_SUPPORT_REQUIRED"),
        ("+14155550151", None, 22151, "PHONE_NUMBER_WITH_CARRIER_RESTRICTION"),
        ("+14155550152", None, 22152, "PHONE_NUMBER_INACTIVE_OR_DISCONNECTED"),
        ("+14155550154", None, 22154, "INVALID_ADDRESS"),
        ("+14155550155", None, 22155, "INVALID_PIN"),
        ("+14155550156", None, 22156, "INVALID_ACCOUNT_NUMBER"),
        ("+14155550158", None, 22158, "PORT_DATE_REJECTED"),
        ("+14155550159", None, 22159, "PHONE_NUMBER_NOT_PORTABLE"),
        ("+14155550250", "0000", 22155, "INVALID_PIN"),
    ],
)
async def test_carrier_rejection_codes(
    client: httpx.AsyncClient, sandbox: Sandbox, phone: str, pin: str | None, code: int, reason: str
):
    entry = {"phone_number": phone, **({"pin": pin} if pin else {})}
    kw = (await create(client, [entry]))["port_in_request_sid"]
    await to_pending(sandbox)
    number = sandbox.number(kw, phone)
    assert (number.status.value, number.rejection_reason_code, number.rejection_reason) == (
        "port_rejected",
        code,
        reason,
    )
    assert sandbox.request(kw).status.value == "action_required"


async def test_mobile_with_good_pin_ports(client: httpx.AsyncClient, sandbox: Sandbox):
    kw = (await create(client, [{"phone_number": "+14155550250", "pin": "1234"}]))[
        "port_in_request_sid"
    ]
    await sandbox.run_until_settled()
    assert (await fetch(client, kw))["port_in_request_status"] == "Completed"


async def test_admin_reject_and_resubmit(client: httpx.AsyncClient, sandbox: Sandbox):
    kw = (await create(client, [OK]))["port_in_request_sid"]
    await to_pending(sandbox)
    pu = sandbox.number(kw, OK).sid
    response = await client.post(f"/_sim/requests/{kw}/numbers/{pu}/reject", json={"code": 22154})
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "INVALID_ADDRESS"
    assert (await fetch(client, kw))["port_in_request_status"] == "Action Required"
    again = await client.post(f"/_sim/requests/{kw}/numbers/{OK}/reject")  # by E.164, not pending
    assert again.status_code == 409
    resubmitted = await client.post(f"/_sim/requests/{kw}/numbers/{pu}/resubmit")
    assert resubmitted.json()["port_in_phone_number_status"] == "port_submitted"
    assert (await fetch(client, kw))["port_in_request_status"] == "In progress"
    await sandbox.run_until_settled()
    assert (await fetch(client, kw))["port_in_request_status"] == "Completed"
    unknown = await client.post(f"/_sim/requests/{kw}/numbers/{pu}/reject", json={"code": 1})
    assert unknown.status_code == 400


async def test_cancel_request_in_review(
    client: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
):
    await configure_hook(client)
    kw = (await create(client, [OK, NAME]))["port_in_request_sid"]
    assert (await client.delete(f"{PORT_IN}/{kw}")).status_code == 204
    await sandbox.flush_webhooks()
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Canceled"
    assert set(statuses(port_in).values()) == {"Canceled"}
    assert port_in["order_cancellation_reason"]
    assert receiver.events == ["PortInPhoneNumberCanceled"] * 2 + ["PortInCanceled"]
    # Terminal: a second cancel, or cancelling a number, is refused (GUESS: 400/20001).
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}"), 400, 20001)
    pu = number_sid(port_in, OK)
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{pu}"), 400, 20001)
    # The numbers are free again, and nothing else happens to the request.
    check = (await client.get(f"/v1/Porting/Portability/PhoneNumber/{OK}")).json()
    assert check["portable"] is True
    assert sandbox.state.next_due() is None
    await sandbox.advance(timedelta(days=40))
    assert (await fetch(client, kw))["port_in_request_status"] == "Canceled"


async def test_late_cancel_goes_through_canceling(
    client: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
):
    await configure_hook(client)
    kw = (await create(client, [OK, NAME]))["port_in_request_sid"]
    await to_pending(sandbox)
    assert (await client.delete(f"{PORT_IN}/{kw}")).status_code == 204
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Canceling"
    assert statuses(port_in) == {OK: "Canceling", NAME: "Canceled"}
    pu = number_sid(port_in, OK)
    assert (await client.get(f"{PORT_IN}/{kw}/PhoneNumber/{pu}")).json()[
        "port_in_phone_number_status"
    ] == "canceling"
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}"), 400, 20001)
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{pu}"), 400, 20001)
    await sandbox.advance(sandbox.config.timings.cancel_delay)
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Canceled"
    assert statuses(port_in) == {OK: "Canceled", NAME: "Canceled"}
    assert receiver.events[-1] == "PortInCanceled"
    await sandbox.advance(timedelta(days=20))  # the old port date passes: nothing ports
    assert sandbox.number(kw, OK).status.value == "canceled"
    assert "PortInPhoneNumberCompleted" not in receiver.events


async def test_cancel_numbers_one_by_one(client: httpx.AsyncClient, sandbox: Sandbox):
    kw = (await create(client, [OK, "+14155550101"]))["port_in_request_sid"]
    await sandbox.advance(sandbox.config.timings.review)
    port_in = await fetch(client, kw)
    first, second = (n["port_in_phone_number_sid"] for n in port_in["phone_numbers"])
    assert (await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{first}")).status_code == 204
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Waiting for Signature"
    assert statuses(port_in)[OK] == "Canceled"
    assert (await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{second}")).status_code == 204
    assert (await fetch(client, kw))["port_in_request_status"] == "Canceled"


async def test_cannot_cancel_completed(client: httpx.AsyncClient, sandbox: Sandbox):
    kw = (await create(client, [OK]))["port_in_request_sid"]
    await sandbox.run_until_settled()
    pu = sandbox.number(kw, OK).sid
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}/PhoneNumber/{pu}"), 400, 20001)
    assert_twilio_error(await client.delete(f"{PORT_IN}/{kw}"), 400, 20001)


async def test_unknown_and_malformed_sids(client: httpx.AsyncClient):
    kw = (await create(client, [OK]))["port_in_request_sid"]
    unknown_kw = "KW" + "0" * 32
    for path in (
        f"{PORT_IN}/{unknown_kw}",
        f"{PORT_IN}/KW123",
        f"{PORT_IN}/{kw}/PhoneNumber/{'PU' + '0' * 32}",
        f"{PORT_IN}/{kw}/PhoneNumber/XX1",
        f"{PORT_IN}/{unknown_kw}/PhoneNumber/{'PU' + '0' * 32}",
    ):
        body = assert_twilio_error(await client.get(path), 404, 20404)
        assert path in body["message"]
        assert_twilio_error(await client.delete(path), 404, 20404)


async def test_loa_expiry(make_sandbox: SandboxFactory, receiver: Receiver):
    sandbox = await make_sandbox(auto_sign_loa=False, loa_expiry_days=30)
    async with client_for(sandbox) as client:
        await configure_hook(client)
        kw = (await create(client, [OK, "+14155550101"]))["port_in_request_sid"]
        await sandbox.advance(sandbox.config.timings.review)
        await sandbox.advance(timedelta(days=30) - timedelta(seconds=1))
        assert (await fetch(client, kw))["port_in_request_status"] == "Waiting for Signature"
        await sandbox.advance(timedelta(seconds=1))
        port_in = await fetch(client, kw)
        assert port_in["port_in_request_status"] == "Expired"
        assert set(statuses(port_in).values()) == {"Canceled"}
        assert "30 days" in port_in["order_cancellation_reason"]
        assert receiver.events[-3:] == ["PortInPhoneNumberCanceled"] * 2 + ["PortInExpired"]
        late = await client.post(f"/_sim/requests/{kw}/sign")
        assert late.status_code == 409
        assert sandbox.state.next_due() is None


async def test_manual_sign_and_expire_routes(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(auto_sign_loa=False)
    async with client_for(sandbox) as client:
        signed = (await create(client, [OK]))["port_in_request_sid"]
        expired = (await create(client, ["+14155550101"]))["port_in_request_sid"]
        early = await client.post(f"/_sim/requests/{signed}/sign")
        assert early.status_code == 409  # still In Review
        await sandbox.advance(timedelta(days=2))  # no auto-sign: still waiting
        assert (await fetch(client, signed))["port_in_request_status"] == "Waiting for Signature"
        response = await client.post(f"/_sim/requests/{signed}/sign")
        assert response.json()["port_in_request_status"] == "In progress"
        response = await client.post(f"/_sim/requests/{expired}/expire")
        assert response.json()["port_in_request_status"] == "Expired"
        missing = await client.post(f"/_sim/requests/{'KW' + '0' * 32}/sign")
        assert_twilio_error(missing, 404, 20404)


async def test_loa_signing_page(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(auto_sign_loa=False)
    async with client_for(sandbox) as client:
        kw = (await create(client, [OK]))["port_in_request_sid"]
        await sandbox.advance(sandbox.config.timings.review)
        link = httpx.URL((await fetch(client, kw))["signature_request_url"])
        async with client_for(sandbox, auth=None) as browser:  # a human: no Basic auth
            page = await browser.get(link.path, params=link.params)
            assert page.status_code == 200
            assert "+14155550100" in page.text and "Jane Doe" in page.text
            wrong = await browser.post(link.path, params={"token": "nope"})
            assert wrong.status_code == 404
            signed = await browser.post(link.path, params=link.params)
            assert signed.status_code == 200
        assert (await fetch(client, kw))["port_in_request_status"] == "In progress"
