"""Person pace (local mode's demo): the sandbox's calendar is the real one and stays so; each
request moves in steps seconds apart, the LOA waits for a signature (or signs itself after a
countdown), a port date a week out is reached by fast-forwarding that request; pause holds it
all. The real calendar is injected (``Wall``): no test waits for time to pass."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.sandbox import Sandbox, Timings

from .helpers import (
    START,
    TARGET,
    Receiver,
    SandboxFactory,
    client_for,
    configure_hook,
    create,
    fetch,
    statuses,
)

A, B = "+14155550100", "+14155550102"


class Wall:
    """The real calendar, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    async def passes(self, sandbox: Sandbox, delta: timedelta) -> None:
        """``delta`` of real time goes by while the sandbox's clock runs."""
        self.now += delta
        await sandbox.tick(timedelta(0))
        await sandbox.flush_webhooks()


async def paced(make_sandbox: SandboxFactory, **overrides: Any) -> tuple[Sandbox, Wall]:
    wall = Wall(START)
    sandbox = await make_sandbox(pace="person", timings=Timings.person(), **overrides)
    sandbox._wall = wall  # the factory builds it: swap in the test's calendar
    await sandbox.reset()
    return sandbox, wall


async def test_a_request_moves_in_steps_a_person_can_watch(
    make_sandbox: SandboxFactory, receiver: Receiver
) -> None:
    sandbox, wall = await paced(make_sandbox)
    async with client_for(sandbox) as client:
        await configure_hook(client)
        kw = (await create(client, [A, B]))["port_in_request_sid"]
        assert sandbox.now == START

        await wall.passes(sandbox, timedelta(seconds=4))
        assert (await fetch(client, kw))["port_in_request_status"] == "In Review"
        await wall.passes(sandbox, timedelta(seconds=1))
        assert (await fetch(client, kw))["port_in_request_status"] == "Waiting for Signature"

        # The LOA waits for a person: 1 minute 59 s later it is still unsigned, and the
        # panel's listing says when it signs itself.
        await wall.passes(sandbox, timedelta(seconds=119))
        assert (await fetch(client, kw))["port_in_request_status"] == "Waiting for Signature"
        listed = (await client.get("/_sim/requests")).json()["requests"][0]
        assert listed["sim_next"] == {
            "request_sid": kw,
            "kind": "auto_sign",
            "due": "2026-01-05T15:02:05Z",
        }
        signed = await client.post(f"/_sim/requests/{kw}/sign")
        assert signed.json()["port_in_request_status"] == "In progress"

        # The carrier answers seconds later with a port date that is a real date (the target).
        await wall.passes(sandbox, timedelta(seconds=15))
        await wall.passes(sandbox, timedelta(seconds=4))
        port_in = await fetch(client, kw)
        assert set(statuses(port_in).values()) == {"Port Pending"}
        port_dates = {n["port_date"][:10] for n in port_in["phone_numbers"]}
        assert min(port_dates) == TARGET.isoformat()

        # Reaching the port date: fast-forward that request; the calendar stays today's.
        before = sandbox.now
        ran = await client.post(f"/_sim/requests/{kw}/fast-forward")
        assert ran.status_code == 200, ran.text
        assert ran.json()["ran"]["kind"] == "port"
        assert sandbox.now == before == START + timedelta(seconds=143)
        assert (await fetch(client, kw))["port_in_request_status"] == "Completed"
        assert (await client.get("/_sim/clock")).json()["now"] == "2026-01-05T15:02:23Z"
    assert receiver.events[-1] == "PortInCompleted"


async def test_the_loa_signs_itself_after_its_countdown(make_sandbox: SandboxFactory) -> None:
    sandbox, wall = await paced(make_sandbox)
    async with client_for(sandbox) as client:
        kw = (await create(client, [A]))["port_in_request_sid"]
        await wall.passes(sandbox, timedelta(seconds=5))
        await wall.passes(sandbox, timedelta(minutes=2))
        assert (await fetch(client, kw))["port_in_request_status"] == "In progress"


async def test_pause_holds_every_step_and_resume_keeps_the_countdown(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox, wall = await paced(make_sandbox)
    async with client_for(sandbox) as client:
        kw = (await create(client, [A]))["port_in_request_sid"]
        paused = (await client.post("/_sim/pause")).json()
        assert paused["paused"] is True and paused["running"] is False
        wall.now += timedelta(minutes=10)  # the ticker skips its looks while paused
        assert (await fetch(client, kw))["port_in_request_status"] == "In Review"
        resumed = (await client.post("/_sim/resume")).json()
        assert resumed["paused"] is False
        # The review had 5 s to go when paused: it still has 5 s to go.
        assert resumed["next"]["due"] == "2026-01-05T15:10:05Z"
        await wall.passes(sandbox, timedelta(seconds=4))
        assert (await fetch(client, kw))["port_in_request_status"] == "In Review"
        await wall.passes(sandbox, timedelta(seconds=1))
        assert (await fetch(client, kw))["port_in_request_status"] == "Waiting for Signature"


async def test_next_step_runs_the_earliest_step_now(make_sandbox: SandboxFactory) -> None:
    sandbox, _ = await paced(make_sandbox)
    async with client_for(sandbox) as client:
        first = (await create(client, [A]))["port_in_request_sid"]
        stepped = (await client.post("/_sim/step")).json()
        assert stepped["ran"] == {
            "request_sid": first,
            "kind": "review_done",
            "due": "2026-01-05T15:00:05Z",
        }
        assert (await fetch(client, first))["port_in_request_status"] == "Waiting for Signature"
        assert stepped["now"] == "2026-01-05T15:00:00Z"  # the calendar did not move
        await client.post("/_sim/step")  # the LOA signs itself, now
        assert (await fetch(client, first))["port_in_request_status"] == "In progress"
        await client.post("/_sim/settle")
        assert (await fetch(client, first))["port_in_request_status"] == "Completed"
        assert (await client.post("/_sim/step")).json()["ran"] is None
        refused = await client.post(f"/_sim/requests/{first}/fast-forward")
        assert refused.status_code == 409
        assert "no step scheduled" in refused.json()["message"]


async def test_reading_the_clock_needs_no_credentials(sandbox: Sandbox) -> None:
    async with client_for(sandbox, auth=None) as anonymous:
        clock = await anonymous.get("/_sim/clock")
        assert clock.status_code == 200
        assert clock.json()["now"] == "2026-01-05T15:00:00Z"
        assert (await anonymous.post("/_sim/step")).status_code == 401
        assert (await anonymous.post("/_sim/pause")).status_code == 401
        assert (await anonymous.get("/_sim/requests")).status_code == 401


async def test_on_the_simulated_clock_fast_forward_moves_time(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    kw = (await create(client, [A]))["port_in_request_sid"]
    ran = (await client.post(f"/_sim/requests/{kw}/fast-forward")).json()
    assert ran["ran"]["kind"] == "review_done"
    assert sandbox.now == START + sandbox.config.timings.review
    assert ran["pace"] == "clock"
