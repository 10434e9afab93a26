"""``/metrics`` and the log lines of real `python -m bot` processes.

Two processes on one PostgreSQL: each counts what it did itself (the webhooks it answered),
both report the Slack work waiting in the shared database, and METRICS_TOKEN guards both.
Every line either wrote (``LOG_FORMAT=json``) is one JSON object, uvicorn's access log included.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from bot.porting.signature import sign_json
from bot.sandbox import SANDBOX_AUTH_TOKEN
from bot.store.db import Database, table
from tests.fakes.slack_api import FakeSlack
from tests.metrics_text import samples, value
from tests.pg import fresh_database
from tests.procs import bot_env, free_port, start_bot, start_bots, stop_bot

PUBLIC_URL = "http://bot.metrics.test"
TOKEN = "metrics-token-5b8e"
LOA_TOKEN = "loa-signing-token-9f2c71"
SID = "KW" + "e" * 32


def signed(number: int) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps(
        {
            "port_in_request_sid": SID,
            "port_in_phone_number_sid": f"PU{number:032x}",
            "status": "PortInPhoneNumberPending",
            "last_date_updated": "2026-11-03T00:00:00Z",
        }
    ).encode()
    url, signature = sign_json(SANDBOX_AUTH_TOKEN, f"{PUBLIC_URL}/twilio/porting", body)
    return url.replace(PUBLIC_URL, ""), body, {"X-Twilio-Signature": signature}


def json_lines(log: Path) -> list[dict[str, Any]]:
    """Every line of a bot's output, each parsed as one JSON object (fails on any other)."""
    parsed = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(entry), line
        parsed.append(entry)
    return parsed


async def test_two_processes_count_their_own_work_and_share_the_queue(
    fake_slack: FakeSlack, tmp_path: Path, clean_slack_env: None
) -> None:
    async with fresh_database() as url, AsyncExitStack() as stack:
        env = {
            "DATABASE_URL": url,
            "PUBLIC_URL": PUBLIC_URL,
            "METRICS_TOKEN": TOKEN,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,  # the sandbox's, chosen here to sign with
        }
        envs = [bot_env(fake_slack, free_port(), **env) for _ in range(2)]
        a, b = await start_bots(stack, envs, tmp_path)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))

        # Another process's delivery, stuck for ten minutes, in the shared database.
        now = datetime.now(UTC)
        db = Database.from_url(url)
        async with db.engine.begin() as conn:
            await conn.execute(
                insert(table("outbox")).values(
                    key=f"reply:{SID}:1",
                    request_sid=SID,
                    kind="reply",
                    payload="{}",
                    status="pending",
                    attempts=3,
                    maybe_sent=False,
                    next_attempt_at=now,
                    created_at=now - timedelta(minutes=10),
                    lease_owner="elsewhere/1",
                    lease_until=now + timedelta(hours=1),
                )
            )
        await db.close()

        for number in (1, 2, 1):  # two deliveries, then Twilio's retry of the first
            path, body, headers = signed(number)
            assert (await http.post(a + path, content=body, headers=headers)).status_code == 200
        path, body, headers = signed(3)
        forged = {"X-Twilio-Signature": "forged"}
        assert (await http.post(b + path, content=body, headers=forged)).status_code == 403
        loa = await http.get(f"{a}/sandbox/_sim/loa/{SID}?token={LOA_TOKEN}")
        assert loa.status_code in (403, 404)

        for base in (a, b):
            for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
                refused = await http.get(base + "/metrics", headers=header)
                assert refused.status_code == 401 and "porting" not in refused.text
        scraped = []
        for base in (a, b):
            answer = await http.get(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 200
            scraped.append(samples(answer.text))
        on_a, on_b = scraped

    # Counters: what each process did itself.
    assert value(on_a, "porting_webhooks_total", result="accepted") == 2
    assert value(on_a, "porting_webhooks_total", result="duplicate") == 1
    assert value(on_a, "porting_webhooks_total", result="refused") == 0
    assert value(on_b, "porting_webhooks_total", result="refused") == 1
    assert value(on_b, "porting_webhooks_total", result="accepted") == 0
    assert value(on_a, "porting_webhook_response_seconds_count") == 3
    # Gauges read from the database: the same on both.
    for found in (on_a, on_b):
        assert value(found, "porting_slack_work", kind="reply", state="in_flight") == 1
        assert value(found, "porting_slack_work", kind="reply", state="failing") == 1
        assert value(found, "porting_slack_work_oldest_seconds", kind="reply") >= 600
        assert value(found, "porting_database_up") == 1
        assert value(found, "process_resident_memory_bytes") > 0
        assert value(found, "porting_event_loop_lag_seconds_count") > 0

    # Every line of both processes is one JSON object; the access log too, without queries.
    first, second = (json_lines(tmp_path / f"bot{i}.log") for i in range(2))
    access = [e for e in first if e["logger"] == "uvicorn.access"]
    assert any("/twilio/porting" in e["message"] for e in access)
    assert any(f"/sandbox/_sim/loa/{SID}" in e["message"] for e in access)
    duplicate = [e for e in first if e["message"] == "duplicate porting webhook"]
    assert [(e["request_sid"], e["number_sid"]) for e in duplicate] == [(SID, f"PU{1:032x}")]
    assert any(e["logger"] == "bot.webhooks" and e["level"] == "WARNING" for e in second)
    everything = (tmp_path / "bot0.log").read_text() + (tmp_path / "bot1.log").read_text()
    assert LOA_TOKEN not in everything and TOKEN not in everything


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_signing_link_opened_through_the_bot_leaves_no_token_in_its_log(
    fake_slack: FakeSlack, tmp_path: Path, clean_slack_env: None, log_format: str
) -> None:
    """The sandbox's LOA page takes its token in the query: the access log keeps the path."""
    port = free_port()
    env = bot_env(fake_slack, port, LOG_FORMAT=log_format, LOG_LEVEL="INFO")
    process = await start_bot(env, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await http.get(f"/sandbox/_sim/loa/{SID}?token={LOA_TOKEN}")
            await http.get("/healthz?token=" + LOA_TOKEN)
    finally:
        await stop_bot(process)
    log = (tmp_path / "bot.log").read_text()
    assert f"/sandbox/_sim/loa/{SID} HTTP/1.1" in log and "GET /healthz HTTP/1.1" in log
    assert LOA_TOKEN not in log
    if log_format == "json":
        assert any(e["logger"] == "uvicorn.access" for e in json_lines(tmp_path / "bot.log"))
