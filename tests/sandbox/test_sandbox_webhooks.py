"""Webhook delivery hardening: retries, failures, duplicates and out-of-order delivery."""

from __future__ import annotations

import httpx

from bot.porting.signature import validate_json
from bot.sandbox import SANDBOX_AUTH_TOKEN, Sandbox, SandboxConfig

from .helpers import START, Receiver, SandboxFactory, client_for, configure_hook, create

ONE = ["+14155550100"]


async def run_one(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as client:
        await configure_hook(client)
        await create(client, ONE)
    await sandbox.run_until_settled()


async def test_retries_then_succeeds(make_sandbox: SandboxFactory, receiver: Receiver):
    sandbox = await make_sandbox()
    receiver.statuses = [500, 503]
    await run_one(sandbox)
    first = sandbox.deliveries[0]
    assert [a.status_code for a in first.attempts] == [500, 503, 200]
    assert first.ok
    assert all(d.ok for d in sandbox.deliveries)
    assert len(receiver.calls) == len(sandbox.deliveries) + 2
    # Retries resend the identical signed request.
    assert receiver.calls[0].body == receiver.calls[2].body
    assert receiver.calls[0].url == receiver.calls[2].url


async def test_gives_up_and_records_failure(make_sandbox: SandboxFactory, receiver: Receiver):
    sandbox = await make_sandbox(webhook_max_attempts=2)
    receiver.statuses = [500] * 4
    await run_one(sandbox)
    failed = [d for d in sandbox.deliveries if not d.ok]
    assert len(failed) == 2
    assert failed[0].status_code == 500
    assert failed[0].attempts[-1].error == "HTTP 500"
    assert sandbox.request(sandbox.deliveries[0].payload["port_in_request_sid"]).status.value == (
        "completed"
    )  # a dead receiver never stalls the simulation
    async with client_for(sandbox) as client:
        logged = (await client.get("/_sim/deliveries")).json()["deliveries"]
    assert logged[0]["ok"] is False
    assert [a["status_code"] for a in logged[0]["attempts"]] == [500, 500]


async def test_unreachable_receiver_with_backoff():
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    broken = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    sandbox = Sandbox(
        SandboxConfig(start_time=START, seed=1, webhook_retry_backoff_seconds=0.5),
        http_client=broken,
        sleep=fake_sleep,
    )
    await run_one(sandbox)
    assert sandbox.deliveries
    assert all(not d.ok and d.status_code is None for d in sandbox.deliveries)
    assert "ConnectError" in sandbox.deliveries[0].attempts[0].error
    assert slept[:2] == [0.5, 1.0]  # exponential backoff between the three attempts
    await sandbox.aclose()
    await broken.aclose()


async def test_duplicate_mode(make_sandbox: SandboxFactory, receiver: Receiver):
    sandbox = await make_sandbox(webhook_duplicate_probability=1.0)
    await run_one(sandbox)
    originals = [d for d in sandbox.deliveries if not d.duplicate]
    copies = [d for d in sandbox.deliveries if d.duplicate]
    assert len(originals) == len(copies) == len(sandbox.events)
    assert [c.json for c in receiver.calls[::2]] == [c.json for c in receiver.calls[1::2]]
    assert all(c.valid for c in receiver.calls)


async def test_out_of_order_mode(make_sandbox: SandboxFactory, receiver: Receiver):
    sandbox = await make_sandbox(webhook_out_of_order_probability=1.0)
    await run_one(sandbox)
    emitted = [e.payload for e in sandbox.events]
    delivered = [c.json for c in receiver.calls]
    assert delivered != emitted
    assert sorted(map(str, delivered)) == sorted(map(str, emitted))
    assert all(
        validate_json([SANDBOX_AUTH_TOKEN], c.url, c.body, c.headers["x-twilio-signature"])
        for c in receiver.calls
    )
