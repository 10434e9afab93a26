"""Deadlines on the board and in the thread, end to end (sandbox → webhook → bot → fake
Slack): the LOA's signer and deadline from Twilio's timestamps, the Signing link for the
person who filed the request only, port dates, Twilio's notes, and the post-port checklist
posted once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import update
from sqlmodel import SQLModel, select

from bot.sandbox import Sandbox, SandboxConfig
from bot.server import create_app
from bot.settings import Settings
from bot.slack.ids import Action
from bot.store.models import OutboxItem, RequestState
from tests import bodies
from tests.conftest import PORTING_CHANNEL, PUBLIC_URL, SANDBOX_START, Bot, _LazyApp, make_settings
from tests.fakes.slack_api import Call, FakeSlack, Reply, server_error
from tests.fakes.slack_requests import block_actions
from tests.helpers import file_request
from tests.port_in_forms import LANDLINE, file_through_form

FILER = "U123"  # who files through the form (tests.port_in_forms)
OTHER = "U999"
CHECKLIST = "Before you use them"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # The representative signs only when a test says so: the LOA waits as long as needed.
    return SandboxConfig(start_time=SANDBOX_START, seed=7, auto_sign_loa=False)


def _slack_date(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^"


def _replies(bot: Bot) -> list[Call]:
    return [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts") and c.ok]


def _boards(bot: Bot) -> list[str]:
    """Every board drawn, oldest first: the root posted, then each edit."""
    posts = [c for c in bot.slack.calls_to("chat.postMessage") if c.ok]
    roots = [
        str(c.args["blocks"])
        for c in posts
        if c.args.get("channel") == PORTING_CHANNEL and not c.args.get("thread_ts")
    ]
    return roots + [str(c.args["blocks"]) for c in bot.slack.calls_to("chat.update") if c.ok]


def _channel_text(bot: Bot) -> str:
    """What the bot posted or edited in channels (not the ephemeral answers)."""
    calls = [
        c
        for c in bot.slack.calls
        if c.method in ("chat.postMessage", "chat.update", "files.completeUploadExternal")
    ]
    return "\n".join(str(c.args) for c in calls)


async def _filed_and_sent(bot: Bot) -> str:
    """A request filed through /port-in by FILER, through Twilio's review: the LOA is out."""
    await file_through_form(bot, LANDLINE)
    (sid,) = bot.sandbox.state.requests
    await bot.sandbox.advance(timedelta(hours=5))  # Twilio's review (4 h) is done
    await bot.settle()
    assert bot.sandbox.request(sid).status == "waiting_for_signature"
    return sid


async def _press_signing_link(bot: Bot, sid: str, user_id: str, name: str) -> dict[str, Any]:
    thread = (await bot.desk.snapshot(sid)).thread
    assert thread is not None
    await bot.send(
        block_actions(
            Action.SIGNATURE_LINK,
            sid,
            user_id=user_id,
            channel_id=PORTING_CHANNEL,
            message_ts=thread.thread_ts,
            response_url=bot.slack.response_url(name),
        )
    )
    await bot.settle()
    (answer,) = bot.slack.responses_to(name)
    return answer.body


async def _database_text(bot: Bot) -> str:
    dump = []
    async with bot.runtime.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in (await conn.execute(table.select())).all()]
    return "\n".join(dump)


# -- the LOA ---------------------------------------------------------------------------------


async def test_loa_reply_and_board_say_who_signs_and_by_when(bot: Bot) -> None:
    sid = await _filed_and_sent(bot)
    sent = bot.sandbox.request(sid).loa_sent_at
    assert sent is not None
    deadline = _slack_date(sent + timedelta(days=30))

    (reply,) = [c for c in _replies(bot) if "LOA sent" in c.args["text"]]
    text = reply.args["text"]
    assert f"{bodies.REPRESENTATIVE} ({bodies.REPRESENTATIVE_EMAIL})" in text
    assert deadline in text and "Twilio cancels the request" in text
    assert _slack_date(sent) in text, "when it went out, by Twilio's clock"
    assert f"<@{FILER}> can get the signing link privately" in text
    assert Action.SIGNATURE_LINK in str(reply.args["blocks"])

    board = _boards(bot)[-1]
    assert deadline in board and bodies.REPRESENTATIVE_EMAIL in board
    assert Action.SIGNATURE_LINK in board

    # Signed: the deadline and the button leave the board.
    await bot.sandbox.sign_loa(sid)
    await bot.settle()
    board = _boards(bot)[-1]
    assert "LOA: signed" in board
    assert deadline not in board and Action.SIGNATURE_LINK not in board


