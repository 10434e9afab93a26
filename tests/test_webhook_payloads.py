"""What a signed webhook body may hold: a malformed SID is refused whole (400, nothing stored,
so the reconciler never polls it); anything else odd (an unreadable timestamp, an unknown or
unreadable event name) is still a nudge: stored, fetched, logged once, and its redelivery
recognised."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.porting.signature import sign_json
from bot.store import request_state
from bot.store.models import RequestState, RequestSync, WebhookReceipt
from bot.webhooks import IDEMPOTENCY_HEADER
from tests.conftest import PUBLIC_URL, Bot
from tests.helpers import file_request
from tests.pg import fresh_database

KW = "KW" + "c" * 32
PU = "PU" + "c" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot_settings(request: pytest.FixtureRequest) -> AsyncIterator[dict]:
    """Both receipt writers (SQLite and PostgreSQL, skipped when none answers)."""
    if request.param == "sqlite":
        yield {}
        return
    async with fresh_database() as url:
        yield {"database_url": url}


async def post(bot: Bot, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    url, signature = sign_json(
        bot.settings.twilio_auth_token or "", f"{PUBLIC_URL}/twilio/porting", body
    )
    return await bot.http.post(
        url.removeprefix(PUBLIC_URL),
        content=body,
        headers={"X-Twilio-Signature": signature, **(headers or {})},
    )


async def stored(bot: Bot) -> tuple[list[WebhookReceipt], list[str]]:
    async with bot.runtime.db.session() as s:
        receipts = list((await s.exec(select(WebhookReceipt))).all())
        scheduled = [
            sid
            for sid in (await s.exec(select(RequestSync.request_sid))).all()
            if sid != "discover"
        ]
    return receipts, scheduled


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.webhooks" and r.levelno == logging.WARNING
    ]


@pytest.mark.parametrize(
    ("fields", "answer"),
    [
        ({"port_in_request_sid": "KW1"}, "invalid port_in_request_sid"),
        ({"port_in_request_sid": "KW" + "g" * 32}, "invalid port_in_request_sid"),
        ({"port_in_request_sid": "kw" + "c" * 32}, "invalid port_in_request_sid"),
        ({"port_in_request_sid": KW + "0"}, "invalid port_in_request_sid"),
        ({"port_in_request_sid": 12345}, "invalid port_in_request_sid"),
        (
            {"port_in_request_sid": KW, "port_in_phone_number_sid": "PU12"},
            "invalid port_in_phone_number_sid",
        ),
        (
            {"port_in_request_sid": KW, "port_in_phone_number_sid": "KW" + "c" * 32},
            "invalid port_in_phone_number_sid",
        ),
    ],
)
async def test_a_malformed_sid_is_refused_and_nothing_is_stored(
    bot: Bot, caplog: pytest.LogCaptureFixture, fields: dict[str, Any], answer: str
) -> None:
    body = json.dumps(
        {**fields, "status": "PortInInProgress", "last_date_updated": "2026-11-03T10:00:00Z"}
    ).encode()
    with caplog.at_level(logging.WARNING, logger="bot.webhooks"):
        response = await post(bot, body)
    assert (response.status_code, response.text) == (400, answer)
    assert await stored(bot) == ([], []), "no receipt, no fetch for the reconciler to fail on"
    (logged,) = warnings(caplog)
    assert "nothing stored" in logged and "32 hex digits" in logged
    await bot.settle()
    health = await bot.runtime.reconciler.health()
    assert (health.tracked, health.failing) == (0, 0)


async def _unknown_request(bot: Bot) -> str:
    """A request at Twilio that the bot has never heard of (filed in the Console, say)."""
    request = await file_request(bot.runtime.twilio, bot.sandbox, ["+14155550100"])
    state, _ = await request_state.load_request(bot.runtime.db, request.request_sid)
    assert state is None
    return request.request_sid


async def _fetched(bot: Bot, sid: str) -> bool:
    await bot.settle()
    async with bot.runtime.db.session() as s:
        return await s.get(RequestState, sid) is not None


@pytest.mark.parametrize(
    ("fields", "odd"),
    [
        ({"status": "PortInInProgress", "last_date_updated": "yesterday"}, "last_date_updated"),
        ({"status": "PortInInProgress", "last_date_updated": [2026, 11, 3]}, "last_date_updated"),
        ({"status": "PortInInProgress"}, None),  # no timestamp at all: nothing odd, still deduped
        (
            {"status": "PortInSomethingNew", "last_date_updated": "2026-11-03T10:00:00Z"},
            "unknown event 'PortInSomethingNew'",
        ),
        ({"status": {"name": "PortInInProgress"}, "last_date_updated": "soon"}, "status"),
    ],
)
async def test_an_odd_delivery_is_accepted_fetched_logged_once_and_deduped(
    bot: Bot, caplog: pytest.LogCaptureFixture, fields: dict[str, Any], odd: str | None
) -> None:
    sid = await _unknown_request(bot)
    body = json.dumps({"port_in_request_sid": sid, **fields}).encode()
    before, _ = await stored(bot)
    with caplog.at_level(logging.WARNING, logger="bot.webhooks"):
        first = await post(bot, body, {"I-Twilio-Idempotency-Token": "delivery-1"})
        again = await post(bot, body, {"I-Twilio-Idempotency-Token": "delivery-1"})
    assert (first.status_code, first.text) == (200, "ok")
    assert (again.status_code, again.text) == (200, "duplicate"), "a redelivery is recognised"
    receipts, scheduled = await stored(bot)
    assert [r.payload for r in receipts[len(before) :]] == [body.decode()]
    assert sid in scheduled, "its fetch is scheduled"
    assert await _fetched(bot, sid), "and runs: the request is adopted from Twilio"
    logged = warnings(caplog)
    if odd is None:
        assert logged == []
    else:
        assert len(logged) == 1 and odd in logged[0] and sid in logged[0]


async def test_without_a_usable_timestamp_the_idempotency_token_tells_deliveries_apart(
    bot: Bot,
) -> None:
    """Twilio repeats the token on a redelivery, whatever else changes; two deliveries with
    different tokens are two (and, with no token, only identical bytes are one)."""
    assert IDEMPOTENCY_HEADER == "i-twilio-idempotency-token"
    body = json.dumps({"port_in_request_sid": KW, "status": "PortInInProgress"}).encode()
    reformatted = json.dumps({"status": "PortInInProgress", "port_in_request_sid": KW}).encode()
    token = {"I-Twilio-Idempotency-Token": "abc"}
    assert (await post(bot, body, token)).text == "ok"
    assert (await post(bot, reformatted, token)).text == "duplicate"
    assert (await post(bot, body, {"I-Twilio-Idempotency-Token": "def"})).text == "ok"
    assert (await post(bot, body)).text == "ok"
    assert (await post(bot, body)).text == "duplicate"
