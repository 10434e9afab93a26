"""Every door bounds what it reads (bot.doors), unit by unit: the limit by Content-Length and
by counted bytes, the deadline, and the sandbox's door (this machine only, the simulator only
in local mode). The same rules against real processes: tests/test_doors_process.py."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot import doors
from bot.doors import BodyDeadlines, SandboxDoor, bounded, from_this_machine, limit_for

Message = dict[str, Any]


def _scope(path: str = "/slack/events", *, length: int | None = None, client: Any = None) -> dict:
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "root_path": "",
        "headers": headers,
        "client": client or ("127.0.0.1", 5000),
    }


class Route:
    """A route that reads its whole body, then answers 200 (what every door does)."""

    def __init__(self) -> None:
        self.called = False
        self.read = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.called = True
        more = True
        while more:
            message = await receive()
            self.read += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _chunks(count: int, size: int) -> Any:
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": b"x" * size, "more_body": sent < count}

    return receive


async def _run(route: Any, scope: dict, receive: Any, **kw: Any) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await bounded(route, scope, receive, send, **kw)
    return sent


def _status(sent: list[Message]) -> int:
    (start,) = [m for m in sent if m["type"] == "http.response.start"]
    return int(start["status"])


async def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = Route()

    async def never():
        raise AssertionError("the body was read")

    sent = await _run(
        route, _scope(length=128 * 1024 * 1024, client=("203.0.113.9", 1)), never, limit=1024
    )
    assert _status(sent) == 413 and not route.called
    assert (b"connection", b"close") in sent[0]["headers"]
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert line == (
        "refused POST /slack/events from 203.0.113.9: Content-Length 134217728 bytes, over 1 KiB"
    )


async def test_a_chunked_body_is_counted_and_refused_once_over_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = Route()
    sent = await _run(route, _scope(), _chunks(1000, 1024), limit=4 * 1024)
    assert _status(sent) == 413, "the route's own answer never went out"
    assert route.read <= 4 * 1024, "nothing past the limit reached the route"
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_a_body_within_the_limit_reaches_the_route() -> None:
    route = Route()
    sent = await _run(route, _scope(length=4096), _chunks(4, 1024), limit=4096)
    assert _status(sent) == 200 and route.read == 4096


async def test_a_body_that_stops_arriving_is_dropped_at_the_deadline() -> None:
    route = Route()
    first = True

    async def stalls() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"x" * 10, "more_body": True}
        await asyncio.Event().wait()  # the client sent no more
        raise AssertionError("unreachable")

    sent = await _run(route, _scope(length=1000), stalls, limit=4096, seconds=0)
    assert _status(sent) == 408
    assert (b"connection", b"close") in sent[0]["headers"]


async def test_once_the_body_is_in_the_route_may_wait_for_a_disconnect_without_a_deadline() -> None:
    """A push stream reads on after its (empty) body until the client leaves."""
    calls = 0

    async def receive() -> Message:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def stream(scope: Any, receive_: Any, send: Any) -> None:
        await receive_()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        assert (await receive_())["type"] == "http.disconnect"
        await send({"type": "http.response.body", "body": b""})

    assert _status(await _run(stream, _scope(), receive, limit=10, seconds=0)) == 200


def test_each_door_has_its_limit() -> None:
    assert limit_for("/slack/events") == doors.SLACK_MAX_BODY == 1024 * 1024
    assert limit_for("/twilio/porting") == doors.TWILIO_MAX_BODY == 64 * 1024
    assert limit_for("/sandbox/v1/Documents") == doors.SANDBOX_MAX_BODY
    assert limit_for("/workspace/ui/attach") == doors.WORKSPACE_MAX_BODY
    assert limit_for("/healthz") == limit_for("/slack/eventsX") == doors.OTHER_MAX_BODY
    assert doors.BODY_SECONDS <= 15


@pytest.mark.parametrize(
    ("client", "local"),
    [
        (("127.0.0.1", 1), True),
        (("127.8.9.10", 1), True),
        (("::1", 1), True),
        (("10.0.0.5", 1), False),
        (("203.0.113.9", 1), False),
        (("2001:db8::1", 1), False),
        (("testclient", 1), False),
        (None, False),
    ],
)
def test_from_this_machine_goes_by_the_client_address_the_scope_reports(
    client: Any, local: bool
) -> None:
    assert from_this_machine({"client": client}) is local


def _sandbox_scope(path: str, client: tuple[str, int]) -> dict:
    return {**_scope("/sandbox" + path, client=client), "root_path": "/sandbox"}


@pytest.mark.parametrize(
    ("path", "client", "simulator", "status"),
    [
        ("/v1/Porting/PortIn", ("127.0.0.1", 1), False, 200),
        ("/v1/Porting/PortIn", ("203.0.113.9", 1), False, 403),
        ("/v1/Porting/PortIn", ("203.0.113.9", 1), True, 403),
        ("/_sim/clock", ("127.0.0.1", 1), True, 200),
        ("/_sim/clock", ("203.0.113.9", 1), True, 403),
        ("/_sim/clock", ("127.0.0.1", 1), False, 404),
        ("/_sim/loa/KW1", ("127.0.0.1", 1), False, 404),
    ],
)
async def test_the_sandbox_answers_this_machine_and_its_simulator_only_local_mode(
    path: str, client: tuple[str, int], simulator: bool, status: int
) -> None:
    route = Route()
    door = SandboxDoor(route, simulator=simulator)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await door(_sandbox_scope(path, client), _chunks(1, 0), send)
    assert _status(sent) == status
    assert route.called is (status == 200)


async def test_one_watcher_serves_many_requests_and_cancels_only_a_stalled_read() -> None:
    """The app's requests share one deadline watcher: a request whose body is in keeps
    working past its deadline untouched; one still waiting for its body gets 408."""
    deadlines = BodyDeadlines(asyncio.get_running_loop())
    stalled = asyncio.Event()

    async def slow_after_body(scope: Any, receive_: Any, send: Any) -> None:
        await receive_()
        await asyncio.sleep(0.1)  # past the deadline, body already in: no 408, no cancel
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def never_arrives() -> Message:
        await stalled.wait()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def one(route: Any, receive: Any) -> int:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        await bounded(route, _scope(), receive, send, limit=10, seconds=0.02, deadlines=deadlines)
        return _status(sent)

    done, stuck = await asyncio.gather(
        one(slow_after_body, _chunks(1, 1)), one(Route(), never_arrives)
    )
    assert (done, stuck) == (200, 408)