async def test_a_request_first_seen_late_gets_its_deadline_from_twilios_timestamps(
    bot: Bot,
) -> None:
    bot.sandbox.state.webhook.port_in_target_url = None  # filed elsewhere, no webhook reached us
    request = await file_request(bot.runtime.twilio, bot.sandbox, [LANDLINE])
    sid = request.request_sid
    await bot.sandbox.advance(timedelta(days=12))  # the LOA went out 12 days ago
    sent = bot.sandbox.request(sid).loa_sent_at
    assert sent is not None and bot.sandbox.now - sent > timedelta(days=11)

    await bot.poll_now()  # discovery adopts it
    await bot.settle()
    (root,) = _boards(bot)
    assert _slack_date(sent + timedelta(days=30)) in root, "30 days from the LOA, not from today"
    assert f"{bodies.REPRESENTATIVE} ({bodies.REPRESENTATIVE_EMAIL})" in root
    assert Action.SIGNATURE_LINK not in root, "nobody here filed it: no signing link to offer"
    assert "🎫 Twilio support ticket #" in root
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, sid)
    assert state is not None and state.status_changed_at == sent


# -- the signing link --------------------------------------------------------------------------


async def test_signing_link_goes_to_the_filer_only_and_nowhere_else(
    bot: Bot, caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    caplog.set_level(logging.DEBUG)
    sid = await _filed_and_sent(bot)
    link = bot.sandbox.request(sid).signature_request_url
    token = bot.sandbox.request(sid).signature_token
    assert link and token in link

    mine = await _press_signing_link(bot, sid, FILER, "filer")
    assert mine["response_type"] == "ephemeral" and mine["replace_original"] is False
    assert link in mine["text"] and bodies.REPRESENTATIVE in mine["text"]

    theirs = await _press_signing_link(bot, sid, OTHER, "other")
    assert theirs["response_type"] == "ephemeral"
    assert token not in theirs["text"] and f"Only <@{FILER}>" in theirs["text"]

    # The link reached the filer's ephemeral answer and nothing else: no channel message, no
    # table, no log line.
    assert token not in _channel_text(bot)
    assert token not in await _database_text(bot)
    assert token not in caplog.text

    # Once signed there is nothing to sign, even for the filer.
    await bot.sandbox.sign_loa(sid)
    await bot.settle()
    late = await _press_signing_link(bot, sid, FILER, "late")
    assert "no longer waiting for a signature" in late["text"] and token not in late["text"]


# -- port dates and Twilio's notes -------------------------------------------------------------


async def test_port_dates_reach_the_board_once_numbers_have_them(bot: Bot) -> None:
    sid = await _filed_and_sent(bot)
    await bot.sandbox.sign_loa(sid)
    while bot.sandbox.request(sid).numbers[0].port_date is None:
        due = bot.sandbox.state.next_due()
        assert due is not None, "the carrier never gave a port date"
        await bot.sandbox.advance_to(due)
        await bot.settle()
    port_date = bot.sandbox.request(sid).numbers[0].port_date
    assert port_date is not None
    board = _boards(bot)[-1]
    assert (
        f"📅 Port date: {_slack_date(datetime.combine(port_date.date(), time(12), UTC))}" in board
    )


async def test_twilios_reason_for_canceling_and_suggestion_are_on_the_board(bot: Bot) -> None:
    bot.sandbox.state.webhook.port_in_target_url = None
    request = await file_request(bot.runtime.twilio, bot.sandbox, [LANDLINE])
    sid = request.request_sid
    await bot.sandbox.advance(timedelta(hours=5))
    await bot.poll_now()  # discovery adopts it
    await bot.settle()
    assert "Twilio suggests" not in _boards(bot)[-1], "the list's suggestion comes with discovery"

    await bot.poll_now()  # the next discovery reads the list again: now the request is known
    await bot.settle()
    board = _boards(bot)[-1]
    assert "💡 Twilio suggests: Ask the authorized representative to sign the LOA" in board

    await bot.sandbox.expire_loa(sid)
    await bot.poll_now()
    await bot.settle()
    board = _boards(bot)[-1]
    assert "Expired" in board
    assert "🚫 Twilio's reason for canceling: The LOA was not signed within 30 days" in board
    assert "Twilio suggests" not in board, "the suggestion was for the status it left"


# -- the post-port checklist -------------------------------------------------------------------


def _checklists(bot: Bot) -> list[Call]:
    return [c for c in _replies(bot) if CHECKLIST in c.args["text"]]


async def test_completed_request_gets_one_checklist_mentioning_the_filer(bot: Bot) -> None:
    sid = await _filed_and_sent(bot)
    await bot.sandbox.sign_loa(sid)
    await bot.run_lifecycle()
    assert bot.sandbox.request(sid).status == "completed"

    (checklist,) = _checklists(bot)
    text = checklist.args["text"]
    assert text.startswith(f"🏁 <@{FILER}> 1 number ported to Twilio: +1 415-555-0101")
    assert "compliance requirements" in text and "SMS can lag voice" in text
    texts = [c.args["text"] for c in _replies(bot)]
    assert texts.index(text) == len(texts) - 1, "after the reply saying it completed"

    # The completed webhook again: a redelivery, and a new delivery of the same news.
    completed = [d for d in bot.sandbox.deliveries if b"PortInCompleted" in d.body]
    assert completed
    for delivery in completed:
        await bot.http.post(
            delivery.url.replace("http://bot.test", ""),
            content=delivery.body,
            headers={"X-Twilio-Signature": delivery.signature},
        )
    await bot.poll_now()
    await bot.settle()
    assert len(_checklists(bot)) == 1

    # Even if the completion were seen again (the stored status rewound), the key holds.
    async with bot.runtime.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sid)  # type: ignore[arg-type]
            .values(status="in_progress")
        )
        await s.commit()
    await bot.desk.sync(sid)
    await bot.wait_delivered()
    assert len(_checklists(bot)) == 1


