"""The inventory sweep against the sandbox, without Slack: stored, compared with the last
sweep; a number that leaves is announced once (in its request's thread too, if the bot ported
it) and stays until acknowledged; arrivals are recorded quietly; one process sweeps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.desk.inventory import Inventory
from bot.store import account_numbers
from bot.store.models import AccountNumber, AuditEntry, RequestThread

from .conftest import Harness, HarnessFactory, payload

A = "+14155550101"


def sweeper(harness: Harness) -> Inventory:
    inventory = harness.desk.inventory
    inventory.clock = lambda: harness.sandbox.now
    inventory.every_seconds = 900
    return inventory


async def later(harness: Harness) -> None:
    await harness.sandbox.advance(timedelta(minutes=16))


async def test_a_number_that_leaves_is_announced_once(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    inventory = sweeper(harness)
    harness.sandbox.state.inventory.seed(3, harness.sandbox.config.account_sid, harness.sandbox.now)
    first = await inventory.sweep()
    assert first is not None and (first.numbers, first.arrived, first.left) == (3, 3, [])
    assert await inventory.sweep() is None, "not due again before its interval"
    assert await harness.outbox("departed") == []

    # One of ours, ported in through a request the bot follows (its thread exists).
    sid = (await harness.file_in_sandbox([A])).request_sid
    await harness.desk.requests.sync(sid)
    async with harness.db.session() as s:
        s.add(RequestThread(request_sid=sid, channel_id="CPORTING", thread_ts="1.000001"))
        await s.commit()
    while harness.sandbox.request(sid).status != "completed":
        await harness.step()
    await harness.desk.requests.sync(sid)
    await later(harness)
    arrived = await inventory.sweep()
    assert arrived is not None and arrived.arrived == 1 and arrived.left == []
    assert await harness.outbox("departed") == [], "arrivals are recorded quietly"
    seen_at = harness.sandbox.now

    harness.sandbox.port_away(A)
    harness.sandbox.port_away("+12125000001")
    await later(harness)
    result = await inventory.sweep()
    assert result is not None and result.left == ["+12125000001", A]
    alerts = await harness.outbox("departed")
    where = sorted(
        (a.request_sid, payload(a)["channel"], payload(a)["departure"]["phone_number"])
        for a in alerts
    )
    assert where == sorted(
        [
            ("inventory", "CPORTING", "+12125000001"),
            ("inventory", "CPORTING", A),
            (sid, None, A),
        ]
    )
    mine = next(
        payload(a)["departure"] for a in alerts if payload(a)["departure"]["phone_number"] == A
    )
    assert mine["request_sid"] == sid and mine["last_seen"].startswith(seen_at.isoformat()[:16])

    await later(harness)
    assert (await inventory.sweep()) is not None
    assert len(await harness.outbox("departed")) == 3, "announced once"
    assert {d.phone_number for d in await inventory.departures()} == {A, "+12125000001"}
    assert await inventory.in_account([A, "+12125000000", "+19999999999"]) == {
        A: False,
        "+12125000000": True,
    }

    done = await inventory.acknowledge(A, "UADMIN", "released on purpose: customer left")
    assert done is not None and done.acknowledged_by == "UADMIN"
    assert await inventory.acknowledge(A, "UOTHER", "again") is None
    assert {d.phone_number for d in await inventory.departures()} == {"+12125000001"}
    (entry,) = await harness.rows(AuditEntry, AuditEntry.action == "departure.acknowledged")
    assert entry.user_id == "UADMIN" and entry.detail == "released on purpose: customer left"

    # It comes back: a new life, nothing left to acknowledge.
    harness.sandbox.state.inventory.arrive(
        A, harness.sandbox.config.account_sid, harness.sandbox.now
    )
    await later(harness)
    await inventory.sweep()
    (row,) = await harness.rows(AccountNumber, AccountNumber.phone_number == A)
    assert row.gone_at is None and row.acknowledged_by is None


async def test_two_processes_sweep_once(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    inventory = sweeper(harness)
    harness.sandbox.state.inventory.seed(5, harness.sandbox.config.account_sid, harness.sandbox.now)
    await inventory.sweep()
    harness.sandbox.port_away("+12125000002")
    await later(harness)
    other = harness.another_desk().inventory
    other.clock, other.every_seconds = inventory.clock, 900
    results = await asyncio.gather(inventory.sweep(), other.sweep())
    assert sum(r is not None for r in results) == 1
    assert len(await harness.outbox("departed")) == 1


async def test_a_failed_read_records_nothing_and_tries_again(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    inventory = sweeper(harness)
    harness.sandbox.state.inventory.seed(
        2500, harness.sandbox.config.account_sid, harness.sandbox.now
    )
    await inventory.sweep()
    harness.sandbox.port_away("+12125000003")
    await later(harness)
    harness.sandbox.inject_failures(10, 500, match="IncomingPhoneNumbers")
    assert await inventory.sweep() is None
    assert (
        await harness.outbox("departed") == []
        and await account_numbers.last_sweep(harness.db) is not None
    )
    harness.sandbox.faults.clear()
    result = await inventory.sweep()
    assert result is not None and result.left == ["+12125000003"]
