"""Requests filed elsewhere are adopted even when Twilio's copy is partial: the real
reconciler → desk → store → outbox → fake Slack path, with Twilio answering the spec's
example bodies with a field nulled or removed (and with statuses and codes we do not know)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.store import request_state
from bot.store.models import RequestSync
from tests.conftest import Bot
from tests.fakes.slack_requests import slash_command
from tests.pg import fresh_database
from tests.porting import spec_examples as spec
from tests.porting.spec_examples import Body, Mutation

LIST = "/v1/Porting/PortIn/PortInRequests"
PORT_IN = "/v1/Porting/PortIn/"


class Twilio:
    """MockTransport handler in front of the bot's Twilio client: the list of open requests
    and each request's PortIn body, as a test sets them."""

    def __init__(self) -> None:
        self.bodies: dict[str, Body] = {}
        self.rows: list[Body] | None = None  # None: one "In review" row per body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == LIST:
            rows = self.rows
            if rows is None:
                rows = [
                    {"port_in_request_sid": sid, "port_in_request_status": "In review"}
                    for sid in self.bodies
                ]
            return httpx.Response(
                200, json={"port_in_requests": rows, "meta": {"next_token": None}}
            )
        sid = path.removeprefix(PORT_IN)
        if request.method == "GET" and sid in self.bodies:
            return httpx.Response(200, json=self.bodies[sid])
        return httpx.Response(404, json={"code": 20404, "message": "not found", "status": 404})


@pytest.fixture
async def twilio(bot: Bot) -> AsyncIterator[Twilio]:
    fake = Twilio()
    client = bot.runtime.twilio
    real = client._transport.http
    client._transport.http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    yield fake
    await client._transport.http.aclose()
    client._transport.http = real


def request_body(index: int, mutation: Mutation | None = None) -> tuple[str, Body]:
    """The spec's fetched PortIn with its own SIDs (number SIDs are global at Twilio), then
    ``mutation`` applied."""
    sid, pu = f"KW{index:032x}", f"PU{index:032x}"
    body = spec.port_in()
    body["port_in_request_sid"] = sid
    body["url"] = f"https://numbers.twilio.com/v1/Porting/PortIn/{sid}"
    body["phone_numbers"][0]["port_in_phone_number_sid"] = pu
    return sid, mutation.apply(body) if mutation else body


def roots(bot: Bot) -> list[str]:
    return [
        str(c.args["blocks"])
        for c in bot.slack.calls_to("chat.postMessage")
        if not c.args.get("thread_ts")
    ]


async def failing(bot: Bot) -> dict[str, Any]:
    return (await bot.http.get("/readyz")).json()["twilio_sync"]


async def test_every_partial_copy_of_a_request_filed_elsewhere_gets_a_board(
    bot: Bot, twilio: Twilio
) -> None:
    mutations = spec.mutations(spec.port_in())
    by_sid: dict[str, str] = {}
    for index, mutation in enumerate([None, *mutations], start=1):
        sid, body = request_body(index, mutation)
        twilio.bodies[sid] = body
        by_sid[sid] = mutation.id if mutation else "the example as is"

    await bot.poll_now()  # discovery lists them, the reconciler adopts each one
    await bot.settle()
    await bot.poll_now()  # and the next poll of each finds it readable again
    await bot.settle()

    posted = roots(bot)
    missing = [why for sid, why in by_sid.items() if not any(f"`{sid}`" in r for r in posted)]
    assert missing == [], f"no board for: {missing}"
    assert len(posted) == len(by_sid), "one root per request"
    health = await failing(bot)
    assert health["failing"] == 0, health["last_error"]
    assert "None" not in "\n".join(posted)


async def test_partial_list_rows_still_adopt_and_a_row_without_a_sid_is_skipped(
    bot: Bot, twilio: Twilio
) -> None:
    row_mutations = [
        m for m in spec.mutations(spec.list_row()) if not m.touches("port_in_request_sid")
    ]
    twilio.rows = []
    for index, mutation in enumerate(row_mutations, start=1):
        sid, body = request_body(index)
        twilio.bodies[sid] = body
        row = spec.list_row()
        row.update(port_in_request_sid=sid, port_in_request_status="In review")  # open
        twilio.rows.append(mutation.apply(row))
    twilio.rows.append({"port_in_request_status": "In review"})  # names no request

    await bot.poll_now()
    await bot.settle()

    posted = roots(bot)
    assert len(posted) == len(row_mutations)
    assert all(any(f"`{sid}`" in r for r in posted) for sid in twilio.bodies)
    async with bot.runtime.db.session() as s:
        discovery = await s.get(RequestSync, "discover")
    assert discovery is not None and not discovery.failures


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def bot_settings(backend: str) -> AsyncIterator[dict]:
    if backend == "sqlite":
        yield {}
        return
    async with fresh_database() as url:
        yield {"database_url": url}