def _checklist_posts(slack: FakeSlack) -> list[Call]:
    """Every attempt at posting a checklist, answered or not."""
    return [c for c in slack.calls_to("chat.postMessage") if CHECKLIST in str(c.args["text"])]


@asynccontextmanager
async def _process(
    slack: FakeSlack, settings: Settings, sandbox: Sandbox, holder: dict[str, Any]
) -> AsyncIterator[Bot]:
    """One run of the bot over ``settings``' database: started, then stopped at the end."""
    app = create_app(settings, sandbox=sandbox)
    holder["app"] = app
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield Bot(app, http, slack, sandbox, settings)


async def test_checklist_in_flight_at_a_restart_is_found_not_posted_again(
    fake_slack: FakeSlack, tmp_path, clean_slack_env, sandbox_config: SandboxConfig
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(fake_slack, tmp_path)
    holder: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_LazyApp(holder))) as to_bot:
        sandbox = Sandbox(sandbox_config, http_client=to_bot)

        def lands_then_fails(call: Call) -> dict[str, Any] | Reply:
            answer = fake_slack._chat_post_message(call)  # Slack has the checklist...
            if CHECKLIST in str(call.args.get("text")):
                return server_error()  # ...but the bot never hears back
            return answer

        async with _process(fake_slack, settings, sandbox, holder) as first:
            fake_slack.set_handler("chat.postMessage", lands_then_fails)
            fake_slack.fail_until("conversations.replies", lambda: "second" in holder)
            sid = await _filed_and_sent(first)
            await sandbox.sign_loa(sid)
            await first.run_lifecycle()
        async with first.runtime.db.session() as s:
            (item,) = (await s.exec(select(OutboxItem).where(OutboxItem.kind == "checklist"))).all()
        assert item.status == "pending" and item.maybe_sent, "in flight when the bot stopped"

        del fake_slack._handlers["chat.postMessage"]
        holder["second"] = True
        async with _process(fake_slack, settings, sandbox, holder) as second:
            await second.wait_delivered()
            stored = [m for m in fake_slack.messages if CHECKLIST in str(m.get("text"))]
            assert len(stored) == 1, "found in the thread, not posted again"
            assert len(_checklist_posts(fake_slack)) == 1, "one attempt, before the restart"
            # The completion applied again after the restart changes nothing.
            await second.desk.sync(sid)
            await second.poll_now()
            await second.wait_delivered()
        assert len(_checklist_posts(fake_slack)) == 1
