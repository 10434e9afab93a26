"""Auth, error shapes, injected 429/5xx, the concurrency cap, latency, and admin routes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from bot.sandbox import SANDBOX_ACCOUNT_SID, Sandbox

from .helpers import SandboxFactory, assert_twilio_error, client_for, create

CHECK = "/v1/Porting/Portability/PhoneNumber/+14155550100"
KEY_SID = "SK" + "1" * 32


async def test_auth_required(sandbox: Sandbox):
    for auth in (None, (SANDBOX_ACCOUNT_SID, "wrong"), ("AC" + "0" * 32, "sandbox-auth-token")):
        async with client_for(sandbox, auth=auth) as client:
            for path in (CHECK, "/v1/Porting/PortIn/PortInRequests", "/v1/Nope", "/_sim/requests"):
                response = await client.get(path)
                assert_twilio_error(response, 401, 20003)
                assert response.headers["www-authenticate"].startswith("Basic")
            upload = await client.post("/v1/Documents", files={"File": ("a", b"x", "image/png")})
            assert_twilio_error(upload, 401, 20003)
    async with client_for(sandbox, auth=None) as client:
        garbage = await client.get(CHECK, headers={"Authorization": "Basic !!!"})
        assert_twilio_error(garbage, 401, 20003)


async def test_api_key_auth(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(api_key_sid=KEY_SID, api_key_secret="s3cret")
    async with client_for(sandbox, auth=(KEY_SID, "s3cret")) as client:
        assert (await client.get(CHECK)).status_code == 200
    async with client_for(sandbox, auth=(KEY_SID, "sandbox-auth-token")) as client:
        assert_twilio_error(await client.get(CHECK), 401, 20003)


async def test_unknown_route_and_method(client: httpx.AsyncClient):
    assert_twilio_error(await client.get("/v1/Porting/Nope"), 404, 20404)
    assert_twilio_error(await client.put("/v1/Porting/PortIn"), 405, 20004)


async def test_scripted_429_with_retry_after(client: httpx.AsyncClient, sandbox: Sandbox):
    sandbox.inject_failures(1, 429, retry_after=7)
    limited = await client.get(CHECK)
    assert_twilio_error(limited, 429, 20429)
    assert limited.headers["retry-after"] == "7"
    assert (await client.get(CHECK)).status_code == 200
    sandbox.inject_failures(1, 429)  # default Retry-After from the config
    assert (await client.get(CHECK)).headers["retry-after"] == "1"


async def test_scripted_5xx_and_path_match(client: httpx.AsyncClient, sandbox: Sandbox):
    sandbox.inject_failures(2, 500)
    assert_twilio_error(await client.get(CHECK), 500, 20500)
    assert_twilio_error(await client.get(CHECK), 500, 20500)
    assert (await client.get(CHECK)).status_code == 200
    sandbox.inject_failures(1, 503, match="/PortIn")
    assert (await client.get(CHECK)).status_code == 200  # not matched, fault kept
    assert_twilio_error(await client.get("/v1/Porting/PortIn/PortInRequests"), 503, 20503)
    assert sandbox.faults.scripted == 0
    # Admin routes are never faulted.
    sandbox.inject_failures(1, 500)
    assert (await client.get("/_sim/clock")).status_code == 200
    assert sandbox.faults.scripted == 1


async def test_faults_via_admin_and_config(client: httpx.AsyncClient, make_sandbox: SandboxFactory):
    response = await client.post("/_sim/faults", json={"count": 1, "status": 429, "retry_after": 3})
    assert response.json() == {"scripted": 1}
    assert (await client.get(CHECK)).headers["retry-after"] == "3"
    await client.post("/_sim/faults", json={"count": 5})
    assert (await client.delete("/_sim/faults")).status_code == 204
    assert (await client.get(CHECK)).status_code == 200
    assert (await client.post("/_sim/faults", json={"count": "x"})).status_code == 400
    preset = await make_sandbox(fail_next_calls=1, fail_status=502)
    async with client_for(preset) as other:
        assert_twilio_error(await other.get(CHECK), 502, 20500)
        assert (await other.get(CHECK)).status_code == 200


async def test_concurrency_cap_answers_429(make_sandbox: SandboxFactory):
    sandbox = await make_sandbox(max_concurrent_calls=1, latency_seconds=0.02)
    async with client_for(sandbox) as client:
        responses = await asyncio.gather(*(client.get(CHECK) for _ in range(4)))
    codes = sorted(r.status_code for r in responses)
    assert codes[0] == 200 and codes[-1] == 429
    limited = next(r for r in responses if r.status_code == 429)
    assert_twilio_error(limited, 429, 20429)
    assert limited.headers["retry-after"] == "1"
    assert sandbox.faults.in_flight == 0


async def test_latency_is_injected_per_api_call(make_sandbox: SandboxFactory):
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    sandbox = Sandbox(
        (await make_sandbox()).config.model_copy(update={"latency_seconds": 0.25}),
        sleep=fake_sleep,
    )
    async with client_for(sandbox) as client:
        await client.get(CHECK)
        await client.get("/v1/Porting/PortIn/PortInRequests")
        await client.get("/_sim/clock")  # admin: no latency
    await sandbox.aclose()
    assert slept == [0.25, 0.25]


async def test_admin_routes(client: httpx.AsyncClient, sandbox: Sandbox):
    kw = (await create(client, ["+14155550100"]))["port_in_request_sid"]
    clock = (await client.get("/_sim/clock")).json()
    assert clock["now"] == "2026-01-05T15:00:00Z"
    assert clock["next_due"] == "2026-01-05T19:00:00Z"
    assert clock["running"] is False
    advanced = await client.post("/_sim/advance", json={"hours": 4, "minutes": 30})
    assert advanced.json()["now"] == "2026-01-05T19:30:00Z"
    assert (await client.post("/_sim/advance", json={"seconds": -1})).status_code == 400
    assert (await client.post("/_sim/advance", json={"days": "x"})).status_code == 400
    settled = (await client.post("/_sim/settle")).json()
    assert settled["next_due"] is None
    assert sandbox.request(kw).status.value == "completed"
    events = (await client.get("/_sim/events")).json()["events"]
    assert events[-1]["event"] == "PortInCompleted"
    assert (await client.get("/_sim/deliveries")).json() == {"deliveries": []}
    numbers = (await client.get("/_sim/test-numbers")).json()["test_numbers"]
    assert numbers[0]["number"] == "+14155550100"
    assert (await client.post("/_sim/reset")).status_code == 204
    assert sandbox.state.requests == {}
    assert_twilio_error(await client.get(f"/v1/Porting/PortIn/{kw}"), 404, 20404)


async def test_advance_accepts_seconds(sandbox: Sandbox):
    before = sandbox.now
    assert await sandbox.advance(90) == before + timedelta(seconds=90)
