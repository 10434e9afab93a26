"""Durable delivery to Slack: outages, rate limits, refusals and lost answers never lose or
repeat a thread message, and each thread keeps its order."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.store.models import OutboxItem, RequestThread
from tests.conftest import Bot
from tests.fakes.slack_api import Call, Reply, ratelimited, server_error, slack_error
from tests.helpers import file_request

OK = "+14155550101"
REJECTED_PIN = "+14155550155"
MOBILE = "+14155550205"


def _key(call: Call) -> str | None:
    metadata = call.args.get("metadata") or {}
    return (metadata.get("event_payload") or {}).get("key")


def _posted(bot: Bot) -> list[Call]:
    return [c for c in bot.slack.calls_to("chat.postMessage") if c.ok]


async def _posts_in_order(bot: Bot, sid: str) -> list[str]:
    async with bot.runtime.db.session() as s:
        rows = (
            await s.exec(
                select(OutboxItem)
                .where(OutboxItem.request_sid == sid, OutboxItem.kind != "board")
                .order_by(OutboxItem.id)
            )
        ).all()
    assert all(r.status == "done" for r in rows)
    return [r.key for r in rows if r.kind != "file"]


async def test_slack_outage_then_everything_delivered_once_in_order(bot: Bot) -> None:
    bot.runtime.outbox.backoff_base = 0.02
    down = True
    bot.slack.fail_until("chat.postMessage", lambda: not down)
    bot.slack.fail_until("chat.update", lambda: not down, server_error(503))
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, REJECTED_PIN, MOBILE])

    await bot.run_lifecycle()
    assert not _posted(bot), "Slack is down: nothing got through"
    ready = (await bot.http.get("/readyz")).json()
    assert ready["ok"] and ready["slack_outbox"]["pending"] >= 2

    down = False
    await bot.wait_delivered()
    keys = [_key(c) for c in _posted(bot)]
    assert len(keys) == len(set(keys)), "no message was posted twice"
    assert keys == await _posts_in_order(bot, request.request_sid), "thread order kept"
    history = "\n".join(c.args["text"] for c in _posted(bot)[1:])
    assert "Port Pending" in history and "INVALID_PIN (22155)" in history
    assert "ported to Twilio" in history
    board = bot.slack.calls_to("chat.update")[-1]
    assert board.ok and "2 ported" in str(board.args["blocks"])


async def test_rate_limited_post_waits_for_retry_after(bot: Bot) -> None:
    bot.slack.script("chat.postMessage", ratelimited(retry_after=1), ratelimited(retry_after=1))
    await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.wait_delivered()
    calls = bot.slack.calls_to("chat.postMessage")
    assert [c.response_status for c in calls] == [429, 429, 200]
    assert calls[1].received_at - calls[0].received_at >= 0.95
    assert calls[2].received_at - calls[1].received_at >= 0.95


async def test_refused_post_is_kept_reported_and_retried(bot: Bot) -> None:
    bot.runtime.outbox.backoff_base = 0.01
    invited = False
    bot.slack.fail_until("chat.postMessage", lambda: invited, slack_error("not_in_channel"))
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))

    for _ in range(200):
        outbox = (await bot.http.get("/readyz")).json()["slack_outbox"]
        if outbox["failing"]:
            break
        await bot.settle()
    assert outbox["failing"] == 1 and outbox["last_error"] == "not_in_channel"

    invited = True  # someone invites the bot to the channel
    await bot.wait_delivered()
    assert (await bot.http.get("/readyz")).json()["slack_outbox"]["failing"] == 0
    async with bot.runtime.db.session() as s:
        thread = await s.get(RequestThread, request.request_sid)
    assert thread is not None
    assert len(_posted(bot)) == 1


async def test_post_whose_answer_was_lost_is_found_not_repeated(bot: Bot) -> None:
    lost: list[Call] = []

    def post_then_fail(call: Call) -> Reply:
        bot.slack._chat_post_message(call)  # Slack posted it...
        lost.append(call)
        bot.slack.set_handler("chat.postMessage", bot.slack._chat_post_message)
        return server_error(502)  # ...but the bot never learns

    bot.slack.set_handler("chat.postMessage", post_then_fail)
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.wait_delivered()

    assert len(lost) == 1
    roots = [m for m in bot.slack.messages if not m.get("thread_ts")]
    assert len(roots) == 1, "the lost post was adopted, not posted again"
    async with bot.runtime.db.session() as s:
        thread = await s.get(RequestThread, request.request_sid)
    assert thread is not None and thread.thread_ts == roots[0]["ts"]
    assert bot.slack.calls_to("conversations.history"), "the bot looked before posting"


async def test_lost_post_is_still_looked_for_after_the_look_itself_failed(bot: Bot) -> None:
    bot.runtime.outbox.backoff_base = 0.0

    def post_then_fail(call: Call) -> Reply:
        bot.slack._chat_post_message(call)
        bot.slack.set_handler("chat.postMessage", bot.slack._chat_post_message)
        return server_error(502)

    bot.slack.set_handler("chat.postMessage", post_then_fail)
    bot.slack.script("conversations.history", ratelimited(retry_after=0))  # the first look
    await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.wait_delivered()

    looks = bot.slack.calls_to("conversations.history")
    assert [c.response_status for c in looks] == [429, 200], "looked again after the 429"
    roots = [m for m in bot.slack.messages if not m.get("thread_ts")]
    assert len(roots) == 1, "the lost post was adopted, not posted again"


async def test_follow_while_slack_refuses_says_so_and_posts_later(bot: Bot) -> None:
    from tests.fakes.slack_requests import block_actions

    bot.runtime.outbox.backoff_base = 0.01
    invited = False
    bot.slack.fail_until("chat.postMessage", lambda: invited, slack_error("not_in_channel"))
    bot.sandbox.state.webhook.port_in_target_url = None
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    url = bot.slack.response_url("follow")
    await bot.send(block_actions("follow_request", request.request_sid, response_url=url))
    answer = (await bot.slack.wait_for_response("follow"))[0].body["text"]
    assert "could not post the thread" in answer and "not_in_channel" in answer

    invited = True
    await bot.wait_delivered()
    roots = [c for c in _posted(bot) if not c.args.get("thread_ts")]
    assert len(roots) == 1 and request.request_sid in str(roots[0].args["blocks"])
