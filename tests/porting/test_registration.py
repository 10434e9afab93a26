"""Registering the port-in webhook: only event names Twilio lists are sent, and a 400 naming
some of them registers again without them (the sandbox and a MockTransport refusing)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.registration import register_port_in_webhook
from bot.porting.statuses import ALL_PORT_IN_EVENTS, TWILIO_WEBHOOK_EVENTS
from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)

SPEC = Path("/work/shared/reference/twilio_numbers_v1.json")
URL = "https://bot.example.com/twilio/porting"


def _spec_event_lists(node: Any) -> list[list[str]]:
    if isinstance(node, dict):
        found = [node["notifications_of"]] if isinstance(node.get("notifications_of"), list) else []
        return found + [x for v in node.values() for x in _spec_event_lists(v)]
    if isinstance(node, list):
        return [x for v in node for x in _spec_event_lists(v)]
    return []


def test_the_accepted_names_are_the_api_references() -> None:
    lists = _spec_event_lists(json.loads(SPEC.read_text()))
    assert lists and all(tuple(names) == TWILIO_WEBHOOK_EVENTS for names in lists)
    assert set(ALL_PORT_IN_EVENTS) - set(TWILIO_WEBHOOK_EVENTS) == {"PortInPhoneNumberCanceled"}


def _client(http: httpx.AsyncClient) -> TwilioPortingClient:
    async def no_sleep(_: float) -> None:
        return None

    return TwilioPortingClient(
        http,
        numbers_url="http://twilio",
        upload_url="http://twilio",
        credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
        account_sid=SANDBOX_ACCOUNT_SID,
        sleep=no_sleep,
    )


@pytest.fixture
async def sandboxed() -> AsyncIterator[tuple[TwilioPortingClient, Sandbox]]:
    sandbox = Sandbox(SandboxConfig(start_time=datetime(2026, 11, 2, tzinfo=UTC), seed=3))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_sandbox_app(sandbox))
    ) as http:
        yield _client(http), sandbox


async def test_only_listed_names_are_sent_and_the_rest_is_reported(sandboxed) -> None:  # type: ignore[no-untyped-def]
    client, sandbox = sandboxed
    registration = await register_port_in_webhook(client, URL)
    assert registration.left_out == ("PortInPhoneNumberCanceled",)
    assert registration.refused == ()
    assert registration.subscribed == tuple(
        e for e in ALL_PORT_IN_EVENTS if e != "PortInPhoneNumberCanceled"
    )
    assert sandbox.state.webhook.notifications_of == list(registration.subscribed)


async def test_a_name_the_sandbox_refuses_is_dropped_and_the_rest_registered(sandboxed) -> None:  # type: ignore[no-untyped-def]
    client, _ = sandboxed
    wanted = ["PortInCompleted", "PortInBogus", "PortInPhoneNumberRejected"]
    registration = await register_port_in_webhook(
        client, URL, wanted=wanted, accepted=[*TWILIO_WEBHOOK_EVENTS, "PortInBogus"]
    )
    assert [event for event, _ in registration.refused] == ["PortInBogus"]
    assert registration.refused[0][1].status == 400
    assert registration.subscribed == ("PortInCompleted", "PortInPhoneNumberRejected")
    held = await client.fetch_webhook_configuration()
    assert held is not None and held.notifications_of == list(registration.subscribed)


def _refusing(answer: Callable[[list[str]], httpx.Response]) -> tuple[httpx.AsyncClient, list]:
    sent: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        events = json.loads(request.content)["notifications_of"]
        sent.append(events)
        return answer(events)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), sent


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": 20001, "message": message, "status": status})


async def test_a_refusal_naming_no_event_is_raised_after_one_try() -> None:
    http, sent = _refusing(lambda _: _error(400, "Invalid parameter port_in_target_url"))
    async with http:
        with pytest.raises(TwilioError, match="port_in_target_url"):
            await register_port_in_webhook(_client(http), URL)
    assert len(sent) == 1


async def test_an_empty_list_is_never_sent_even_when_every_name_is_refused() -> None:
    """To Twilio an empty notifications_of means every event: never the fallback."""
    http, sent = _refusing(lambda events: _error(400, f"Unknown events: {', '.join(events)}"))
    async with http:
        with pytest.raises(TwilioError, match="Unknown events"):
            await register_port_in_webhook(_client(http), URL, wanted=["PortInCompleted"])
    assert sent == [["PortInCompleted"]]


async def test_names_refused_one_answer_at_a_time_are_all_dropped() -> None:
    def answer(events: list[str]) -> httpx.Response:
        for refused in ("PortInExpired", "PortInPhoneNumberSubmitted"):
            if refused in events:
                return _error(400, f"'{refused}' is not a valid notification")
        return httpx.Response(201, json={"port_in_target_url": URL, "notifications_of": events})

    http, sent = _refusing(answer)
    async with http:
        registration = await register_port_in_webhook(_client(http), URL)
    assert [e for e, _ in registration.refused] == ["PortInExpired", "PortInPhoneNumberSubmitted"]
    assert len(sent) == 3 and sent[-1] == list(registration.subscribed)
    assert "PortInExpired" not in sent[-1] and "PortInPhoneNumberSubmitted" not in sent[-1]
