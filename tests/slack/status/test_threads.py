"""Webhooks → request threads, and /port-status, end to end: sandbox → signed webhook → bot →
fake Slack."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from bot.porting.signature import sign_json
from bot.store.models import RequestThread, WebhookReceipt
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_requests import block_actions, slash_command
from tests.helpers import file_request

OK = "+14155550101"
REJECTED_PIN = "+14155550155"  # the carrier rejects it with 22155 INVALID_PIN
MOBILE = "+14155550205"


async def _receipts(bot: Bot) -> list[WebhookReceipt]:
    async with bot.runtime.db.session() as s:
        return list((await s.exec(select(WebhookReceipt))).all())


async def _thread(bot: Bot, sid: str) -> RequestThread | None:
    async with bot.runtime.db.session() as s:
        return await s.get(RequestThread, sid)


async def test_unknown_request_is_adopted_and_followed_through_its_lifecycle(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, REJECTED_PIN, MOBILE])
    await bot.sandbox.advance(timedelta(hours=12))  # Twilio review done → LOA sent
    await bot.settle()

    roots = [c for c in bot.slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(roots) == 1, "a request the bot never saw gets one root message"
    root = roots[0]
    assert root.args["channel"] == PORTING_CHANNEL
    assert request.request_sid in str(root.args["blocks"])
    thread = await _thread(bot, request.request_sid)
    assert thread is not None and thread.thread_ts == str(root.args.get("ts") or thread.thread_ts)

    await bot.run_lifecycle()

    replies = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert replies, "status changes are posted in the thread"
    assert all(c.args["thread_ts"] == thread.thread_ts for c in replies)
    assert all(isinstance(c.args["thread_ts"], str) for c in replies)
    assert all(c.args.get("text") for c in replies), "every message has fallback text"
    history = "\n".join(c.args["text"] for c in replies)
    assert "Port Pending" in history
    assert "INVALID_PIN (22155)" in history and "new port-out PIN" in history
    assert "ported to Twilio" in history
    updates = bot.slack.calls_to("chat.update")
    assert updates and all(u.args["ts"] == thread.thread_ts for u in updates)
    final_board = str(updates[-1].args["blocks"])
    assert "2 ported" in final_board and "1 rejected" in final_board

    # Nothing secret reached Slack.
    assert "73914" not in bot.slack.all_text()
    assert "5550001234" not in bot.slack.all_text()


async def test_same_delivery_twice_posts_once(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.settle()
    posts_before = len(bot.slack.calls_to("chat.postMessage"))
    delivery = next(d for d in bot.sandbox.deliveries if d.ok)
    response = await bot.http.post(
        delivery.url.replace("http://bot.test", ""),
        content=delivery.body,
        headers={"Content-Type": "application/json", "X-Twilio-Signature": delivery.signature},
    )
    assert response.status_code == 200 and response.text == "duplicate"
    await bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == posts_before
    assert request.request_sid


async def test_forged_and_unsigned_webhooks_are_refused_and_leave_nothing(bot: Bot) -> None:
    body = json.dumps(
        {"port_in_request_sid": "KW" + "a" * 32, "status": "PortInCompleted"}
    ).encode()
    url, signature = sign_json("wrong-token", "http://bot.test/twilio/porting", body)
    path = url.replace("http://bot.test", "")
    forged = await bot.http.post(path, content=body, headers={"X-Twilio-Signature": signature})
    unsigned = await bot.http.post(path, content=body)
    _, good_sig = sign_json(bot.sandbox.config.auth_token, "http://bot.test/twilio/porting", body)
    tampered = await bot.http.post(
        path,
        content=body.replace(b"Completed", b"Canceled"),
        headers={"X-Twilio-Signature": good_sig},
    )
    assert [forged.status_code, unsigned.status_code, tampered.status_code] == [403, 403, 403]
    await bot.settle()
    assert await _receipts(bot) == []
    assert not bot.slack.calls_to("chat.postMessage")


async def test_port_status_then_follow_creates_thread(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, MOBILE])
    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", request.request_sid, response_url=url))
    await bot.settle()
    body = bot.slack.responses_to("status")[0].body
    assert body["response_type"] == "ephemeral"
    blocks = str(body["blocks"])
    assert request.request_sid in blocks and "In Review" in blocks
    assert "+1 415-555-0101" in blocks and "Follow in channel" in blocks

    await bot.send(block_actions("follow_request", request.request_sid, response_url=url))
    await bot.settle()
    root = bot.slack.calls_to("chat.postMessage")[-1]
    assert root.args["channel"] == PORTING_CHANNEL
    assert "Following" in bot.slack.responses_to("status")[-1].body["text"]
    assert await _thread(bot, request.request_sid) is not None

    # Following twice never makes a second root.
    await bot.send(block_actions("follow_request", request.request_sid, response_url=url))
    await bot.settle()
    roots = [c for c in bot.slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(roots) == 1

    # The answer now links to the thread; Slack opens the URL and still sends the click,
    # which is acknowledged (an unanswered click shows a warning on the button).
    opened = await bot.send(block_actions("open_link", response_url=url))
    assert opened.status_code == 200


async def test_port_status_rejects_bad_and_unknown_sids(bot: Bot) -> None:
    bad = await bot.send(slash_command("/port-status", "KW123"))
    assert "I can't read “KW123”" in bad.text and "/port-list" in bad.text
    empty = await bot.send(slash_command("/port-status", ""))
    assert "Usage" in empty.text
    url = bot.slack.response_url("unknown")
    await bot.send(slash_command("/port-status", "KW" + "0" * 32, response_url=url))
    await bot.settle()
    assert "no such request" in bot.slack.responses_to("unknown")[0].body["text"]


async def test_refresh_redraws_the_board_through_the_outbox_so_a_slack_failure_is_retried(
    bot: Bot,
) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.settle()
    thread = await _thread(bot, request.request_sid)
    assert thread is not None
    bot.runtime.outbox.backoff_base = 0.01
    up = False
    bot.slack.fail_until("chat.update", lambda: up)
    before = len(bot.slack.calls_to("chat.update"))

    await bot.send(
        block_actions(
            "refresh_request",
            request.request_sid,
            channel_id=thread.channel_id,
            message_ts=thread.thread_ts,
        )
    )
    await bot.settle()
    failed = bot.slack.calls_to("chat.update")[before:]
    assert failed and not failed[-1].ok, "Slack was down when the board was redrawn"

    up = True
    await bot.wait_delivered()
    redrawn = bot.slack.calls_to("chat.update")[-1]
    assert redrawn.ok and redrawn.args["ts"] == thread.thread_ts, "the edit was not lost"
    assert request.request_sid in str(redrawn.args["blocks"])
