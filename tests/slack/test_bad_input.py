"""What Slack would never send, buttons from old messages and bugs behind a request, through the
real app: a 4xx and one log line for a malformed request, what to run for a stale button or
form, an apology with a reference for a failure; never a 500 or a traceback for the request."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from hashlib import sha256
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from tests.conftest import Bot
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    SlackRequest,
    block_actions,
    slash_command,
    view_submission,
)
from tests.helpers import file_request

FORM = "application/x-www-form-urlencoded"
SID = "KW" + "0123456789abcdef" * 2
REFERENCE = re.compile(r"ERR-[0-9A-Z]{5}")


def signed(body: bytes, content_type: str = FORM) -> SlackRequest:
    """Sign raw bytes as Slack does (also bytes that are not UTF-8)."""
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    return SlackRequest(body, headers)


def payload(value: Any) -> bytes:
    return urlencode({"payload": json.dumps(value)}).encode()


def interactive(request: SlackRequest) -> dict[str, Any]:
    """The payload of a builder's request, to break it."""
    return json.loads(parse_qs(request.text)["payload"][0])


def posted(bot: Bot) -> list[str]:
    """Everything the bot sent to Slack (auth.test is Bolt asking who it is)."""
    calls = [c.method for c in bot.slack.calls if c.method != "auth.test"]
    return calls + [f"response_url:{r.name}" for r in bot.slack.responses]


def warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def _view_without_type() -> bytes:
    body = interactive(view_submission("port_in_details"))
    del body["view"]["type"]
    return payload(body)


def _actions_empty() -> bytes:
    body = interactive(block_actions("follow_request", SID, channel_id="C1"))
    body["actions"] = []
    return payload(body)


def _user_not_an_object() -> bytes:
    body = interactive(block_actions("follow_request", SID, channel_id="C1"))
    body["user"] = 5
    return payload(body)


