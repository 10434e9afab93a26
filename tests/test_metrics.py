"""``GET /metrics`` in one process: what each door, worker and client counts, and what is read
from the database at scrape time. Counters belong to the test process (every app built here
adds to them), so each test compares a scrape before with one after."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.porting.signature import sign_json
from bot.scrape import authorized
from bot.store.db import table
from tests.conftest import PUBLIC_URL, Bot
from tests.fakes.slack_api import ratelimited, slack_error
from tests.helpers import file_request
from tests.metrics_text import Samples, samples, value

NUMBER = "+14155550100"
OUTCOMES = ("portable", "not_portable", "error")


async def scrape(bot: Bot) -> tuple[str, Samples]:
    response = await bot.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text, samples(response.text)


async def webhook(bot: Bot, body: dict[str, str], *, signed: bool = True) -> int:
    raw = json.dumps(body).encode()
    url, signature = sign_json(bot.sandbox.config.auth_token, f"{PUBLIC_URL}/twilio/porting", raw)
    response = await bot.http.post(
        url.replace(PUBLIC_URL, ""),
        content=raw,
        headers={"X-Twilio-Signature": signature if signed else "forged"},
    )
    return response.status_code


async def test_webhooks_by_result_and_their_time_to_2xx(bot: Bot) -> None:
    _, before = await scrape(bot)
    body = {
        "port_in_request_sid": "KW" + "a" * 32,
        "port_in_phone_number_sid": "PU" + "b" * 32,
        "status": "PortInPhoneNumberPending",
        "last_date_updated": "2026-11-03T00:00:00Z",
    }
    assert await webhook(bot, body) == 200
    assert await webhook(bot, body) == 200  # Twilio's retry of the same delivery
    assert await webhook(bot, body, signed=False) == 403
    assert await webhook(bot, {"status": "x"}) == 400
    _, after = await scrape(bot)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("porting_webhooks_total", result="accepted") == 1
    assert grew("porting_webhooks_total", result="duplicate") == 1
    assert grew("porting_webhooks_total", result="refused") == 2
    assert grew("porting_webhook_response_seconds_count") == 2  # the 2xx only


async def test_twilio_calls_by_templated_endpoint_code_and_latency(bot: Bot) -> None:
    _, before = await scrape(bot)
    request = await file_request(bot.runtime.twilio, bot.sandbox, [NUMBER])
    sid = request.request_sid
    await bot.runtime.desk.follow(sid)
    bot.sandbox.inject_failures(1, status=401, code=20003, message="Authenticate", match=sid)
    with pytest.raises(Exception, match="Authenticate"):
        await bot.runtime.twilio.fetch_port_in(sid)
    await bot.runtime.desk.checks.check_portability([NUMBER, "+14155550101"])
    await bot.settle()
    text, after = await scrape(bot)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    one = "/v1/Porting/PortIn/{KW}"
    assert grew("porting_twilio_requests_total", endpoint=one, method="GET", code="401") == 1
    assert grew("porting_twilio_requests_total", endpoint=one, method="GET", code="200") >= 1
    filed = grew(
        "porting_twilio_requests_total", endpoint="/v1/Porting/PortIn", method="POST", code="202"
    )
    assert filed == 1
    check = "/v1/Porting/Portability/PhoneNumber/{id}"
    assert grew("porting_twilio_requests_total", endpoint=check, method="GET", code="200") == 2
    assert grew("porting_twilio_request_seconds_count", endpoint=one, method="GET") >= 2
    checked = {o: grew("porting_portability_checks_total", outcome=o) for o in OUTCOMES}
    assert sum(checked.values()) == 2 and checked["portable"] >= 1
    # Bounded label values: no SID, no phone number anywhere in the exposition.
    assert sid not in text and "4155550100" not in text
    assert not re.search(r"[A-Z]{2}[0-9a-f]{32}", text)


async def test_deliveries_and_slack_calls_by_method_and_result(bot: Bot) -> None:
    _, before = await scrape(bot)
    request = await file_request(bot.runtime.twilio, bot.sandbox, [NUMBER])
    await bot.runtime.desk.follow(request.request_sid)
    await bot.settle()
    # The listeners' client retries a 429 (counted), and counts what Slack refuses.
    bot.slack.script("chat.postMessage", ratelimited(retry_after=0))
    await bot.runtime.slack.chat_postMessage(channel=bot.settings.porting_channel, text="hi")
    bot.slack.script("chat.postMessage", slack_error("channel_not_found"))
    with pytest.raises(Exception, match="channel_not_found"):
        await bot.runtime.slack.chat_postMessage(channel="CNOPE", text="hi")
    _, after = await scrape(bot)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("porting_slack_deliveries_total", kind="root", result="sent") == 1
    calls = "porting_slack_api_calls_total"
    assert grew(calls, method="chat.postMessage", result="ok") >= 2  # the root, then "hi"
    assert grew(calls, method="chat.postMessage", result="channel_not_found") == 1
    retries = "porting_slack_api_retries_total"
    assert grew(retries, method="chat.postMessage", reason="rate_limited") == 1
    assert value(after, "porting_requests_followed") >= 1
    assert 0 <= value(after, "porting_reconcile_lag_seconds") < 60
    assert (
        value(after, "porting_reconcile_interval_seconds") == bot.settings.porting_reconcile_seconds
    )


async def test_slack_work_waiting_is_read_from_the_database_by_kind_and_state(bot: Bot) -> None:
    now = datetime.now(UTC)
    outbox = table("outbox")
    rows = [  # another process's: leased to it, or failing and backing off
        {
            "key": "reply:KWx:1",
            "kind": "reply",
            "lease_owner": "elsewhere/1",
            "lease_until": now + timedelta(hours=1),
            "created_at": now - timedelta(minutes=10),
            "attempts": 1,
        },
        {
            "key": "reply:KWx:2",
            "kind": "reply",
            "created_at": now - timedelta(minutes=2),
            "attempts": 4,
            "next_attempt_at": now + timedelta(hours=1),
        },
        {
            "key": "digest:C1:2026-11-03",
            "kind": "digest",
            "created_at": now,
            "next_attempt_at": now + timedelta(hours=1),
        },
    ]
    async with bot.runtime.db.engine.begin() as conn:
        for row in rows:
            await conn.execute(
                insert(outbox).values(
                    request_sid="KWx",
                    payload="{}",
                    status="pending",
                    maybe_sent=False,
                    **{"next_attempt_at": now, **row},
                )
            )
    _, found = await scrape(bot)
    work = "porting_slack_work"
    assert value(found, work, kind="reply", state="in_flight") == 1
    assert value(found, work, kind="reply", state="queued") == 1
    assert value(found, work, kind="reply", state="failing") == 1
    assert value(found, work, kind="digest", state="queued") == 1
    assert value(found, work, kind="root", state="queued") == 0  # every kind, zeros too
    assert 600 <= value(found, "porting_slack_work_oldest_seconds", kind="reply") < 700
    assert value(found, "porting_slack_work_oldest_seconds", kind="digest") < 60
    assert value(found, "porting_database_up") == 1


def test_metrics_token_is_a_bearer_token_compared_whole() -> None:
    assert authorized(None, None) and authorized("", "whatever")
    assert authorized("s3cret", "Bearer s3cret") and authorized("s3cret", "bearer s3cret")
    for header in (None, "", "s3cret", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret"):
        assert not authorized("s3cret", header), header
