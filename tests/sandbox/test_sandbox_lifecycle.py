"""Happy lifecycle on the stepped clock, port dates, and the signed webhooks it emits."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from bot.porting.signature import validate_json
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox

from .helpers import (
    HOOK_URL,
    START,
    Receiver,
    SandboxFactory,
    client_for,
    configure_hook,
    create,
    fetch,
    statuses,
)

A, B, M = "+14155550100", "+14155550102", "+14155550204"  # last digits 0, 2, 4 → +0, +2, +1 days
REQUEST_KEYS = {"port_in_request_sid", "status", "last_date_updated"}
NUMBER_KEYS = {
    "port_in_request_sid",
    "port_in_phone_number_sid",
    "phone_number",
    "status",
    "portable",
    "not_portable_reason",
    "not_portable_reason_code",
    "rejection_reason",
    "rejection_reason_code",
    "last_date_updated",
}


async def test_happy_lifecycle(client: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver):
    timings = sandbox.config.timings
    await configure_hook(client)
    created = await create(client, [A, B, {"phone_number": M, "pin": "4321"}])
    kw = created["port_in_request_sid"]
    sids = {n["phone_number"]: n["port_in_phone_number_sid"] for n in created["phone_numbers"]}

    # Still in review just before the review ends: nothing sent yet.
    await sandbox.advance(timings.review - timedelta(seconds=1))
    assert (await fetch(client, kw))["port_in_request_status"] == "In Review"
    assert receiver.calls == []

    await sandbox.advance(timedelta(seconds=1))
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Waiting for Signature"
    assert port_in["signature_request_url"].startswith(f"http://localhost:8000/_sim/loa/{kw}?")
    assert set(statuses(port_in).values()) == {"Waiting for Signature"}
    sub = (await client.get(f"/v1/Porting/PortIn/{kw}/PhoneNumber/{sids[A]}")).json()
    assert sub["port_in_phone_number_status"] == "waiting_for_signature"
    assert receiver.events == ["PortInPhoneNumberWaitingForSignature"] * 3 + [
        "PortInWaitingForSignature"
    ]

    await sandbox.advance(timings.auto_sign_after)  # the representative signs
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "In progress"
    assert set(statuses(port_in).values()) == {"Port Submitted"}
    assert receiver.events[4:] == ["PortInPhoneNumberSubmitted"] * 3 + ["PortInInProgress"]

    await sandbox.advance(timings.carrier_response + timedelta(hours=1))  # FOC dates set
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "In progress"
    assert set(statuses(port_in).values()) == {"Port Pending"}
    port_dates = {n["phone_number"]: n["port_date"] for n in port_in["phone_numbers"]}
    assert port_dates == {
        A: "2026-01-14T00:00:00Z",  # the target date
        B: "2026-01-16T00:00:00Z",  # target + 2
        M: "2026-01-15T00:00:00Z",  # target + 1
    }
    assert receiver.events[8:] == ["PortInPhoneNumberPending"] * 3

    await sandbox.advance_to(START.replace(day=15, hour=12))  # A and M port; B waits
    port_in = await fetch(client, kw)
    assert statuses(port_in) == {A: "Completed", B: "Port Pending", M: "Completed"}
    assert port_in["port_in_request_status"] == "In progress"

    await sandbox.advance(timedelta(days=1))
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Completed"
    assert set(statuses(port_in).values()) == {"Completed"}
    assert receiver.events[11:] == ["PortInPhoneNumberCompleted"] * 3 + ["PortInCompleted"]

    # Every delivery is signed for the exact URL called and has the §4.3 shape.
    assert len(sandbox.deliveries) == len(receiver.calls) == 15
    for call in receiver.calls:
        assert call.url.startswith(HOOK_URL + "?bodySHA256=")
        assert call.headers["content-type"] == "application/json"
        assert validate_json(
            [SANDBOX_AUTH_TOKEN], call.url, call.body, call.headers["x-twilio-signature"]
        )
        assert not validate_json(["wrong"], call.url, call.body, call.headers["x-twilio-signature"])
        payload = call.json
        assert payload["port_in_request_sid"] == kw
        if payload["status"].startswith("PortInPhoneNumber"):
            assert set(payload) == NUMBER_KEYS
            assert payload["port_in_phone_number_sid"] == sids[payload["phone_number"]]
            assert payload["portable"] is True
        else:
            assert set(payload) == REQUEST_KEYS
    assert all(d.ok and d.status_code == 200 for d in sandbox.deliveries)
    completed = receiver.calls[-1].json
    assert completed["last_date_updated"] == "2026-01-16T00:00:00.000Z"

    # The ported numbers are now in the account.
    check = (await client.get(f"/v1/Porting/Portability/PhoneNumber/{A}")).json()
    assert check["not_portable_reason_code"] == 22131
    assert check["account_sid"] == SANDBOX_ACCOUNT_SID
    listed = (await client.get("/v1/Porting/PortIn/PortInRequests")).json()["port_in_requests"]
    assert listed[0]["phone_numbers_ported"] == 3
    assert listed[0]["phone_numbers_requested"] == 3
    assert listed[0]["port_in_request_status"] == "Completed"
    assert listed[0]["status_last_updated_timestamp"] == "2026-01-16"
    assert sandbox.state.next_due() is None  # settled: the LOA expiry timer is dead

    # Porting a ported number again is accepted, then canceled in review as not portable.
    again = await create(client, [A], target=None)
    assert again["phone_numbers"][0]["not_portability_reason_code"] == 22131
    await sandbox.advance(timings.review)
    assert (await fetch(client, again["port_in_request_sid"]))[
        "port_in_request_status"
    ] == "Canceled"


async def test_notifications_of_filters_events(
    client: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
):
    await configure_hook(client, ["PortInCompleted", "PortInPhoneNumberPending"])
    await create(client, [A])
    await sandbox.run_until_settled()
    assert receiver.events == ["PortInPhoneNumberPending", "PortInCompleted"]
    assert len(sandbox.events) == 7  # every transition is still recorded


async def test_no_webhook_configured_sends_nothing(sandbox: Sandbox, client: httpx.AsyncClient):
    await create(client, [A])
    await sandbox.run_until_settled()
    assert len(sandbox.deliveries) == 0
    assert [e.event.value for e in sandbox.events][-1] == "PortInCompleted"


async def test_port_time_weekend_and_default_target(client: httpx.AsyncClient, sandbox: Sandbox):
    friday = date(2026, 1, 16)
    windowed = await create(
        client,
        ["+14155550110", "+14155550112"],
        target_port_in_date=friday.isoformat(),
        target_port_in_time_range_start="10:00:00-08:00",
    )
    untargeted = await create(client, ["+14155550120"], target=None)
    await sandbox.advance(timedelta(days=3))
    port_in = await fetch(client, windowed["port_in_request_sid"])
    dates = {n["phone_number"]: n["port_date"] for n in port_in["phone_numbers"]}
    # 10:00 at -08:00 is 18:00Z; Friday + 2 days is a Sunday, rolled to Monday.
    assert dates == {"+14155550110": "2026-01-16T18:00:00Z", "+14155550112": "2026-01-19T18:00:00Z"}
    # No target: 7 days after the LOA was signed (2026-01-06 01:00Z) → 2026-01-13.
    assert (await fetch(client, untargeted["port_in_request_sid"]))["phone_numbers"][0][
        "port_date"
    ] == "2026-01-13T00:00:00Z"


async def test_fast_clock_ticker(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(speed=1e7, tick_interval_seconds=0.005)
    async with client_for(sandbox) as client:
        kw = (await create(client, [A]))["port_in_request_sid"]
        sandbox.start()
        sandbox.start()  # idempotent
        assert sandbox.running
        for _ in range(400):  # bounded wait for progress, not a timing assertion
            if sandbox.request(kw).status.value == "completed":
                break
            await asyncio.sleep(0.01)
        await sandbox.stop()
        assert not sandbox.running
        assert sandbox.now > START
        assert (await fetch(client, kw))["port_in_request_status"] == "Completed"