MALFORMED = {
    "not JSON": b"payload=notjson",
    "cut short": b"payload=%7B%22type%22%3A%22block_act",
    "a JSON array": payload([1, 2]),
    "a JSON string": payload("block_actions"),
    "null": b"payload=null",
    "no type": payload({"user": {"id": "U123"}, "actions": [{"action_id": "follow_request"}]}),
    "a view without type": _view_without_type(),
    "no actions": _actions_empty(),
    "user not an object": _user_not_an_object(),
    "a workflow step": payload({"type": "workflow_step_edit", "callback_id": "x"}),
    "not UTF-8": b"payload=\xff\xfe",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_signed_request_gets_400_and_one_warning_line(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    response = await bot.send(signed(body))
    await bot.settle()
    assert response.status_code == 400
    (warning,) = warnings_and_worse(caplog)
    assert warning.levelno == logging.WARNING and not warning.exc_info
    assert "\n" not in warning.getMessage()
    assert not posted(bot)


async def test_broken_json_event_gets_400(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    response = await bot.send(signed(b'{"type": "event_callback", "event": ', "application/json"))
    assert response.status_code == 400
    assert len(warnings_and_worse(caplog)) == 1 and not tracebacks(caplog)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": FORM},
        {"Content-Type": FORM, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"},
    ],
    ids=["unsigned", "timestamp not a number"],
)
async def test_unsigned_garbage_gets_401(
    bot: Bot, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    response = await bot.http.post("/slack/events", content=b"payload=%7Bnope", headers=headers)
    assert response.status_code == 401
    (warning,) = warnings_and_worse(caplog)
    assert not warning.exc_info
    assert not posted(bot)


async def test_command_text_with_the_word_payload_reaches_the_command(bot: Bot) -> None:
    # Bolt took any form body containing "payload" for an interactive payload (and found none).
    url = bot.slack.response_url("payload")
    response = await bot.send(slash_command("/port-status", "payload", response_url=url))
    assert response.status_code == 200
    await bot.settle()
    (answer,) = bot.slack.responses_to("payload")
    assert "No request for a customer named “payload”" in answer.body["text"]


async def test_request_no_listener_takes_is_404_with_one_line(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    url = bot.slack.response_url("x")
    response = await bot.send(block_actions("no_such_button", "1", response_url=url))
    assert response.status_code == 404
    (warning,) = warnings_and_worse(caplog)
    assert "\n" not in warning.getMessage() and not warning.exc_info


# -- stale buttons and forms ---------------------------------------------------------------

STALE_BUTTONS = [
    ("follow_request", "KW123", "/port-status KW"),
    ("refresh_request", None, "/port-status KW"),
    ("numbers_csv", "KW" + "z" * 32, "/port-status KW"),
    ("cancel_request", "not-a-request", "/port-status KW"),
    ("cancel_numbers", SID[:20], "/port-status KW"),
    ("share_check", None, "/port-check"),
    ("start_port_in", "../" * 30, "/port-check"),
]


@pytest.mark.parametrize(("action_id", "value", "fix"), STALE_BUTTONS)
async def test_stale_button_says_what_to_run(
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
    action_id: str,
    value: str | None,
    fix: str,
) -> None:
    url = bot.slack.response_url("stale")
    response = await bot.send(block_actions(action_id, value, channel_id="C1", response_url=url))
    assert response.status_code == 200
    await bot.settle()
    (told,) = bot.slack.responses_to("stale")
    assert told.body["response_type"] == "ephemeral"
    assert "old message" in told.body["text"] and fix in told.body["text"]
    assert posted(bot) == ["response_url:stale"]  # no modal opened, nothing looked up
    assert not tracebacks(caplog)


@pytest.mark.parametrize(
    ("callback_id", "metadata", "fix"),
    [
        ("port_in_account", "not json", "/port-in"),
        ("port_in_details", '{"check_id": "\\u0000DROP"}', "/port-in"),
        ("cancel_choose", "{}", "/port-cancel KW"),
        ("cancel_confirm", '{"request_sid": "KW1", "numbers": ["+1"]}', "/port-cancel KW"),
    ],
)
async def test_stale_form_is_replaced_by_what_to_run(
    bot: Bot, caplog: pytest.LogCaptureFixture, callback_id: str, metadata: str, fix: str
) -> None:
    response = await bot.send(view_submission(callback_id, private_metadata=metadata))
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "update"
    text = json.dumps(answer["view"]["blocks"])
    assert "older version" in text and fix in text
    await bot.settle()
    assert not posted(bot) and not tracebacks(caplog)


# -- unexpected failures: an apology with a reference ------------------------------------


def _one_error_with_reference(caplog: pytest.LogCaptureFixture, shown: str) -> None:
    (reference,) = set(REFERENCE.findall(shown))
    (error,) = tracebacks(caplog)
    assert error.levelno == logging.ERROR and error.exc_info
    assert reference in error.getMessage() and "\n" not in error.getMessage()


def _fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the database is on fire")


async def _boom(*args: object, **kwargs: object) -> None:
    _fail()


@pytest.mark.parametrize("with_input", [True, False], ids=["field error", "new view"])
async def test_failure_before_a_modal_ack_is_an_apology_in_the_modal(
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    with_input: bool,
) -> None:
    monkeypatch.setattr(bot.desk, "load_draft", _boom)
    blocks = [{"type": "input", "block_id": "pi_account_number"}] if with_input else None
    response = await bot.send(
        view_submission(
            "port_in_account", private_metadata='{"draft_id": "' + "d" * 32 + '"}', blocks=blocks
        )
    )
    assert response.status_code == 200
    answer = response.json()
    if with_input:  # what they typed stays; the error sits on the first field
        assert answer["response_action"] == "errors"
        shown = answer["errors"]["pi_account_number"]
    else:
        assert answer["response_action"] == "update"
        shown = json.dumps(answer["view"]["blocks"])
    assert "Sorry" in shown
    _one_error_with_reference(caplog, shown)


async def test_failure_before_a_command_ack_is_the_ephemeral_answer(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.status.listeners.parse_status_ask", _fail)
    response = await bot.send(slash_command("/port-status", SID))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    _one_error_with_reference(caplog, response.json()["text"])


async def test_failure_after_the_ack_reaches_the_user_through_response_url(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.desk, "snapshot", _boom)
    url = bot.slack.response_url("status")
    response = await bot.send(slash_command("/port-status", SID, response_url=url))
    assert response.status_code == 200
    await bot.settle()
    (told,) = bot.slack.responses_to("status")
    assert told.body["response_type"] == "ephemeral" and "Sorry" in told.body["text"]
    _one_error_with_reference(caplog, told.body["text"])


async def test_apology_goes_ephemeral_in_the_channel_when_response_url_fails(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.desk, "follow", _boom)
    # The builder's default response_url is a closed port.
    await bot.send(block_actions("follow_request", SID, channel_id="CTEAM", user_id="U7"))
    await bot.settle()
    (ephemeral,) = bot.slack.calls_to("chat.postEphemeral")
    assert ephemeral.args["channel"] == "CTEAM" and ephemeral.args["user"] == "U7"
    _one_error_with_reference(caplog, ephemeral.args["text"])


async def test_ack_does_not_wait_for_the_message(bot: Bot) -> None:
    """A response_url that takes its time must not hold the ack (Slack waits 3 s)."""
    release = asyncio.Event()
    received: list[bytes] = []

    async def slow_response_url(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        received.append(await reader.readexactly(length))
        await release.wait()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(slow_response_url, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        url = f"http://127.0.0.1:{port}/hooks/1"
        response = await bot.send(block_actions("follow_request", "KW1", response_url=url))
        assert response.status_code == 200
        assert len(bot.runtime.tasks) == 1  # the message is still on its way
        release.set()
        await bot.settle()
        assert len(received) == 1 and b"old message" in received[0]
    finally:
        server.close()
        await server.wait_closed()


# -- conversations.open without a channel --------------------------------------------------


async def test_bulk_check_without_a_dm_says_so(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.slack.script("conversations.open", {"ok": True})
    numbers = " ".join(f"+1212555{i:04d}" for i in range(12))
    url = bot.slack.response_url("bulk")
    await bot.send(slash_command("/port-check", numbers, response_url=url))
    await bot.settle()
    (told,) = bot.slack.responses_to("bulk")
    assert "could not open a DM" in told.body["text"] and "/port-check" in told.body["text"]
    assert not bot.slack.calls_to("chat.postMessage")
    assert not tracebacks(caplog)


async def test_numbers_csv_without_a_dm_says_so(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, ["+14155550100"])
    bot.slack.script("conversations.open", {"ok": True})
    url = bot.slack.response_url("csv")
    await bot.send(block_actions("numbers_csv", request.request_sid, response_url=url))
    await bot.settle()
    (told,) = bot.slack.responses_to("csv")
    assert "could not open a DM" in told.body["text"]
    assert not bot.slack.uploaded_files
    assert not tracebacks(caplog)


@pytest.mark.parametrize("modal_gone", [False, True], ids=["in the modal", "by DM"])
async def test_failure_after_a_modal_ack_is_told_in_the_modal_or_by_dm(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, modal_gone: bool
) -> None:
    monkeypatch.setattr(bot.desk, "cancel_request", _boom)
    if modal_gone:
        bot.slack.script("views.update", {"ok": False, "error": "not_found"})
    response = await bot.send(
        view_submission(
            "cancel_confirm", private_metadata=json.dumps({"request_sid": SID}), user_id="U5"
        )
    )
    assert response.json()["response_action"] == "update"  # "Canceling…"
    await bot.settle()
    if modal_gone:
        (message,) = bot.slack.calls_to("chat.postMessage")
        shown = message.args["text"]
    else:
        (update,) = bot.slack.calls_to("views.update")
        assert update.args["view_id"] == "V123"
        shown = json.dumps(update.args["view"]["blocks"])
    assert "Sorry" in shown
    _one_error_with_reference(caplog, shown)