LONG_STATUS = "Awaiting the losing carrier's answer to a supplemental order"  # > 32 characters


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_unknown_statuses_and_codes_are_kept_shown_and_never_move_backwards(
    bot: Bot, twilio: Twilio
) -> None:
    sid, body = request_body(1)
    number = body["phone_numbers"][0]
    body["port_in_request_status"] = "In progress"
    number["port_in_phone_number_status"] = "Port Submitted"
    twilio.bodies[sid] = body
    await bot.poll_now()
    await bot.settle()
    assert len(roots(bot)) == 1

    async def poll(**changes: Any) -> list[str]:
        """Twilio's copy changes; the next poll applies it. The replies it caused."""
        before = len(bot.slack.calls_to("chat.postMessage"))
        for key, value in changes.items():
            target = number if key.startswith("n_") else body
            key = key.removeprefix("n_")
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
        await bot.poll_now()
        await bot.settle()
        health = await failing(bot)
        assert health["failing"] == 0, health["last_error"]
        return [c.args["text"] for c in bot.slack.calls_to("chat.postMessage")[before:]]

    def board() -> str:
        return str(bot.slack.calls_to("chat.update")[-1].args["blocks"])

    # Statuses Twilio added: kept, said in Twilio's words, drawn on the board.
    replies = await poll(port_in_request_status=LONG_STATUS, n_port_in_phone_number_status="Held")
    assert replies == [
        f"❔ Twilio now says the request is *{LONG_STATUS}*.\n"
        "❔ Twilio now says *Held* for +1 617-555-1212."
    ]
    assert f"Status: *{LONG_STATUS}*" in board() and "❔ 1 Held" in board()
    state, numbers = await request_state.load_request(bot.runtime.db, sid)
    assert state is not None and state.status == LONG_STATUS[:32]
    assert [n.status for n in numbers] == ["Held"]

    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    shown = str(bot.slack.responses_to("status")[-1].body["blocks"])
    assert LONG_STATUS in shown and "Held" in shown and "Unknown" not in shown

    # Statuses (and the number) left out: no news, nothing moves, and what we hold is shown.
    replies = await poll(
        port_in_request_status=None, n_port_in_phone_number_status=None, n_phone_number=None
    )
    assert replies == []
    state, numbers = await request_state.load_request(bot.runtime.db, sid)
    assert state is not None and state.status == LONG_STATUS[:32]
    assert [(n.status, n.phone_number) for n in numbers] == [("Held", "+16175551212")]
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    shown = str(bot.slack.responses_to("status")[-1].body["blocks"])
    # (the status as stored: clipped to its column)
    assert LONG_STATUS[:32] in shown and "+1 617-555-1212 · Held" in shown
    number["phone_number"] = "+16175551212"

    # A known status after an unknown one is taken; a rejection code that is no number is kept.
    replies = await poll(
        port_in_request_status="Action Required",
        n_port_in_phone_number_status="Port Rejected",
        n_rejection_reason="Carrier says the PIN does not match",
        n_rejection_reason_code="PIN_MISMATCH",
    )
    assert len(replies) == 1 and "Action required" in replies[0]
    assert "+1 617-555-1212 rejected" in replies[0] and "PIN_MISMATCH" in replies[0]
    _, numbers = await request_state.load_request(bot.runtime.db, sid)
    assert [(n.status, n.rejection_reason_code) for n in numbers] == [
        ("port_rejected", "PIN_MISMATCH")
    ]

    replies = await poll(
        port_in_request_status="Completed", n_port_in_phone_number_status="Completed"
    )
    assert any("ported to Twilio" in r for r in replies)
    async with bot.runtime.db.session() as s:
        assert await s.get(RequestSync, sid) is None, "a finished request is no longer polled"

    # Once terminal, a status Twilio added later does not undo it (a webhook would sync it).
    body["port_in_request_status"] = "Reopened"
    number["port_in_phone_number_status"] = "Held"
    await bot.desk.requests.sync(sid)
    state, numbers = await request_state.load_request(bot.runtime.db, sid)
    assert state is not None and state.status == "completed"
    assert [n.status for n in numbers] == ["completed"]
