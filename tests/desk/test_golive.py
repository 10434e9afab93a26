"""Go-live against the sandbox, without Slack: completed numbers are found in the account and
set up by their request's profile; one report per batch; failures named with Twilio's code;
missing numbers looked for again, then named; applying again changes and says nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.desk.profiles import parse_profiles
from bot.sandbox.inventory import LEGACY_SERVICE, UNREGISTERED_SERVICE, VERIFIED_SERVICE
from bot.store import golive_runs
from bot.store.models import NumberLive

from .conftest import Harness, HarnessFactory, payload

A = "+14155550101"
B = "+14155550102"
THEIRS = "+12025550712"  # arrives in the previous provider's Messaging Service
PROFILES = parse_profiles(
    {
        "default": "standard",
        "profiles": {
            "standard": {
                "voice_url": "https://voice.example/in",
                "messaging_service_sid": VERIFIED_SERVICE,
                "status_callback": "https://status.example/cb",
            },
            "unregistered": {
                "voice_application_sid": "AP" + "1" * 32,
                "messaging_service_sid": UNREGISTERED_SERVICE,
            },
        },
    }
)


def serve_profiles(harness: Harness) -> None:
    """The desk with PROFILES, on the sandbox's clock (as the runtime wires a sandbox)."""
    golive = harness.desk.golive
    golive.profiles = PROFILES
    golive.clock = lambda: harness.sandbox.now


async def ported(harness: Harness, numbers: list[str], profile: str = "standard") -> str:
    """A request the desk follows with ``profile``, run until Twilio completes it."""
    sid = (await harness.file_in_sandbox(numbers)).request_sid
    await harness.desk.requests.sync(sid)
    assert await golive_runs.set_profile(harness.db, sid, profile)
    while harness.sandbox.request(sid).status != "completed":
        await harness.step()
    await harness.desk.requests.sync(sid)
    return sid


async def reports(harness: Harness) -> list[dict]:  # type: ignore[type-arg]
    return [payload(i) for i in await harness.outbox("golive")]


async def test_completed_numbers_are_set_up_and_said_once(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    serve_profiles(harness)
    sid = await ported(harness, [A, B])
    assert await harness.desk.golive.tick()
    inventory = harness.sandbox.state.inventory
    for number in (A, B):
        found = inventory.numbers[inventory.by_number[number]]
        assert found.settings["voice_url"] == "https://voice.example/in"
        assert found.settings["status_callback"] == "https://status.example/cb"
        assert found.service_sid == VERIFIED_SERVICE
    (report,) = await reports(harness)
    assert report["report"]["live"] == [A, B] and report["report"]["a2p"] is None
    assert report["report"]["voice"] == "https://voice.example/in"
    assert report["report"]["messaging"] == f"Messaging Service {VERIFIED_SERVICE}"
    rows = await harness.rows(NumberLive)
    assert {(r.phone_number, r.state) for r in rows} == {(A, "live"), (B, "live")}

    # Go live pressed: the same again changes nothing in Twilio and says nothing.
    updates = inventory.updates
    assert await harness.desk.golive.go_live(sid) == 2
    assert await harness.desk.golive.tick()
    assert inventory.updates == updates and len(await reports(harness)) == 1

    # Someone changed a number in the Console: Go live puts it back, and says so.
    inventory.numbers[inventory.by_number[B]].settings["voice_url"] = "https://elsewhere.example"
    await harness.desk.golive.go_live(sid)
    await harness.desk.golive.tick()
    later = (await reports(harness))[-1]["report"]
    assert later["live"] == [B]
    assert (
        inventory.numbers[inventory.by_number[B]].settings["voice_url"].startswith("https://voice")
    )


async def test_21712_and_an_unregistered_service_are_named(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    serve_profiles(harness)
    await ported(harness, [A, THEIRS], profile="unregistered")
    await harness.desk.golive.tick()
    (report,) = [r["report"] for r in await reports(harness)]
    assert report["live"] == [A]
    assert UNREGISTERED_SERVICE in report["a2p"] and "no US A2P 10DLC campaign" in report["a2p"]
    (failure,) = report["failures"]
    assert failure["number"] == THEIRS and failure["code"] == 21712
    assert "another Messaging Service" in failure["message"]
    inventory = harness.sandbox.state.inventory
    assert inventory.numbers[inventory.by_number[THEIRS]].service_sid == LEGACY_SERVICE


async def test_a_number_not_in_the_account_is_retried_then_named_missing(
    make_harness: HarnessFactory,
) -> None:
    harness = await make_harness()
    serve_profiles(harness)
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.requests.sync(sid)
    await golive_runs.set_profile(harness.db, sid, "standard")
    while harness.sandbox.request(sid).status != "completed":
        await harness.step()
    harness.sandbox.port_away(B)  # Twilio says it ported; the account does not have it
    await harness.desk.requests.sync(sid)
    await harness.desk.golive.tick()
    (first,) = [r["report"] for r in await reports(harness)]
    assert first["live"] == [A] and first["waiting"] == [B] and first["missing"] == []

    await harness.sandbox.advance(timedelta(minutes=6))
    assert await harness.desk.golive.tick()  # looked again: still waiting, nothing new said
    assert len(await reports(harness)) == 1
    await harness.sandbox.advance(timedelta(hours=1))
    await harness.desk.golive.tick()
    items = await harness.outbox("golive")
    said = [(i.key, payload(i)["channel"], payload(i)["report"]["missing"]) for i in items[1:]]
    assert said == [
        (f"golive:{sid}:1", None, [B]),
        (f"golive-alert:{sid}:1", "CPORTING", [B]),
    ]
    assert (await harness.rows(NumberLive, NumberLive.phone_number == B))[0].state == "missing"


async def test_two_processes_apply_once(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    serve_profiles(harness)
    await ported(harness, [A, B])
    other = harness.another_desk().golive
    other.profiles, other.clock = PROFILES, harness.desk.golive.clock
    await asyncio.gather(harness.desk.golive.tick(), other.tick())
    assert len(await reports(harness)) == 1
    assert harness.sandbox.state.inventory.updates == 2


async def test_no_profile_leaves_numbers_alone(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    serve_profiles(harness)
    await ported(harness, [A], profile="none")
    assert not await harness.desk.golive.tick()
    assert await reports(harness) == [] and harness.sandbox.state.inventory.updates == 0
