"""LOG_FORMAT: the line formats, and the context each door sets riding along on every line
logged while its work is in hand, however deep (the Twilio client's retries included)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from typing import Any

import pytest

from bot import logs
from bot.outbox import DeliveryError
from bot.porting.signature import sign_json
from tests.conftest import PUBLIC_URL, Bot
from tests.fakes.slack_api import slack_error
from tests.fakes.slack_requests import slash_command
from tests.helpers import file_request

SID = "KW" + "c" * 32
NUMBER_SID = "PU" + "d" * 32


def record(message: str, *args: object, **attrs: Any) -> logging.LogRecord:
    made = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(attrs)
    return made


def test_json_line_has_time_level_logger_message_and_the_context() -> None:
    with logs.context(request_sid=SID, slack_user=None), logs.context(outbox_key="root:" + SID):
        line = logs.JsonFormatter().format(record("sync of %s failed\nsee below", SID))
    parsed = json.loads(line)
    assert "\n" not in line
    assert parsed.pop("time").endswith("+00:00")
    assert parsed == {
        "level": "WARNING",
        "logger": "bot.test",
        "message": f"sync of {SID} failed\nsee below",
        "request_sid": SID,
        "outbox_key": "root:" + SID,
    }
    assert logs.current() == {}  # the context ended with its block


def test_json_line_carries_the_exception_text_and_known_extras_only() -> None:
    try:
        raise RuntimeError("the database is on fire")
    except RuntimeError:
        failed = record("boom", client="203.0.113.9", password="hunter2", exc_info=sys.exc_info())
    parsed = json.loads(logs.JsonFormatter().format(failed))
    assert "Traceback" in parsed["exception"] and "the database is on fire" in parsed["exception"]
    assert parsed["client"] == "203.0.113.9" and "password" not in parsed


def test_text_line_appends_the_context_before_a_traceback() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        failed = record("delivering failed", exc_info=sys.exc_info())
    with logs.context(outbox_key="reply:KW1:2"):
        text = logs.TextFormatter().format(failed)
    first, rest = text.split("\n", 1)
    assert first.endswith("WARNING bot.test delivering failed [outbox_key=reply:KW1:2]")
    assert rest.startswith("Traceback")
    assert logs.TextFormatter().format(record("plain")).endswith("bot.test plain")


async def test_context_follows_the_work_into_the_tasks_it_starts() -> None:
    seen: list[str | None] = []

    async def later() -> None:
        await asyncio.sleep(0)
        seen.append(logs.current().get("request_sid"))

    with logs.context(request_sid=SID):
        task = asyncio.create_task(later())
    await task
    assert seen == [SID] and not logs.current()


def test_access_log_keeps_the_path_and_drops_the_query() -> None:
    line = record(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/_sim/loa/KW1?token=s3cr3t", "1.1", 200
    )
    logs.PathOnly().filter(line)
    assert line.getMessage() == '127.0.0.1:5 - "GET /_sim/loa/KW1 HTTP/1.1" 200'


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json"):
        logs.formatter("logfmt")


# -- the doors -------------------------------------------------------------------------------


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO)
    caplog.handler.setFormatter(logs.JsonFormatter())

    def parsed() -> list[dict[str, Any]]:
        return [json.loads(line) for line in caplog.text.splitlines()]

    return parsed


async def test_a_slack_failure_line_carries_the_person_the_channel_and_the_reference(
    bot: Bot, lines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database is on fire")

    monkeypatch.setattr(bot.desk, "snapshot", boom)
    url = bot.slack.response_url("status")
    command = slash_command("/port-status", SID, user_id="U7", channel_id="CDESK", response_url=url)
    await bot.send(command)
    await bot.settle()
    (told,) = bot.slack.responses_to("status")
    (shown,) = re.findall(r"ERR-[0-9A-Z]{5}", told.body["text"])
    (error,) = [line for line in lines() if line["level"] == "ERROR"]
    assert error["error_ref"] == shown and "the database is on fire" in error["exception"]
    assert error["slack_user"] == "U7" and error["slack_channel"] == "CDESK"


async def test_a_failed_delivery_line_carries_its_outbox_key_and_request(
    bot: Bot, lines: Any
) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, ["+14155550100"])
    sid = request.request_sid
    bot.slack.script("chat.postMessage", slack_error("not_in_channel"))
    with pytest.raises(DeliveryError, match="not_in_channel"):  # and it stays queued
        await bot.runtime.desk.follow(sid)
    await bot.settle()
    (failed,) = [line for line in lines() if "not_in_channel" in line["message"]]
    assert failed["outbox_key"] == f"root:{sid}" and failed["request_sid"] == sid


async def test_the_twilio_clients_retry_lines_carry_the_request_being_reconciled(
    bot: Bot, lines: Any
) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, ["+14155550100"])
    sid = request.request_sid
    bot.sandbox.inject_failures(1, status=503, match=sid, method="GET")
    await bot.runtime.reconciler._one(sid)  # what the reconciler's tick does with a due one
    (retry,) = [line for line in lines() if line["logger"] == "bot.porting.client"]
    assert "503" in retry["message"] and retry["request_sid"] == sid


async def test_a_webhook_line_carries_its_request_and_number(bot: Bot, lines: Any) -> None:
    body = json.dumps(
        {
            "port_in_request_sid": SID,
            "port_in_phone_number_sid": NUMBER_SID,
            "status": "PortInPhoneNumberPending",
            "last_date_updated": "2026-11-03T00:00:00Z",
        }
    ).encode()
    url, signature = sign_json(bot.sandbox.config.auth_token, f"{PUBLIC_URL}/twilio/porting", body)
    for _ in range(2):  # the second is a duplicate, and says so
        await bot.http.post(
            url.replace(PUBLIC_URL, ""), content=body, headers={"X-Twilio-Signature": signature}
        )
    (duplicate,) = [line for line in lines() if line["message"] == "duplicate porting webhook"]
    assert duplicate["request_sid"] == SID and duplicate["number_sid"] == NUMBER_SID


async def test_work_after_a_slack_ack_logs_with_the_person_and_channel(
    bot: Bot, lines: Any
) -> None:
    url = bot.slack.response_url("check")
    await bot.send(
        slash_command(
            "/port-check", "+14155550100", user_id="U9", channel_id="CDESK", response_url=url
        )
    )
    await bot.settle()
    assert bot.slack.responses_to("check")
    # The portability check ran after the ack, in a task of its own: its Twilio call's line
    # (the HTTP client's, far below the listener) still says whose it was.
    (fetch,) = [line for line in lines() if "Portability/PhoneNumber" in line["message"]]
    assert fetch["slack_user"] == "U9" and fetch["slack_channel"] == "CDESK"
